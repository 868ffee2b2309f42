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
from dataclasses import asdict, fields
from typing import Any

from hotline.core.records import record

Attributes = Mapping[str, str | int | float | bool]



@record
class Event:
    at: float


# --- directory -------------------------------------------------------------------------------
@record
class QueueDefined(Event):
    queue: str
    expression: str
    ordering: str
    selection: str
    priority_weight_s: float
    proficiency_skill: str | None
    site: str | None


@record
class WorkflowDefined(Event):
    workflow: str
    steps: tuple[tuple[str, float | None], ...]
    fallback: str | None
    wrap_up_s: float


@record
class AgentRegistered(Event):
    agent_id: str
    site: str
    skills: Mapping[str, int]
    languages: tuple[str, ...]
    capacity: Mapping[str, int]
    attributes: Attributes
    auto_accept: bool


@record
class AgentUpdated(AgentRegistered):
    pass


# --- presence --------------------------------------------------------------------------------
@record
class AgentLoggedIn(Event):
    agent_id: str
    ready: bool
    reason: str


@record
class PresenceChanged(Event):
    agent_id: str
    ready: bool
    reason: str


@record
class AgentLogoutRequested(Event):
    """The agent asked to log out with open work; they leave once it is done."""

    agent_id: str


@record
class AgentLoggedOut(Event):
    agent_id: str


# --- contacts and reservations ---------------------------------------------------------------
@record
class ContactQueued(Event):
    contact_id: str
    channel: str
    workflow: str
    queue: str
    priority: int
    attributes: Attributes


@record
class ContactOverflowed(Event):
    """A workflow step timed out: the pool widened to ``queue``; the contact keeps its place."""

    contact_id: str
    step: int
    queue: str


@record
class ReservationCreated(Event):
    reservation_id: str
    contact_id: str
    agent_id: str
    queue: str
    expires_at: float | None


@record
class ReservationRejected(Event):
    reservation_id: str
    contact_id: str
    agent_id: str


@record
class ReservationTimedOut(Event):
    reservation_id: str
    contact_id: str
    agent_id: str


@record
class ReservationRevoked(Event):
    """The offer was withdrawn (agent went not ready or logged out); the contact keeps its place."""

    reservation_id: str
    contact_id: str
    agent_id: str
    reason: str


@record
class ContactConnected(Event):
    contact_id: str
    agent_id: str
    reservation_id: str
    queue: str  # the queue whose agent answered
    first_queue: str
    channel: str
    queued_at: float
    leg: int  # 0 for the first answer; transfers add legs


@record
class ContactHeld(Event):
    contact_id: str
    agent_id: str


@record
class ContactResumed(Event):
    contact_id: str
    agent_id: str


@record
class ContactTransferred(Event):
    """Blind transfer: the agent's leg ends (into wrap-up if any); the contact waits anew."""

    contact_id: str
    agent_id: str
    to_queue: str | None
    to_agent: str | None
    connected_at: float
    wrap_up_until: float | None


@record
class ContactEnded(Event):
    """The conversation is over; the agent is in wrap-up until ``wrap_up_until`` at the latest."""

    contact_id: str
    agent_id: str
    wrap_up_until: float


@record
class WrapUpEnded(Event):
    """An agent finished wrap-up of a leg of a contact that has since moved on (a transfer)."""

    contact_id: str
    agent_id: str
    connected_at: float
    disposition: str
    notes: str
    timed_out: bool


@record
class ContactCompleted(Event):
    """Terminal: handled and wrapped up. Handle time of the last leg is ``at - connected_at``."""

    contact_id: str
    agent_id: str
    first_queue: str
    channel: str
    queued_at: float
    connected_at: float
    hold_s: float
    disposition: str
    notes: str
    wrap_up_timed_out: bool


@record
class ContactAbandoned(Event):
    """Terminal: the caller hung up while waiting (or while the offer rang)."""

    contact_id: str
    first_queue: str
    channel: str
    queued_at: float
    agent_id: str | None  # the agent whose offer was ringing, if any
    legs: int = 0  # conversations before: > 0 means the caller hung up waiting after a transfer


@record
class CallbackRequested(Event):
    """The caller left the line; the contact keeps its place as a callback."""

    contact_id: str
    number: str


@record
class ContactDiverted(Event):
    """Terminal: the contact left the queues for voicemail or a closing message."""

    contact_id: str
    first_queue: str
    channel: str
    queued_at: float
    to: str


# --- timers ----------------------------------------------------------------------------------
@record
class WakeUpRequested(Event):
    """The shell's clock must send ``TimerFired(key)`` at ``due``."""

    key: str
    due: float


@record
class WakeUpSpent(Event):
    """A wake-up came and found nothing left to do (say, the fallback of a callback)."""

    key: str


TERMINAL = (ContactCompleted, ContactAbandoned, ContactDiverted)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        QueueDefined, WorkflowDefined, AgentRegistered, AgentUpdated, AgentLoggedIn,
        PresenceChanged, AgentLogoutRequested, AgentLoggedOut, ContactQueued, ContactOverflowed,
        ReservationCreated, ReservationRejected, ReservationTimedOut, ReservationRevoked,
        ContactConnected, ContactHeld, ContactResumed, ContactTransferred, ContactEnded,
        WrapUpEnded, ContactCompleted, ContactAbandoned, CallbackRequested, ContactDiverted,
        WakeUpRequested, WakeUpSpent,
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
