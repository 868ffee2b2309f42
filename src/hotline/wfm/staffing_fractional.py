"""Continuous (fractional) staffing: where between n − 1 and n agents each target is just met.

Several small queues staffed apart each round up; summing fractional requirements before one
rounding avoids counting that rounding once per queue. Each target's metric is interpolated
linearly between ``n − 1`` and ``n`` (the ASA through its reciprocal, which is finite when the
queue cannot keep up), occupancy is exact (load ÷ maximum occupancy in Erlang C), and the
largest need wins.

>>> from hotline.wfm.staffing import staff
>>> plan = staff([100], aht_s=180, interval_s=1800,
...              targets=StaffingTargets(service_level=0.8, threshold_s=20))
>>> 13 < float(plan.fractional_agents[0]) <= 14
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hotline.wfm.erlang import QueueKpis
from hotline.wfm.staffing_model import QueueModel
from hotline.wfm.staffing_targets import StaffingTargets

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def fractional_agents(
    model: QueueModel, raw: IntArray, targets: StaffingTargets, *, at: QueueKpis | None = None
) -> FloatArray:
    """Fractional agents per interval, in ``(raw − 1, raw]``; 0 where ``raw`` is 0.

    ``at`` may pass the KPIs already computed at ``raw`` (all intervals) to save their work.
    """
    out = raw.astype(np.float64)
    rows = np.flatnonzero(raw > 0)
    if rows.size == 0:
        return out
    q = model.rows(rows)
    n = raw[rows]
    with_asa = targets.max_asa_s is not None
    below = q.kpis(n - 1, targets, with_asa=with_asa)
    at = q.kpis(n, targets, with_asa=with_asa) if at is None else at.rows(rows)
    base = (n - 1).astype(np.float64)
    need = [base]
    if targets.service_level is not None:
        need.append(base + _share(below.service_level, at.service_level, targets.service_level))
    if targets.max_asa_s is not None:
        with np.errstate(divide="ignore"):
            speed_below, speed_at = 1.0 / below.asa_s, 1.0 / at.asa_s
        need.append(base + _share(speed_below, speed_at, 1.0 / targets.max_asa_s))
    if targets.max_abandon is not None:
        need.append(base + _share(-below.p_abandon, -at.p_abandon, -targets.max_abandon))
    if targets.max_occupancy is not None:
        if q.patience_s is None:
            need.append(q.load / targets.max_occupancy)
        else:
            need.append(base + _share(-below.occupancy, -at.occupancy, -targets.max_occupancy))
    if q.patience_s is None:
        need.append(np.nextafter(q.load, np.inf))  # Erlang C: more agents than Erlangs
    out[rows] = np.clip(np.max(need, axis=0), base, n)
    return out


def _share(low: FloatArray, high: FloatArray, goal: float) -> FloatArray:
    """Fraction of the step from ``low`` (at n − 1) to ``high`` (at n) that reaches ``goal``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(high > low, (goal - low) / (high - low), 0.0)
    return np.clip(np.where(low >= goal, 0.0, share), 0.0, 1.0)
