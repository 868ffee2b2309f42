"""Weekly tour scheduling as one compact MIP, solved by HiGHS.

Variables (all aggregated, none per agent):

* ``y[g, τ]`` integer — agents of contract group ``g`` working tour ``τ`` (days-on pattern ×
  shift template × start time). Cost: the tour's paid hours × the template's hourly cost.
* ``b[d, s, k, o]`` integer — agents on shift ``s`` (template, start) on day ``d`` who take
  break ``k`` at offset ``o`` within its window. One row per (d, s, k) makes the breaks add up
  to the agents on that shift that day.
* ``under[t]``, ``over[t]`` ≥ 0 — staffing below/above the requirement in interval ``t``, priced
  per agent-hour, so the model is never infeasible and shortfall is reported per interval.

Coverage row per interval: Σ y·on-shift share − Σ b·on-break share + under − over = required.
Group rows: Σ_τ y[g, τ] ≤ agents in g (= when the group's contracts have minimum hours).
"""

from __future__ import annotations

from collections import defaultdict

from hotline.wfm.errors import ScheduleSolveError
from hotline.wfm.roster_contracts import AgentContract, why_no_tour
from hotline.wfm.schedule_highs import INF, ColumnModel
from hotline.wfm.schedule_problem import ScheduleProblem, spread
from hotline.wfm.schedule_solution import (
    BreakCount,
    ScheduleSolution,
    ShiftCount,
    TourCount,
    Unassignable,
)
from hotline.wfm.shifts import MINUTES_PER_DAY, ShiftTemplate
from hotline.wfm.shifts_tours import Tour, all_tours

ShiftKey = tuple[int, int, int]  # (day, template index, start minute)


def solve_schedule(problem: ScheduleProblem) -> ScheduleSolution:
    """Build and solve the MIP for ``problem``; see the module docstring."""
    p = problem
    n = len(p.requirement)
    step = p.interval_minutes
    tours = all_tours(p.templates, p.rules)
    template_index = {t.name: i for i, t in enumerate(p.templates)}
    members, groups, caps, exact, unassignable = _groups(p.agents, tours, p.skill)

    m = ColumnModel()
    cover_rows = [m.add_row(r, r) for r in p.requirement]
    under_cost = p.weights.under_per_hour * step / 60
    over_cost = p.weights.over_per_hour * step / 60
    for row in cover_rows:
        m.add_col(under_cost, {row: 1.0})
        m.add_col(over_cost, {row: -1.0})

    group_rows = [
        m.add_row(cap if is_exact else 0.0, cap)
        for cap, is_exact in zip(caps, exact, strict=True)
    ]
    link_rows: dict[tuple[ShiftKey, int], int] = {}
    shift_share: dict[tuple[int, int], dict[int, float]] = {}
    y_cols: list[tuple[int, int, int]] = []  # (column, group, tour index)
    for g, allowed in enumerate(groups):
        for ti in allowed:
            tour = tours[ti]
            tix = template_index[tour.template.name]
            coefficients: dict[int, float] = defaultdict(float)
            for d in tour.days:
                key = (d, tix, tour.start)
                share = shift_share.setdefault(
                    (tix, tour.start),
                    spread(tour.start, tour.start + tour.template.length, step, n),
                )
                shift_by = d * MINUTES_PER_DAY // step
                for t, f in share.items():
                    coefficients[cover_rows[(t + shift_by) % n]] += f
                for k in range(len(tour.template.breaks)):
                    link = link_rows.get((key, k))
                    if link is None:
                        link = link_rows[(key, k)] = m.add_row(0.0, 0.0)
                    coefficients[link] -= 1.0
            coefficients[group_rows[g]] += 1.0
            col = m.add_col(tour.cost, coefficients, upper=caps[g], integer=True)
            y_cols.append((col, g, ti))

    b_cols: list[tuple[int, ShiftKey, int, int]] = []  # (column, shift, break index, offset)
    for (key, k), row in sorted(link_rows.items()):
        d, tix, start = key
        template = p.templates[tix]
        rule = template.breaks[k]
        for offset in template.break_offsets(rule):
            begin = d * MINUTES_PER_DAY + start + offset
            coefficients = {row: 1.0}
            for t, f in spread(begin, begin + rule.minutes, step, n).items():
                coefficients[cover_rows[t]] = coefficients.get(cover_rows[t], 0.0) - f
            b_cols.append((m.add_col(0.0, coefficients, integer=True), key, k, offset))

    outcome = m.solve(time_limit_s=p.time_limit_s, mip_rel_gap=p.mip_rel_gap)
    if outcome.values is None:
        raise ScheduleSolveError(
            f"scheduling: HiGHS found no plan within {p.time_limit_s:g} s (status "
            f"{outcome.status!r}); raise the time limit or shrink the shift options"
        )
    values = outcome.values
    tour_counts = tuple(
        TourCount(tour=tours[ti], group=g, agents=round(values[col]))
        for col, g, ti in y_cols
        if round(values[col]) > 0
    )
    break_counts: dict[ShiftKey, list[BreakCount]] = defaultdict(list)
    for col, key, k, offset in b_cols:
        count = round(values[col])
        if count > 0:
            name = p.templates[key[1]].breaks[k].name
            break_counts[key].append(BreakCount(name=name, offset=offset, agents=count))
    shifts = _shift_counts(tour_counts, break_counts, template_index)
    coverage = _coverage(shifts, p.templates, template_index, step, n)
    under = tuple(max(0.0, r - c) for r, c in zip(p.requirement, coverage, strict=True))
    over = tuple(max(0.0, c - r) for r, c in zip(p.requirement, coverage, strict=True))
    paid_cost = sum(t.tour.cost * t.agents for t in tour_counts)
    objective = paid_cost + under_cost * sum(under) + over_cost * sum(over)
    return ScheduleSolution(
        tours=tour_counts,
        shifts=shifts,
        requirement=p.requirement,
        coverage=coverage,
        under=under,
        over=over,
        interval_minutes=step,
        paid_cost=paid_cost,
        paid_hours=sum(t.tour.paid_hours * t.agents for t in tour_counts),
        objective=objective,
        lp_bound=outcome.lp_bound,
        mip_bound=outcome.dual_bound,
        mip_gap=outcome.mip_gap,
        status=outcome.status,
        solve_seconds=outcome.seconds,
        groups=None if p.agents is None else tuple(tuple(a.agent for a in g) for g in members),
        unassignable=unassignable,
    )



def _members(
    agents: tuple[AgentContract, ...], tours: tuple[Tour, ...], skill: str | None
) -> list[list[AgentContract]]:
    by_key: dict[tuple[object, ...], list[AgentContract]] = {}
    for a in agents:
        if why_no_tour(a, tours, skill) is None:
            by_key.setdefault(a.group_key, []).append(a)
    return list(by_key.values())


def _groups(
    agents: tuple[AgentContract, ...] | None, tours: tuple[Tour, ...], skill: str | None
) -> tuple[
    list[list[AgentContract]], list[list[int]], list[float], list[bool], tuple[Unassignable, ...]
]:
    """Contract groups: members, tours each may work, head count, whether all must work."""
    if agents is None:
        return [], [list(range(len(tours)))], [INF], [False], ()
    unassignable = tuple(
        Unassignable(agent=a.agent, reason=reason)
        for a in agents
        if (reason := why_no_tour(a, tours, skill)) is not None
    )
    members = _members(agents, tours, skill)
    allowed = [[i for i, t in enumerate(tours) if grp[0].fits(t)] for grp in members]
    caps = [float(len(grp)) for grp in members]
    exact = [grp[0].min_weekly_hours > 0 for grp in members]
    return members, allowed, caps, exact, unassignable


def _shift_counts(
    tours: tuple[TourCount, ...],
    breaks: dict[ShiftKey, list[BreakCount]],
    template_index: dict[str, int],
) -> tuple[ShiftCount, ...]:
    working: dict[ShiftKey, int] = defaultdict(int)
    for tc in tours:
        for d in tc.tour.days:
            working[(d, template_index[tc.tour.template.name], tc.tour.start)] += tc.agents
    names = {i: n for n, i in template_index.items()}
    return tuple(
        ShiftCount(
            day=key[0],
            template=names[key[1]],
            start=key[2],
            agents=count,
            breaks=tuple(sorted(breaks.get(key, []), key=lambda b: (b.offset, b.name))),
        )
        for key, count in sorted(working.items())
    )


def _coverage(
    shifts: tuple[ShiftCount, ...],
    templates: tuple[ShiftTemplate, ...],
    template_index: dict[str, int],
    step: int,
    n: int,
) -> tuple[float, ...]:
    """Agents on the phone per interval: on shift and not on a break."""
    cover = [0.0] * n
    for s in shifts:
        template = templates[template_index[s.template]]
        begin = s.day * MINUTES_PER_DAY + s.start
        for t, f in spread(begin, begin + template.length, step, n).items():
            cover[t] += f * s.agents
        rules = {b.name: b for b in template.breaks}
        for bc in s.breaks:
            b0 = begin + bc.offset
            for t, f in spread(b0, b0 + rules[bc.name].minutes, step, n).items():
                cover[t] -= f * bc.agents
    return tuple(cover)
