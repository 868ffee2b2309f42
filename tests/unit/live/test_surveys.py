"""Survey answers on the live centre: who handled the contact comes from the events; answers
are checked, stored once and counted into today's CSAT."""

from __future__ import annotations

import doctest
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import hotline.live.surveys as surveys_module
from hotline.core.commands import (
    AbandonContact,
    DefineQueue,
    DefineWorkflow,
    EndContact,
    LogIn,
    OfferContact,
    RegisterAgent,
    TransferContact,
)
from hotline.core.definitions import AgentProfile, QueueSpec, Workflow, WorkflowStep
from hotline.live.centre import LiveCentre
from hotline.live.clock import ManualClock
from hotline.live.surveys import InMemorySurveyStore, Surveys
from hotline.metrics.csat import AlreadySurveyed, SurveyError
from hotline.store.eventlog_memory import InMemoryEventLog

ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=ZONE).timestamp()


@dataclass
class Floor:
    clock: ManualClock
    log: InMemoryEventLog
    centre: LiveCentre
    store: InMemorySurveyStore
    surveys: Surveys

    def call(self, cid: str, workflow: str = "cards") -> str:
        """A call that an agent answers at once; returns the agent."""
        self.centre.execute(OfferContact(contact_id=cid, channel="voice", workflow=workflow))
        return self.centre.engine.contacts[cid].agent_id or ""

    def handled(self, cid: str, workflow: str = "cards") -> str:
        agent = self.call(cid, workflow)
        self.clock.advance(60.0)
        self.centre.execute(EndContact(contact_id=cid))
        return agent


def new_floor(log: InMemoryEventLog | None = None, store: InMemorySurveyStore | None = None,
              now: float = T0) -> Floor:
    clock = ManualClock(now)
    log = InMemoryEventLog() if log is None else log
    centre = LiveCentre(log=log, clock=clock)
    store = InMemorySurveyStore() if store is None else store
    surveys = Surveys(store, zone=ZONE, clock=clock.now)
    for _ in surveys.learning(e for _, e in log.read()):
        pass
    centre.subscribe(surveys.heard)
    return Floor(clock, log, centre, store, surveys)


def staffed() -> Floor:
    floor = new_floor()
    c = floor.centre
    c.execute(DefineQueue(queue=QueueSpec(name="cards", expression="skills.cards >= 1",
                                          site="beijing")))
    c.execute(DefineQueue(queue=QueueSpec(name="vip", expression="skills.vip >= 1")))
    for name in ("cards", "vip"):
        c.execute(DefineWorkflow(workflow=Workflow(
            name=name, steps=(WorkflowStep(queue=name),), wrap_up_s=30.0)))
    for agent_id, site, skill in (("a1", "beijing", "cards"), ("a2", "shanghai", "vip")):
        c.execute(RegisterAgent(profile=AgentProfile(agent_id=agent_id, site=site,
                                                     skills={skill: 5}, auto_accept=True)))
        c.execute(LogIn(agent_id=agent_id, ready=True))
    return floor


def test_an_answer_after_the_agent_ended_the_call_is_stored_and_counted() -> None:
    floor = staffed()
    assert floor.handled("c1") == "a1"
    floor.clock.advance(15.0)
    got = floor.surveys.answer("c1", 4, "2")
    assert (got.queue, got.agent_id, got.site, got.score, got.reason) == \
        ("cards", "a1", "beijing", 4, "2")
    assert got.at == datetime.fromtimestamp(floor.clock.now(), UTC)
    assert floor.store.since(datetime.fromtimestamp(T0, UTC)) == [got]
    report = floor.surveys.report(floor.clock.now())
    assert (report["answers"], report["csat"], report["reasons"]) == (1, 1.0, {"2": 1})
    assert report["by_agent"]["a1"]["answers"] == 1 and report["by_site"]["beijing"]["csat"] == 1


def test_csat_by_queue_agent_and_site_over_several_calls() -> None:
    floor = staffed()
    scores = {"c1": 5, "c2": 3, "c3": 4, "v1": 1, "v2": 5}
    for cid, score in scores.items():
        floor.handled(cid, "vip" if cid.startswith("v") else "cards")
        floor.surveys.answer(cid, score, "1" if score <= 3 else None)
    report = floor.surveys.report(floor.clock.now())
    assert report["csat"] == pytest.approx(3 / 5)
    assert report["by_queue"]["cards"]["csat"] == pytest.approx(2 / 3)
    assert report["by_queue"]["vip"]["csat"] == pytest.approx(1 / 2)
    assert set(report["by_agent"]) == {"a1", "a2"}
    # The vip queue has no site: its calls count at the agent's.
    assert {s: r["answers"] for s, r in report["by_site"].items()} == {"beijing": 3,
                                                                       "shanghai": 2}
    assert report["mean_score"] == pytest.approx(18 / 5) and report["reasons"] == {"1": 2}


@pytest.mark.parametrize(("args", "field", "message"), [
    (("c1", 0), "score", "score: must be a whole number from 1 to 5, got 0"),
    (("c1", "4"), "score", "score: must be a whole number from 1 to 5, got '4'"),
    (("c1", 4, "x"), "reason", "reason: must be one digit 0–9 or nothing, got 'x'"),
    (("", 4), "contact_id", "contact_id: must be a non-empty text, got ''"),
    (("nobody", 4), "contact_id", "contact_id: no agent has talked with contact 'nobody' lately"),
])
def test_bad_answers_are_refused_at_the_edge_naming_the_field(
        args: tuple[object, ...], field: str, message: str) -> None:
    floor = staffed()
    floor.handled("c1")
    with pytest.raises(SurveyError) as info:
        floor.surveys.answer(*args)
    assert (info.value.field, str(info.value)) == (field, message)
    assert floor.store.answers == {} and floor.surveys.report(floor.clock.now())["answers"] == 0


def test_only_a_call_an_agent_has_ended_is_surveyed() -> None:
    floor = staffed()
    floor.call("c1")
    with pytest.raises(SurveyError, match=r"^contact_id: contact 'c1' is not done with an agent"):
        floor.surveys.answer("c1", 5)
    floor.centre.execute(TransferContact(contact_id="c1", to_queue="vip"))  # a2 takes it
    floor.centre.execute(EndContact(contact_id="c1"))
    assert floor.surveys.answer("c1", 5).agent_id == "a2"  # the last agent, their queue
    # Gone while waiting after a transfer (a2 is in wrap-up): nobody to ask.
    floor.centre.execute(RegisterAgent(profile=AgentProfile(agent_id="a3", site="beijing",
                                                            skills={"cards": 5},
                                                            auto_accept=True)))
    floor.centre.execute(LogIn(agent_id="a3", ready=True))
    floor.centre.execute(OfferContact(contact_id="c3", channel="voice", workflow="cards"))
    floor.centre.execute(TransferContact(contact_id="c3", to_queue="vip"))
    floor.centre.execute(AbandonContact(contact_id="c3"))
    with pytest.raises(SurveyError, match=r"^contact_id: contact 'c3' is not done"):
        floor.surveys.answer("c3", 1)


def test_a_contact_is_surveyed_once() -> None:
    floor = staffed()
    floor.handled("c1")
    floor.surveys.answer("c1", 5)
    with pytest.raises(AlreadySurveyed, match=r"^contact_id: contact 'c1' has answered"):
        floor.surveys.answer("c1", 2)
    assert floor.surveys.report(floor.clock.now())["answers"] == 1


def test_today_restarts_at_local_midnight_and_the_store_refuses_yesterdays_contact() -> None:
    floor = staffed()
    floor.handled("c1")
    floor.surveys.answer("c1", 5)
    midnight = datetime(2026, 3, 3, tzinfo=ZONE).timestamp()
    report = floor.surveys.report(midnight)
    assert report["answers"] == 0 and report["day_start"] == "2026-03-02T16:00:00+00:00"
    floor.clock.advance(midnight - floor.clock.now())
    with pytest.raises(AlreadySurveyed):
        floor.surveys.answer("c1", 1)
    floor.handled("c2")
    floor.surveys.answer("c2", 2)
    assert floor.surveys.report(floor.clock.now())["csat"] == 0.0


def test_after_a_restart_todays_answers_come_back_and_contacts_are_known_again() -> None:
    floor = staffed()
    for cid in ("c1", "c2", "c3"):
        floor.handled(cid)
    floor.surveys.answer("c1", 5)
    floor.surveys.answer("c2", 2, "3")
    floor.centre.close()
    again = new_floor(floor.log, floor.store, now=floor.clock.now() + 5.0)
    assert again.surveys.load() == 2
    assert again.surveys.report(again.clock.now())["csat"] == pytest.approx(1 / 2)
    assert again.surveys.answer("c3", 4).site == "beijing"  # learnt from the replayed log
    with pytest.raises(AlreadySurveyed):
        again.surveys.answer("c2", 5)


def test_only_the_latest_contacts_are_remembered() -> None:
    floor = staffed()
    floor.surveys.keep = 2
    for cid in ("c1", "c2", "c3"):
        floor.handled(cid)
    with pytest.raises(SurveyError, match="no agent has talked with contact 'c1' lately"):
        floor.surveys.answer("c1", 5)
    floor.surveys.answer("c3", 5)


def test_docstring_example() -> None:
    result = doctest.testmod(surveys_module)
    assert result.attempted > 0 and result.failed == 0
