"""Interval forecast for one queue: daily volumes × intraday profiles by day type.

>>> # history: a DailyGrid of past interval volumes; calendar: a WorkCalendar
>>> # grid = forecast(history, calendar, horizon_days=7)   # the next 7 days, same intervals

The daily model (`forecast_daily`) carries the weekly pattern, the recent level and trend,
holidays and their neighbours; the profiles (`forecast_profile`) split each day into
intervals. Both look only at the last `window_days` of the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hotline.wfm.calendar_days import WorkCalendar
from hotline.wfm.errors import ForecastError
from hotline.wfm.forecast_daily import DailySettings, fit_daily, predict_daily
from hotline.wfm.forecast_profile import ProfileSettings, fit_profiles
from hotline.wfm.history import DailyGrid

MIN_HISTORY_DAYS = 14
MAX_HORIZON_DAYS = 366


@dataclass(frozen=True, kw_only=True, slots=True)
class ForecastSettings:
    """All knobs of the forecast; the defaults were chosen on Sep–Nov 1999 backtests."""

    window_days: int = 168
    daily: DailySettings = field(default_factory=DailySettings)
    profile: ProfileSettings = field(default_factory=ProfileSettings)


def forecast(
    history: DailyGrid,
    calendar: WorkCalendar,
    *,
    horizon_days: int,
    settings: ForecastSettings | None = None,
) -> DailyGrid:
    """Expected calls per interval for the `horizon_days` days after the history's last day.

    Raises `ForecastError` when the history is shorter than two weeks, carries no calls, or
    the horizon is not 1–366 days.
    """
    chosen = settings or ForecastSettings()
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise ForecastError(f"horizon_days: {horizon_days} is outside 1–{MAX_HORIZON_DAYS} days")
    if history.days < MIN_HISTORY_DAYS:
        raise ForecastError(
            f"history: {history.days} days is too short, a forecast needs at least "
            f"{MIN_HISTORY_DAYS} days (two weeks) to learn the weekly pattern"
        )
    start = max(0, history.days - chosen.window_days)
    past = history.window(start, history.days)
    volumes = past.daily_totals()
    if float(volumes.sum()) <= 0:
        raise ForecastError("history: every interval is zero, there is nothing to forecast")
    types = calendar.day_types(past.first_day, past.days)
    before, after = calendar.neighbours(past.first_day, past.days)
    fit = fit_daily(volumes, types, before, after, weekend=calendar.weekend, settings=chosen.daily)
    origin = history.day(history.days)
    future_types = calendar.day_types(origin, horizon_days)
    future_before, future_after = calendar.neighbours(origin, horizon_days)
    daily = predict_daily(fit, future_types, future_before, future_after, settings=chosen.daily)
    profiles = fit_profiles(past.counts, types, weekend=calendar.weekend, settings=chosen.profile)
    counts = daily[:, None] * profiles[np.asarray(future_types, dtype=np.int64)]
    return DailyGrid(
        first_day=origin,
        interval_minutes=history.interval_minutes,
        counts=counts,
        zone=history.zone,
    )
