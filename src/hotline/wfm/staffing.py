"""Least agents per interval meeting every staffing target, then shrinkage on top.

The search is exact and vectorised over intervals: square-root staffing gives a first guess,
a galloping step brackets the answer, and bisection closes the bracket (every KPI improves
with each added agent). Erlang C without a patience, Erlang A with one.

>>> plan = staff([100], aht_s=180, interval_s=1800,
...              targets=StaffingTargets(service_level=0.8, threshold_s=20), shrinkage=0.3)
>>> int(plan.raw_agents[0]), int(plan.scheduled_agents[0])
(14, 20)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotline.wfm.erlang import QueueKpis, offered_load
from hotline.wfm.erlang_inputs import non_negative, positive
from hotline.wfm.errors import ImpossibleTargetError, QueueInputError
from hotline.wfm.staffing_fractional import fractional_agents
from hotline.wfm.staffing_model import QueueModel, target_failures
from hotline.wfm.staffing_sqrt import halfin_whitt_beta, square_root_staffing
from hotline.wfm.staffing_targets import StaffingTargets

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, kw_only=True, slots=True)
class StaffingPlan:
    """Agents per interval and the KPIs they are predicted to give.

    ``raw_agents`` take calls; ``scheduled_agents`` = ceil(raw ÷ (1 − shrinkage)) are paid;
    ``fractional_agents`` interpolate the binding target between raw − 1 and raw, for
    summing several queues before rounding. ``kpis`` are predicted at ``raw_agents``.
    """

    load: FloatArray
    raw_agents: IntArray
    scheduled_agents: IntArray
    fractional_agents: FloatArray
    kpis: QueueKpis


def staff(
    calls: ArrayLike,
    *,
    aht_s: ArrayLike,
    interval_s: float,
    targets: StaffingTargets,
    patience_s: float | None = None,
    shrinkage: float = 0.0,
) -> StaffingPlan:
    """Staff each interval of a queue: ``calls`` per interval of ``interval_s`` seconds.

    ``aht_s`` is one AHT or one per interval. Raises `QueueInputError` naming the field and
    interval for a negative, missing or zero input, and `TargetError` or
    `ImpossibleTargetError` naming the target no number of agents can meet.
    """
    c = np.atleast_1d(non_negative("calls", calls))
    if c.ndim != 1:
        raise QueueInputError("calls", f"must be one value per interval (got shape {c.shape})")
    h = np.broadcast_to(np.atleast_1d(positive("aht_s", aht_s)), c.shape).astype(np.float64)
    s = float(non_negative("shrinkage", shrinkage))
    if s >= 1.0:
        raise QueueInputError("shrinkage", f"must be below 1 (100 %) (got {s:g})")
    pat = None if patience_s is None else float(positive("patience_s", patience_s))
    model = QueueModel(
        load=offered_load(c, aht_s=h, interval_s=interval_s),
        aht_s=h,
        patience_s=None if pat is None else np.full(c.shape, pat),
    )
    if np.any(model.load > 0):
        targets.check_reachable(patience_s=pat)
    raw = least_agents(model, targets)
    kpis = model.kpis(raw, targets, with_asa=True)
    return StaffingPlan(
        load=model.load,
        raw_agents=raw,
        scheduled_agents=scheduled_agents(raw, shrinkage=s),
        fractional_agents=fractional_agents(model, raw, targets, at=kpis),
        kpis=kpis,
    )


def scheduled_agents(raw: IntArray, *, shrinkage: float) -> IntArray:
    """``ceil(raw ÷ (1 − shrinkage))``: agents to schedule so that ``raw`` are on the phones.

    A hair of tolerance keeps a quotient such as 14 ÷ 0.7, off by one rounding error, from
    gaining a whole agent.
    """
    return np.ceil(raw / (1.0 - shrinkage) - 1e-9).astype(np.int64)


def least_agents(model: QueueModel, targets: StaffingTargets) -> IntArray:
    """Least whole agents per interval meeting every target; 0 where there are no calls."""
    out = np.zeros(model.load.shape, dtype=np.int64)
    busy = np.flatnonzero(model.load > 0)
    if busy.size == 0:
        return out
    q = model.rows(busy)
    a = q.load
    lo = np.full(a.shape, -1, dtype=np.int64)  # largest count known to fall short
    if q.patience_s is None:
        lo = np.floor(a).astype(np.int64)  # Erlang C needs more agents than Erlangs
    if targets.max_occupancy is not None:
        lo = np.maximum(lo, np.ceil(a / targets.max_occupancy).astype(np.int64) - 2)
    p_guess = 0.5 if targets.service_level is None else 1.0 - targets.service_level
    beta = _seed_beta(min(max(p_guess, 1e-9), 0.999))
    hi = np.maximum(square_root_staffing(a, beta=beta), lo + 1)
    cap = np.ceil(a + 100.0 * np.sqrt(a) + 1000.0).astype(np.int64)
    ok = _meets(q, hi, targets)
    step = np.maximum(hi - lo, 1)
    while not ok.all():
        bad = np.flatnonzero(~ok)
        if np.any(hi[bad] >= cap[bad]):
            _raise_unreachable(q, cap, bad[hi[bad] >= cap[bad]][0], busy, targets)
        lo[bad] = hi[bad]
        hi[bad] = np.minimum(hi[bad] + step[bad], cap[bad])
        step[bad] *= 2
        ok[bad] = _meets(q.rows(bad), hi[bad], targets)
    while True:
        open_ = np.flatnonzero(hi - lo > 1)
        if open_.size == 0:
            break
        mid = (lo[open_] + hi[open_]) // 2
        good = _meets(q.rows(open_), mid, targets)
        hi[open_[good]] = mid[good]
        lo[open_[~good]] = mid[~good]
    out[busy] = hi
    return out


@functools.lru_cache(maxsize=64)
def _seed_beta(p_wait: float) -> float:
    return float(halfin_whitt_beta(p_wait))


def _meets(model: QueueModel, agents: IntArray, targets: StaffingTargets) -> NDArray[np.bool_]:
    ok = np.ones(model.load.shape, dtype=bool)
    for bad in target_failures(model, agents, targets).values():
        ok &= ~bad
    return ok


def _raise_unreachable(
    q: QueueModel, cap: IntArray, row: int, busy: IntArray, targets: StaffingTargets
) -> None:
    one = q.rows(np.array([row]))
    fails = target_failures(one, cap[[row]], targets)
    names = [name for name, bad in fails.items() if bad[0]] or targets.names()
    raise ImpossibleTargetError(
        " and ".join(names),
        f"not met in interval {int(busy[row])} ({float(q.load[row]):.6g} Erlangs) even with "
        f"{int(cap[row])} agents; the target is too close to perfect to reach in practice",
    )
