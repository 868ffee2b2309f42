"""Square-root staffing (Halfin & Whitt 1981): ``n ≈ A + β·√A`` agents for load ``A``.

The quality-and-efficiency-driven rule: with ``β`` fixed, the probability of wait tends to
``1 / (1 + β·Φ(β)/φ(β))`` as the load grows. It is a fast first guess; the solver in
`staffing` starts its exact search from it.

>>> int(square_root_staffing(np.array([100.0]), beta=1.0)[0])
110
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from hotline.wfm.errors import TargetError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def halfin_whitt_p_wait(beta: ArrayLike) -> FloatArray:
    """Limit of P(wait) under square-root staffing with safety factor ``β > 0``."""
    b = np.asarray(beta, dtype=np.float64)
    # Φ(β)/φ(β) written through the scaled complementary error function to avoid overflow.
    ratio = np.sqrt(np.pi / 2.0) * special.erfcx(-b / np.sqrt(2.0))
    return np.asarray(1.0 / (1.0 + b * ratio), dtype=np.float64)


def halfin_whitt_beta(p_wait: ArrayLike) -> FloatArray:
    """Safety factor ``β`` whose limiting P(wait) is ``p_wait`` (0 < p_wait < 1), by bisection."""
    p = np.asarray(p_wait, dtype=np.float64)
    if np.any((p <= 0) | (p >= 1)):
        raise TargetError("probability of wait", "must lie strictly between 0 and 1")
    lo, hi = np.zeros(p.shape), np.full(p.shape, 40.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        too_many = halfin_whitt_p_wait(mid) < p  # P(wait) falls as β grows
        hi = np.where(too_many, mid, hi)
        lo = np.where(too_many, lo, mid)
    return np.asarray(0.5 * (lo + hi), dtype=np.float64)


def square_root_staffing(load: ArrayLike, *, beta: ArrayLike) -> IntArray:
    """``ceil(A + β·√A)`` agents per interval; 0 for an interval without load."""
    a = np.asarray(load, dtype=np.float64)
    n = np.ceil(a + np.asarray(beta, dtype=np.float64) * np.sqrt(a))
    return np.where(a > 0, n, 0).astype(np.int64)
