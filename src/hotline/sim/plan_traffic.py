"""A scenario's traffic as a forecast: calls, AHT and patience per queue group and interval.

A *queue group* is the first queue of a workflow: the twin counts each contact there (the KPI
accumulator's "first queue"), so Erlang's per-group prediction and the twin's measurement are
about the same calls. Calls reach a group through the routing rules, which look at contact
attributes drawn independently from their mixes; the share of each rule is summed exactly over
the combinations of the attributes the rules (and handle times) look at.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from numpy.typing import NDArray

from hotline.sim.distributions import Distribution
from hotline.sim.scenario import Scenario, Traffic

FloatArray = NDArray[np.float64]
MAX_COMBINATIONS = 200_000


@dataclass(frozen=True, kw_only=True, slots=True)
class GroupDemand:
    """Calls per interval of each simulated day (``calls[day, interval]``) for one queue
    group, with their mean handle time (talk + wrap-up) and mean patience (None: never)."""

    queue: str
    calls: FloatArray
    aht_s: float
    patience_s: float | None
    priority: int
    steps: int


def intervals_per_day(scenario: Scenario) -> int:
    return 24 * 60 // scenario.interval_minutes


def demand(scenario: Scenario, days: int) -> dict[str, GroupDemand]:
    """Expected calls reaching each queue group, per simulated day and interval."""
    n = intervals_per_day(scenario)
    workflows = {w.name: w for w in scenario.workflows}
    calls: dict[str, FloatArray] = {}
    work: dict[str, float] = {}
    patience_w: dict[str, float] = {}
    patience_calls: dict[str, float] = {}
    never: dict[str, float] = {}
    priority: dict[str, int] = {}
    for traffic in scenario.traffic:
        per_interval = _arrivals(traffic, scenario, days, n)
        for (workflow, prio), share, handle_s in _routes(traffic):
            wf = workflows[workflow]
            queue = wf.steps[0].queue
            volume = per_interval * share
            calls[queue] = calls.get(queue, np.zeros((days, n))) + volume
            total = float(volume.sum())
            work[queue] = work.get(queue, 0.0) + total * (handle_s + _wrap_s(traffic, wf.wrap_up_s))
            patience = traffic.patience.expected()
            if math.isinf(patience):
                never[queue] = never.get(queue, 0.0) + total
            else:
                patience_w[queue] = patience_w.get(queue, 0.0) + total * patience
                patience_calls[queue] = patience_calls.get(queue, 0.0) + total
            priority[queue] = max(priority.get(queue, 0), prio)
    out: dict[str, GroupDemand] = {}
    first_step_of = {w.steps[0].queue: len(w.steps) for w in scenario.workflows}
    for queue, volume in calls.items():
        total = float(volume.sum())
        if total <= 0:
            continue
        patient = patience_calls.get(queue, 0.0)
        out[queue] = GroupDemand(
            queue=queue, calls=volume, aht_s=work[queue] / total,
            patience_s=None if patient < never.get(queue, 0.0) else patience_w[queue] / patient,
            priority=priority.get(queue, 0), steps=first_step_of.get(queue, 1),
        )
    return out


def _arrivals(traffic: Traffic, scenario: Scenario, days: int, n: int) -> FloatArray:
    """Calls offered to agents per day and interval (after the IVR)."""
    a = traffic.arrivals
    to_agent = traffic.ivr.to_agent if traffic.ivr is not None else 1.0
    interval_s = scenario.interval_minutes * 60.0
    if a.rate_per_s is not None:
        return np.full((days, n), a.rate_per_s * interval_s * to_agent)
    assert a.profile is not None and a.daily is not None
    shares = np.asarray(a.profile, dtype=np.float64)
    shares = shares / shares.sum()
    out = np.zeros((days, n))
    for d in range(days):
        weekday = (scenario.start + timedelta(days=d)).weekday()
        out[d] = a.daily * a.weekday[weekday] * shares * to_agent
    return out


def _wrap_s(traffic: Traffic, limit_s: float) -> float:
    if limit_s <= 0:
        return 0.0
    if traffic.wrap_up is None:
        return limit_s
    return min(traffic.wrap_up.expected(), limit_s)


def _routes(traffic: Traffic) -> list[tuple[tuple[str, int], float, float]]:
    """(route, share of calls, mean handle time) for every route the rules can give."""
    keys = {k for rule in traffic.routing for k in rule.when}
    if traffic.handle_time_by_intent:
        keys.add("intent")
    if "region" in keys:
        keys.add("province")
    mixes = [(name, traffic.attributes[name]) for name in sorted(keys)
             if name in traffic.attributes]
    size = math.prod(len(mix) for _, mix in mixes)
    if size > MAX_COMBINATIONS:
        raise ValueError(
            f"traffic {traffic.name!r}: routing looks at {size:,} attribute combinations, more "
            f"than {MAX_COMBINATIONS:,} that the planner sums exactly"
        )
    region_of = {p: r for r, provinces in traffic.regions.items() for p in provinces}
    totals = {name: sum(mix.values()) for name, mix in mixes}
    found: dict[tuple[str, int], list[float]] = {}
    for combo in itertools.product(*[list(mix.items()) for _, mix in mixes]):
        share = 1.0
        attrs: dict[str, str] = {}
        for (name, _), (value, weight) in zip(mixes, combo, strict=True):
            share *= weight / totals[name]
            attrs[name] = value
        if "province" in attrs and region_of:
            attrs["region"] = region_of.get(attrs["province"], "other")
        route = next((r.workflow, r.priority) for r in traffic.routing
                     if all(attrs.get(k) == v for k, v in r.when.items()))
        handle = _mean(traffic.handle_time_by_intent.get(attrs.get("intent", ""),
                                                         traffic.handle_time))
        acc = found.setdefault(route, [0.0, 0.0])
        acc[0] += share
        acc[1] += share * handle
    return [(route, s, h / s) for route, (s, h) in found.items() if s > 0]


def _mean(d: Distribution) -> float:
    value = d.expected()
    return 0.0 if math.isinf(value) else value
