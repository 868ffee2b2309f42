"""Today's KPIs for the wallboard, counted live from the centre's events.

A ``Today`` holds a KPI accumulator whose day starts at local midnight in the centre's zone.
At midnight it starts a fresh one, seeded with the agents as they are at that instant, so agent
time carries over. On start it reads today's events from the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hotline.core import events as ev
from hotline.core.live import OFFLINE, READY
from hotline.core.state import CentreState
from hotline.live.centre import Batch
from hotline.metrics.accumulator import KpiAccumulator
from hotline.metrics.definitions import KpiDefinitions


def day_start(now: float, zone: ZoneInfo) -> float:
    local = datetime.fromtimestamp(now, zone)
    return datetime.combine(local.date(), time.min, tzinfo=zone).timestamp()


class Today:
    def __init__(self, definitions: KpiDefinitions, zone: ZoneInfo, now: float) -> None:
        self.definitions = definitions
        self.zone = zone
        self._start(day_start(now, zone))

    def _start(self, start: float) -> None:
        self.start = start
        local = datetime.fromtimestamp(start, self.zone)
        self.end = datetime.combine(local.date() + timedelta(days=1), time.min,
                                    tzinfo=self.zone).timestamp()
        self.kpis = KpiAccumulator(self.definitions, origin=start, count_from=start)
        # Per agent today: contacts handled and their handle time (talk + hold + wrap-up).
        self.handled: dict[str, int] = {}
        self.handle_s: dict[str, float] = {}

    def replay(self, events: Iterable[ev.Event]) -> None:
        """Feed the log from the start (contacts before today are not counted)."""
        for e in events:
            self._consume(e)

    def _consume(self, e: ev.Event) -> None:
        self.kpis.consume(e)
        if type(e) is ev.ContactCompleted and e.at >= self.start:
            done = e
            self.handled[done.agent_id] = self.handled.get(done.agent_id, 0) + 1
            self.handle_s[done.agent_id] = (self.handle_s.get(done.agent_id, 0.0)
                                            + done.at - done.connected_at)

    def roll_over(self, state: CentreState, now: float) -> None:
        """Start a new day at local midnight, seeded with every agent as it is now."""
        self._start(day_start(now, self.zone))
        for agent in state.agents.values():
            p = agent.profile
            self.kpis.consume(ev.AgentRegistered(
                at=self.start, agent_id=agent.id, site=p.site, skills=dict(p.skills),
                languages=tuple(sorted(p.languages)), capacity=dict(p.capacity),
                attributes=dict(p.attributes),  # type: ignore[arg-type]
                auto_accept=p.auto_accept))
            if agent.presence != OFFLINE:
                self.kpis.consume(ev.AgentLoggedIn(at=self.start, agent_id=agent.id,
                                                   ready=agent.presence == READY,
                                                   reason=agent.reason))

    def consume(self, batch: Batch, state: CentreState) -> None:
        for _, e in batch:
            if e.at >= self.end:
                self.roll_over(state, e.at)
            self._consume(e)

    def report(self, now: float) -> dict[str, Any]:
        return self.kpis.report().to_dict()


def history_entry(e: ev.Event) -> dict[str, Any] | None:
    """The contact-history row (partial, merged by contact id) that an event updates."""
    t = type(e)
    if t is ev.ContactQueued:
        q: ev.ContactQueued = e  # type: ignore[assignment]
        customer = q.attributes.get("customer_id")
        if not customer:
            return None  # the history is per customer: a walk-in caller has none
        return {"contact_id": q.contact_id, "customer_id": str(customer),
                "channel": q.channel, "queue": q.queue, "offered_at": q.at,
                "outcome": "waiting"}
    if t is ev.ContactConnected:
        c: ev.ContactConnected = e  # type: ignore[assignment]
        return {"contact_id": c.contact_id, "agent_id": c.agent_id, "answered_at": c.at,
                "outcome": "connected"}
    if t is ev.ContactCompleted:
        d: ev.ContactCompleted = e  # type: ignore[assignment]
        return {"contact_id": d.contact_id, "agent_id": d.agent_id, "ended_at": d.at,
                "outcome": "completed", "disposition": d.disposition or None,
                "notes": d.notes or None}
    if t is ev.ContactAbandoned:
        a: ev.ContactAbandoned = e  # type: ignore[assignment]
        return {"contact_id": a.contact_id, "ended_at": a.at, "outcome": "abandoned"}
    if t is ev.ContactDiverted:
        v: ev.ContactDiverted = e  # type: ignore[assignment]
        return {"contact_id": v.contact_id, "ended_at": v.at, "outcome": "diverted:" + v.to}
    return None
