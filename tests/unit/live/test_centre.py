"""The live centre's timers: armed while the engine holds them, cancelled once moot."""

from __future__ import annotations

from hotline.core import events as ev
from hotline.core.commands import (
    AcceptReservation,
    CompleteWrapUp,
    DefineQueue,
    DefineWorkflow,
    EndContact,
    LogIn,
    OfferContact,
    RegisterAgent,
    SetPresence,
)
from hotline.core.definitions import AgentProfile, QueueSpec, Workflow, WorkflowStep
from hotline.live.centre import LiveCentre
from hotline.live.clock import ManualClock
from hotline.store.eventlog_memory import InMemoryEventLog

START = 1_780_000_000.0


def centre_with_agent(clock: ManualClock, log: InMemoryEventLog) -> LiveCentre:
    centre = LiveCentre(log=log, clock=clock)
    centre.execute(DefineQueue(queue=QueueSpec(name="cards", expression="skills.cards >= 1")))
    centre.execute(DefineQueue(queue=QueueSpec(name="wide", expression="skills.cards >= 0")))
    centre.execute(DefineWorkflow(workflow=Workflow(
        name="cards", steps=(WorkflowStep(queue="cards", timeout_s=20.0),
                             WorkflowStep(queue="wide")), wrap_up_s=30.0)))
    centre.execute(RegisterAgent(profile=AgentProfile(
        agent_id="a1", site="bj", skills={"cards": 5}, languages=frozenset({"zh"}),
        capacity={"voice": 1})))
    centre.execute(LogIn(agent_id="a1", ready=True))
    return centre


def offer(centre: LiveCentre, contact_id: str) -> str:
    centre.execute(OfferContact(contact_id=contact_id, channel="voice", workflow="cards"))
    rid = centre.engine.contacts[contact_id].reservation_id
    assert rid is not None
    return rid


def test_a_call_leaves_no_timer_armed_that_the_engine_dropped() -> None:
    clock, log = ManualClock(START), InMemoryEventLog()
    centre = centre_with_agent(clock, log)
    rid = offer(centre, "c1")
    assert clock.pending() == len(centre.engine.timers) == 2  # the offer's timeout, the step
    clock.advance(2)
    centre.execute(AcceptReservation(reservation_id=rid))
    assert clock.pending() == len(centre.engine.timers) == 0
    centre.execute(EndContact(contact_id="c1"))
    assert clock.pending() == len(centre.engine.timers) == 1  # the wrap-up limit
    centre.execute(CompleteWrapUp(contact_id="c1", agent_id="a1", disposition="resolved"))
    assert clock.pending() == len(centre.engine.timers) == 0
    seq = log.last_seq()
    clock.advance(120)
    assert log.last_seq() == seq  # nothing was due: the cancelled timers had nothing to do


def test_the_timers_the_engine_holds_still_fire() -> None:
    clock, log = ManualClock(START), InMemoryEventLog()
    centre = centre_with_agent(clock, log)
    offer(centre, "c1")
    clock.advance(16)  # past the offer's 15 s: it times out, the agent goes not ready
    kinds = [type(e) for _, e in log.read()]
    assert ev.ReservationTimedOut in kinds
    centre.execute(SetPresence(agent_id="a1", ready=True))
    rid = centre.engine.contacts["c1"].reservation_id
    assert rid is not None
    centre.execute(AcceptReservation(reservation_id=rid))
    centre.execute(EndContact(contact_id="c1"))
    clock.advance(31)  # the wrap-up limit ends wrap-up by itself
    assert type(list(log.read())[-1][1]) is ev.ContactCompleted
    assert clock.pending() == len(centre.engine.timers) == 0
