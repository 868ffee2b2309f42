"""Events: what happened, past tense. Every event carries ``at`` (seconds since the Unix epoch).

Events are the engine's only output and the event log's content; applying them in order to an
empty state rebuilds the live state (see ``state.CentreState.apply``). They serialise to JSON
with ``to_json``/``from_json``.

Why seconds and not datetimes: the twin runs millions of contacts on a 20 µs budget each, and
a float is an unambiguous UTC instant; the shell turns it into an aware datetime at the edges.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Final

Attributes = Mapping[str, str | int | float | bool]


@dataclass(init=False, slots=True)
class Event:
    at: Final[float]

    def __init__(self, *, at: float) -> None:
        self.at = at


# --- directory -------------------------------------------------------------------------------
@dataclass(init=False, slots=True)
class QueueDefined(Event):
    queue: Final[str]
    expression: Final[str]
    ordering: Final[str]
    selection: Final[str]
    priority_weight_s: Final[float]
    proficiency_skill: Final[str | None]
    site: Final[str | None]

    def __init__(
        self,
        *,
        at: float,
        queue: str,
        expression: str,
        ordering: str,
        selection: str,
        priority_weight_s: float,
        proficiency_skill: str | None,
        site: str | None,
    ) -> None:
        Event.__init__(self, at=at)
        self.queue = queue
        self.expression = expression
        self.ordering = ordering
        self.selection = selection
        self.priority_weight_s = priority_weight_s
        self.proficiency_skill = proficiency_skill
        self.site = site


@dataclass(init=False, slots=True)
class WorkflowDefined(Event):
    workflow: Final[str]
    steps: Final[tuple[tuple[str, float | None], ...]]
    fallback: Final[str | None]
    wrap_up_s: Final[float]

    def __init__(
        self,
        *,
        at: float,
        workflow: str,
        steps: tuple[tuple[str, float | None], ...],
        fallback: str | None,
        wrap_up_s: float,
    ) -> None:
        Event.__init__(self, at=at)
        self.workflow = workflow
        self.steps = steps
        self.fallback = fallback
        self.wrap_up_s = wrap_up_s


@dataclass(init=False, slots=True)
class AgentRegistered(Event):
    agent_id: Final[str]
    site: Final[str]
    skills: Final[Mapping[str, int]]
    languages: Final[tuple[str, ...]]
    capacity: Final[Mapping[str, int]]
    attributes: Final[Attributes]
    auto_accept: Final[bool]

    def __init__(
        self,
        *,
        at: float,
        agent_id: str,
        site: str,
        skills: Mapping[str, int],
        languages: tuple[str, ...],
        capacity: Mapping[str, int],
        attributes: Attributes,
        auto_accept: bool,
    ) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id
        self.site = site
        self.skills = skills
        self.languages = languages
        self.capacity = capacity
        self.attributes = attributes
        self.auto_accept = auto_accept


@dataclass(init=False, slots=True)
class AgentUpdated(AgentRegistered):
    pass


# --- presence --------------------------------------------------------------------------------
@dataclass(init=False, slots=True)
class AgentLoggedIn(Event):
    agent_id: Final[str]
    ready: Final[bool]
    reason: Final[str]

    def __init__(self, *, at: float, agent_id: str, ready: bool, reason: str) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id
        self.ready = ready
        self.reason = reason


@dataclass(init=False, slots=True)
class PresenceChanged(Event):
    agent_id: Final[str]
    ready: Final[bool]
    reason: Final[str]

    def __init__(self, *, at: float, agent_id: str, ready: bool, reason: str) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id
        self.ready = ready
        self.reason = reason


@dataclass(init=False, slots=True)
class AgentLogoutRequested(Event):
    """The agent asked to log out with open work; they leave once it is done."""

    agent_id: Final[str]

    def __init__(self, *, at: float, agent_id: str) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id


@dataclass(init=False, slots=True)
class AgentLoggedOut(Event):
    agent_id: Final[str]

    def __init__(self, *, at: float, agent_id: str) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id


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


TERMINAL = (ContactCompleted, ContactAbandoned, ContactDiverted)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        QueueDefined,
        WorkflowDefined,
        AgentRegistered,
        AgentUpdated,
        AgentLoggedIn,
        PresenceChanged,
        AgentLogoutRequested,
        AgentLoggedOut,
        ContactQueued,
        ContactOverflowed,
        ReservationCreated,
        ReservationRejected,
        ReservationTimedOut,
        ReservationRevoked,
        ContactConnected,
        ContactHeld,
        ContactResumed,
        ContactTransferred,
        ContactEnded,
        WrapUpEnded,
        ContactCompleted,
        ContactAbandoned,
        CallbackRequested,
        ContactDiverted,
        WakeUpRequested,
        WakeUpSpent,
    )
}

_TUPLE_FIELDS = {"steps", "languages"}


def to_dict(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = asdict(event)
    data["type"] = type(event).__name__
    return data


def from_dict(data: Mapping[str, Any]) -> Event:
    """Rebuild an event from ``to_dict`` output; a clear error for unknown types or fields."""
    kind = data.get("type")
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise ValueError(f"type: unknown event type {kind!r}")
    names = {f.name for f in fields(cls)}
    missing = names - data.keys()
    if missing:
        raise ValueError(f"{kind}: missing field(s) {', '.join(sorted(missing))}")
    values: dict[str, Any] = {}
    for name in names:
        value = data[name]
        if name in _TUPLE_FIELDS and isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        values[name] = value
    return cls(**values)


def to_json(event: Event) -> str:
    return json.dumps(to_dict(event), separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> Event:
    return from_dict(json.loads(text))
