"""Erlang B (M/M/n/n, blocked calls cleared): blocking for n lines and an offered load.

>>> round(float(erlang_b(17, 10.0)), 6)
0.012949
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotline.wfm.erlang_gamma import log_inverse_erlang_b
from hotline.wfm.erlang_inputs import non_negative, whole
from hotline.wfm.errors import QueueInputError

FloatArray = NDArray[np.float64]


def erlang_b(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Probability that a call finds all ``agents`` lines busy, for ``load`` Erlangs offered.

    Vectorised over broadcast arrays; no load means no blocking (unless there are no lines).
    """
    return erlang_b_unchecked(whole("agents", agents), non_negative("load", load))


def erlang_b_unchecked(agents: FloatArray, load: FloatArray) -> FloatArray:
    """`erlang_b` on inputs already checked (whole agents ≥ 0, load ≥ 0)."""
    n, a = np.broadcast_arrays(agents, load)
    out = np.where(n == 0, 1.0, 0.0)
    busy = a > 0
    if busy.any():
        out[busy] = np.exp(-log_inverse_erlang_b(n[busy], a[busy]))
    return out


def erlang_b_load(agents: ArrayLike, blocking: ArrayLike) -> FloatArray:
    """Offered load (Erlangs) that ``agents`` lines carry at the given blocking probability.

    The inverse of `erlang_b` in the load, by bisection on a bracket that doubles until it
    holds the root. ``erlang_b_load(20, 0.02)`` is about 13.18 Erlangs (the classic table).
    """
    n = whole("agents", agents)
    p = non_negative("blocking", blocking)
    if np.any((p <= 0) | (p >= 1)):
        raise QueueInputError("blocking", "must lie strictly between 0 and 1")
    if np.any(n < 1):
        raise QueueInputError("agents", "must be at least 1 to carry any load")
    n, p = np.broadcast_arrays(n, p)
    lo = np.zeros(n.shape)
    hi = n + 1.0
    for _ in range(64):  # B(n, A) → 1 as A grows, so the bracket closes quickly
        short = erlang_b(n, hi) < p
        if not short.any():
            break
        lo = np.where(short, hi, lo)
        hi = np.where(short, hi * 2.0, hi)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        below = erlang_b(n, mid) < p
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
        if np.all(hi - lo <= 1e-12 * hi):
            break
    return 0.5 * (lo + hi)
