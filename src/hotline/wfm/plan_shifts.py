"""A daily shift plan: the same shifts every day, cut from a one-day cyclic requirement.

The weekly tour scheduler (`schedule_model`) plans a cyclic week; a centre whose roster is the
same every day (the twin's scenarios) needs one cyclic *day*: a shift starting at 22:00 covers
tonight's last hours and tomorrow morning's first ones, which are today's again. Giving the
weekly model the same day seven times makes it seven times larger, and HiGHS then does not
close the gap within half a minute, so this is the weekly model's MIP restricted to one day.
It reuses the scheduler's pieces: shift templates and break rules, `spread` over a cycle, the
column-wise HiGHS builder and the under/over-staffing weights.

* ``y[s, start]`` integer: agents on template ``s`` starting at ``start``; cost = paid hours ×
  the template's hourly cost;
* ``b[s, start, k, offset]`` integer: those of them taking break ``k`` at ``offset``; one row per
  (s, start, k) makes the breaks add up to the agents on that shift;
* ``under[t]``, ``over[t]`` ≥ 0 priced per agent-hour, so the plan is never infeasible.

>>> day = ShiftTemplate(name="d", earliest_start=0, latest_start=960, start_step=480,
...                     length=480)
>>> plan = plan_day((3.0,) * 48, templates=(day,), interval_minutes=30)
>>> plan.agents, max(plan.under)
(9, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.wfm.errors import RequirementError, ScheduleSolveError, ShiftTemplateError
from hotline.wfm.schedule_highs import ColumnModel
from hotline.wfm.schedule_problem import ScheduleWeights, spread
from hotline.wfm.schedule_solution import BreakCount
from hotline.wfm.shifts import MINUTES_PER_DAY, ShiftTemplate


@dataclass(frozen=True, kw_only=True, slots=True)
class DayShift:
    """``agents`` agents work ``template`` from ``start`` (minutes after midnight) every day,
    with their breaks placed as ``breaks`` (offsets from the shift's start)."""

    template: str
    start: int
    agents: int
    breaks: tuple[BreakCount, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class DayPlan:
    """The daily plan, agents on the phones per interval, and how good the plan is.

    ``coverage`` counts agents on shift and not on a break; ``under``/``over`` are the gaps to
    the requirement; ``gap`` = (objective − LP bound) ÷ objective.
    """

    shifts: tuple[DayShift, ...]
    requirement: tuple[float, ...]
    coverage: tuple[float, ...]
    under: tuple[float, ...]
    over: tuple[float, ...]
    interval_minutes: int
    paid_hours: float
    objective: float
    lp_bound: float
    status: str
    solve_seconds: float
    templates: tuple[ShiftTemplate, ...] = field(default=())

    @property
    def agents(self) -> int:
        return sum(s.agents for s in self.shifts)

    @property
    def under_hours(self) -> float:
        return sum(self.under) * self.interval_minutes / 60

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.lp_bound) / self.objective)


def plan_day(
    requirement: tuple[float, ...],
    *,
    templates: tuple[ShiftTemplate, ...],
    interval_minutes: int,
    weights: ScheduleWeights | None = None,
    time_limit_s: float = 20.0,
    mip_rel_gap: float = 0.01,
) -> DayPlan:
    """Least-cost daily shifts covering ``requirement`` (agents per interval of one day)."""
    _check(requirement, templates, interval_minutes)
    w = weights or ScheduleWeights()
    n = len(requirement)
    step = interval_minutes
    m = ColumnModel()
    cover = [m.add_row(r, r) for r in requirement]
    for row in cover:
        m.add_col(w.under_per_hour * step / 60, {row: 1.0})
        m.add_col(w.over_per_hour * step / 60, {row: -1.0})
    y_cols: list[tuple[int, int, int]] = []  # (column, template index, start)
    b_cols: list[tuple[int, int, int, int, int]] = []  # (column, template, start, break, offset)
    for ti, t in enumerate(templates):
        for start in t.starts():
            span = spread(start, start + t.length, step, n)
            coefficients = {cover[i]: f for i, f in span.items()}
            links = [m.add_row(0.0, 0.0) for _ in t.breaks]
            for link in links:
                coefficients[link] = -1.0
            cost = t.paid_minutes / 60 * t.cost_per_paid_hour
            y_cols.append((m.add_col(cost, coefficients, integer=True), ti, start))
            for k, (rule, link) in enumerate(zip(t.breaks, links, strict=True)):
                for offset in t.break_offsets(rule):
                    begin = start + offset
                    on_break: dict[int, float] = {link: 1.0}
                    for i, f in spread(begin, begin + rule.minutes, step, n).items():
                        on_break[cover[i]] = -f
                    b_cols.append((m.add_col(0.0, on_break, integer=True), ti, start, k, offset))
    outcome = m.solve(time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap)
    if outcome.values is None:
        raise ScheduleSolveError(
            f"daily shift plan: HiGHS found no plan within {time_limit_s:g} s (status "
            f"{outcome.status!r}); raise the time limit or offer fewer shift starts"
        )
    v = outcome.values
    breaks: dict[tuple[int, int], list[BreakCount]] = {}
    for col, ti, start, k, offset in b_cols:
        count = round(v[col])
        if count > 0:
            name = templates[ti].breaks[k].name
            breaks.setdefault((ti, start), []).append(
                BreakCount(name=name, offset=offset, agents=count)
            )
    shifts = tuple(
        DayShift(template=templates[ti].name, start=start, agents=round(v[col]),
                 breaks=tuple(sorted(breaks.get((ti, start), []),
                                     key=lambda b: (b.offset, b.name))))
        for col, ti, start in y_cols
        if round(v[col]) > 0
    )
    coverage = day_coverage(shifts, templates, interval_minutes, n)
    under = tuple(max(0.0, r - c) for r, c in zip(requirement, coverage, strict=True))
    over = tuple(max(0.0, c - r) for r, c in zip(requirement, coverage, strict=True))
    by_name = {t.name: t for t in templates}
    paid = sum(s.agents * by_name[s.template].paid_minutes / 60 for s in shifts)
    cost = sum(s.agents * by_name[s.template].paid_minutes / 60
               * by_name[s.template].cost_per_paid_hour for s in shifts)
    hours = step / 60
    objective = cost + hours * (w.under_per_hour * sum(under) + w.over_per_hour * sum(over))
    return DayPlan(
        shifts=shifts, requirement=requirement, coverage=coverage, under=under, over=over,
        interval_minutes=interval_minutes, paid_hours=paid, objective=objective,
        lp_bound=outcome.lp_bound, status=outcome.status, solve_seconds=outcome.seconds,
        templates=templates,
    )


def day_coverage(
    shifts: tuple[DayShift, ...], templates: tuple[ShiftTemplate, ...], interval_minutes: int,
    n: int,
) -> tuple[float, ...]:
    """Agents on the phones per interval of the cyclic day: on shift and not on a break."""
    by_name = {t.name: t for t in templates}
    cover = [0.0] * n
    for s in shifts:
        t = by_name[s.template]
        for i, f in spread(s.start, s.start + t.length, interval_minutes, n).items():
            cover[i] += f * s.agents
        rules = {b.name: b for b in t.breaks}
        for b in s.breaks:
            begin = s.start + b.offset
            for i, f in spread(begin, begin + rules[b.name].minutes, interval_minutes, n).items():
                cover[i] -= f * b.agents
    return tuple(cover)


def _check(
    requirement: tuple[float, ...], templates: tuple[ShiftTemplate, ...], interval_minutes: int
) -> None:
    if interval_minutes <= 0 or MINUTES_PER_DAY % interval_minutes:
        raise RequirementError(
            f"requirement: interval of {interval_minutes} min does not divide a day"
        )
    expected = MINUTES_PER_DAY // interval_minutes
    if len(requirement) != expected:
        raise RequirementError(
            f"requirement: {len(requirement)} intervals given, a day of {interval_minutes}-min "
            f"intervals has {expected}"
        )
    for i, r in enumerate(requirement):
        if not r >= 0 or r == float("inf"):
            raise RequirementError(f"requirement: interval {i} is {r}, not a number ≥ 0")
    if not templates:
        raise ShiftTemplateError("shifts: no shift template given")
    names = [t.name for t in templates]
    for name in names:
        if names.count(name) > 1:
            raise ShiftTemplateError(f"shift {name!r}: name is used twice")
