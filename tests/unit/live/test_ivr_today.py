"""Today's IVR figures: saved when they change, read back on a restart the same day, and
yesterday's last calls saved when the day rolls over."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from hotline.channels.ivr_call import CallResult
from hotline.ivr.actions import Event, IvrEnded, IvrEntered, NodeEntered, SurveyAnswered
from hotline.ivr.metrics import IvrTally
from hotline.live.clock import ManualClock
from hotline.live.ivr_today import IvrToday, MemoryIvrDays

ZONE = ZoneInfo("Asia/Shanghai")
START = 1_780_000_000.0  # 2026-05-29, 04:26 in Shanghai


def call(call_id: str, outcome: str, *nodes: str) -> CallResult:
    events: list[Event] = [IvrEntered(flow="bank", version=1, dialled_number="95588"),
                           *(NodeEntered(node=n) for n in nodes),
                           IvrEnded(outcome=outcome, node=nodes[-1], seconds=30.0)]
    return CallResult(call_id=call_id, flow="bank", version=1, ivr_events=events)


def test_the_days_counts_survive_a_restart_and_only_changes_are_written() -> None:
    clock, days = ManualClock(START), MemoryIvrDays()
    today = IvrToday(ZONE, clock.now, days=days)
    assert today.flush() is False  # nothing to write yet
    today.add(call("c1", "completed", "main_menu", "balance"))
    today.add(call("c2", "abandoned", "main_menu"))
    assert today.flush() is True and today.flush() is False
    assert days.days["2026-05-29"]["entered"] == 2

    restarted = IvrToday(ZONE, clock.now, days=days)
    assert restarted.to_dict() == today.to_dict()
    restarted.add(call("c3", "enqueued", "main_menu", "agent"))
    assert restarted.report().entered == 3


def test_yesterdays_last_calls_are_saved_when_the_day_rolls_over() -> None:
    clock, days = ManualClock(START), MemoryIvrDays()
    today = IvrToday(ZONE, clock.now, days=days)
    today.add(call("c1", "completed", "main_menu"))
    clock.advance(86_400.0)
    assert today.report().entered == 0  # a new day
    assert days.days["2026-05-29"]["entered"] == 1  # the old one written on the way


def test_a_tally_round_trips_through_json_and_bad_json_names_the_field() -> None:
    tally = IvrTally()
    tally.add_call(call("c1", "abandoned", "main_menu", "balance").ivr_events)
    tally.add_call([SurveyAnswered(node="survey", score=5)])
    back = IvrTally.from_json(tally.to_json())
    assert back.report() == tally.report()
    bad = {**tally.to_json(), "outcomes": {"completed": -1}}
    with pytest.raises(ValueError, match=r"^outcomes.completed: must be a count, got -1$"):
        IvrTally.from_json(bad)
    with pytest.raises(ValueError, match=r"^lockouts: is missing$"):
        IvrTally.from_json({k: v for k, v in tally.to_json().items() if k != "lockouts"})
    with pytest.raises(ValueError, match=r"^scores: keys must be 1–5"):
        IvrTally.from_json({**tally.to_json(), "scores": {"9": 1}})
