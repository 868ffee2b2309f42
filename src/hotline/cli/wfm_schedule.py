"""`hotline wfm schedule`: weekly tours, breaks and a roster from a requirement curve."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.table import Table

from hotline.wfm.errors import WfmError
from hotline.wfm.roster import Roster, build_roster
from hotline.wfm.schedule_files import (
    DEFAULT_SHIFTS,
    ShiftSettings,
    WeekRequirement,
    parse_agents,
    parse_requirements,
    parse_shifts,
)
from hotline.wfm.schedule_model import solve_schedule
from hotline.wfm.schedule_problem import ScheduleProblem, interval_label
from hotline.wfm.schedule_solution import ScheduleSolution
from hotline.wfm.shifts import MINUTES_PER_DAY
from hotline.wfm.shifts_tours import DAY_NAMES, pattern_label

console = Console()


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code=2)


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise _fail(f"{path}: cannot read: {err.strerror}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise _fail(f"{path}: not valid YAML{where}: {getattr(err, 'problem', err)}") from None


def _read_csv(path: Path) -> list[dict[str, str | None]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return [{k.strip(): v for k, v in row.items() if k} for row in csv.DictReader(f)]
    except OSError as err:
        raise _fail(f"{path}: cannot read: {err.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as err:
        raise _fail(f"{path}: not a readable CSV file: {err}") from None


def schedule(
    requirements: Annotated[Path, typer.Option("--requirements", help="CSV: start,required.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    shifts: Annotated[
        Path | None, typer.Option("--shifts", help="YAML shift templates and tour rules.")
    ] = None,
    agents: Annotated[Path | None, typer.Option("--agents", help="YAML agent contracts.")] = None,
    skill: Annotated[str | None, typer.Option("--skill", help="Only agents with it.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1, help="Seconds.")] = 30.0,
    gap: Annotated[float, typer.Option("--gap", min=0, max=1, help="Gap to LP bound.")] = 0.01,
) -> None:
    """Plan weekly tours with breaks, roster named agents, and plot coverage."""
    try:
        week = parse_requirements(_read_csv(requirements), str(requirements))
        settings = parse_shifts(
            _read_yaml(shifts) if shifts else DEFAULT_SHIFTS, str(shifts or "default shifts")
        )
        contracts = parse_agents(_read_yaml(agents), str(agents)) if agents else None
        problem = ScheduleProblem(
            requirement=week.agents, templates=settings.templates,
            interval_minutes=week.interval_minutes, rules=settings.rules, agents=contracts,
            skill=skill, weights=settings.weights, time_limit_s=time_limit, mip_rel_gap=gap,
        )
    except WfmError as err:
        raise _fail(str(err)) from None
    t0 = time.perf_counter()
    with console.status("Solving the schedule with HiGHS…"):
        try:
            solution = solve_schedule(problem)
        except WfmError as err:
            raise _fail(str(err)) from None
    wall = time.perf_counter() - t0
    roster = build_roster(solution, settings.templates, contracts)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write_plan(out / "shift_plan.csv", solution, week)
        _write_tours(out / "tours.csv", solution)
        _write_roster(out / "roster.csv", roster, week)
        _plot(out / "coverage.png", solution, week)
    except OSError as err:
        raise _fail(f"{out}: cannot write: {err.strerror}") from None
    _summary(solution, roster, wall, settings, out)


def _iso(week: WeekRequirement, day: int, minute: int) -> str:
    return week.at(day * MINUTES_PER_DAY + minute).isoformat()


def _write_plan(path: Path, s: ScheduleSolution, week: WeekRequirement) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "day", "shift", "start", "agents", "breaks"])
        for sc in s.shifts:
            breaks = "; ".join(
                f"{b.name} {_at(week, sc.day, sc.start + b.offset)}×{b.agents}" for b in sc.breaks
            )
            w.writerow([week.at(sc.day * MINUTES_PER_DAY).date().isoformat(), DAY_NAMES[sc.day],
                        sc.template, _iso(week, sc.day, sc.start), sc.agents, breaks])


def _at(week: WeekRequirement, day: int, minute: int) -> str:
    return week.at(day * MINUTES_PER_DAY + minute).strftime("%H:%M")


def _write_tours(path: Path, s: ScheduleSolution) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["days", "shift", "start", "paid_hours", "agents", "contract_group"])
        for t in s.tours:
            w.writerow([pattern_label(t.tour.pattern), t.tour.template.name,
                        f"{t.tour.start // 60:02d}:{t.tour.start % 60:02d}",
                        f"{t.tour.paid_hours:g}", t.agents, t.group])


def _write_roster(path: Path, r: Roster, week: WeekRequirement) -> None:
    hours = dict(r.weekly_hours)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["agent", "site", "date", "shift", "start", "end", "breaks",
                    "weekly_paid_hours", "note"])
        for s in r.shifts:
            breaks = "; ".join(
                f"{b.name} {_at(week, s.day, b.start)}-{_at(week, s.day, b.start + b.minutes)}"
                for b in s.breaks
            )
            w.writerow([s.agent, s.site, week.at(s.day * MINUTES_PER_DAY).date().isoformat(),
                        s.template, _iso(week, s.day, s.start), _iso(week, s.day, s.end), breaks,
                        f"{hours[s.agent]:g}", ""])
        for name in r.not_needed:
            w.writerow([name, "", "", "", "", "", "", 0, "not needed this week"])
        for u in r.unassignable:
            w.writerow([u.agent, "", "", "", "", "", "", 0, f"unassignable: {u.reason}"])


def _plot(path: Path, s: ScheduleSolution, week: WeekRequirement) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(s.requirement)
    per_day = MINUTES_PER_DAY // s.interval_minutes
    x = [i / per_day for i in range(n + 1)]
    req = [*s.requirement, s.requirement[-1]]
    cov = [*s.coverage, s.coverage[-1]]
    fig, ax = plt.subplots(figsize=(14, 4.8))
    ax.step(x, req, where="post", color="black", lw=1.2, label="required")
    ax.step(x, cov, where="post", color="tab:blue", lw=1.2, label="scheduled (on the phones)")
    ax.fill_between(x, req, cov, where=[c < r for r, c in zip(req, cov, strict=True)],
                    step="post", color="tab:red", alpha=0.35, label="under-staffed")
    ax.fill_between(x, req, cov, where=[c > r for r, c in zip(req, cov, strict=True)],
                    step="post", color="tab:green", alpha=0.25, label="over-staffed")
    ax.set_xticks([d + 0.5 for d in range(7)])
    ax.set_xticklabels([f"{DAY_NAMES[d]} {week.at(d * MINUTES_PER_DAY):%m-%d}" for d in range(7)])
    for d in range(1, 7):
        ax.axvline(d, color="grey", lw=0.5)
    ax.set_xlim(0, 7)
    ax.set_ylabel("agents")
    ax.set_title(f"Requirement vs scheduled coverage, week of {week.start:%Y-%m-%d} "
                 f"({s.interval_minutes}-min intervals, {s.agents} agents)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _summary(s: ScheduleSolution, r: Roster, wall: float, settings: ShiftSettings,
             out: Path) -> None:
    short = [i for i, u in enumerate(s.under) if u > 1e-9]
    worst = max(range(len(s.under)), key=lambda i: s.under[i])
    t = Table(title="Weekly schedule", show_header=False)
    t.add_column(style="bold")
    t.add_column(justify="right")
    rows: list[tuple[str, Any]] = [
        ("agents rostered", f"{s.agents}"),
        ("paid hours / cost", f"{s.paid_hours:,.1f} h / {s.paid_cost:,.1f}"),
        ("under-staffing", f"{s.under_hours:,.1f} agent-h in {len(short)} intervals"
         + (f" (worst {interval_label(worst, s.interval_minutes)}: {s.under[worst]:g} short)"
            if short else "")),
        ("over-staffing", f"{s.over_hours:,.1f} agent-h"),
        ("objective", f"{s.objective:,.2f} (under ×{settings.weights.under_per_hour:g}/h, "
         f"over ×{settings.weights.over_per_hour:g}/h)"),
        ("LP bound", f"{s.lp_bound:,.2f}"),
        ("gap to LP bound", f"{s.gap:.2%}"),
        ("HiGHS bound / gap", f"{s.mip_bound:,.2f} / {s.mip_gap:.2%}"),
        ("solver status", s.status),
        ("solve time", f"{wall:.1f} s (HiGHS {s.solve_seconds:.1f} s)"),
        ("not needed / unassignable", f"{len(r.not_needed)} / {len(r.unassignable)}"),
    ]
    for name, value in rows:
        t.add_row(name, value)
    console.print(t)
    for u in r.unassignable:
        console.print(f"[yellow]unassignable:[/] agent {u.agent!r}: {u.reason}", highlight=False)
    console.print(f"wrote {out / 'shift_plan.csv'}, {out / 'tours.csv'}, "
                  f"{out / 'roster.csv'}, {out / 'coverage.png'}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `schedule` to the `hotline wfm` app."""
    app.command("schedule")(schedule)

