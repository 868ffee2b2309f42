"""Intraday: reforecast toward the actuals, overtime when hot, early release when cold."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from hotline.wfm.errors import ForecastError
from hotline.wfm.intraday import plan_intraday
from hotline.wfm.schedule_intraday import AgentDay, DayBreak
from hotline.wfm.staffing import staff
from hotline.wfm.staffing_targets import StaffingTargets

TARGETS = StaffingTargets(service_level=0.8, threshold_s=20)
FORECAST = [100.0] * 16  # 8 hours of 30-min intervals


def planned_coverage() -> list[float]:
    """Exactly what the forecast needs, with shifts ending after interval 11."""
    need = staff(FORECAST, aht_s=180, interval_s=1800, targets=TARGETS).raw_agents
    return [float(x) for x in need]


def run(actual_per_interval: float, coverage: list[float] | None = None, arrived: int = 4):
    return plan_intraday(forecast=FORECAST, actuals=[actual_per_interval] * arrived,
                         coverage=coverage or planned_coverage(), interval_minutes=30,
                         aht_s=180, targets=TARGETS, prior_calls=100.0)


def test_reforecast_moves_toward_the_actuals() -> None:
    hot = run(130.0)
    assert hot.reforecast[:4].tolist() == [130.0] * 4
    assert 100.0 < hot.reforecast[4] < 130.0  # credibility: 520 seen of 400 planned
    assert hot.reforecast[4] == pytest.approx(100 * (520 + 100) / (400 + 100))
    cold = run(70.0)
    assert 70.0 < cold.reforecast[4] < 100.0


def test_hot_day_gets_overtime_and_the_predicted_service_level_rises() -> None:
    p = run(130.0)
    overtime = [a for a in p.actions if a.kind in ("extend shifts", "start early",
                                                   "extra hours")]
    assert overtime and not [a for a in p.actions if a.kind == "early release"]
    assert all(a.first >= p.now for a in overtime)
    for a in overtime:
        assert a.sl_after > a.sl_before
    assert p.rest_of_day_sl(after=False) < 0.8 <= p.rest_of_day_sl(after=True)
    assert np.all(p.coverage_after[p.now:] >= p.requirement[p.now:] - 1e-9)
    assert np.all(p.coverage_after[: p.now] == p.coverage_before[: p.now])


def test_cold_day_releases_agents_early_and_still_meets_the_target() -> None:
    cover = planned_coverage()
    cover[12:] = [0.0] * 4  # shifts end after interval 11
    p = run(60.0, coverage=cover)
    releases = [a for a in p.actions if a.kind == "early release"]
    assert releases
    assert any(a.last == 12 for a in releases)  # released up to the shifts' end
    for a in releases:
        assert a.sl_after <= a.sl_before
        assert a.sl_after >= 0.8 - 1e-9
        assert a.hours > 0


def test_overtime_next_to_a_shift_end_extends_those_shifts() -> None:
    cover = planned_coverage()
    cover[12:] = [c - 3 for c in cover[12:]]
    p = run(100.0, coverage=cover, arrived=2)
    kinds = {a.kind for a in p.actions}
    assert "extend shifts" in kinds
    extend = next(a for a in p.actions if a.kind == "extend shifts")
    assert extend.first == 12


def test_break_moves_come_first_when_the_agents_day_is_known() -> None:
    tz = timezone(timedelta(hours=8))
    start = datetime(2026, 3, 2, 9, 0, tzinfo=tz)
    agents = [
        AgentDay(agent=f"a{i}", shift_start=start, shift_end=start + timedelta(hours=8),
                 breaks=(DayBreak(name="lunch", start=start + timedelta(hours=3), minutes=30,
                                  earliest=start + timedelta(hours=2),
                                  latest=start + timedelta(hours=6)),))
        for i in range(4)
    ]
    coverage = [4.0] * 16
    for t in (6,):  # all four at lunch 12:00-12:30
        coverage[t] = 0.0
    forecast = [10.0] * 16
    forecast[6] = 30.0
    p = plan_intraday(forecast=forecast, actuals=[10.0, 10.0], coverage=coverage,
                      interval_minutes=30, aht_s=180, targets=TARGETS, agents=agents,
                      day_start=start)
    moves = [a for a in p.actions if a.kind == "break moves"]
    assert moves and moves[0].sl_after > moves[0].sl_before
    assert p.coverage_after[6] > 0


def test_coverage_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ForecastError, match="coverage: 3 intervals but the forecast has 16"):
        plan_intraday(forecast=FORECAST, actuals=[], coverage=[1.0, 2.0, 3.0],
                      interval_minutes=30, aht_s=180, targets=TARGETS)
