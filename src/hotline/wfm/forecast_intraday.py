"""Intraday re-forecast: move the rest of today toward what has arrived so far.

The remaining intervals keep their profile and are scaled by a credibility ratio,
``(arrived + k) / (planned so far + k)``: early in the day (few calls seen) the plan holds;
once hundreds of calls have arrived, the ratio is mostly the data. `k` is in calls.

>>> import numpy as np
>>> plan = np.array([10.0, 20.0, 30.0, 40.0])
>>> update_today(plan, np.array([20.0, 40.0]), prior_calls=0.0).tolist()
[20.0, 40.0, 60.0, 80.0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hotline.wfm.errors import ForecastError

FloatArray = NDArray[np.float64]


def update_today(
    planned: FloatArray, arrived: FloatArray, *, prior_calls: float = 100.0
) -> FloatArray:
    """Today's intervals: the `arrived` actuals, then the rest of `planned` rescaled.

    `planned` holds the forecast for every interval of the day; `arrived` the actual calls of
    its first intervals. Raises `ForecastError` on negative or missing values, or when more
    intervals have arrived than the day holds.
    """
    plan = np.asarray(planned, dtype=np.float64)
    seen = np.asarray(arrived, dtype=np.float64)
    if seen.size > plan.size:
        raise ForecastError(f"arrived: {seen.size} intervals but the day has only {plan.size}")
    for name, values in (("planned", plan), ("arrived", seen)):
        bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
        if bad.size:
            index = int(bad[0])
            raise ForecastError(
                f"{name}: interval {index} volume {float(values[index])} is missing or negative"
            )
    if prior_calls < 0:
        raise ForecastError(f"prior_calls: {prior_calls} is negative")
    expected = float(plan[: seen.size].sum())
    observed = float(seen.sum())
    if expected + prior_calls <= 0:
        if observed > 0:
            raise ForecastError(
                "planned: zero calls planned so far yet calls arrived, so there is no scale "
                "to update by (give prior_calls > 0)"
            )
        ratio = 1.0
    else:
        ratio = (observed + prior_calls) / (expected + prior_calls)
    return np.concatenate([seen, plan[seen.size :] * ratio])
