"""CSAT from survey answers: top-two-box ÷ answers, by queue, agent, site and interval."""

from __future__ import annotations

import doctest
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

import hotline.metrics.csat as csat_module
from hotline.metrics.csat import (
    AlreadySurveyed,
    CsatCounter,
    CsatCounts,
    SurveyAnswer,
    SurveyError,
    check_reason,
    check_score,
)

DAY = datetime(2026, 3, 2, tzinfo=timezone(timedelta(hours=8)))  # local midnight, Shanghai


def answer(cid: str, score: int, minute: int = 0, *, reason: str | None = None,
           queue: str | None = "cards", agent: str | None = "a1",
           site: str | None = "bj") -> SurveyAnswer:
    return SurveyAnswer(contact_id=cid, score=score, at=DAY + timedelta(minutes=minute),
                        reason=reason, queue=queue, agent_id=agent, site=site)


def test_csat_is_the_top_two_box_share_and_the_mean_is_of_every_score() -> None:
    counts = CsatCounts()
    for score in (5, 5, 4, 3, 1):
        counts.add(score)
    assert counts.csat == pytest.approx(3 / 5)
    assert counts.mean_score == pytest.approx(18 / 5)
    assert counts.to_dict()["scores"] == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 2}
    assert (counts.answers, counts.top_two) == (5, 3)


def test_no_answers_is_no_data_not_zero() -> None:
    assert CsatCounts().csat is None and CsatCounts().mean_score is None
    report = CsatCounter(origin=DAY).report()
    assert (report["answers"], report["csat"], report["intervals"]) == (0, None, [])


def test_answers_are_counted_by_queue_agent_site_and_interval() -> None:
    counter = CsatCounter(origin=DAY, interval_minutes=30)
    counter.add(answer("c1", 5, 5))
    counter.add(answer("c2", 2, 20, reason="1", agent="a2"))
    counter.add(answer("c3", 4, 35, queue="vip", site="sh"))
    counter.add(answer("c4", 3, 70, reason="1", queue=None, agent=None, site=None))
    assert counter.total.answers == 4 and counter.total.csat == pytest.approx(2 / 4)
    assert {q: c.answers for q, c in counter.by_queue.items()} == {"cards": 2, "vip": 1}
    assert counter.by_queue["cards"].csat == pytest.approx(1 / 2)
    assert {a: c.csat for a, c in counter.by_agent.items()} == {"a1": 1.0, "a2": 0.0}
    assert {s: c.answers for s, c in counter.by_site.items()} == {"bj": 2, "sh": 1}
    assert {i: c.answers for i, c in counter.by_interval.items()} == {0: 2, 1: 1, 2: 1}
    assert counter.reasons == {"1": 2}
    report = counter.report()
    assert [r["start"] for r in report["intervals"]] == [
        "2026-03-01T16:00:00+00:00", "2026-03-01T16:30:00+00:00", "2026-03-01T17:00:00+00:00"]
    assert report["by_agent"]["a2"]["scores"]["2"] == 1
    assert report["reasons"] == {"1": 2}
    assert json.loads(json.dumps(report)) == report


def test_a_contact_is_surveyed_once() -> None:
    counter = CsatCounter(origin=DAY)
    counter.add(answer("c1", 5))
    with pytest.raises(AlreadySurveyed) as info:
        counter.add(answer("c1", 1, 3))
    assert str(info.value) == "contact_id: contact 'c1' has answered the survey already"
    assert info.value.field == "contact_id"
    assert counter.total.answers == 1 and counter.total.csat == 1.0


@pytest.mark.parametrize(("score", "message"), [
    (0, "score: must be a whole number from 1 to 5, got 0"),
    (6, "score: must be a whole number from 1 to 5, got 6"),
    ("5", "score: must be a whole number from 1 to 5, got '5'"),
    (4.0, "score: must be a whole number from 1 to 5, got 4.0"),
    (True, "score: must be a whole number from 1 to 5, got True"),
])
def test_a_score_must_be_1_to_5(score: object, message: str) -> None:
    with pytest.raises(SurveyError) as info:
        check_score(score)
    assert str(info.value) == message and info.value.field == "score"
    with pytest.raises(SurveyError, match=r"^score: "):
        SurveyAnswer(contact_id="c", score=score, at=DAY)  # type: ignore[arg-type]


@pytest.mark.parametrize("reason", ["", "12", "a", 3, "٣"])
def test_a_reason_is_one_digit_or_nothing(reason: object) -> None:
    with pytest.raises(SurveyError, match=r"^reason: must be one digit 0–9 or nothing, got "):
        check_reason(reason)
    assert check_reason("0") == "0" and check_reason(None) is None


def test_times_are_aware_and_contacts_named() -> None:
    with pytest.raises(SurveyError, match=r"^at: must be an aware datetime"):
        SurveyAnswer(contact_id="c", score=5, at=datetime(2026, 3, 2, 9))  # noqa: DTZ001
    with pytest.raises(SurveyError, match=r"^contact_id: must be a non-empty text"):
        SurveyAnswer(contact_id="", score=5, at=DAY)
    with pytest.raises(SurveyError, match=r"^interval_minutes: must be 15, 30 or 60, got 7"):
        CsatCounter(origin=DAY, interval_minutes=7)
    with pytest.raises(SurveyError, match=r"^at: must be an aware datetime"):
        CsatCounter(origin=datetime(2026, 3, 2))  # noqa: DTZ001


def test_answers_before_the_origin_fall_in_negative_intervals_not_the_first() -> None:
    counter = CsatCounter(origin=DAY.astimezone(UTC), interval_minutes=15)
    counter.add(answer("late", 4, -1))
    assert list(counter.by_interval) == [-1]


def test_docstring_example() -> None:
    result = doctest.testmod(csat_module)
    assert result.attempted > 0 and result.failed == 0
