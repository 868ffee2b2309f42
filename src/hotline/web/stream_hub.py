"""One listener on the centre for every open stream: each batch of events is made public once
and goes only to the streams it concerns, so a batch costs the same with 10 or 1,000 agents
connected (a listener per stream would run every stream's filter on every event).

Staff streams get every event; an agent's streams get the events about the agent or about a
contact in its hands, with the agent's view as it is after the batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hotline.core import events as ev
from hotline.core.engine import Engine
from hotline.live.centre import Batch, LiveCentre
from hotline.live.view import floor_view, safe_attributes
from hotline.web.api_agent import scrub

QUEUE_LIMIT = 10_000  # messages buffered for one client before it is told to resume
Message = dict[str, Any] | None  # None: the client fell behind; close it so it resumes


def public_event(seq: int, event: ev.Event) -> dict[str, Any]:
    """The event as a client sees it: attributes and notes masked."""
    data = ev.to_dict(event)
    if "attributes" in data and isinstance(data["attributes"], dict):
        data["attributes"] = safe_attributes(data["attributes"])
    if isinstance(data.get("notes"), str):
        data["notes"] = scrub(data["notes"])
    return {"seq": seq, "event": data}


def event_agents(event: ev.Event, engine: Engine) -> tuple[str, ...]:
    """The agents an event concerns, asked after its batch is applied: the agent it names,
    and the agent holding its contact (a contact just offered, or overflowing while offered)."""
    named = getattr(event, "agent_id", None)
    contact_id = getattr(event, "contact_id", None)
    contact = engine.contacts.get(contact_id) if contact_id is not None else None
    holder = contact.agent_id if contact is not None else None
    if holder is None or holder == named:
        return (named,) if named is not None else ()
    return (named, holder) if named is not None else (holder,)


def concerns_agent(agent_id: str, centre: LiveCentre) -> Callable[[ev.Event], bool]:
    """The filter of an agent's stream, for one event at a time (a resumed backlog)."""
    def keep(event: ev.Event) -> bool:
        return agent_id in event_agents(event, centre.engine)
    return keep


class Subscriber:
    __slots__ = ("agent_id", "queue")

    def __init__(self, agent_id: str | None) -> None:
        self.agent_id = agent_id
        self.queue: asyncio.Queue[Message] = asyncio.Queue()

    def offer(self, message: dict[str, Any]) -> None:
        if self.queue.qsize() >= QUEUE_LIMIT:
            self.queue.put_nowait(None)
        else:
            self.queue.put_nowait(message)


class StreamHub:
    def __init__(self, centre: LiveCentre) -> None:
        self.centre = centre
        self.staff: set[Subscriber] = set()
        self.agents: dict[str, set[Subscriber]] = {}
        centre.subscribe(self.on_batch)

    def add(self, subscriber: Subscriber) -> Callable[[], None]:
        aid = subscriber.agent_id
        if aid is None:
            self.staff.add(subscriber)
        else:
            self.agents.setdefault(aid, set()).add(subscriber)

        def remove() -> None:
            if aid is None:
                self.staff.discard(subscriber)
                return
            subs = self.agents.get(aid)
            if subs is not None:
                subs.discard(subscriber)
                if not subs:
                    del self.agents[aid]
        return remove

    def on_batch(self, batch: Batch) -> None:
        if self.staff:
            message: dict[str, Any] = {"type": "events",
                                       "events": [public_event(s, e) for s, e in batch]}
            for sub in self.staff:
                sub.offer(message)
        if not self.agents:
            return
        engine = self.centre.engine
        mine: dict[str, list[dict[str, Any]]] = {}
        for seq, event in batch:
            for aid in event_agents(event, engine):
                if aid in self.agents:
                    mine.setdefault(aid, []).append(public_event(seq, event))
        for aid, items in mine.items():
            # An agent's own events do not describe a contact offered to it (ContactQueued
            # is nobody's in particular): its view comes along, as it is now.
            message = {"type": "events", "events": items, "view": floor_view(engine, aid)}
            for sub in self.agents[aid]:
                sub.offer(message)


def hub_of(services: Any) -> StreamHub:
    """The services' hub, made on first use (one per centre)."""
    hub = services.extra.get("stream_hub")
    if hub is None or hub.centre is not services.centre:
        hub = services.extra["stream_hub"] = StreamHub(services.centre)
    assert isinstance(hub, StreamHub)
    return hub
