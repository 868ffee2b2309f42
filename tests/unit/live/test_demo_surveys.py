"""The demo's callers answer the survey after an agent ends their call: about a third of them,
with CSAT near the reference centre's published satisfaction (> 85 %)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.core import events as ev
from hotline.live.centre import LiveCentre
from hotline.live.clock import ManualClock
from hotline.live.demo_callers import SURVEY_SHARE, SURVEY_WEIGHTS
from hotline.live.demo_floor import DemoFloor
from hotline.live.surveys import InMemorySurveyStore, Surveys
from hotline.sim.scenario import load_scenario
from hotline.store.eventlog_memory import InMemoryEventLog

SPEED = 60.0


@dataclass
class Hour:
    centre: LiveCentre
    log: InMemoryEventLog
    store: InMemorySurveyStore
    surveys: Surveys
    floor: DemoFloor


def hour(seed: int) -> Hour:
    """One virtual hour of the bank-hotline demo, 10:00 to 11:00 on a Monday, at speed 60."""
    scenario = load_scenario("bank-hotline")
    zone = ZoneInfo(str(scenario.zone))
    clock = ManualClock(datetime(2007, 6, 4, 10, tzinfo=zone).timestamp())
    log = InMemoryEventLog()
    centre = LiveCentre(log=log, clock=clock)
    store = InMemorySurveyStore()
    surveys = Surveys(store, zone=zone, clock=clock.now)
    centre.subscribe(surveys.heard)
    floor = DemoFloor(centre, scenario, rng=random.Random(seed), speed=SPEED,
                      survey=surveys.answer)
    floor.configure()
    floor.start()
    for _ in range(60):
        clock.advance(1.0)
    floor.stop()
    return Hour(centre, log, store, surveys, floor)


@pytest.fixture(scope="module")
def demo() -> Iterator[Hour]:
    yield hour(11)


def test_about_a_third_of_the_callers_an_agent_ended_answer(demo: Hour) -> None:
    ended = [e for _, e in demo.log.read() if isinstance(e, ev.ContactEnded)]
    answers = list(demo.store.answers.values())
    assert len(ended) > 300
    # Answers come 8–20 virtual seconds after the hang-up: the last few are still to come.
    expected = SURVEY_SHARE * len(ended)
    assert abs(len(answers) - expected) < 4 * math.sqrt(expected)
    by_contact = {e.contact_id: e for e in ended}
    for a in answers:
        end = by_contact[a.contact_id]
        assert a.agent_id == end.agent_id
        assert 8.0 / SPEED <= a.at.timestamp() - end.at <= 20.0 / SPEED + 1e-6


def test_csat_lands_near_the_published_satisfaction(demo: Hour) -> None:
    report = demo.surveys.report(demo.centre.clock.now())
    top_two = sum(SURVEY_WEIGHTS[3:])
    n = report["answers"]
    assert report["csat"] == pytest.approx(top_two, abs=4 * math.sqrt(top_two * (1 - top_two) / n))
    assert report["csat"] > 0.8
    assert set(report["by_queue"]) <= {q.name for q in load_scenario("bank-hotline").queues}
    assert sum(r["answers"] for r in report["by_agent"].values()) == n
    assert sum(r["answers"] for r in report["by_site"].values()) == n


def test_low_scores_give_a_reason_digit_and_high_ones_none(demo: Hour) -> None:
    answers = list(demo.store.answers.values())
    assert all((a.reason is not None) == (a.score <= 3) for a in answers)
    assert {a.reason for a in answers if a.reason} <= {"1", "2", "3", "4"}


def test_the_same_seed_gives_the_same_answers(demo: Hour) -> None:
    again = hour(11)
    assert again.store.answers == demo.store.answers


def test_without_a_survey_sink_nobody_is_asked() -> None:
    scenario = load_scenario("bank-hotline")
    clock = ManualClock(datetime(2007, 6, 4, 10, tzinfo=ZoneInfo(str(scenario.zone))).timestamp())
    centre = LiveCentre(log=InMemoryEventLog(), clock=clock)
    floor = DemoFloor(centre, scenario, rng=random.Random(11), speed=SPEED)
    floor.configure()
    floor.start()
    for _ in range(5):
        clock.advance(1.0)
    assert floor.stats.ended > 0 and floor.callers.survey is None
    floor.stop()
