"""The digital twin: the real engine on a virtual clock against simulated traffic.

One loop pops the next thing to happen (an arrival, the end of an IVR session, a callback offer
asking the wait, a caller's patience running out, the end of a conversation or wrap-up, an
engine timer, a roster change),
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
from collections.abc import Callable, Iterator
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
    RequestCallback,
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
from hotline.core.live import OFFLINE, READY, WAITING, WRAP_UP
from hotline.metrics.accumulator import KpiAccumulator
from hotline.metrics.definitions import KpiDefinitions
from hotline.sim.errors import ScenarioError
from hotline.sim.ivr_pools import WalkPools, summary
from hotline.sim.ivr_walk import CALLER_NUMBER, Walk
from hotline.sim.roster import BACK, BREAK, LOGIN, LOGOUT, agent_profiles, roster_entries
from hotline.sim.scenario import Scenario
from hotline.sim.traffic import TrafficModel
from hotline.sim.twin_result import IvrStats, TwinResult
from hotline.sim.wait_board import Backlog, WaitBoard

OFFER, ABANDON, END, WRAP, TIMER, ROSTER, ASK = range(7)


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
        # What a callback offer hears when it asks the wait (the walks' forks).
        self.board = WaitBoard(self.engine, {w.name: w.steps[0].queue
                                             for w in scenario.workflows})
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
        info: dict[str, tuple[Callable[[], float], Callable[[], float] | None, Backlog]] = {}
        waiting: set[str] = set()
        board = self.board
        backlogs = board.backlogs
        # Contacts not yet connected -> their workflow's backlog.
        queued: dict[str, Backlog] = {}
        rng_random = self.rng.random
        ivr = self.ivr
        connected_t, wakeup_t, ended_t = ev.ContactConnected, ev.WakeUpRequested, ev.ContactEnded
        callback_t = ev.CallbackRequested
        completed_t = ev.ContactCompleted
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
                    if walk.long is not None:  # the flow asks the engine the wait first
                        heappush(heap, (now + walk.asks_s, next(seq), ASK, (stream, walk)))
                    elif walk.offered:
                        ivr.to_agents += 1
                        heappush(heap, (now + walk.seconds, next(seq), OFFER,
                                        (stream, walk.attributes, None, False)))
                    elif walk.contained:
                        ivr.contained += 1
                    else:
                        ivr.other += 1
                elif rng_random() < stream.to_agent:
                    ivr.to_agents += 1
                    heappush(heap, (now + stream.ivr_time(), next(seq), OFFER,
                                    (stream, None, None, False)))
                else:
                    ivr.contained += 1
                continue
            else:
                break
            tick += 1
            if progress is not None and tick & 0xFFFF == 0:
                progress(min(1.0, (now - self.start) / span))
            if kind == OFFER:
                stream, gathered, drawn, callback = payload
                if drawn is None:
                    attrs = stream.attributes()
                    if gathered is not None:  # what the flow learnt wins over the stream's mix
                        attrs.update(gathered)
                else:  # drawn when the flow asked the wait
                    attrs = drawn
                workflow, priority = stream.route(attrs)
                contact_no += 1
                cid = str(contact_no)
                backlog = backlogs[workflow]
                info[cid] = (stream.handle_sampler(attrs), stream.wrap_up, backlog)
                events = handle(OfferContact(contact_id=cid, channel=stream.channel,
                                             workflow=workflow, priority=priority,
                                             attributes=attrs), now)
                if type(events[-1]) is not connected_t:
                    backlog.waiting += 1
                    queued[cid] = backlog
                    if callback:  # booked in the IVR: the caller hangs up, keeping the place
                        if engine.contacts[cid].state == WAITING:
                            events = events + handle(RequestCallback(contact_id=cid,
                                                                     number=CALLER_NUMBER), now)
                    else:
                        patience = stream.patience()
                        if patience != inf:
                            waiting.add(cid)
                            heappush(heap, (now + patience, next(seq), ABANDON, cid))
            elif kind == ASK:
                self._ask(payload, now, heap, seq, walks)
                continue
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
                board.roster_changed()
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
                    was = queued.pop(cid, None)
                    if was is not None:
                        was.waiting -= 1
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
                    done = info.pop(cid, None)
                    waiting.discard(cid)
                    was = queued.pop(cid, None)
                    if was is not None:
                        was.waiting -= 1
                    elif te is completed_t and done is not None:
                        done[2].completed(e.at - e.connected_at)  # type: ignore[attr-defined]
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

    def _ask(self, payload: tuple[TrafficModel, Walk], now: float,
             heap: list[tuple[float, int, int, Any]], seq: Iterator[int],
             walks: WalkPools | None) -> None:
        """A walk's callback offer asks the wait of the workflow the caller would enter: it
        goes on as the flow would on the engine's answer (a wait it cannot tell is short)."""
        stream, walk = payload
        assert walks is not None and walk.long is not None
        attrs = stream.attributes()
        # What the flow learnt wins over the stream's mix (either branch learnt the same).
        attrs.update(walk.attributes if walk.offered else walk.long.attributes)
        wait = self.board.estimate(stream.route(attrs)[0])
        began = now - walk.asks_s
        if walk.threshold_s <= wait < math.inf:
            walk = walks.heard_long(walk)
            self.ivr.callbacks_offered += 1
        self.ivr.count(walk)
        if walk.offered:
            heappush(heap, (began + walk.seconds, next(seq), OFFER,
                            (stream, None, attrs, walk.callback)))

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
