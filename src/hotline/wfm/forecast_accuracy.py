"""Forecast accuracy measures: WAPE and MASE.

WAPE = Σ|actual − forecast| / Σ actual. MASE divides the mean absolute error by the mean
absolute error of the seasonal naive forecast (value one season earlier) on the training data.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hotline.wfm.errors import ForecastError

FloatArray = NDArray[np.float64]


def wape(actual: FloatArray, forecast: FloatArray) -> float:
    """Weighted absolute percentage error, as a fraction (0.2 = 20 %)."""
    a, f = _pair(actual, forecast)
    total = float(np.abs(a).sum())
    if total <= 0:
        raise ForecastError("actual: all zero, so WAPE is undefined")
    return float(np.abs(a - f).sum()) / total


def naive_scale(training: FloatArray, season: int) -> float:
    """Mean absolute error of the seasonal naive forecast in-sample (MASE's denominator)."""
    y = np.asarray(training, dtype=np.float64).ravel()
    if season < 1 or y.size <= season:
        raise ForecastError(
            f"training: {y.size} values are too few for a seasonal naive scale of season {season}"
        )
    scale = float(np.mean(np.abs(y[season:] - y[:-season])))
    if scale <= 0:
        raise ForecastError("training: the seasonal naive forecast is exact, MASE is undefined")
    return scale


def mase(actual: FloatArray, forecast: FloatArray, scale: float) -> float:
    """Mean absolute scaled error against a precomputed `naive_scale`."""
    a, f = _pair(actual, forecast)
    return float(np.mean(np.abs(a - f))) / scale


def _pair(actual: FloatArray, forecast: FloatArray) -> tuple[FloatArray, FloatArray]:
    a = np.asarray(actual, dtype=np.float64).ravel()
    f = np.asarray(forecast, dtype=np.float64).ravel()
    if a.shape != f.shape or a.size == 0:
        raise ForecastError(
            f"forecast: {f.size} values against {a.size} actual values (need the same, >0)"
        )
    return a, f
