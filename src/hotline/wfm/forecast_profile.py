"""Intraday profiles: the share of a day's calls that falls in each interval, per day type.

Each day type's profile is the recency-weighted sum of its days' interval volumes, shrunk
toward the profile of its group (working days, or days off) by a number of prior calls, so a
type seen once (an eve) borrows its shape from the group, and a type never seen (a make-up
workday) takes the group's shape outright.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hotline.wfm.calendar_days import N_DAY_TYPES, DayType

FloatArray = NDArray[np.float64]
_OFF_TYPES = frozenset({int(DayType.HOLIDAY)})


@dataclass(frozen=True, kw_only=True, slots=True)
class ProfileSettings:
    """Knobs of the intraday profiles (chosen on backtests)."""

    half_life_days: float = 28.0
    prior_calls: float = 50.0  # pseudo-calls of the group profile mixed into each type
    smoothing: int = 1  # passes of a [1, 2, 1] / 4 kernel over neighbouring intervals


def _smooth(counts: FloatArray, passes: int) -> FloatArray:
    out = counts
    for _ in range(passes):
        padded = np.concatenate([out[..., :1], out, out[..., -1:]], axis=-1)
        out = 0.25 * padded[..., :-2] + 0.5 * padded[..., 1:-1] + 0.25 * padded[..., 2:]
    return out


def _normalise(total: FloatArray) -> FloatArray:
    mass = float(total.sum())
    if mass <= 0:
        return np.full(total.shape, 1.0 / total.size)
    return total / mass


def fit_profiles(
    counts: FloatArray,
    day_types: Sequence[int],
    *,
    weekend: frozenset[int],
    settings: ProfileSettings,
) -> FloatArray:
    """Profiles ``[day type, interval]``, each summing to one, from ``counts[day, interval]``."""
    n_days, per_day = counts.shape
    types = np.asarray(day_types, dtype=np.int64)
    age = (n_days - 1 - np.arange(n_days)).astype(np.float64)
    weighted = counts * (0.5 ** (age / settings.half_life_days))[:, None]
    sums = np.zeros((N_DAY_TYPES, per_day))
    np.add.at(sums, types, weighted)
    off = [t for t in range(N_DAY_TYPES) if t in weekend or t in _OFF_TYPES]
    work = [t for t in range(N_DAY_TYPES) if t not in off]
    groups = {
        "off": _normalise(sums[off].sum(axis=0)),
        "work": _normalise(sums[work].sum(axis=0)),
    }
    if sums[off].sum() <= 0:
        groups["off"] = groups["work"]
    profiles = np.zeros((N_DAY_TYPES, per_day))
    for code in range(N_DAY_TYPES):
        group = groups["off"] if code in off else groups["work"]
        blended = sums[code] + settings.prior_calls * group
        profiles[code] = _normalise(_smooth(blended, settings.smoothing))
    return profiles
