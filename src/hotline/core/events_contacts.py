"""Events of contacts, reservations and timers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from hotline.core.event_base import Attributes, Event


# --- contacts and reservations ---------------------------------------------------------------
@dataclass(init=False, slots=True)
class ContactQueued(Event):
    contact_id: Final[str]
    channel: Final[str]
    workflow: Final[str]
    queue: Final[str]
    priority: Final[int]
    attributes: Final[Attributes]

    def __init__(
        self,
        *,
        at: float,
        contact_id: str,
        channel: str,
        workflow: str,
        queue: str,
        priority: int,
        attributes: Attributes,
    ) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.channel = channel
        self.workflow = workflow
        self.queue = queue
        self.priority = priority
        self.attributes = attributes


@dataclass(init=False, slots=True)
class ContactOverflowed(Event):
    """A workflow step timed out: the pool widened to ``queue``; the contact keeps its place."""

    contact_id: Final[str]
    step: Final[int]
    queue: Final[str]

    def __init__(self, *, at: float, contact_id: str, step: int, queue: str) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.step = step
        self.queue = queue


@dataclass(init=False, slots=True)
class ReservationCreated(Event):
    reservation_id: Final[str]
    contact_id: Final[str]
    agent_id: Final[str]
    queue: Final[str]
    expires_at: Final[float | None]

    def __init__(
        self,
        *,
        at: float,
        reservation_id: str,
        contact_id: str,
        agent_id: str,
        queue: str,
        expires_at: float | None,
    ) -> None:
        Event.__init__(self, at=at)
        self.reservation_id = reservation_id
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.queue = queue
        self.expires_at = expires_at


@dataclass(init=False, slots=True)
class ReservationRejected(Event):
    reservation_id: Final[str]
    contact_id: Final[str]
    agent_id: Final[str]

    def __init__(self, *, at: float, reservation_id: str, contact_id: str, agent_id: str) -> None:
        Event.__init__(self, at=at)
        self.reservation_id = reservation_id
        self.contact_id = contact_id
        self.agent_id = agent_id


@dataclass(init=False, slots=True)
class ReservationTimedOut(Event):
    reservation_id: Final[str]
    contact_id: Final[str]
    agent_id: Final[str]

    def __init__(self, *, at: float, reservation_id: str, contact_id: str, agent_id: str) -> None:
        Event.__init__(self, at=at)
        self.reservation_id = reservation_id
        self.contact_id = contact_id
        self.agent_id = agent_id


@dataclass(init=False, slots=True)
class ReservationRevoked(Event):
    """The offer was withdrawn (agent went not ready or logged out); the contact keeps its place."""

    reservation_id: Final[str]
    contact_id: Final[str]
    agent_id: Final[str]
    reason: Final[str]

    def __init__(
        self, *, at: float, reservation_id: str, contact_id: str, agent_id: str, reason: str
    ) -> None:
        Event.__init__(self, at=at)
        self.reservation_id = reservation_id
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.reason = reason


@dataclass(init=False, slots=True)
class ContactConnected(Event):
    contact_id: Final[str]
    agent_id: Final[str]
    reservation_id: Final[str]
    queue: Final[str]
    first_queue: Final[str]
    channel: Final[str]
    queued_at: Final[float]
    leg: Final[int]

    def __init__(
        self,
        *,
        at: float,
        contact_id: str,
        agent_id: str,
        reservation_id: str,
        queue: str,
        first_queue: str,
        channel: str,
        queued_at: float,
        leg: int,
    ) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.reservation_id = reservation_id
        self.queue = queue
        self.first_queue = first_queue
        self.channel = channel
        self.queued_at = queued_at
        self.leg = leg


@dataclass(init=False, slots=True)
class ContactHeld(Event):
    contact_id: Final[str]
    agent_id: Final[str]

    def __init__(self, *, at: float, contact_id: str, agent_id: str) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.agent_id = agent_id


@dataclass(init=False, slots=True)
class ContactResumed(Event):
    contact_id: Final[str]
    agent_id: Final[str]

    def __init__(self, *, at: float, contact_id: str, agent_id: str) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.agent_id = agent_id


@dataclass(init=False, slots=True)
class ContactTransferred(Event):
    """Blind transfer: the agent's leg ends (into wrap-up if any); the contact waits anew."""

    contact_id: Final[str]
    agent_id: Final[str]
    to_queue: Final[str | None]
    to_agent: Final[str | None]
    connected_at: Final[float]
    wrap_up_until: Final[float | None]

    def __init__(
        self,
        *,
        at: float,
        contact_id: str,
        agent_id: str,
        to_queue: str | None,
        to_agent: str | None,
        connected_at: float,
        wrap_up_until: float | None,
    ) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.to_queue = to_queue
        self.to_agent = to_agent
        self.connected_at = connected_at
        self.wrap_up_until = wrap_up_until


@dataclass(init=False, slots=True)
class ContactEnded(Event):
    """The conversation is over; the agent is in wrap-up until ``wrap_up_until`` at the latest."""

    contact_id: Final[str]
    agent_id: Final[str]
    wrap_up_until: Final[float]

    def __init__(self, *, at: float, contact_id: str, agent_id: str, wrap_up_until: float) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.wrap_up_until = wrap_up_until


@dataclass(init=False, slots=True)
class WrapUpEnded(Event):
    """An agent finished wrap-up of a leg of a contact that has since moved on (a transfer)."""

    contact_id: Final[str]
    agent_id: Final[str]
    connected_at: Final[float]
    disposition: Final[str]
    notes: Final[str]
    timed_out: Final[bool]

    def __init__(
        self,
        *,
        at: float,
        contact_id: str,
        agent_id: str,
        connected_at: float,
        disposition: str,
        notes: str,
        timed_out: bool,
    ) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.connected_at = connected_at
        self.disposition = disposition
        self.notes = notes
        self.timed_out = timed_out


@dataclass(init=False, slots=True)
class ContactCompleted(Event):
    """Terminal: handled and wrapped up. Handle time of the last leg is ``at - connected_at``."""

    contact_id: Final[str]
    agent_id: Final[str]
    first_queue: Final[str]
    channel: Final[str]
    queued_at: Final[float]
    connected_at: Final[float]
    hold_s: Final[float]
    disposition: Final[str]
    notes: Final[str]
    wrap_up_timed_out: Final[bool]

    def __init__(
        self,
        *,
        at: float,
        contact_id: str,
        agent_id: str,
        first_queue: str,
        channel: str,
        queued_at: float,
        connected_at: float,
        hold_s: float,
        disposition: str,
        notes: str,
        wrap_up_timed_out: bool,
    ) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.first_queue = first_queue
        self.channel = channel
        self.queued_at = queued_at
        self.connected_at = connected_at
        self.hold_s = hold_s
        self.disposition = disposition
        self.notes = notes
        self.wrap_up_timed_out = wrap_up_timed_out


@dataclass(init=False, slots=True)
class ContactAbandoned(Event):
    """Terminal: the caller hung up while waiting (or while the offer rang)."""

    contact_id: Final[str]
    first_queue: Final[str]
    channel: Final[str]
    queued_at: Final[float]
    agent_id: Final[str | None]
    legs: Final[int]

    def __init__(
        self,
        *,
        at: float,
        contact_id: str,
        first_queue: str,
        channel: str,
        queued_at: float,
        agent_id: str | None,
        legs: int = 0,
    ) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.first_queue = first_queue
        self.channel = channel
        self.queued_at = queued_at
        self.agent_id = agent_id
        self.legs = legs


@dataclass(init=False, slots=True)
class CallbackRequested(Event):
    """The caller left the line; the contact keeps its place as a callback."""

    contact_id: Final[str]
    number: Final[str]

    def __init__(self, *, at: float, contact_id: str, number: str) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.number = number


@dataclass(init=False, slots=True)
class ContactDiverted(Event):
    """Terminal: the contact left the queues for voicemail or a closing message."""

    contact_id: Final[str]
    first_queue: Final[str]
    channel: Final[str]
    queued_at: Final[float]
    to: Final[str]

    def __init__(
        self,
        *,
        at: float,
        contact_id: str,
        first_queue: str,
        channel: str,
        queued_at: float,
        to: str,
    ) -> None:
        Event.__init__(self, at=at)
        self.contact_id = contact_id
        self.first_queue = first_queue
        self.channel = channel
        self.queued_at = queued_at
        self.to = to


# --- timers ----------------------------------------------------------------------------------
@dataclass(init=False, slots=True)
class WakeUpRequested(Event):
    """The shell's clock must send ``TimerFired(key)`` at ``due``."""

    key: Final[str]
    due: Final[float]

    def __init__(self, *, at: float, key: str, due: float) -> None:
        Event.__init__(self, at=at)
        self.key = key
        self.due = due


@dataclass(init=False, slots=True)
class WakeUpSpent(Event):
    """A wake-up came and found nothing left to do (say, the fallback of a callback)."""

    key: Final[str]

    def __init__(self, *, at: float, key: str) -> None:
        Event.__init__(self, at=at)
        self.key = key
