"""Erlang C (M/M/n, callers wait forever): probability of wait, service level, ASA, occupancy.

All functions take ``agents`` and ``load`` (Erlangs = calls × AHT ÷ interval length) and are
vectorised over broadcast arrays. With no more agents than the load the queue never empties:
every call waits, the service level is 0 and the ASA infinite. With no load, nobody waits.

>>> round(float(erlang_c(14, 10.0)), 6)  # 100 calls per 30 min, AHT 180 s
0.174132
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotline.wfm.erlang_b import erlang_b
from hotline.wfm.erlang_inputs import non_negative, positive, whole

FloatArray = NDArray[np.float64]


def erlang_c(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Probability that a call waits: ``C = B / (1 − ρ(1 − B))``, ``ρ = A/n``."""
    n, a = _inputs(agents, load)
    out = np.where(a > 0, 1.0, 0.0)
    stable = (n > a) & (a > 0)
    if stable.any():
        b = erlang_b(n[stable], a[stable])
        out[stable] = b / (1.0 - a[stable] / n[stable] * (1.0 - b))
    return out


def erlang_c_service_level(
    agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike, threshold_s: ArrayLike
) -> FloatArray:
    """Classical service level ``P(W ≤ T) = 1 − C·exp(−(n − A)·T/AHT)``.

    With no abandonment every call is answered, so this is also answered-within-T over
    offered, over answered, and over offered less short abandons.
    """
    n, a = _inputs(agents, load)
    h = positive("aht_s", aht_s)
    t = non_negative("threshold_s", threshold_s)
    n, a, h, t = np.broadcast_arrays(n, a, h, t)
    c = erlang_c(n, a)
    sl = np.where(a > 0, 0.0, 1.0)
    stable = (n > a) & (a > 0)
    sl[stable] = 1.0 - c[stable] * np.exp(-(n[stable] - a[stable]) * t[stable] / h[stable])
    return sl


def erlang_c_asa(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike) -> FloatArray:
    """Average speed of answer in seconds: ``C·AHT/(n − A)``; infinite when ``n ≤ A``."""
    n, a = _inputs(agents, load)
    h = positive("aht_s", aht_s)
    n, a, h = np.broadcast_arrays(n, a, h)
    c = erlang_c(n, a)
    asa = np.where(a > 0, np.inf, 0.0)
    stable = (n > a) & (a > 0)
    asa[stable] = c[stable] * h[stable] / (n[stable] - a[stable])
    return asa


def erlang_c_occupancy(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Share of agent time spent handling calls: ``A/n``, capped at 1 when overloaded."""
    n, a = _inputs(agents, load)
    return np.where(n > 0, np.minimum(a / np.maximum(n, 1.0), 1.0), 0.0)


def _inputs(agents: ArrayLike, load: ArrayLike) -> tuple[FloatArray, FloatArray]:
    n, a = np.broadcast_arrays(whole("agents", agents), non_negative("load", load))
    return n, a
