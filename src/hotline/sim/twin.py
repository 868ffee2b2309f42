"""The digital twin: the real engine on a virtual clock against simulated traffic.

One loop pops the next thing to happen (an arrival, the end of an IVR session, a caller's
patience running out, the end of a conversation or wrap-up, an engine timer, a roster change),
turns it into a command for the engine at that virtual time, and feeds the engine's events to
the KPI accumulator (and, if asked, to an event sink such as the event log).

Determinism: all randomness comes from one ``random.Random(seed)``; simultaneous happenings are
taken in the order they were scheduled (a sequence number breaks ties in the heap); arrivals
are drawn lazily, one per stream, and an arrival at the same instant as a scheduled happening
goes after it.
"""

from __future__ import annotations

import math
import random
import time as wallclock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from heapq import heappop, heappush
from itertools import count
from typing import Any

from hotline.core import events as ev
from hotline.core.commands import (
    AbandonContact,
    CompleteWrapUp,
    DefineQueue,
    DefineWorkflow,
    EndContact,
    LogIn,
    LogOut,
    OfferContact,
    RegisterAgent,
    SetPresence,
    TimerFired,
)
from hotline.core.definitions import (
    Fallback,
    Ordering,
    QueueSpec,
    Selection,
    Workflow,
    WorkflowStep,
)
from hotline.core.engine import Engine
from hotline.core.errors import CoreError
from hotline.core.live import OFFLINE, READY, WRAP_UP
from hotline.metrics.accumulator import KpiAccumulator
from hotline.metrics.definitions import KpiDefinitions
from hotline.metrics.report import KpiReport
from hotline.sim.errors import ScenarioError
from hotline.sim.ivr_pools import WalkPools, summary
from hotline.sim.roster import BACK, BREAK, LOGIN, LOGOUT, agent_profiles, roster_entries
from hotline.sim.scenario import Scenario
from hotline.sim.traffic import TrafficModel

OFFER, ABANDON, END, WRAP, TIMER, ROSTER = range(6)


@dataclass(kw_only=True)
class IvrStats:
    entered: int = 0
    contained: int = 0
    to_agents: int = 0
    # Walks that left the IVR otherwise (voicemail, a transfer out, a callback booked).
    other: int = 0

    @property
    def containment(self) -> float | None:
        return self.contained / self.entered if self.entered else None


@dataclass(kw_only=True)
class TwinResult:
    scenario: str
    seed: int
    days: float
    origin: datetime
    report: KpiReport
    ivr: IvrStats
    contacts: int
    events: int
    wall_s: float
    still_waiting: int
    targets: dict[str, float] = field(default_factory=dict)
    # Per flow walked (ivr.mode: flows): outcomes, containment and the node funnel.
    ivr_flows: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "days": self.days,
            "origin": self.origin.isoformat(),
            "contacts": self.contacts,
            "events": self.events,
            "still_waiting": self.still_waiting,
            "wall_s": round(self.wall_s, 3),
            "contacts_per_s": round(self.contacts / self.wall_s) if self.wall_s else None,
            "targets": self.targets,
            "ivr": {"entered": self.ivr.entered, "contained": self.ivr.contained,
                    "to_agents": self.ivr.to_agents, "other": self.ivr.other,
                    "containment": self.ivr.containment},
            **({"ivr_flows": self.ivr_flows} if self.ivr_flows is not None else {}),
            **self.report.to_dict(),
        }


class Twin:
    """Runs one scenario. ``progress(done_fraction)`` is called now and then."""

    def __init__(self, scenario: Scenario, *, seed: int | None = None,
                 progress: Callable[[float], None] | None = None,
                 event_sink: Callable[[ev.Event], None] | None = None,
                 source: str = "scenario") -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.rng = random.Random(self.seed)
        self.progress = progress
        self.event_sink = event_sink
        self.origin = datetime.combine(scenario.start, datetime.min.time(), tzinfo=scenario.zone)
        self.start = self.origin.timestamp()
        self.end = self.start + scenario.days * 86400
        self.engine = Engine()
        self.metrics = KpiAccumulator(
            KpiDefinitions(service_level_s=scenario.kpi.service_level_s,
                           short_abandon_s=scenario.kpi.short_abandon_s,
                           variant=scenario.kpi.variant,
                           interval_minutes=scenario.interval_minutes),
            origin=self.start, count_from=self.start + scenario.warmup_s)
        self.streams = [TrafficModel(t, scenario, self.origin, self.rng)
                        for t in scenario.traffic]
        self.ivr = IvrStats()
        self.events = 0
        self._source = source

    def _feed(self, events: list[ev.Event]) -> None:
        consume = self.metrics.consume
        sink = self.event_sink
        for e in events:
            consume(e)
            if sink is not None:
                sink(e)
        self.events += len(events)

    def _configure(self) -> None:
        s, engine, at = self.scenario, self.engine, self.start
        try:
            for q in s.queues:
                self._feed(engine.handle(DefineQueue(queue=QueueSpec(
                    name=q.name, expression=q.expression, ordering=Ordering(q.ordering),
                    selection=Selection(q.selection), priority_weight_s=q.priority_weight_s,
                    proficiency_skill=q.proficiency_skill, site=q.site)), at))
            for w in s.workflows:
                self._feed(engine.handle(DefineWorkflow(workflow=Workflow(
                    name=w.name,
                    steps=tuple(WorkflowStep(queue=st.queue, timeout_s=st.timeout_s)
                                for st in w.steps),
                    fallback=Fallback(w.fallback) if w.fallback else None,
                    wrap_up_s=w.wrap_up_s)), at))
            for profile in agent_profiles(s):
                self._feed(engine.handle(RegisterAgent(profile=profile), at))
        except CoreError as exc:
            raise ScenarioError(self._source, getattr(exc, "field", "definitions"),
                                getattr(exc, "reason", str(exc))) from None

    def run(self) -> TwinResult:
        wall0 = wallclock.perf_counter()
        self._configure()
        section = self.scenario.ivr
        # Walks of the real flows, drawn before the run (see hotline.sim.ivr_pools).
        walks = WalkPools.for_run(section, seed=self.seed, source=self._source) \
            if section is not None and section.mode == "flows" else None
        engine, handle = self.engine, self.engine.handle
        consume = self.metrics.consume
        sink = self.event_sink
        heap: list[tuple[float, int, int, Any]] = []
        seq = count()
        for entry in roster_entries(self.scenario, self.origin):
            heappush(heap, (entry.at, next(seq), ROSTER, entry))
        streams = self.streams
        walkers = [walks if s.spec.ivr is not None else None for s in streams]
        next_arrival = [s.next_arrival(self.start) for s in streams]
        n_streams = len(streams)
        info: dict[str, tuple[Callable[[], float], Callable[[], float] | None]] = {}
        waiting: set[str] = set()
        rng_random = self.rng.random
        ivr = self.ivr
        connected_t, wakeup_t, ended_t = ev.ContactConnected, ev.WakeUpRequested, ev.ContactEnded
        callback_t = ev.CallbackRequested
        terminal_t = ev.TERMINAL
        agents = engine.agents
        contact_no = 0
        n_events = 0
        span = self.end - self.start
        tick = 0
        progress = self.progress
        inf = math.inf
        while True:
            # The next happening: the earliest stream arrival or the heap's head.
            first = inf
            which = -1
            for i in range(n_streams):
                t = next_arrival[i]
                if t is not None and t < first:
                    first, which = t, i
            if heap and heap[0][0] <= first:
                now, _, kind, payload = heappop(heap)
            elif which >= 0:
                now = first
                stream = streams[which]
                next_arrival[which] = stream.next_arrival(now)
                ivr.entered += 1
                walker = walkers[which]
                if walker is not None:
                    walk = walker.draw(rng_random())
                    if walk.offered:
                        ivr.to_agents += 1
                        heappush(heap, (now + walk.seconds, next(seq), OFFER,
                                        (stream, walk.attributes)))
                    elif walk.contained:
                        ivr.contained += 1
                    else:
                        ivr.other += 1
                elif rng_random() < stream.to_agent:
                    ivr.to_agents += 1
                    heappush(heap, (now + stream.ivr_time(), next(seq), OFFER, (stream, None)))
                else:
                    ivr.contained += 1
                continue
            else:
                break
            tick += 1
            if progress is not None and tick & 0xFFFF == 0:
                progress(min(1.0, (now - self.start) / span))
            if kind == OFFER:
                stream, gathered = payload
                attrs = stream.attributes()
                if gathered is not None:  # what the flow learnt wins over the stream's mix
                    attrs.update(gathered)
                workflow, priority = stream.route(attrs)
                contact_no += 1
                cid = str(contact_no)
                info[cid] = (stream.handle_sampler(attrs), stream.wrap_up)
                events = handle(OfferContact(contact_id=cid, channel=stream.channel,
                                             workflow=workflow, priority=priority,
                                             attributes=attrs), now)
                if type(events[-1]) is not connected_t:
                    patience = stream.patience()
                    if patience != inf:
                        waiting.add(cid)
                        heappush(heap, (now + patience, next(seq), ABANDON, cid))
            elif kind == END:
                events = handle(EndContact(contact_id=payload), now)
            elif kind == ABANDON:
                if payload not in waiting:
                    continue
                events = handle(AbandonContact(contact_id=payload), now)
            elif kind == TIMER:
                events = handle(TimerFired(key=payload), now)
            elif kind == WRAP:
                cid, agent_id = payload
                leg = agents[agent_id].work.get(cid)
                if leg is None or leg.activity != WRAP_UP:
                    continue
                events = handle(CompleteWrapUp(contact_id=cid, agent_id=agent_id), now)
            else:
                events = self._roster(payload, now)
            n_events += len(events)
            for e in events:
                consume(e)
                if sink is not None:
                    sink(e)
                te = type(e)
                if te is connected_t:
                    cid = e.contact_id  # type: ignore[attr-defined]
                    waiting.discard(cid)
                    heappush(heap, (now + info[cid][0](), next(seq), END, cid))
                elif te is wakeup_t:
                    heappush(heap, (e.due, next(seq), TIMER, e.key))  # type: ignore[attr-defined]
                elif te is ended_t:
                    cid = e.contact_id  # type: ignore[attr-defined]
                    wrap = info[cid][1]
                    if wrap is not None:
                        heappush(heap, (now + wrap(), next(seq), WRAP,
                                        (cid, e.agent_id)))  # type: ignore[attr-defined]
                elif te in terminal_t:
                    cid = e.contact_id  # type: ignore[attr-defined]
                    info.pop(cid, None)
                    waiting.discard(cid)
                elif te is callback_t:
                    waiting.discard(e.contact_id)  # type: ignore[attr-defined]
        self.events += n_events
        finish = max(self.end, now if heap or tick else self.end)
        self.metrics.finish(finish)
        if progress is not None:
            progress(1.0)
        report = self.metrics.report()
        return TwinResult(
            scenario=self.scenario.name, seed=self.seed, days=self.scenario.days,
            origin=self.origin, report=report, ivr=ivr, contacts=contact_no,
            events=self.events, wall_s=wallclock.perf_counter() - wall0,
            still_waiting=len(engine.contacts),
            ivr_flows=({name: summary(r) for name, r in walks.reports().items()}
                       if walks is not None else None),
            targets={"service_level": self.scenario.kpi.service_level_target,
                     "answer_rate": self.scenario.kpi.answer_rate_target})

    def _roster(self, entry: Any, now: float) -> list[ev.Event]:
        agent = self.engine.agents[entry.agent_id]
        action = entry.action
        if action == LOGIN and agent.presence == OFFLINE:
            return self.engine.handle(LogIn(agent_id=agent.id, ready=True), now)
        if action == BREAK and agent.presence == READY and not agent.pending_logout:
            return self.engine.handle(SetPresence(agent_id=agent.id, ready=False,
                                                  reason="break"), now)
        if action == BACK and agent.presence != OFFLINE and agent.presence != READY \
                and not agent.pending_logout:
            return self.engine.handle(SetPresence(agent_id=agent.id, ready=True), now)
        if action == LOGOUT and agent.presence != OFFLINE and not agent.pending_logout:
            return self.engine.handle(LogOut(agent_id=agent.id), now)
        return []
