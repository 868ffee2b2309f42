"""Intraday break re-optimisation: never into the past, never out of the window, less shortfall."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from hotline.wfm.errors import BreakReoptimisationError
from hotline.wfm.schedule_intraday import AgentDay, DayBreak, reoptimise_breaks

CST = timezone(timedelta(hours=8))
DAY = datetime(2024, 6, 3, tzinfo=CST)


def at(h: float) -> datetime:
    return DAY + timedelta(minutes=round(h * 60))


def lunch(start: float, earliest: float = 11, latest: float = 13) -> DayBreak:
    return DayBreak(name="lunch", start=at(start), minutes=60, earliest=at(earliest),
                    latest=at(latest))


def coffee(start: float) -> DayBreak:
    return DayBreak(name="coffee", start=at(start), minutes=15, earliest=at(9.5),
                    latest=at(10.5))


def agent(name: str, *breaks: DayBreak) -> AgentDay:
    return AgentDay(agent=name, shift_start=at(8), shift_end=at(17), breaks=breaks)


def requirement(peak_at: float, peak: float, base: float) -> list[float]:
    # 30-min intervals for the whole day; `peak` for one hour from `peak_at`.
    return [
        (peak if peak_at * 2 <= i < peak_at * 2 + 2 else base) if 16 <= i < 34 else 0.0
        for i in range(48)
    ]


def test_lunches_bunched_into_a_new_peak_are_spread_and_shortfall_drops() -> None:
    # All four agents lunch at 12:00, but the new forecast peaks 12:00-13:00 (4 needed).
    team = [agent(f"a{i}", lunch(12)) for i in range(4)]
    result = reoptimise_breaks(team, requirement=requirement(12, 4, 2), requirement_start=DAY,
                               interval_minutes=30, now=at(10))
    # By hand: before, 12-13 has nobody (4 short x 1 h) -> 4 agent-hours short. After, two
    # lunch at 11:00 and two at 13:00: 11-12 and 13-14 have 2 of 2 needed, 12-13 has 4 of 4.
    assert result.shortfall_before == pytest.approx(4.0)
    assert result.shortfall_after == pytest.approx(0.0)
    starts = sorted(b.start for a in result.agents for b in a.breaks)
    assert starts == [at(11), at(11), at(13), at(13)]


def test_breaks_never_move_into_the_past_or_out_of_the_window() -> None:
    team = [agent(f"a{i}", coffee(10.25), lunch(12, earliest=11, latest=12.5)) for i in range(6)]
    team.append(agent("started", coffee(9.5), lunch(11)))
    now = at(10)
    result = reoptimise_breaks(team, requirement=requirement(12, 7, 3), requirement_start=DAY,
                               interval_minutes=30, now=now)
    assert result.moves
    for before, after in zip(team, result.agents, strict=True):
        for b0, b1 in zip(before.breaks, after.breaks, strict=True):
            assert b1.earliest <= b1.start <= b1.latest
            if b0.start < now:
                assert b1.start == b0.start  # already taken, stays
            else:
                assert b1.start >= now
        spans = sorted((b.start, b.start + timedelta(minutes=b.minutes)) for b in after.breaks)
        assert all(e <= s for (_, e), (s, _) in itertools.pairwise(spans))
    assert result.shortfall_after <= result.shortfall_before


def test_window_partly_in_the_past_only_offers_future_starts() -> None:
    # now 11:20; lunch window 11:00-13:00 not started yet: it may not go back to 11:00.
    team = [agent("a0", lunch(12.5))]
    req = [0.0] * 48
    req[25] = 1.0  # need the one agent 12:30-13:00
    result = reoptimise_breaks(team, requirement=req, requirement_start=DAY, interval_minutes=30,
                               now=at(11 + 1 / 3))
    (moved,) = result.agents[0].breaks
    assert moved.start >= at(11 + 1 / 3)
    assert result.shortfall_after == pytest.approx(0.0)
    assert result.shortfall_before == pytest.approx(0.5)


def test_nothing_moves_when_moving_does_not_help() -> None:
    team = [agent("a0", lunch(12)), agent("a1", lunch(13))]
    result = reoptimise_breaks(team, requirement=requirement(12, 1, 1), requirement_start=DAY,
                               interval_minutes=30, now=at(9))
    assert result.moves == ()
    assert result.shortfall_after == result.shortfall_before == 0.0


def test_break_outside_its_window_is_rejected_by_name() -> None:
    team = [agent("li.wei", lunch(14))]
    with pytest.raises(BreakReoptimisationError) as err:
        reoptimise_breaks(team, requirement=[1.0] * 48, requirement_start=DAY,
                          interval_minutes=30, now=at(9))
    assert str(err.value) == (
        "agent 'li.wei' break 'lunch': starts 14:00, outside its window 11:00-13:00"
    )


def test_window_outside_the_shift_is_rejected() -> None:
    team = [agent("li.wei", lunch(12, earliest=11, latest=16.5))]
    with pytest.raises(BreakReoptimisationError, match=r"agent 'li.wei' break 'lunch': window "
                       r"11:00-16:30 \(\+60 min\) is outside the shift 08:00-17:00"):
        reoptimise_breaks(team, requirement=[1.0] * 48, requirement_start=DAY,
                          interval_minutes=30, now=at(9))


def test_naive_now_is_rejected() -> None:
    with pytest.raises(BreakReoptimisationError, match="now: 2024-06-03T09:00:00 has no time zone"):
        reoptimise_breaks([], requirement=[1.0] * 48, requirement_start=DAY,
                          interval_minutes=30, now=datetime(2024, 6, 3, 9))  # noqa: DTZ001
