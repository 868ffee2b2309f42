"""The real-time snapshot of the floor (what a wallboard shows), from the engine's live state
and the KPIs counted so far today.

>>> snap = snapshot(engine, today, now)          # doctest: +SKIP
>>> snap.queues["bj-retail"].waiting, snap.queues["bj-retail"].longest_wait_s   # doctest: +SKIP
(12, 48.5)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hotline.core.live import OFFLINE, READY, RESERVED, WAITING, WRAP_UP, AgentState
from hotline.core.state import CentreState
from hotline.metrics.accumulator import KpiAccumulator
from hotline.metrics.counts import ContactCounts
from hotline.metrics.definitions import KpiDefinitions

# What a wallboard calls an agent's state: presence, refined by the work in hand.
AGENT_STATES = ("offline", "not_ready", "ready_idle", "reserved", "busy", "wrap_up")


def agent_state(agent: AgentState) -> str:
    if agent.presence == OFFLINE:
        return "offline"
    activities = {leg.activity for leg in agent.work.values()}
    if activities - {RESERVED, WRAP_UP}:
        return "busy"
    if RESERVED in activities:
        return "reserved"
    if WRAP_UP in activities:
        return "wrap_up"
    return "ready_idle" if agent.presence == READY else "not_ready"


@dataclass(kw_only=True)
class QueueSnapshot:
    queue: str
    site: str | None
    waiting: int = 0
    longest_wait_s: float = 0.0
    agents: dict[str, int] = field(default_factory=dict)
    offered_today: int = 0
    answered_today: int = 0
    abandoned_today: int = 0
    service_level_today: float | None = None
    answer_rate_today: float | None = None


@dataclass(kw_only=True)
class FloorSnapshot:
    at: float
    queues: dict[str, QueueSnapshot]
    agents: dict[str, int]
    waiting: int
    longest_wait_s: float
    service_level_today: float | None
    answer_rate_today: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at, "waiting": self.waiting, "longest_wait_s": self.longest_wait_s,
            "agents": self.agents, "service_level_today": self.service_level_today,
            "answer_rate_today": self.answer_rate_today,
            "queues": {name: vars(q) for name, q in self.queues.items()},
        }


def settled(counts: ContactCounts, pending: int, pending_within: int,
            d: KpiDefinitions) -> tuple[float | None, float | None]:
    """Service level and answer rate of the contacts whose outcome is known.

    A contact still waiting is not judged yet while its wait is within the service-level
    threshold (it may still be answered in time); once past it, it already counts as a miss.
    Answer rate leaves out every contact still waiting.
    """
    judged = ContactCounts()
    judged.add(counts)
    judged.offered -= pending_within
    left = counts.offered - pending
    return judged.service_level(d), (counts.answered / left if left > 0 else None)


def snapshot(state: CentreState, today: KpiAccumulator, now: float) -> FloorSnapshot:
    """Waiting contacts and longest wait per queue (a contact counts in the queue it entered
    first), agents of each queue by state, and service level and answer rate so far today
    (the contacts ``today`` has counted: give it the day's start as ``count_from``), judged
    as ``settled`` says."""
    d = today.definitions
    queues = {name: QueueSnapshot(queue=name, site=q.spec.site)
              for name, q in state.shared_queues.items()}
    pending: Counter[str] = Counter()
    pending_within: Counter[str] = Counter()
    for contact in state.contacts.values():
        if contact.state not in (WAITING, RESERVED):
            continue
        waited = now - contact.queued_at
        if contact.queued_at >= today.count_from and not contact.transferred:
            pending[contact.first_queue] += 1
            if waited <= d.service_level_s:
                pending_within[contact.first_queue] += 1
        snap = queues.get(contact.first_queue)
        if snap is None:
            continue
        snap.waiting += 1
        snap.longest_wait_s = max(snap.longest_wait_s, waited)
    floor: Counter[str] = Counter()
    for agent in state.agents.values():
        kind = agent_state(agent)
        floor[kind] += 1
        for q in agent.queues:
            snap = queues.get(q.name)
            if snap is not None:
                snap.agents[kind] = snap.agents.get(kind, 0) + 1
    total = ContactCounts()
    by_queue: dict[str, ContactCounts] = {}
    for (_index, queue, _channel), counts in today.contacts.items():
        by_queue.setdefault(queue, ContactCounts()).add(counts)
        total.add(counts)
    for name, counts in by_queue.items():
        snap = queues.get(name)
        if snap is None:
            continue
        snap.offered_today = counts.offered
        snap.answered_today = counts.answered
        snap.abandoned_today = counts.abandoned
        snap.service_level_today, snap.answer_rate_today = settled(
            counts, pending[name], pending_within[name], d)
    sl, ar = settled(total, sum(pending.values()), sum(pending_within.values()), d)
    return FloorSnapshot(
        at=now, queues=queues, agents={k: floor.get(k, 0) for k in AGENT_STATES},
        waiting=sum(q.waiting for q in queues.values()),
        longest_wait_s=max((q.longest_wait_s for q in queues.values()), default=0.0),
        service_level_today=sl,
        answer_rate_today=ar,
    )
