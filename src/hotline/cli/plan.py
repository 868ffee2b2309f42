"""`hotline plan SCENARIO`: the closed planning loop, judged by the digital twin.

Forecast (the scenario's profile, or ``--history``) → Erlang staffing per queue group → daily
shifts (HiGHS) → the scenario's roster → twin → extra staff where the twin misses the target →
again, up to ``--max-rounds``. Writes ``summary.json``, ``round-N.csv``, ``coverage.png`` and
``service_level.png`` into ``--out``.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hotline.sim.errors import ScenarioError
from hotline.sim.plan_loop import PlanResult, PlanSettings, RoundResult, run_plan
from hotline.sim.scenario import Scenario, load_scenario
from hotline.wfm.errors import WfmError

console = Console()
errors = Console(stderr=True)
GAPS_SHOWN = 8


class PlanInputError(Exception):
    """Bad input to `hotline plan`; the message names the option or file and the reason."""


def plan(
    scenario: Annotated[str, typer.Argument(help="Built-in scenario (mmc, bank-hotline) or YAML.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    seed: Annotated[int | None, typer.Option("--seed", help="Twin seed.")] = None,
    days: Annotated[float, typer.Option("--days", help="Days to simulate per round.")] = 1.0,
    target_sl: Annotated[
        float | None, typer.Option("--target-sl", help="Service level target, 0–1.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Service level T, s (default: scenario).")
    ] = None,
    max_rounds: Annotated[int, typer.Option("--max-rounds", help="Most rounds.")] = 5,
    history: Annotated[
        Path | None, typer.Option("--history", help="CSV interval_start,calls to forecast from.")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Holidays of this country (--history).")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="HiGHS seconds/round.")] = 10.0,
) -> None:
    """Forecast, staff, schedule, simulate and re-staff until the twin meets the target."""
    try:
        settings = _settings(days, target_sl, threshold, max_rounds, seed, time_limit)
        loaded = load_scenario(scenario)
        if history is not None:
            loaded = _forecast(loaded, history, country, days, scenario)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      TimeElapsedColumn(), console=errors) as bar:
            task = bar.add_task("planning", total=settings.max_rounds)
            rounds_done = [0]

            def tell(what: str, done: float) -> None:
                if done >= 1.0:
                    rounds_done[0] += 1
                bar.update(task, description=what,
                           completed=rounds_done[0] + (0 if done >= 1.0 else done))

            result = run_plan(loaded, settings, source=scenario, progress=tell)
    except (PlanInputError, ScenarioError, WfmError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    try:
        written = _write(result, out)
    except OSError as error:
        errors.print(f"[bold red]error:[/] {out}: cannot be written ({error.strerror})",
                     highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    _show(result)
    console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)


def register(app: typer.Typer) -> None:
    """Add `plan` to the top-level app."""
    app.command("plan")(plan)


def _settings(days: float, target: float | None, threshold: float | None, rounds: int,
              seed: int | None, time_limit: float) -> PlanSettings:
    if not (math.isfinite(days) and 0 < days <= 31):
        raise PlanInputError(f"--days: must be more than 0 and at most 31 (got {days:g})")
    if target is not None and not 0 < target <= 1:
        raise PlanInputError(f"--target-sl: must be a fraction above 0 and at most 1, such as "
                             f"0.8 (got {target:g})")
    if threshold is not None and not (math.isfinite(threshold) and threshold >= 0):
        raise PlanInputError(f"--threshold: must be 0 s or more (got {threshold:g})")
    if not 1 <= rounds <= 20:
        raise PlanInputError(f"--max-rounds: must be 1–20 (got {rounds})")
    if not (math.isfinite(time_limit) and time_limit >= 1):
        raise PlanInputError(f"--time-limit: must be at least 1 s (got {time_limit:g})")
    return PlanSettings(days=days, target_sl=target, threshold_s=threshold, max_rounds=rounds,
                        seed=seed, time_limit_s=time_limit)


def _forecast(loaded: Scenario, path: Path, country: str | None, days: float,
              source: str) -> Scenario:
    from hotline.cli.csv_input import InputError
    from hotline.cli.wfm_forecast import read_calendar, read_history
    from hotline.sim.plan_forecast import with_forecast

    try:
        grid = read_history(path, loaded.zone)
        horizon = max(1, math.ceil(days))
        last = grid.day(grid.days + horizon)
        calendar = read_calendar(country, None, None, range(grid.first_day.year, last.year + 1))
        return with_forecast(loaded, grid, calendar, days=horizon, source=source)
    except InputError as error:
        raise PlanInputError(str(error)) from None
    except WfmError as error:
        raise PlanInputError(f"{path}: {error}") from None


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.1%}"


def _round_row(r: RoundResult) -> dict[str, Any]:
    t = r.totals
    below = sum(1 for row in r.intervals if row["below_target"])
    return {
        "round": r.round, "agents": r.agents, "paid_hours_per_day": round(r.paid_hours, 2),
        "service_level": t.get("service_level"), "answer_rate": t.get("answer_rate"),
        "abandon_rate": t.get("abandon_rate"), "asa_s": t.get("asa_s"),
        "utilisation": t.get("utilisation"), "occupancy": t.get("occupancy"),
        "intervals_below_target": below, "intervals": len(r.intervals),
        "significant_misses": r.misses, "schedule_gap": round(r.plan_gap, 4),
        "under_staffed_agent_hours": round(r.under_hours, 2),
        "agents_by_group": r.group_agents, "twin_wall_s": round(r.wall_s, 2),
        "queues": {
            q: {"offered": qr.offered, "twin_sl": qr.twin_sl, "erlang_sl": round(qr.erlang_sl, 4),
                "gap": None if qr.twin_sl is None else round(qr.twin_sl - qr.erlang_sl, 4),
                "agents_on_phones_mean": round(float(qr.agents_on_phones.mean()), 2)}
            for q, qr in r.queues.items()
        },
    }


def biggest_gaps(result: PlanResult, count: int = GAPS_SHOWN) -> list[dict[str, Any]]:
    """Queue group × interval of the last round where twin and Erlang differ most."""
    last = result.rounds[-1]
    found: list[dict[str, Any]] = []
    for q, qr in last.queues.items():
        for t, twin in enumerate(qr.twin_by_interval):
            if twin is None or qr.offered_by_interval[t] < 20:
                continue
            minute = t * result.interval_minutes
            found.append({
                "queue": q, "time": f"{minute // 60:02d}:{minute % 60:02d}",
                "offered": qr.offered_by_interval[t], "twin_sl": round(twin, 4),
                "erlang_sl": round(float(qr.erlang_by_interval[t]), 4),
                "gap": round(twin - float(qr.erlang_by_interval[t]), 4),
                "agents_on_phones": round(float(qr.agents_on_phones[t]), 2),
                "erlang_leaves_out": result.features.get(q, []),
            })
    found.sort(key=lambda g: -abs(float(g["gap"])))
    return found[:count]


def _write(result: PlanResult, out: Path) -> list[Path]:
    from hotline.sim.plan_plots import plot_coverage, plot_service_level

    out.mkdir(parents=True, exist_ok=True)
    summary = {
        "scenario": result.scenario, "seed": result.seed, "days": result.days,
        "start": result.start, "target_sl": result.target_sl, "threshold_s": result.threshold_s,
        "interval_minutes": result.interval_minutes, "converged": result.converged,
        "rounds": [_round_row(r) for r in result.rounds],
        "erlang_leaves_out": result.features,
        "biggest_gaps": biggest_gaps(result),
    }
    paths = [out / "summary.json"]
    paths[0].write_text(json.dumps(summary, indent=2, ensure_ascii=False), "utf-8")
    for r in result.rounds:
        path = out / f"round-{r.round}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            columns = ["interval_start", "forecast_calls", "offered", "requirement", "coverage",
                       "erlang_sl", "twin_sl", "answer_rate", "utilisation", "below_target"]
            writer.writerow(columns)
            for row in r.intervals:
                writer.writerow([row["start"], *(_cell(row[c]) for c in columns[1:])])
        paths.append(path)
    paths.append(plot_coverage(result, out / "coverage.png"))
    paths.append(plot_service_level(result, out / "service_level.png"))
    return paths


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _show(result: PlanResult) -> None:
    table = Table(title=f"hotline plan {result.scenario}: {result.days:g} day(s), target "
                        f"{result.target_sl:.0%} in {result.threshold_s:g} s, seed {result.seed}")
    for name in ("round", "agents", "paid h/day", "SL", "answered", "util.", "occup.",
                 "< target", "misses", "MIP gap"):
        table.add_column(name, justify="right")
    for r in result.rounds:
        row = _round_row(r)
        table.add_row(str(r.round), str(r.agents), f"{r.paid_hours:,.1f}",
                      _pct(row["service_level"]), _pct(row["answer_rate"]),
                      _pct(row["utilisation"]), _pct(row["occupancy"]),
                      f"{row['intervals_below_target']}/{row['intervals']}", str(r.misses),
                      f"{r.plan_gap:.1%}")
    console.print(table)
    last = result.rounds[-1]
    queues = Table(title=f"Erlang vs the engine by queue group (round {last.round})")
    for name in ("queue group", "offered", "on phones", "Erlang SL", "twin SL", "gap",
                 "Erlang leaves out"):
        queues.add_column(name, justify="left" if name in ("queue group",
                                                           "Erlang leaves out") else "right")
    for q, qr in last.queues.items():
        gap = None if qr.twin_sl is None else qr.twin_sl - qr.erlang_sl
        queues.add_row(q, f"{qr.offered:,}", f"{qr.agents_on_phones.mean():.1f}",
                       _pct(qr.erlang_sl), _pct(qr.twin_sl),
                       "–" if gap is None else f"{gap:+.1%}",
                       ", ".join(result.features.get(q, [])) or "–")
    console.print(queues)
    gaps = Table(title="Biggest gaps between Erlang and the twin (queue group × interval)")
    for name in ("queue group", "time", "offered", "agents", "Erlang SL", "twin SL", "gap"):
        gaps.add_column(name, justify="left" if name == "queue group" else "right")
    for g in biggest_gaps(result):
        gaps.add_row(g["queue"], g["time"], str(g["offered"]), f"{g['agents_on_phones']:.1f}",
                     _pct(g["erlang_sl"]), _pct(g["twin_sl"]), f"{g['gap']:+.1%}")
    console.print(gaps)
    state = "converged" if result.converged else "stopped at --max-rounds"
    console.print(f"{state} after {len(result.rounds)} round(s)")
