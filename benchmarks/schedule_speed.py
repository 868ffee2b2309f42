"""Weekly tour scheduling speed: Hotline (HiGHS MIP) against pyworkforce (OR-Tools CP-SAT).

Usage: .venv/bin/python benchmarks/schedule_speed.py [--time-limit 30]

Part A (no peer can do it): one week of 30-min intervals for a 24/7 bank hotline, 5-on-2-off
tours with two consecutive days off, three shift templates with coffee breaks and lunch placed
by the solver; about 400 agents. Target: within 1 % of the LP-relaxation bound in ≤ 30 s.

Part B (like for like): pyworkforce's ``MinAbsDifference`` schedules independent days of
shifts, without tours and without breaks, minimising Σ|scheduled − required| over every
interval. Hotline solves that same model (one-day "tours", no breaks, zero pay, under and over
priced equally) with the same shifts, requirement and time limit; both are scored by the same
metric, recomputed here from each solution.
"""

from __future__ import annotations

import argparse
import math
import time

from rich.console import Console
from rich.table import Table

from hotline.wfm.schedule_model import solve_schedule
from hotline.wfm.schedule_problem import ScheduleProblem, ScheduleWeights
from hotline.wfm.schedule_solution import ScheduleSolution
from hotline.wfm.shifts import BreakRule, ShiftTemplate
from hotline.wfm.shifts_tours import TourRules

PER_DAY = 48
DAY_FACTOR = (1.12, 1.0, 0.97, 0.95, 1.04, 0.78, 0.70)  # Monday busiest, weekend quieter


def hotline_requirement() -> tuple[float, ...]:
    """Agents needed per 30-min interval: night floor, morning and afternoon peaks, an
    evening shoulder, shaped like a bank hotline's Erlang-C staffing (peak ≈ 220)."""
    out = []
    for i in range(7 * PER_DAY):
        day, slot = divmod(i, PER_DAY)
        h = (slot + 0.5) / 2
        if h < 7:
            need = 14 + 30 * math.exp(-(((h - 7) / 1.5) ** 2))
        else:
            need = (
                14
                + 170 * math.exp(-(((h - 10.5) / 2.3) ** 2))
                + 150 * math.exp(-(((h - 15.5) / 2.6) ** 2))
                + 60 * math.exp(-(((h - 20) / 2.0) ** 2))
            )
        out.append(float(round(need * DAY_FACTOR[day])))
    return tuple(out)


def tour_templates() -> tuple[ShiftTemplate, ...]:
    b = BreakRule
    coffee1 = b(name="coffee1", minutes=15, earliest=90, latest=150)
    coffee2 = b(name="coffee2", minutes=15, earliest=360, latest=450)
    return (
        ShiftTemplate(
            name="day", earliest_start=360, latest_start=900, length=540,
            breaks=(coffee1, b(name="lunch", minutes=60, earliest=210, latest=300, paid=False),
                    coffee2),
        ),
        ShiftTemplate(
            name="night", earliest_start=1260, latest_start=1380, length=540,
            breaks=(coffee1, b(name="meal", minutes=30, earliest=240, latest=300, paid=False),
                    coffee2),
        ),
        ShiftTemplate(
            name="part", earliest_start=420, latest_start=1080, length=255,
            breaks=(coffee1,), cost_per_paid_hour=1.1,
        ),
    )


def daily_templates() -> tuple[ShiftTemplate, ...]:
    """Part B's shifts: pyworkforce cannot wrap past midnight nor place breaks."""
    return (
        ShiftTemplate(name="day", earliest_start=360, latest_start=900, length=540),
        ShiftTemplate(name="night", earliest_start=0, latest_start=0, length=540),
        ShiftTemplate(name="late", earliest_start=900, latest_start=900, length=540),
        ShiftTemplate(name="part", earliest_start=420, latest_start=1080, length=240),
    )


def abs_diff(solution: ScheduleSolution) -> float:
    return sum(solution.under) + sum(solution.over)


def run_pyworkforce(
    requirement: tuple[float, ...], templates: tuple[ShiftTemplate, ...], limit: float
) -> tuple[float, float, float, str]:
    """Solve with pyworkforce; return (seconds, its cost, Σ|diff| recomputed, status)."""
    from pyworkforce.scheduling import MinAbsDifference

    coverage: dict[str, list[int]] = {}
    for t in templates:
        for s in t.starts():
            first, last = s // 30, (s + t.length) // 30
            coverage[f"{t.name}@{s}"] = [1 if first <= p < last else 0 for p in range(PER_DAY)]
    required = [[int(requirement[d * PER_DAY + p]) for p in range(PER_DAY)] for d in range(7)]
    scheduler = MinAbsDifference(
        num_days=7, periods=PER_DAY, shifts_coverage=coverage, required_resources=required,
        max_period_concurrency=2000, max_shift_concurrency=1000, max_search_time=limit,
        num_search_workers=2,
    )
    t0 = time.perf_counter()
    solution = scheduler.solve()
    seconds = time.perf_counter() - t0
    scheduled = [[0] * PER_DAY for _ in range(7)]
    for row in solution["resources_shifts"]:
        for p in range(PER_DAY):
            scheduled[row["day"]][p] += row["resources"] * coverage[row["shift"]][p]
    diff = sum(abs(scheduled[d][p] - required[d][p]) for d in range(7) for p in range(PER_DAY))
    return seconds, float(solution["cost"]), float(diff), str(solution["status"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    limit = float(args.time_limit)
    console = Console(width=110)
    requirement = hotline_requirement()
    console.print(
        f"requirement: 336 × 30-min intervals, peak {max(requirement):g} agents, "
        f"{sum(requirement) / 2:,.0f} agent-hours/week; time limit {limit:g} s; 2-core machine"
    )

    with console.status("Part A: Hotline weekly tours with breaks (HiGHS)…"):
        t0 = time.perf_counter()
        tours = solve_schedule(
            ScheduleProblem(
                requirement=requirement, templates=tour_templates(),
                rules=TourRules(days_per_week=(5,), consecutive_days_off=True,
                                max_consecutive_work_days=5),
                time_limit_s=limit, mip_rel_gap=0.01,
            )
        )
        tours_wall = time.perf_counter() - t0
    a = Table(title="Part A — week of tours, breaks placed, 5-on-2-off (no peer does this)")
    a.add_column("Hotline (HiGHS, 1 thread)")
    a.add_column("value", justify="right")
    for name, value in (
        ("wall time", f"{tours_wall:.1f} s"),
        ("HiGHS time (LP + MIP)", f"{tours.solve_seconds:.1f} s"),
        ("agents (tours)", str(tours.agents)),
        ("objective (paid cost + 4×under + 0.25×over)", f"{tours.objective:,.1f}"),
        ("LP-relaxation bound", f"{tours.lp_bound:,.1f}"),
        ("gap to LP bound", f"{tours.gap:.2%}"),
        ("HiGHS dual bound / gap", f"{tours.mip_bound:,.1f} / {tours.mip_gap:.2%}"),
        ("under-staffing", f"{tours.under_hours:,.1f} agent-h"),
        ("over-staffing", f"{tours.over_hours:,.1f} agent-h"),
        ("Σ|scheduled − required|", f"{abs_diff(tours):,.1f} agent-intervals"),
        ("status", tours.status),
    ):
        a.add_row(name, value)
    console.print(a)
    verdict = "met" if tours.gap <= 0.01 and tours_wall <= 30 else "NOT met"
    console.print(f"target (≤ 1 % of the LP bound in ≤ 30 s): {verdict}")

    daily = daily_templates()
    with console.status("Part B: daily shifts, Σ|diff| — Hotline (HiGHS)…"):
        t0 = time.perf_counter()
        ours = solve_schedule(
            ScheduleProblem(
                requirement=requirement,
                templates=tuple(
                    ShiftTemplate(name=t.name, earliest_start=t.earliest_start,
                                  latest_start=t.latest_start, length=t.length,
                                  cost_per_paid_hour=0.0)
                    for t in daily
                ),
                rules=TourRules(days_per_week=(1,)),
                weights=ScheduleWeights(under_per_hour=2.0, over_per_hour=2.0),
                time_limit_s=limit, mip_rel_gap=0.0,
            )
        )
        ours_wall = time.perf_counter() - t0
    with console.status("Part B: daily shifts, Σ|diff| — pyworkforce (CP-SAT)…"):
        pw_wall, pw_cost, pw_diff, pw_status = run_pyworkforce(requirement, daily, limit)

    b = Table(title="Part B — pyworkforce's MinAbsDifference model: 7 days × 48 periods, "
              f"{sum(len(t.starts()) for t in daily)} shifts, no breaks, no tours")
    for col in ("", "Hotline HiGHS (1 thread)", "pyworkforce CP-SAT", "ratio pyworkforce/Hotline"):
        b.add_column(col, justify="right")
    b.add_row("wall time (s)", f"{ours_wall:.2f}", f"{pw_wall:.2f}", f"{pw_wall / ours_wall:.1f}×")
    b.add_row("Σ|diff| agent-intervals", f"{abs_diff(ours):,.0f}", f"{pw_diff:,.0f}",
              f"{pw_diff / max(abs_diff(ours), 1e-9):.2f}×")
    b.add_row("solver's own objective", f"{ours.objective:,.1f}", f"{pw_cost:,.1f}", "")
    b.add_row("proved bound / gap", f"{ours.mip_bound:,.1f} / {ours.mip_gap:.2%}", "not reported",
              "")
    b.add_row("status", ours.status, pw_status, "")
    console.print(b)


if __name__ == "__main__":
    main()
