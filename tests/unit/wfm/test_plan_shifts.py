"""Daily cyclic shift plan and Erlang's view of a plan (the pure parts of the planning loop)."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.wfm.errors import RequirementError
from hotline.wfm.plan_erlang import (
    ErlangQueue,
    agents_for_service_level,
    next_extra,
    service_level_at,
    significant_misses,
)
from hotline.wfm.plan_shifts import plan_day
from hotline.wfm.shifts import BreakRule, ShiftTemplate

Q = ErlangQueue(aht_s=180.0, interval_s=1800.0, patience_s=None, threshold_s=20.0)


def test_round_the_clock_needs_three_eight_hour_shifts_per_agent_seat() -> None:
    t = ShiftTemplate(name="t", earliest_start=0, latest_start=1410, start_step=30, length=480)
    plan = plan_day((4.0,) * 48, templates=(t,), interval_minutes=30)
    assert plan.agents == 12 and plan.paid_hours == pytest.approx(96)
    assert plan.coverage == (4.0,) * 48


def test_a_night_shift_wraps_into_the_morning_of_the_same_cyclic_day() -> None:
    night = ShiftTemplate(name="night", earliest_start=1320, latest_start=1320, length=540)
    plan = plan_day(tuple(2.0 if i >= 44 or i < 14 else 0.0 for i in range(48)),
                    templates=(night,), interval_minutes=30)
    assert plan.agents == 2 and max(plan.under) == 0 and max(plan.over) == 0


def test_breaks_are_deducted_and_stay_in_their_window() -> None:
    coffee = BreakRule(name="coffee", minutes=30, earliest=120, latest=240)
    t = ShiftTemplate(name="t", earliest_start=480, latest_start=480, length=480,
                      breaks=(coffee,))
    req = tuple(3.0 if 16 <= i < 32 else 0.0 for i in range(48))
    plan = plan_day(req, templates=(t,), interval_minutes=30)
    (shift,) = plan.shifts
    assert sum(b.agents for b in shift.breaks) == shift.agents
    assert all(120 <= b.offset <= 240 for b in shift.breaks)
    assert sum(plan.coverage) == pytest.approx(shift.agents * (16 - 1))


def test_requirement_of_the_wrong_length_is_refused() -> None:
    t = ShiftTemplate(name="t", earliest_start=0, latest_start=0, length=480)
    with pytest.raises(RequirementError, match="47 intervals given, a day of 30-min"):
        plan_day((1.0,) * 47, templates=(t,), interval_minutes=30)


def test_service_level_interpolates_between_whole_agents_and_inverts() -> None:
    calls = np.array([100.0, 100.0])
    sl = service_level_at(Q, calls, np.array([14.0, 13.5]))
    assert sl[0] == pytest.approx(0.888350, abs=1e-6)
    whole = service_level_at(Q, calls, np.array([13.0, 14.0]))
    assert sl[1] == pytest.approx(whole.mean())
    back = agents_for_service_level(Q, calls, sl)
    assert back == pytest.approx([14.0, 13.5], abs=1e-9)


def test_misses_ignore_noise_and_bursts_erlang_explains() -> None:
    measured = np.array([0.70, 0.78, 0.70, 0.70])
    offered = np.array([400.0, 400.0, 5.0, 400.0])
    expected = np.array([0.85, 0.85, 0.85, 0.70])
    missed = significant_misses(measured, offered, target=0.8, expected=expected)
    assert missed.tolist() == [True, False, False, False]


def test_next_extra_adds_the_agents_the_engine_lost_and_never_shrinks() -> None:
    calls = np.array([100.0, 100.0])
    on_phones = np.array([14.0, 14.0])
    at_12 = service_level_at(Q, calls, np.array([12.0, 12.0]))
    extra = next_extra(Q, previous=np.array([0.0, 1.0]), calls=calls, on_phones=on_phones,
                       measured=at_12, missed=np.array([True, False]))
    assert extra[0] == pytest.approx(2.0, abs=1e-6)  # 14 on the phones did what 12 would
    assert extra[1] == 1.0  # met: kept
