"""Intraday management: reforecast the rest of today, re-staff it, and propose actions.

From the day's forecast and the calls that have arrived so far: the rest of the day is
reforecast (`forecast_intraday.update_today`), the requirement recomputed with the staffing
solver, and compared with the scheduled coverage from now on. Actions, applied in this order,
each with the intervals it touches and Erlang's service level there before and after:

* **break moves** — breaks not yet started moved within their windows to where they hurt least
  (`schedule_intraday.reoptimise_breaks`), when the agents' day is given;
* **overtime** — the shortfall is cut into layers of one agent each; a layer starting where
  coverage drops extends the shifts ending there, one ending where coverage rises starts those
  shifts early, and any other is extra hours;
* **early release** — where the surplus reaches the end of shifts (a drop in coverage, or the
  day's end), that many agents may leave from the start of the surplus.

Coverage and requirement count scheduled agents; ``shrinkage`` of them are off the phones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from hotline.wfm.errors import ForecastError
from hotline.wfm.forecast_intraday import update_today
from hotline.wfm.plan_erlang import ErlangQueue, service_level_at
from hotline.wfm.schedule_intraday import AgentDay, reoptimise_breaks
from hotline.wfm.staffing import staff
from hotline.wfm.staffing_targets import StaffingTargets

FloatArray = NDArray[np.float64]
EPS = 1e-6


@dataclass(frozen=True, kw_only=True, slots=True)
class IntradayAction:
    """One proposal: ``agents`` agents for intervals ``first`` to ``last`` (exclusive)."""

    kind: str  # "break moves", "extend shifts", "start early", "extra hours", "early release"
    first: int
    last: int
    agents: int
    hours: float  # agent-hours added (overtime) or saved (release); moved for breaks
    sl_before: float
    sl_after: float
    detail: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class IntradayPlan:
    now: int  # first interval not yet arrived
    forecast: FloatArray
    reforecast: FloatArray
    requirement: FloatArray  # scheduled agents needed (fractional)
    coverage_before: FloatArray
    coverage_after: FloatArray
    sl_before: FloatArray
    sl_after: FloatArray
    actions: tuple[IntradayAction, ...]

    def rest_of_day_sl(self, after: bool) -> float:
        """Call-weighted predicted service level from ``now`` to the day's end."""
        calls = self.reforecast[self.now:]
        sl = (self.sl_after if after else self.sl_before)[self.now:]
        return float((sl * calls).sum() / calls.sum()) if calls.sum() > 0 else 1.0


def plan_intraday(
    *,
    forecast: Sequence[float],
    actuals: Sequence[float],
    coverage: Sequence[float],
    interval_minutes: int,
    aht_s: float,
    targets: StaffingTargets,
    patience_s: float | None = None,
    shrinkage: float = 0.0,
    prior_calls: float = 100.0,
    agents: Sequence[AgentDay] | None = None,
    day_start: datetime | None = None,
) -> IntradayPlan:
    """See the module docstring. ``actuals`` are the first intervals of the day."""
    plan = np.asarray(forecast, dtype=np.float64)
    cover = np.asarray(coverage, dtype=np.float64)
    if cover.size != plan.size:
        raise ForecastError(f"coverage: {cover.size} intervals but the forecast has {plan.size}")
    if np.any(~np.isfinite(cover) | (cover < 0)):
        index = int(np.flatnonzero(~np.isfinite(cover) | (cover < 0))[0])
        raise ForecastError(f"coverage: interval {index} is {cover[index]}, not agents ≥ 0")
    now = len(actuals)
    re = update_today(plan, np.asarray(actuals, dtype=np.float64), prior_calls=prior_calls)
    interval_s = interval_minutes * 60.0
    staffed = staff(re, aht_s=aht_s, interval_s=interval_s, targets=targets,
                    patience_s=patience_s, shrinkage=shrinkage)
    need = staffed.fractional_agents / (1.0 - shrinkage)
    queue = ErlangQueue(aht_s=aht_s, interval_s=interval_s, patience_s=patience_s,
                        threshold_s=targets.threshold_s, short_abandon_s=targets.short_abandon_s,
                        definition=targets.definition)

    def sl(c: FloatArray) -> FloatArray:
        return service_level_at(queue, re, c * (1.0 - shrinkage))

    def effect(before: FloatArray, after: FloatArray, first: int, last: int) -> tuple[float, float]:
        calls = re[first:last]
        total = float(calls.sum())
        if total <= 0:
            return 1.0, 1.0
        return (float((sl(before)[first:last] * calls).sum() / total),
                float((sl(after)[first:last] * calls).sum() / total))

    actions: list[IntradayAction] = []
    current = cover.copy()
    hours = interval_minutes / 60
    if agents and day_start is not None:
        moved = reoptimise_breaks(agents, requirement=[float(x) for x in need],
                                  requirement_start=day_start, interval_minutes=interval_minutes,
                                  now=day_start + timedelta(minutes=now * interval_minutes))
        if moved.moves:
            delta = np.array(moved.coverage_after) - np.array(moved.coverage_before)
            touched = np.flatnonzero(np.abs(delta) > EPS)
            after = current + delta
            first, last = int(touched.min()), int(touched.max()) + 1
            before_sl, after_sl = effect(current, after, first, last)
            actions.append(IntradayAction(
                kind="break moves", first=first, last=last, agents=len(moved.moves),
                hours=sum(abs((m.after - m.before).total_seconds()) for m in moved.moves) / 3600,
                sl_before=before_sl, sl_after=after_sl,
                detail="; ".join(f"{m.agent} {m.name} {m.before:%H:%M}→{m.after:%H:%M}"
                                 for m in moved.moves)))
            current = after
    for first, last, count in _layers(np.ceil(need - current - EPS), now):
        after = current.copy()
        after[first:last] += count
        kind = ("extend shifts" if first > 0 and current[first - 1] > current[first] + EPS
                else "start early" if last < current.size and current[last] > current[last - 1]
                + EPS else "extra hours")
        before_sl, after_sl = effect(current, after, first, last)
        actions.append(IntradayAction(kind=kind, first=first, last=last, agents=count,
                                      hours=count * (last - first) * hours,
                                      sl_before=before_sl, sl_after=after_sl))
        current = after
    for first, last, count in _releases(current, need, now):
        after = current.copy()
        after[first:last] -= count
        before_sl, after_sl = effect(current, after, first, last)
        actions.append(IntradayAction(kind="early release", first=first, last=last,
                                      agents=count, hours=count * (last - first) * hours,
                                      sl_before=before_sl, sl_after=after_sl))
        current = after
    return IntradayPlan(now=now, forecast=plan, reforecast=re, requirement=need,
                        coverage_before=cover, coverage_after=current, sl_before=sl(cover),
                        sl_after=sl(current), actions=tuple(actions))


def _layers(short: FloatArray, now: int) -> list[tuple[int, int, int]]:
    """Runs of a shortfall, one agent deep each, merged when they share their span."""
    depth = np.where(np.arange(short.size) >= now, np.maximum(short, 0.0), 0.0).astype(int)
    spans: dict[tuple[int, int], int] = {}
    for k in range(1, int(depth.max(initial=0)) + 1):
        t = 0
        while t < depth.size:
            if depth[t] >= k:
                start = t
                while t < depth.size and depth[t] >= k:
                    t += 1
                spans[(start, t)] = spans.get((start, t), 0) + 1
            else:
                t += 1
    return [(a, b, c) for (a, b), c in sorted(spans.items())]


def _releases(cover: FloatArray, need: FloatArray, now: int) -> list[tuple[int, int, int]]:
    """Where whole agents are spare up to the end of some shifts: (first, end, agents)."""
    spare = np.floor(cover - need + EPS)
    n = cover.size
    ends = [(e, int(np.floor(cover[e - 1] - cover[e] + EPS))) for e in range(max(now, 1), n)
            if cover[e - 1] - cover[e] >= 1 - EPS]
    ends.append((n, int(np.floor(cover[n - 1] + EPS))))
    out = []
    for end, leaving in ends:
        start = end
        while start > now and spare[start - 1] >= 1:
            start -= 1
        if start == end or leaving < 1:
            continue
        count = int(min(leaving, spare[start:end].min()))
        if count >= 1:
            spare[start:end] -= count
            out.append((start, end, count))
    return out
