"""Erlang A (M/M/n+M): a queue whose callers abandon after an exponential patience.

Exact formulas from the birth–death chain (Garnett, Mandelbaum & Reiman 2002; Mandelbaum &
Zeltyn, "The M/M/n+G queue: summary of performance measures", 2009). With ``r`` = mean
patience ÷ AHT, ``x = n·r``, ``y = A·r`` and ``J = S(x, y)`` (see `erlang_gamma`):

* P(wait) = ``B·J / (1 + (J − 1)·B)`` with ``B`` = Erlang B(n, A);
* P(answered | wait) = ``(x/y)·(1 − 1/J)``;
* P(offered wait > t | wait) = ``P(x, y·e^(−t/patience)) / P(x, y)``, which gives the answered-
  within-T and abandoned-within-t probabilities in closed form;
* mean wait of all offered calls = P(abandon) × mean patience (Little's law on the queue);
* ASA (answered calls only) from the chain: a caller who finds ``j`` waiting is answered
  with probability ``x/(x+j+1)`` after ``Σ_{i≤j} patience/(x+i+1)`` s on average (a series).

>>> k = erlang_a(14, 10.0, aht_s=180.0, patience_s=300.0)
>>> round(float(k.p_wait), 6), round(float(k.p_abandon), 6)
(0.14526, 0.013984)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from hotline.wfm.erlang_gamma import log_inverse_erlang_b, log_s
from hotline.wfm.erlang_inputs import non_negative, positive, whole

FloatArray = NDArray[np.float64]

_BLOCK = 256


@dataclass(frozen=True, kw_only=True, slots=True)
class ErlangAKpis:
    """Per-interval Erlang A results (arrays of one shape; probabilities per offered call)."""

    p_wait: FloatArray
    p_abandon: FloatArray
    p_answered_within: FloatArray  # answered within the service-level threshold T
    p_abandon_within: FloatArray  # abandoned within the short-abandon threshold
    asa_s: FloatArray  # mean wait of answered calls; inf when no call can be answered
    mean_wait_s: FloatArray  # mean wait of all offered calls, answered or abandoned
    occupancy: FloatArray

    @property
    def p_answered(self) -> FloatArray:
        """Share of offered calls that reach an agent."""
        return 1.0 - self.p_abandon


def erlang_a(
    agents: ArrayLike,
    load: ArrayLike,
    *,
    aht_s: ArrayLike,
    patience_s: ArrayLike,
    threshold_s: float = 20.0,
    short_abandon_s: float = 5.0,
    with_asa: bool = True,
) -> ErlangAKpis:
    """Erlang A KPIs for ``agents`` serving ``load`` Erlangs, vectorised over intervals.

    ``with_asa=False`` skips the ASA series (reported as NaN) when only other KPIs matter.
    Intervals without calls report no wait, no abandon and an ASA of 0.
    """
    return erlang_a_unchecked(
        whole("agents", agents),
        non_negative("load", load),
        aht_s=positive("aht_s", aht_s),
        patience_s=positive("patience_s", patience_s),
        threshold_s=float(non_negative("threshold_s", threshold_s)),
        short_abandon_s=float(non_negative("short_abandon_s", short_abandon_s)),
        with_asa=with_asa,
    )


def erlang_a_unchecked(
    agents: FloatArray,
    load: FloatArray,
    *,
    aht_s: FloatArray,
    patience_s: FloatArray,
    threshold_s: float,
    short_abandon_s: float,
    with_asa: bool,
) -> ErlangAKpis:
    """`erlang_a` on inputs already checked."""
    t_sl, t_ab = threshold_s, short_abandon_s
    shape = np.broadcast_shapes(agents.shape, load.shape, aht_s.shape, patience_s.shape)
    n, a, h, pat = (v.ravel() for v in np.broadcast_arrays(agents, load, aht_s, patience_s))

    zeros = np.zeros(n.shape)
    p_wait, p_ab, p_in_t, p_ab_t = zeros.copy(), zeros.copy(), np.ones(n.shape), zeros.copy()
    asa = zeros.copy() if with_asa else np.full(n.shape, np.nan)
    busy = a > 0
    if busy.any():
        nb, ab, pb = n[busy], a[busy], pat[busy]
        r = pb / h[busy]
        x, y = nb * r, ab * r
        log_j = log_s(x, y)
        inv_j = np.exp(-log_j)
        with np.errstate(over="ignore"):
            rest = np.exp(log_inverse_erlang_b(nb, ab) - log_j) - inv_j  # (1/B − 1)/J
        pw = 1.0 / (1.0 + rest)
        ans_w = x / y * (1.0 - inv_j)
        p_wait[busy] = pw
        p_ab[busy] = pw * (1.0 - ans_w)
        p_in_t[busy] = (1.0 - pw) + pw * _answered_within(x, y, log_j, inv_j, t_sl / pb)
        left = _left_queue_within(x, y, log_j, t_ab / pb)
        p_ab_t[busy] = pw * np.clip(left - _answered_within(x, y, log_j, inv_j, t_ab / pb), 0, 1)
        if with_asa:
            p_ans = pw * ans_w + (1.0 - pw)
            mean = pw * pb * _answered_wait_sum(x, y, log_j)
            with np.errstate(divide="ignore", invalid="ignore"):
                asa[busy] = np.where(nb > 0, mean / p_ans, np.inf)
    occupancy = np.where(n > 0, a * (1.0 - p_ab) / np.maximum(n, 1.0), 0.0)
    return ErlangAKpis(
        p_wait=p_wait.reshape(shape),
        p_abandon=p_ab.reshape(shape),
        p_answered_within=p_in_t.reshape(shape),
        p_abandon_within=p_ab_t.reshape(shape),
        asa_s=asa.reshape(shape),
        mean_wait_s=(p_ab * pat).reshape(shape),
        occupancy=occupancy.reshape(shape),
    )


def _answered_within(
    x: FloatArray, y: FloatArray, log_j: FloatArray, inv_j: FloatArray, theta_t: float | FloatArray
) -> FloatArray:
    """P(answered within t | wait) = ``(x/y)·[P(x+1, y) − P(x+1, y·e^(−θt))] / P(x, y)``."""
    yt = y * np.exp(-theta_t)
    with np.errstate(divide="ignore"):
        tail = np.exp(
            np.log(y / (x + 1.0)) + log_s(x + 1.0, yt) - log_j
            - y * np.expm1(-theta_t) - (x + 1.0) * theta_t
        )
    return np.clip(x / y * ((1.0 - inv_j) - tail), 0.0, 1.0)


def _left_queue_within(
    x: FloatArray, y: FloatArray, log_j: FloatArray, theta_t: float | FloatArray
) -> FloatArray:
    """P(answered or abandoned within t | wait) = ``1 − e^(−θt)·P(x, y·e^(−θt)) / P(x, y)``."""
    yt = y * np.exp(-theta_t)
    stay = np.exp(log_s(x, yt) - log_j - (x + 1.0) * theta_t - y * np.expm1(-theta_t))
    return np.clip(1.0 - stay, 0.0, 1.0)


def _answered_wait_sum(x: FloatArray, y: FloatArray, log_j: FloatArray) -> FloatArray:
    """``E[θ·W; answered | wait] = Σ_j (t_j/J)·x/(x+j+1)·(ψ(x+j+2) − ψ(x+1))``.

    ``t_j = Π_{i≤j} y/(x+i)`` peaks at ``j ≈ y − x`` and falls off within about ``√max(x, y)``
    terms, so ``10·√`` past the peak leaves less than e^-50 of the sum.
    """
    j_end = np.ceil(np.maximum(y - x, 0.0) + 10.0 * np.sqrt(np.maximum(np.maximum(x, y), 1.0)))
    j_end += 60.0
    total = np.zeros(x.shape)
    log_y = np.log(y)
    base = special.gammaln(x + 1.0) - log_j
    psi0 = special.digamma(x + 1.0)
    j0 = 0
    while True:
        rows = np.flatnonzero(j_end > j0)
        if rows.size == 0:
            return total
        js = np.arange(j0, j0 + _BLOCK, dtype=np.float64)[None, :]
        xr = x[rows, None]
        log_w = js * log_y[rows, None] - special.gammaln(xr + js + 1.0) + base[rows, None]
        term = np.exp(log_w) * xr / (xr + js + 1.0) * (special.digamma(xr + js + 2.0)
                                                         - psi0[rows, None])
        total[rows] += np.where(js < j_end[rows, None], term, 0.0).sum(axis=1)
        j0 += _BLOCK
