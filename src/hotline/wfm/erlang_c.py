"""Erlang C (M/M/n, callers wait forever): probability of wait, service level, ASA, occupancy.

All functions take ``agents`` and ``load`` (Erlangs = calls × AHT ÷ interval length) and are
vectorised over broadcast arrays. With no more agents than the load the queue never empties:
every call waits, the service level is 0 and the ASA infinite. With no load, nobody waits.

>>> round(float(erlang_c(14, 10.0)), 6)  # 100 calls per 30 min, AHT 180 s
0.174132
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotline.wfm.erlang_b import erlang_b_unchecked
from hotline.wfm.erlang_inputs import non_negative, positive, whole

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, kw_only=True, slots=True)
class ErlangCKpis:
    """Per-interval Erlang C results (arrays of one shape)."""

    p_wait: FloatArray
    service_level: FloatArray  # P(W ≤ T)
    asa_s: FloatArray  # mean wait; every call is answered
    occupancy: FloatArray


def erlang_c(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Probability that a call waits: ``C = B / (1 − ρ(1 − B))``, ``ρ = A/n``."""
    n, a = _inputs(agents, load)
    return erlang_c_unchecked(n, a, np.ones(()), 0.0).p_wait


def erlang_c_service_level(
    agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike, threshold_s: ArrayLike
) -> FloatArray:
    """Classical service level ``P(W ≤ T) = 1 − C·exp(−(n − A)·T/AHT)``.

    With no abandonment every call is answered, so this is also answered-within-T over
    offered, over answered, and over offered less short abandons.
    """
    n, a = _inputs(agents, load)
    t = non_negative("threshold_s", threshold_s)
    return erlang_c_unchecked(n, a, positive("aht_s", aht_s), t).service_level


def erlang_c_asa(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike) -> FloatArray:
    """Average speed of answer in seconds: ``C·AHT/(n − A)``; infinite when ``n ≤ A``."""
    n, a = _inputs(agents, load)
    return erlang_c_unchecked(n, a, positive("aht_s", aht_s), 0.0).asa_s


def erlang_c_occupancy(agents: ArrayLike, load: ArrayLike) -> FloatArray:
    """Share of agent time spent handling calls: ``A/n``, capped at 1 when overloaded."""
    n, a = _inputs(agents, load)
    return erlang_c_unchecked(n, a, np.ones(()), 0.0).occupancy


def erlang_c_unchecked(
    agents: FloatArray, load: FloatArray, aht_s: FloatArray, threshold_s: float | FloatArray
) -> ErlangCKpis:
    """All Erlang C KPIs from one Erlang B evaluation, on inputs already checked."""
    n, a, h, t = np.broadcast_arrays(agents, load, aht_s, np.asarray(threshold_s, dtype=float))
    p_wait = np.where(a > 0, 1.0, 0.0)
    sl = np.where(a > 0, 0.0, 1.0)
    asa = np.where(a > 0, np.inf, 0.0)
    stable = (n > a) & (a > 0)
    if stable.any():
        ns, as_ = n[stable], a[stable]
        b = erlang_b_unchecked(ns, as_)
        c = b / (1.0 - as_ / ns * (1.0 - b))
        p_wait[stable] = c
        sl[stable] = 1.0 - c * np.exp(-(ns - as_) * t[stable] / h[stable])
        asa[stable] = c * h[stable] / (ns - as_)
    occupancy = np.where(n > 0, np.minimum(a / np.maximum(n, 1.0), 1.0), 0.0)
    return ErlangCKpis(p_wait=p_wait, service_level=sl, asa_s=asa, occupancy=occupancy)


def _inputs(agents: ArrayLike, load: ArrayLike) -> tuple[FloatArray, FloatArray]:
    return whole("agents", agents), non_negative("load", load)
