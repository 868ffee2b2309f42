"""The forecast recovers a known weekly pattern, handles special days, updates intraday."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from hotline.wfm.calendar_days import DayKind, SpecialDay, WorkCalendar
from hotline.wfm.calendar_sources import country_calendar
from hotline.wfm.errors import ForecastError
from hotline.wfm.forecast import forecast
from hotline.wfm.forecast_accuracy import mase, naive_scale, wape
from hotline.wfm.forecast_backtest import rolling_backtest
from hotline.wfm.forecast_intraday import update_today
from hotline.wfm.history import DailyGrid

SH = ZoneInfo("Asia/Shanghai")
WEEKLY = np.array([1500.0, 1400, 1350, 1300, 1200, 300, 150])  # Monday first
SHAPE = np.exp(-0.5 * ((np.arange(48) - 22) / 6.0) ** 2)
SHAPE /= SHAPE.sum()


def level(day: date, calendar: WorkCalendar) -> float:
    """The true mean volume of `day`: holidays like Sunday, make-up workdays like a workday."""
    kind = calendar.special[day].kind if day in calendar.special else None
    if kind is DayKind.HOLIDAY:
        return float(WEEKLY[6])
    if kind is DayKind.WORKDAY:
        return float(WEEKLY[:5].mean())
    return float(WEEKLY[day.weekday()])


def synthetic(
    days: int, first: date = date(2024, 1, 1), seed: int = 7, calendar: WorkCalendar | None = None
) -> DailyGrid:
    rng = np.random.default_rng(seed)
    cal = calendar or WorkCalendar()
    volume = np.array([level(first + timedelta(days=i), cal) for i in range(days)])
    counts = rng.poisson(volume[:, None] * SHAPE[None, :]).astype(np.float64)
    return DailyGrid(first_day=first, interval_minutes=30, counts=counts, zone=SH)


def test_forecast_recovers_a_known_weekly_pattern() -> None:
    history = synthetic(16 * 7)
    made = forecast(history, WorkCalendar(), horizon_days=14)
    assert made.first_day == history.day(history.days)
    assert made.counts.shape == (14, 48)
    truth = np.array([WEEKLY[made.day(i).weekday()] for i in range(14)])
    assert np.allclose(made.daily_totals(), truth, rtol=0.05)
    profile = made.counts[0] / made.counts[0].sum()
    assert np.abs(profile - SHAPE).sum() < 0.05


def test_unseen_make_up_workday_is_forecast_like_a_workday_and_holiday_like_a_weekend() -> None:
    calendar = country_calendar("CN", [2023, 2024])
    # Ten weeks to Saturday 3 Feb 2024 (New Year's Day inside, no make-up workday yet).
    history = synthetic(10 * 7, first=date(2023, 11, 26), calendar=calendar)
    made = forecast(history, calendar, horizon_days=15)
    by_day = dict(zip([made.day(i) for i in range(15)], made.daily_totals(), strict=True))
    assert by_day[date(2024, 2, 4)] > 0.8 * WEEKLY[:5].mean()
    workdays = WEEKLY[:5].mean()
    assert by_day[date(2024, 2, 18)] > 0.8 * workdays  # make-up Sunday, never seen before
    assert by_day[date(2024, 2, 13)] < WEEKLY[5] * 1.5  # Spring Festival Tuesday
    assert by_day[date(2024, 2, 6)] == pytest.approx(WEEKLY[1], rel=0.08)  # ordinary Tuesday


def test_a_holiday_kind_seen_in_the_history_is_learned() -> None:
    history = synthetic(12 * 7)
    counts = history.counts.copy()
    special = {}
    for week in (3, 6, 9):  # three Wednesdays at a fifth of normal
        counts[week * 7 + 2] = np.round(counts[week * 7 + 2] * 0.2)
        day = history.day(week * 7 + 2)
        special[day] = SpecialDay(day=day, kind=DayKind.REDUCED)
    history = DailyGrid(first_day=history.first_day, interval_minutes=30, counts=counts, zone=SH)
    ahead = history.day(history.days + 2)  # the next Wednesday
    special[ahead] = SpecialDay(day=ahead, kind=DayKind.REDUCED)
    made = forecast(history, WorkCalendar(special=special), horizon_days=7)
    assert made.daily_totals()[2] == pytest.approx(0.2 * WEEKLY[2], rel=0.2)
    assert made.daily_totals()[1] == pytest.approx(WEEKLY[1], rel=0.08)


def test_too_short_empty_and_bad_horizon_are_refused() -> None:
    with pytest.raises(ForecastError, match=r"history: 10 days is too short, .* at least 14 days"):
        forecast(synthetic(10), WorkCalendar(), horizon_days=7)
    zero = DailyGrid(
        first_day=date(2024, 1, 1), interval_minutes=30, counts=np.zeros((20, 48)), zone=SH
    )
    with pytest.raises(ForecastError, match=r"history: every interval is zero"):
        forecast(zero, WorkCalendar(), horizon_days=7)
    with pytest.raises(ForecastError, match=r"horizon_days: 0 is outside 1–366 days"):
        forecast(synthetic(28), WorkCalendar(), horizon_days=0)


def test_intraday_update_moves_the_rest_of_the_day_toward_the_actuals() -> None:
    plan = SHAPE * 1000.0
    arrived = np.round(plan[:20] * 1.3)  # a busy morning
    updated = update_today(plan, arrived, prior_calls=50.0)
    assert updated[:20].tolist() == arrived.tolist()
    ratio = updated[20:] / plan[20:]
    assert np.allclose(ratio, ratio[0]) and 1.2 < ratio[0] < 1.3
    quiet = update_today(plan, np.round(plan[:20] * 0.5), prior_calls=50.0)
    assert quiet[20:].sum() < plan[20:].sum() * 0.6
    early = update_today(plan, np.array([5.0]), prior_calls=50.0)  # one interval: plan holds
    assert np.allclose(early[1:], plan[1:], rtol=0.1)


def test_intraday_update_rejects_bad_input() -> None:
    with pytest.raises(ForecastError, match=r"arrived: interval 1 volume -2.0 is missing"):
        update_today(np.ones(4), np.array([1.0, -2.0]))
    with pytest.raises(ForecastError, match=r"arrived: 5 intervals but the day has only 4"):
        update_today(np.ones(4), np.ones(5))


def test_accuracy_measures_on_a_worked_example() -> None:
    actual = np.array([10.0, 20.0, 30.0])
    made = np.array([12.0, 18.0, 33.0])
    assert wape(actual, made) == pytest.approx(7.0 / 60.0)
    scale = naive_scale(np.array([1.0, 2.0, 4.0, 7.0]), 1)  # steps 1, 2, 3
    assert scale == pytest.approx(2.0)
    assert mase(actual, made, scale) == pytest.approx((7.0 / 3.0) / 2.0)


def test_backtest_scores_each_origin_and_stitches_the_horizon() -> None:
    history = synthetic(12 * 7)
    result = rolling_backtest(history, WorkCalendar(), origins=3, horizon_days=7)
    assert [s.origin for s in result.scores] == [history.day(63 + 7 * k) for k in range(3)]
    assert result.forecast.counts.shape == result.actual.counts.shape == (21, 48)
    assert 0.0 < result.wape < 0.25  # Poisson noise on ~30 calls per interval
    assert all(s.daily_mase < 1.0 for s in result.scores)  # beats last week's copy
    with pytest.raises(ForecastError, match=r"history: 28 days is too short for 2 origins"):
        rolling_backtest(synthetic(28), WorkCalendar(), origins=2, horizon_days=7)


BANK = (
    Path(__file__).resolve().parents[3].parent
    / "shared/data/anonymous-bank-1999/aggregates/arrivals_6min_all_records_1999.csv"
)


@pytest.mark.skipif(not BANK.exists(), reason="shared bank data not beside the checkout")
def test_real_bank_november_week_beats_last_weeks_copy() -> None:
    raw = np.loadtxt(BANK, delimiter=",", skiprows=1, usecols=4)
    counts = raw.reshape(-1, 240)[10:]  # 363 days from 1 Jan less Jan 11–12; start 13 Jan
    grid = DailyGrid(
        first_day=date(1999, 1, 13),
        interval_minutes=6,
        counts=counts,
        zone=ZoneInfo("Asia/Jerusalem"),
    ).resample(30)
    origin = (date(1999, 11, 17) - grid.first_day).days
    made = forecast(grid.window(0, origin), country_calendar("IL", [1999]), horizon_days=7)
    actual = grid.counts[origin : origin + 7]
    ours = wape(actual, made.counts)
    copy = wape(actual, grid.counts[origin - 7 : origin])
    assert ours < 0.25 and ours < 0.9 * copy
