"""Rolling-origin backtest: refit at each origin, forecast the next days, score against actuals.

Origins step back from the end of the history: with ``origins=4, horizon_days=7`` the last
four weeks are forecast, each from everything before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from hotline.wfm.calendar_days import WorkCalendar
from hotline.wfm.errors import ForecastError
from hotline.wfm.forecast import MIN_HISTORY_DAYS, ForecastSettings, forecast
from hotline.wfm.forecast_accuracy import FloatArray, mase, naive_scale, wape
from hotline.wfm.history import DailyGrid


@dataclass(frozen=True, kw_only=True, slots=True)
class OriginScore:
    """Scores of one origin's forecast over its horizon."""

    origin: date
    wape: float  # over intervals
    mase: float  # over intervals, scale: weekly naive in-sample
    daily_wape: float
    daily_mase: float  # scale: weekly naive on daily totals in-sample


@dataclass(frozen=True, kw_only=True, slots=True)
class Backtest:
    """Per-origin scores, pooled scores, and the stitched forecast and actual intervals."""

    scores: tuple[OriginScore, ...]
    wape: float
    daily_wape: float
    forecast: DailyGrid
    actual: DailyGrid


def rolling_backtest(
    history: DailyGrid,
    calendar: WorkCalendar,
    *,
    origins: int,
    horizon_days: int,
    settings: ForecastSettings | None = None,
) -> Backtest:
    """Backtest the last ``origins × horizon_days`` days of `history`, one origin per step.

    Raises `ForecastError` when the history leaves fewer than two weeks (plus one week for
    the MASE scale) before the first origin.
    """
    if origins < 1 or horizon_days < 1:
        raise ForecastError(
            f"origins/horizon_days: {origins} and {horizon_days} must both be at least 1"
        )
    first = history.days - origins * horizon_days
    needed = MIN_HISTORY_DAYS + 7
    if first < needed:
        raise ForecastError(
            f"history: {history.days} days is too short for {origins} origins of "
            f"{horizon_days} days; it needs at least {needed + origins * horizon_days} days"
        )
    per_week = 7 * history.per_day
    scores: list[OriginScore] = []
    forecasts: list[FloatArray] = []
    for k in range(origins):
        start = first + k * horizon_days
        past = history.window(0, start)
        made = forecast(past, calendar, horizon_days=horizon_days, settings=settings)
        truth = history.counts[start : start + horizon_days]
        forecasts.append(made.counts)
        daily_truth, daily_made = truth.sum(axis=1), made.counts.sum(axis=1)
        scores.append(
            OriginScore(
                origin=made.first_day,
                wape=_safe_wape(truth, made.counts),
                mase=mase(truth, made.counts, naive_scale(past.counts.ravel(), per_week)),
                daily_wape=_safe_wape(daily_truth, daily_made),
                daily_mase=mase(daily_truth, daily_made, naive_scale(past.daily_totals(), 7)),
            )
        )
    actual = history.window(first, history.days)
    stitched = DailyGrid(
        first_day=actual.first_day,
        interval_minutes=history.interval_minutes,
        counts=np.concatenate(forecasts),
        zone=history.zone,
    )
    return Backtest(
        scores=tuple(scores),
        wape=wape(actual.counts, stitched.counts),
        daily_wape=wape(actual.daily_totals(), stitched.daily_totals()),
        forecast=stitched,
        actual=actual,
    )


def _safe_wape(actual: FloatArray, made: FloatArray) -> float:
    """WAPE, or NaN for a horizon without calls (a closed week)."""
    return wape(actual, made) if float(np.sum(actual)) > 0 else float("nan")
