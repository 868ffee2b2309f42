"""The demo's simulated floor: scenario callers and rostered agents beside real people.

``hotline demo`` runs the live centre on the wall clock; this floor feeds it the built-in
scenario's traffic (``demo_callers``) and works its roster with simulated agents
(``demo_agents``), while people log in as agents (``humans``, never touched) and supervisors.

Time: the floor has its own *virtual* time, equal to the clock at ``start()`` and running
``speed`` times as fast from then on. So the traffic profile, weekday factor and roster of the
centre's current local time of day (in the scenario's zone) apply at once, and at speed 60 an
hour of the scenario passes in a minute: arrival rates are ``speed`` times the scenario's, and
handle, patience, wrap-up, IVR and roster durations are ``speed`` times shorter. The engine's own
timers (reservation timeout, workflow step timeouts, the wrap-up limit) stay in real seconds.
``set_speed`` keeps virtual time continuous; it applies to arrivals and roster changes at once
and to other durations from their next draw. ``stop`` pauses virtual time; ``start`` resumes it.

Callers whose call an agent ended may answer the satisfaction survey into ``survey``
(``hotline.live.surveys.Surveys.answer`` in the server).

Everything is scheduled with ``centre.clock.call_at``, so the floor runs the same on the asyncio
clock and on ``ManualClock``; all randomness comes from the injected ``rng``.

>>> import random
>>> from hotline.live.clock import ManualClock
>>> from hotline.sim.scenario import load_scenario
>>> from hotline.store.eventlog_memory import InMemoryEventLog
>>> centre = LiveCentre(log=InMemoryEventLog(), clock=ManualClock(1181000000.0))
>>> floor = DemoFloor(centre, load_scenario("mmc"), rng=random.Random(1), speed=10.0)
>>> floor.configure() > 0, floor.configure()
(True, 0)
>>> floor.start(); centre.clock.advance(5.0); floor.stats.offered > 0
True
>>> floor.stop(); floor.stats.pending
0
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from hotline.core import events as ev
from hotline.core.commands import Command, DefineQueue, DefineWorkflow, RegisterAgent
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
from hotline.live.centre import Batch, LiveCentre
from hotline.live.demo_agents import SimulatedAgents
from hotline.live.demo_callers import Callers, Counters, SurveySink, Value
from hotline.live.demo_time import Pace, Timers, check_speed
from hotline.sim.errors import ScenarioError
from hotline.sim.roster import agent_profiles
from hotline.sim.scenario import Scenario

__all__ = ["DemoFloor", "DemoStats", "scenario_definitions"]


def scenario_definitions(scenario: Scenario) -> list[Command]:
    """The scenario's queues, workflows and agents as engine commands, in that order.

    The same conversion as the twin's, except that agents answer their offers (no auto-accept):
    people log in as some of them, and the floor's simulated agents pick up after a delay.
    """
    commands: list[Command] = []
    for q in scenario.queues:
        commands.append(DefineQueue(queue=QueueSpec(
            name=q.name, expression=q.expression, ordering=Ordering(q.ordering),
            selection=Selection(q.selection), priority_weight_s=q.priority_weight_s,
            proficiency_skill=q.proficiency_skill, site=q.site)))
    for w in scenario.workflows:
        commands.append(DefineWorkflow(workflow=Workflow(
            name=w.name,
            steps=tuple(WorkflowStep(queue=st.queue, timeout_s=st.timeout_s) for st in w.steps),
            fallback=Fallback(w.fallback) if w.fallback else None, wrap_up_s=w.wrap_up_s)))
    for profile in agent_profiles(scenario):
        commands.append(RegisterAgent(profile=replace(profile, auto_accept=False)))
    return commands


def _known(engine: Engine, command: Command) -> bool:
    if isinstance(command, DefineQueue):
        return command.queue.name in engine.queues
    if isinstance(command, DefineWorkflow):
        return command.workflow.name in engine.workflows
    if isinstance(command, RegisterAgent):
        return command.profile.agent_id in engine.agents
    return False


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoStats:
    """A snapshot of the floor. ``abandons_pending``: waiting callers who will hang up if not
    answered in time; ``pending``: the floor's callbacks on the clock."""

    running: bool
    speed: float
    virtual_time: float
    offered: int
    abandoned: int
    abandons_pending: int
    ivr_entered: int
    ivr_contained: int
    accepted: int
    ended: int
    wrapped_up: int
    agents_logged_in: int
    pending: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class DemoFloor:
    """Simulated callers and agents of ``scenario`` on ``centre``; see the module docstring."""

    def __init__(self, centre: LiveCentre, scenario: Scenario, *, rng: random.Random,
                 speed: float = 1.0, humans: frozenset[str] = frozenset(),
                 customers: Sequence[str] = (), vip_customers: Sequence[str] = (),
                 survey: SurveySink | None = None) -> None:
        self.centre = centre
        self.scenario = scenario
        self.humans = frozenset(humans)
        self.pace = Pace(centre.clock.now(), speed=speed)
        self.timers = Timers(centre.clock)
        self._counters = Counters()
        self.callers = Callers(centre, scenario, rng=rng, pace=self.pace, timers=self.timers,
                               counters=self._counters, customers=customers,
                               vip_customers=vip_customers, survey=survey)
        simulated = [p.agent_id for p in agent_profiles(scenario)
                     if p.agent_id not in self.humans]
        self.agents = SimulatedAgents(centre, scenario, simulated, rng=rng, pace=self.pace,
                                      timers=self.timers, counters=self._counters,
                                      calls=self.callers.calls,
                                      default_call=self.callers.default_call)
        self._unsubscribe: Callable[[], None] | None = None
        self._stopped_at: float | None = None  # virtual time when stopped, to resume from

    @property
    def speed(self) -> float:
        return self.pace.speed

    @property
    def running(self) -> bool:
        return self._unsubscribe is not None

    def configure(self) -> int:
        """Define the scenario's queues and workflows and register its agents, each only if the
        engine does not know it yet (a restarted server has them from the log). Returns how
        many commands it ran; a definition the engine refuses raises ``ScenarioError``."""
        done = 0
        for command in scenario_definitions(self.scenario):
            if _known(self.centre.engine, command):
                continue
            try:
                self.centre.execute(command)
            except CoreError as exc:
                raise ScenarioError(self.scenario.name, getattr(exc, "field", "definitions"),
                                    getattr(exc, "reason", str(exc))) from None
            done += 1
        return done

    @property
    def virtual_time(self) -> float:
        """The floor's time (seconds since the epoch); it stands still while stopped."""
        now = self.centre.clock.now()
        if self.running:
            return self.pace.virtual(now)
        return now if self._stopped_at is None else self._stopped_at

    def start(self) -> None:
        """Rostered agents log in (or out) as their shifts say, and callers start calling.

        The first start sets virtual time to the clock's; after ``stop`` it resumes where it
        stood."""
        if self.running:
            return
        self.pace.anchor(self.centre.clock.now(), self.virtual_time)
        self._unsubscribe = self.centre.subscribe(self._heard)
        self.agents.start()
        self.callers.start()

    def stop(self) -> None:
        """Cancel every pending callback of the floor; agents and contacts stay as they are,
        and virtual time stands still until ``start``."""
        if self._unsubscribe is not None:
            self._stopped_at = self.virtual_time
            self._unsubscribe()
            self._unsubscribe = None
        self.timers.cancel_all()
        if self.callers.ivr is not None:
            self.callers.ivr.drop_calls()
        for call in self.callers.calls.values():
            call.patience = None

    def set_speed(self, speed: float) -> None:
        """Change the speed; raises ``ValueError`` unless it is a positive number."""
        self.pace.change(check_speed(speed), self.centre.clock.now())
        if self.running:
            self.callers.reschedule()
            self.agents.reschedule()

    def inject_call(self, *, workflow: str | None = None,
                    attributes: Mapping[str, Value] | None = None,
                    handle_s: float | None = None, patience_s: float | None = None) -> str:
        """Offer one call of the first traffic stream now; returns its contact id.

        Its attributes are drawn as for any caller, then ``attributes`` override them;
        without ``workflow`` they are routed like the stream's callers. ``handle_s`` (talk time
        should a simulated agent take it) and ``patience_s`` are clock seconds, not scaled;
        without ``patience_s`` the caller waits for ever. Works whether or not the floor runs.
        """
        return self.callers.inject(workflow=workflow, attributes=attributes, handle_s=handle_s,
                                   patience_s=patience_s)

    @property
    def stats(self) -> DemoStats:
        c = self._counters
        return DemoStats(
            running=self.running, speed=self.pace.speed,
            virtual_time=self.virtual_time,
            offered=c.offered, abandoned=c.abandoned,
            abandons_pending=sum(call.patience is not None
                                 for call in self.callers.calls.values()),
            ivr_entered=c.ivr_entered, ivr_contained=c.ivr_contained, accepted=c.accepted,
            ended=c.ended, wrapped_up=c.wrapped_up, agents_logged_in=self.agents.logged_in(),
            pending=len(self.timers))

    def _heard(self, batch: Batch) -> None:
        # Only schedules callbacks: commands from inside a listener would reach the other
        # listeners before the rest of this batch.
        callers, agents = self.callers, self.agents
        for _, e in batch:
            if type(e) is not ev.WakeUpRequested:
                callers.heard(e)
                agents.heard(e)
