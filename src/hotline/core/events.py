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

from hotline.core.event_base import Attributes, Event
from hotline.core.events_contacts import (
    CallbackRequested,
    ContactAbandoned,
    ContactCompleted,
    ContactConnected,
    ContactDiverted,
    ContactEnded,
    ContactHeld,
    ContactOverflowed,
    ContactQueued,
    ContactResumed,
    ContactTransferred,
    ReservationCreated,
    ReservationRejected,
    ReservationRevoked,
    ReservationTimedOut,
    WakeUpRequested,
    WakeUpSpent,
    WrapUpEnded,
)
from hotline.core.events_directory import (
    AgentLoggedIn,
    AgentLoggedOut,
    AgentLogoutRequested,
    AgentRegistered,
    AgentUpdated,
    PresenceChanged,
    QueueDefined,
    WorkflowDefined,
)

__all__ = [
    "EVENT_TYPES",
    "TERMINAL",
    "AgentLoggedIn",
    "AgentLoggedOut",
    "AgentLogoutRequested",
    "AgentRegistered",
    "AgentUpdated",
    "Attributes",
    "CallbackRequested",
    "ContactAbandoned",
    "ContactCompleted",
    "ContactConnected",
    "ContactDiverted",
    "ContactEnded",
    "ContactHeld",
    "ContactOverflowed",
    "ContactQueued",
    "ContactResumed",
    "ContactTransferred",
    "Event",
    "PresenceChanged",
    "QueueDefined",
    "ReservationCreated",
    "ReservationRejected",
    "ReservationRevoked",
    "ReservationTimedOut",
    "WakeUpRequested",
    "WakeUpSpent",
    "WorkflowDefined",
    "WrapUpEnded",
    "from_dict",
    "from_json",
    "to_dict",
    "to_json",
]

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
