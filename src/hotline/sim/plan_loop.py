"""The closed planning loop: forecast → Erlang staffing → daily shifts → twin → more staff.

1. The scenario's arrival profile is the forecast (calls per queue group and interval, see
   `plan_traffic`); a day's requirement is the busiest simulated day's, since the scenario's
   roster is the same every day.
2. Erlang A (C without patience) staffs each queue group for the service-level target;
   fractional requirements are summed, so small groups do not each round up.
3. `plan_day` cuts daily shifts with breaks for the total (HiGHS); the agents are dealt to the
   scenario's agent groups (`plan_roster`) and become the scenario's roster.
4. The twin runs that roster with the real routing engine. Where a queue group misses the
   target in an interval by more than the noise, the agents the engine "lost" against Erlang
   are added to that interval's requirement (`plan_erlang.next_extra`), and the loop repeats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotline.metrics.counts import ContactCounts
from hotline.metrics.definitions import ServiceLevelVariant
from hotline.sim.plan_roster import (
    deal,
    group_shares,
    planned_agents,
    roster_scenario,
    shift_templates,
)
from hotline.sim.plan_traffic import GroupDemand, demand, intervals_per_day
from hotline.sim.scenario import Scenario, parse_scenario
from hotline.sim.twin import Twin
from hotline.wfm.plan_erlang import ErlangQueue, next_extra, service_level_at, significant_misses
from hotline.wfm.plan_shifts import plan_day
from hotline.wfm.service_level import ServiceLevelDefinition
from hotline.wfm.staffing import staff
from hotline.wfm.staffing_targets import StaffingTargets

FloatArray = NDArray[np.float64]
Progress = Callable[[str, float], None]


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanSettings:
    days: float = 1.0
    target_sl: float | None = None  # None: the scenario's target
    threshold_s: float | None = None  # None: the scenario's
    max_rounds: int = 5
    seed: int | None = None
    time_limit_s: float = 10.0
    mip_rel_gap: float = 0.02
    noise_z: float = 2.0
    min_offered: int = 10


@dataclass(kw_only=True)
class QueueRound:
    """One queue group in one round: Erlang's predicted and the twin's measured levels."""

    queue: str
    offered: int
    twin_sl: float | None
    erlang_sl: float
    agents_on_phones: FloatArray
    twin_by_interval: list[float | None]
    erlang_by_interval: FloatArray
    offered_by_interval: list[int]
    actual_calls: FloatArray  # calls that came per interval of one day (mean over the days)
    missed: NDArray[np.bool_]


@dataclass(kw_only=True)
class RoundResult:
    round: int
    agents: int
    paid_hours: float
    requirement: FloatArray
    coverage: FloatArray
    plan_gap: float
    under_hours: float
    totals: dict[str, Any]
    intervals: list[dict[str, Any]]
    queues: dict[str, QueueRound]
    group_agents: dict[str, int]
    misses: int
    wall_s: float


@dataclass(kw_only=True)
class PlanResult:
    scenario: str
    seed: int
    days: float
    target_sl: float
    threshold_s: float
    interval_minutes: int
    start: str
    rounds: list[RoundResult] = field(default_factory=list)
    converged: bool = False
    features: dict[str, list[str]] = field(default_factory=dict)


def sl_definition(variant: ServiceLevelVariant) -> ServiceLevelDefinition:
    """Erlang's nearest service-level definition to the twin's variant."""
    if variant in (ServiceLevelVariant.OFFERED, ServiceLevelVariant.ABANDONS_WITHIN_T_MET):
        return ServiceLevelDefinition.OFFERED
    if variant is ServiceLevelVariant.ANSWERED:
        return ServiceLevelDefinition.ANSWERED
    return ServiceLevelDefinition.OFFERED_LESS_SHORT_ABANDONS


def prepare(scenario: Scenario, settings: PlanSettings, source: str) -> Scenario:
    """The scenario with the plan's days, target and threshold (checked like a scenario)."""
    data = scenario.model_dump()
    data["days"] = settings.days
    if settings.target_sl is not None:
        data["kpi"]["service_level_target"] = settings.target_sl
    if settings.threshold_s is not None:
        data["kpi"]["service_level_s"] = settings.threshold_s
    return parse_scenario(data, source)


def run_plan(scenario: Scenario, settings: PlanSettings, *, source: str = "scenario",
             progress: Progress | None = None) -> PlanResult:
    """Run the loop; see the module docstring. Raises `WfmError`/`ScenarioError` on bad input."""
    s = prepare(scenario, settings, source)
    step = s.interval_minutes
    n = intervals_per_day(s)
    days = max(1, int(np.ceil(s.days)))
    groups = demand(s, days)
    queues = list(groups)
    target = s.kpi.service_level_target
    targets = StaffingTargets(service_level=target, threshold_s=s.kpi.service_level_s,
                              short_abandon_s=s.kpi.short_abandon_s,
                              definition=sl_definition(s.kpi.variant))
    erlang = {q: _queue(g, s, targets) for q, g in groups.items()}
    base = {q: staff(g.calls.max(axis=0), aht_s=g.aht_s, interval_s=step * 60.0,
                     targets=targets, patience_s=g.patience_s).fractional_agents
            for q, g in groups.items()}
    shares = group_shares(s, queues)
    templates = shift_templates(s)
    result = PlanResult(scenario=s.name, seed=s.seed if settings.seed is None else settings.seed,
                        days=s.days, target_sl=target, threshold_s=s.kpi.service_level_s,
                        interval_minutes=step, start=s.start.isoformat(),
                        features=features(s, groups, shares))
    extra = {q: np.zeros(n) for q in queues}
    for r in range(1, settings.max_rounds + 1):
        def tell(what: str, done: float, r: int = r) -> None:
            if progress is not None:
                progress(f"round {r}: {what}", done)
        tell("staffing and shifts", 0.0)
        need = {q: base[q] + extra[q] for q in queues}
        by_group: dict[str, FloatArray] = {g.group: np.zeros(n) for g in s.agents}
        for q in queues:
            for g, share in shares[q].items():
                by_group[g] += share * need[q]
        total = sum(need.values(), np.zeros(n))
        plan = plan_day(tuple(float(x) for x in total), templates=templates,
                        interval_minutes=step, time_limit_s=settings.time_limit_s,
                        mip_rel_gap=settings.mip_rel_gap)
        dealt = deal(planned_agents(plan), by_group, step)
        rostered = roster_scenario(s, dealt, days=s.days, source=source)
        tell("twin", 0.05)
        twin = Twin(rostered, seed=result.seed, source=source,
                    progress=lambda done: tell("twin", 0.05 + 0.95 * done))
        run = twin.run()
        cover_g = {g: sum((a.on_phones(step, n) for a in agents), np.zeros(n))
                   for g, agents in dealt.items()}
        outcome = _measure(twin.metrics.contacts, twin.metrics.definitions, groups, erlang,
                           shares, need, by_group, cover_g, n, days, target, settings)
        misses = int(sum(int(qr.missed.sum()) for qr in outcome.values()))
        result.rounds.append(RoundResult(
            round=r, agents=plan.agents, paid_hours=plan.paid_hours,
            requirement=total, coverage=np.asarray(plan.coverage), plan_gap=plan.gap,
            under_hours=plan.under_hours, totals=run.report.totals,
            intervals=_intervals(
                [row for row in run.report.intervals
                 if 0 <= int(row["interval"]) < round(s.days * n)],
                outcome, groups, total, plan.coverage, n, target),
            queues=outcome, group_agents={g: len(a) for g, a in dealt.items()},
            misses=misses, wall_s=run.wall_s))
        tell("done", 1.0)
        if misses == 0:
            result.converged = True
            break
        for q in queues:
            qr = outcome[q]
            measured = np.array([np.nan if v is None else v for v in qr.twin_by_interval])
            extra[q] = next_extra(erlang[q], previous=extra[q], calls=qr.actual_calls,
                                  on_phones=qr.agents_on_phones, measured=measured,
                                  missed=qr.missed)
    return result


def _queue(g: GroupDemand, s: Scenario, targets: StaffingTargets) -> ErlangQueue:
    return ErlangQueue(aht_s=g.aht_s, interval_s=s.interval_minutes * 60.0,
                       patience_s=g.patience_s, threshold_s=targets.threshold_s,
                       short_abandon_s=targets.short_abandon_s, definition=targets.definition)


def _measure(contacts: dict[tuple[int, str, str], ContactCounts], definitions: Any,
             groups: dict[str, GroupDemand], erlang: dict[str, ErlangQueue],
             shares: dict[str, dict[str, float]], need: dict[str, FloatArray],
             by_group: dict[str, FloatArray], cover_g: dict[str, FloatArray], n: int,
             days: int, target: float, settings: PlanSettings) -> dict[str, QueueRound]:
    """Per queue group and time of day (all simulated days together): twin against Erlang."""
    slots: dict[tuple[str, int], ContactCounts] = {}
    for (index, queue, _channel), counts in contacts.items():
        if not 0 <= index < round(settings.days * n):
            continue  # calls after the end of the run meet agents already logging out
        key = (queue, index % n)
        slots.setdefault(key, ContactCounts()).add(counts)
    out: dict[str, QueueRound] = {}
    for q, g in groups.items():
        phones = np.zeros(n)
        for grp, share in shares[q].items():
            with np.errstate(divide="ignore", invalid="ignore"):
                part = np.where(by_group[grp] > 0, share * need[q] / by_group[grp], 0.0)
            phones += cover_g.get(grp, np.zeros(n)) * part
        calls = g.calls.mean(axis=0)
        predicted = service_level_at(erlang[q], calls, phones)
        twin_sl: list[float | None] = []
        offered: list[int] = []
        whole = ContactCounts()
        for t in range(n):
            c = slots.get((q, t), ContactCounts())
            whole.add(c)
            twin_sl.append(c.service_level(definitions))
            offered.append(c.offered)
        measured = np.array([np.nan if v is None else v for v in twin_sl])
        came = np.array(offered, dtype=np.float64)
        seen_days = np.array([_days_covering(t, settings.days, n) for t in range(n)])
        actual = came / np.maximum(seen_days, 1)
        missed = significant_misses(measured, came, target=target,
                                    expected=service_level_at(erlang[q], actual, phones),
                                    z=settings.noise_z, min_offered=settings.min_offered)
        weight = float(calls.sum())
        out[q] = QueueRound(
            queue=q, offered=whole.offered, twin_sl=whole.service_level(definitions),
            erlang_sl=float((predicted * calls).sum() / weight) if weight else 1.0,
            agents_on_phones=phones, twin_by_interval=twin_sl, erlang_by_interval=predicted,
            offered_by_interval=offered, actual_calls=actual, missed=missed)
    return out


def _days_covering(t: int, days: float, n: int) -> int:
    """How many simulated days include interval ``t`` of the day."""
    return sum(1 for index in range(t, round(days * n), n))


def _intervals(rows: list[dict[str, Any]], outcome: dict[str, QueueRound],
               groups: dict[str, GroupDemand], requirement: FloatArray,
               coverage: tuple[float, ...], n: int, target: float) -> list[dict[str, Any]]:
    """Per interval of the run: forecast, requirement, coverage, Erlang's and the twin's SL."""
    out = []
    for row in rows:
        t = int(row["interval"]) % n
        day = int(row["interval"]) // n
        calls = sum(float(g.calls[min(day, g.calls.shape[0] - 1), t]) for g in groups.values())
        weights = {q: float(groups[q].calls.mean(axis=0)[t]) for q in outcome}
        w = sum(weights.values())
        erlang_sl = (sum(outcome[q].erlang_by_interval[t] * weights[q] for q in outcome) / w
                     if w > 0 else None)
        sl = row.get("service_level")
        out.append({
            "interval": row["interval"], "start": row["start"], "forecast_calls": calls,
            "offered": row.get("offered", 0), "requirement": float(requirement[t]),
            "coverage": float(coverage[t]), "erlang_sl": erlang_sl, "twin_sl": sl,
            "answer_rate": row.get("answer_rate"), "utilisation": row.get("utilisation"),
            "below_target": sl is not None and sl < target,
        })
    return out


def features(s: Scenario, groups: dict[str, GroupDemand],
             shares: dict[str, dict[str, float]]) -> dict[str, list[str]]:
    """What Erlang leaves out, per queue group: overflow, priority, shared agents, breaks."""
    from hotline.sim.plan_roster import eligible_queues

    eligible = eligible_queues(s)
    strict = {q.name for q in s.queues if q.ordering == "strict"}
    breaks = any(sh.breaks for sh in s.shifts)
    out: dict[str, list[str]] = {}
    for q, g in groups.items():
        found = []
        if g.steps > 1:
            found.append("overflow")
        if g.priority > 0 or q in strict:
            found.append("priority")
        serving = [grp for grp, qs in eligible.items() if q in qs]
        if len(serving) > len(shares[q]) or any(len(eligible[grp]) > 1 for grp in shares[q]):
            found.append("multi-skill")
        if breaks:
            found.append("breaks")
        out[q] = found
    return out
