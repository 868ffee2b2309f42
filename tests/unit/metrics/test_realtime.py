"""The real-time snapshot: waiting, longest wait, agents by state, service level so far."""

from __future__ import annotations

from hotline.core.commands import (
    DefineQueue,
    DefineWorkflow,
    EndContact,
    LogIn,
    OfferContact,
    RegisterAgent,
    SetPresence,
)
from hotline.core.definitions import AgentProfile, QueueSpec, Workflow, WorkflowStep
from hotline.core.engine import Engine
from hotline.metrics.accumulator import KpiAccumulator
from hotline.metrics.definitions import KpiDefinitions
from hotline.metrics.realtime import snapshot


def test_snapshot_of_a_busy_floor() -> None:
    engine = Engine()
    acc = KpiAccumulator(KpiDefinitions(service_level_s=20, short_abandon_s=0), origin=0.0)

    def do(command: object, at: float) -> None:
        acc.consume_all(engine.handle(command, at))  # type: ignore[arg-type]

    do(DefineQueue(queue=QueueSpec(name="cards", expression="skills.cards >= 1", site="bj")), 0)
    do(DefineQueue(queue=QueueSpec(name="loans", expression="skills.loans >= 1", site="sh")), 0)
    do(DefineWorkflow(workflow=Workflow(name="cards", steps=(WorkflowStep(queue="cards"),))), 0)
    for agent_id, skills in (("a1", {"cards": 5}), ("a2", {"cards": 3}), ("a3", {"loans": 4})):
        do(RegisterAgent(profile=AgentProfile(agent_id=agent_id, site="bj", skills=skills,
                                              auto_accept=True)), 0)
    do(LogIn(agent_id="a1", ready=True), 1)
    do(LogIn(agent_id="a2", ready=True), 1)
    do(SetPresence(agent_id="a2", ready=False, reason="break"), 2)
    do(OfferContact(contact_id="c1", channel="voice", workflow="cards"), 10)  # a1 at once
    do(OfferContact(contact_id="c2", channel="voice", workflow="cards"), 12)  # waits
    do(OfferContact(contact_id="c3", channel="voice", workflow="cards"), 30)  # waits
    do(EndContact(contact_id="c1"), 40)  # a1 takes c2 after 28 s: outside 20 s

    snap = snapshot(engine, acc, now=50.0)
    cards = snap.queues["cards"]
    assert cards.waiting == 1  # c3
    assert cards.longest_wait_s == 20.0  # c3 since 30
    assert cards.agents == {"busy": 1, "not_ready": 1}
    assert (cards.offered_today, cards.answered_today) == (3, 2)
    # c1 within 20 s, c2 not; c3 has waited 20 s, not past the threshold: not judged yet.
    assert cards.service_level_today == 1 / 2
    assert cards.answer_rate_today == 1.0  # c3 is still waiting: no outcome yet
    later = snapshot(engine, acc, now=51.0)  # c3 past 20 s: already a miss
    assert later.queues["cards"].service_level_today == 1 / 3
    assert later.queues["cards"].answer_rate_today == 1.0
    assert snap.queues["loans"].agents == {"offline": 1}
    assert snap.agents == {"offline": 1, "not_ready": 1, "ready_idle": 0, "reserved": 0,
                           "busy": 1, "wrap_up": 0}
    assert snap.waiting == 1 and snap.longest_wait_s == 20.0
    assert snap.to_dict()["queues"]["cards"]["waiting"] == 1


def test_report_has_intervals_by_queue_and_site() -> None:
    engine = Engine()
    acc = KpiAccumulator(KpiDefinitions(interval_minutes=15), origin=0.0)
    for command, at in (
        (DefineQueue(queue=QueueSpec(name="cards", expression="skills.cards >= 1", site="bj")), 0),
        (DefineWorkflow(workflow=Workflow(name="cards", steps=(WorkflowStep(queue="cards"),))), 0),
        (RegisterAgent(profile=AgentProfile(agent_id="a1", site="bj", skills={"cards": 5},
                                            auto_accept=True)), 0),
        (LogIn(agent_id="a1", ready=True), 0),
        (OfferContact(contact_id="c1", channel="voice", workflow="cards"), 100),
        (EndContact(contact_id="c1"), 200),
        (OfferContact(contact_id="c2", channel="voice", workflow="cards"), 1000),
    ):
        acc.consume_all(engine.handle(command, at))  # type: ignore[arg-type]
    acc.finish(1800.0)
    report = acc.report()
    rows = [(r["interval"], r["queue"], r["offered"]) for r in report.intervals_by_queue]
    assert rows == [(0, "cards", 1), (1, "cards", 1)]
    sites = {r["interval"]: r for r in report.intervals_by_site}
    assert sites[0]["site"] == "bj"
    assert sites[0]["utilisation"] == 100 / 900  # busy 100 s of a logged-in 900 s interval
