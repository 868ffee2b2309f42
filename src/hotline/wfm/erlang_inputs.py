"""Checks on queue inputs shared by the Erlang formulas and the staffing solver.

Each check returns a float array and raises `QueueInputError` naming the field and, for a
series, the first bad interval: ``interval 3: calls must be zero or more (got -5.0)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotline.wfm.errors import QueueInputError

FloatArray = NDArray[np.float64]


def non_negative(field: str, values: ArrayLike) -> FloatArray:
    """Values ≥ 0, none missing (NaN or None)."""
    arr = _as_floats(field, values)
    _reject(field, arr, ~np.isfinite(arr), "is missing or not finite")
    _reject(field, arr, arr < 0, "must be zero or more")
    return arr


def positive(field: str, values: ArrayLike) -> FloatArray:
    """Finite values > 0 (an AHT or a patience)."""
    arr = _as_floats(field, values)
    _reject(field, arr, ~np.isfinite(arr), "is missing or not finite")
    _reject(field, arr, arr <= 0, "must be more than 0")
    return arr


def whole(field: str, values: ArrayLike) -> FloatArray:
    """Whole numbers ≥ 0 (a count of agents), as floats."""
    arr = non_negative(field, values)
    _reject(field, arr, arr != np.floor(arr), "must be a whole number")
    return arr


def _as_floats(field: str, values: ArrayLike) -> FloatArray:
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise QueueInputError(field, f"is not a number ({exc})") from None
    return arr


def _reject(field: str, arr: FloatArray, bad: NDArray[np.bool_], reason: str) -> None:
    if not bad.any():
        return
    if arr.ndim == 0:
        raise QueueInputError(field, f"{reason} (got {float(arr)})")
    index = int(np.flatnonzero(bad.ravel())[0])
    got = float(arr.ravel()[index])
    raise QueueInputError(field, f"{reason} (got {got})", index=index)
