"""Daily volume model: a recency-weighted Poisson regression on the log scale.

``log E[calls on day t] = type effect(t) + trend·(weeks from the origin) + neighbour effects``

where the type effect is the day's weekday, or the special kind that replaces it (holiday,
eve, reduced day, make-up workday), and the neighbour effects mark the working days just
before and after a holiday. Older days weigh less (a half-life), so the level follows the
recent weeks. A ridge penalty pulls each effect toward a prior: kinds never seen in the
history take their prior from the weekday levels (a holiday runs like the weekend, a make-up
workday like an ordinary workday), so a Chinese calendar works on a history without one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hotline.wfm.calendar_days import N_DAY_TYPES, DayType
from hotline.wfm.errors import ForecastError

FloatArray = NDArray[np.float64]
_N_EXTRA = 3  # trend, before-holiday, after-holiday
_FLOOR = 0.5  # calls; keeps log() finite on closed days


@dataclass(frozen=True, kw_only=True, slots=True)
class DailySettings:
    """Knobs of the daily model (chosen on backtests, see benchmarks/forecast_accuracy.py)."""

    half_life_days: float = 56.0
    trend: bool = True
    trend_damping: float = 0.8  # per week of horizon
    # Ridge penalties, in pseudo-days of typical volume:
    trend_ridge: float = 10.0  # pulls the weekly log-trend toward zero
    neighbour_ridge: float = 2.0  # pulls the before/after-holiday effects toward zero
    prior_ridge: float = 0.25  # pulls each day-type effect toward its prior
    robust: float = 3.0  # days beyond this many standard deviations are down-weighted; 0 = off
    iterations: int = 30


@dataclass(frozen=True, kw_only=True, slots=True)
class DailyFit:
    """Fitted effects: ``coef[:N_DAY_TYPES]`` per day type, then trend, before, after."""

    coef: FloatArray
    dispersion: float


def design(
    day_types: Sequence[int], before: Sequence[bool], after: Sequence[bool], weeks: FloatArray
) -> FloatArray:
    """One row per day: day-type one-hot, weeks from the origin, the two neighbour flags."""
    n = len(day_types)
    x = np.zeros((n, N_DAY_TYPES + _N_EXTRA), dtype=np.float64)
    x[np.arange(n), np.asarray(day_types, dtype=np.int64)] = 1.0
    x[:, N_DAY_TYPES] = weeks
    x[:, N_DAY_TYPES + 1] = np.asarray(before, dtype=np.float64)
    x[:, N_DAY_TYPES + 2] = np.asarray(after, dtype=np.float64)
    return x


def _priors(
    volumes: FloatArray, day_types: NDArray[np.int64], weekend: frozenset[int]
) -> FloatArray:
    """Prior log level of each day type from the plain weekday means of the history."""
    logs = np.full(N_DAY_TYPES + _N_EXTRA, np.nan)
    for code in range(7):
        seen = volumes[day_types == code]
        if seen.size:
            logs[code] = np.log(max(float(seen.mean()), _FLOOR))
    week = logs[:7]
    if np.all(np.isnan(week)):
        raise ForecastError("history: no ordinary weekdays to learn a weekly pattern from")
    work = [c for c in range(7) if c not in weekend and not np.isnan(week[c])]
    rest = [c for c in range(7) if c in weekend and not np.isnan(week[c])]
    work_level = float(np.mean(week[work])) if work else float(np.nanmax(week))
    rest_level = float(np.mean(week[rest])) if rest else float(np.nanmin(week)) - np.log(4.0)
    logs[7 + 0] = rest_level  # holiday
    logs[DayType.EVE] = 0.5 * (work_level + rest_level)
    logs[DayType.REDUCED] = work_level + np.log(0.7)
    logs[DayType.WORKDAY] = work_level
    logs[np.isnan(logs)] = work_level
    logs[N_DAY_TYPES:] = 0.0
    return logs


def fit_daily(
    volumes: FloatArray,
    day_types: Sequence[int],
    before: Sequence[bool],
    after: Sequence[bool],
    *,
    weekend: frozenset[int],
    settings: DailySettings,
) -> DailyFit:
    """Fit the daily model to `volumes` (one per day, the last day just before the origin)."""
    y = np.asarray(volumes, dtype=np.float64)
    n = y.size
    types = np.asarray(day_types, dtype=np.int64)
    age = (n - 1 - np.arange(n)).astype(np.float64)
    weeks: FloatArray = -(age + 1.0) / 7.0
    x = design(day_types, before, after, weeks if settings.trend else np.zeros(n))
    recency = 0.5 ** (age / settings.half_life_days)
    prior = _priors(y, types, weekend)
    # Penalties count in pseudo-days of typical volume, so they mean the same at any size.
    day_information = max(float(np.sum(recency * y) / np.sum(recency)), 1.0)
    ridge = np.full(x.shape[1], float(settings.prior_ridge), dtype=np.float64)
    ridge[N_DAY_TYPES] = settings.trend_ridge if settings.trend else 1e9
    ridge[N_DAY_TYPES + 1 :] = settings.neighbour_ridge
    ridge *= day_information
    coef = prior.copy()
    robust: FloatArray = np.ones(n)
    dispersion = 1.0
    for step in range(settings.iterations):
        mu = np.exp(np.clip(x @ coef, -20.0, 20.0))
        weight = recency * robust * mu
        z = x @ coef + (y - mu) / np.maximum(mu, 1e-9)
        # A day-type prior is worth `prior_ridge` days of that type's own volume.
        ridge[:N_DAY_TYPES] = settings.prior_ridge * np.exp(np.clip(coef[:N_DAY_TYPES], -20, 20))
        lhs = x.T @ (x * weight[:, None]) + np.diag(ridge)
        rhs = x.T @ (weight * z) + ridge * prior
        new = np.asarray(np.linalg.solve(lhs, rhs), dtype=np.float64)
        done = float(np.max(np.abs(new - coef))) < 1e-8
        coef = new
        if settings.robust > 0 and step >= 2:
            mu = np.exp(np.clip(x @ coef, -20.0, 20.0))
            pearson = (y - mu) / np.sqrt(np.maximum(mu, _FLOOR))
            dispersion = max(float(np.sum(recency * pearson**2) / np.sum(recency)), 1.0)
            scaled = np.abs(pearson) / np.sqrt(dispersion)
            robust = np.minimum(1.0, settings.robust / np.maximum(scaled, 1e-12))
        elif done:
            break
    return DailyFit(coef=coef, dispersion=dispersion)


def predict_daily(
    fit: DailyFit,
    day_types: Sequence[int],
    before: Sequence[bool],
    after: Sequence[bool],
    *,
    settings: DailySettings,
) -> FloatArray:
    """Expected volume of each horizon day (day 0 is the origin day)."""
    h = len(day_types)
    lead_weeks: FloatArray = np.arange(h, dtype=np.float64) / 7.0
    if settings.trend and settings.trend_damping < 1.0:
        # Damped trend: week k of the horizon moves φ + φ² + … + φ^k weeks, not k.
        phi = settings.trend_damping
        lead_weeks = np.asarray(phi * (1.0 - phi**lead_weeks) / (1.0 - phi), dtype=np.float64)
    x = design(day_types, before, after, lead_weeks if settings.trend else np.zeros(h))
    return np.asarray(np.exp(x @ fit.coef), dtype=np.float64)
