"""Speed (b): wall time of a full ``bank-hotline`` month through the digital twin.

The twin drives the production engine (``hotline.core.engine.Engine``) on a virtual clock with
the KPI accumulator, exactly as ``hotline simulate bank-hotline`` does: about 6.9 M calls enter
the IVR in 30 days and about 644 k of them are offered to agents. Goal: ≤ 120 s of wall time.

Peak memory is the process's maximum resident set (``getrusage``), not tracemalloc, which would
slow the run several-fold.

With ``--ivr flows`` (the scenario's own mode) the callers walk the real IVR flows (pools of
walks drawn before the run, ``hotline.sim.ivr_pools``); ``--ivr delay`` gives each caller the
stream's IVR delay and agent share instead. The IVR figures are set beside the published month
(6.29 M calls finished in the IVR, 580 k to agents: about 91 % containment).

    .venv/bin/python benchmarks/month.py [--days 30] [--seed 95588] [--ivr flows|delay]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import hotline
from hotline.sim.scenario import Scenario, load_scenario, parse_scenario
from hotline.sim.twin import Twin

GOAL_S = 120.0
SCENARIO = "bank-hotline"


@dataclass(frozen=True, kw_only=True, slots=True)
class MonthFigures:
    days: float
    seed: int
    ivr_mode: str
    ivr_calls: int
    contained: int
    offered: int
    answered: int
    events: int
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    answer_rate: float | None
    service_level: float | None
    utilisation: float | None
    occupancy: float | None
    targets: dict[str, float]
    ivr_flows: dict[str, Any] | None = None
    # Callback offers heard (the twin's estimated wait reached the flow's threshold), accepted.
    callbacks_offered: int = 0
    callbacks_accepted: int = 0

    @property
    def contacts_per_s(self) -> float:
        return self.offered / self.wall_s

    @property
    def goal_ratio(self) -> float:
        """Wall time as a share of the 120 s budget: ≤ 1 meets the goal."""
        return self.wall_s / GOAL_S


def month_scenario(days: float | None = None, ivr: str | None = None) -> Scenario:
    """The built-in scenario, with ``days`` and the IVR mode overridden (and validated)."""
    scenario = load_scenario(SCENARIO)
    if days is None and ivr is None:
        return scenario
    data = scenario.model_dump()
    if days is not None:
        data["days"] = days
    if ivr is not None:
        data["ivr"] = {**(data.get("ivr") or {}), "mode": ivr}
    return parse_scenario(data, SCENARIO)


def peak_rss_mib() -> float:
    """The process's peak resident set so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_month(*, days: float | None = None, seed: int | None = None, ivr: str | None = None,
              progress: Callable[[float], None] | None = None) -> MonthFigures:
    """Run the twin once and measure it (wall and CPU time include configuring the engine and,
    in flows mode, drawing the pools of IVR walks)."""
    scenario = month_scenario(days, ivr)
    twin = Twin(scenario, seed=seed, progress=progress, source=SCENARIO)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = twin.run()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    totals: dict[str, Any] = result.report.totals
    return MonthFigures(
        days=scenario.days, seed=result.seed,
        ivr_mode=scenario.ivr.mode if scenario.ivr is not None else "delay",
        ivr_calls=result.ivr.entered, contained=result.ivr.contained,
        offered=int(totals["offered"]), answered=int(totals["answered"]),
        events=result.events, wall_s=wall, cpu_s=cpu, peak_rss_mib=peak_rss_mib(),
        answer_rate=totals.get("answer_rate"), service_level=totals.get("service_level"),
        utilisation=totals.get("utilisation"), occupancy=totals.get("occupancy"),
        targets=dict(result.targets), ivr_flows=result.ivr_flows,
        callbacks_offered=result.ivr.callbacks_offered,
        callbacks_accepted=result.ivr.callbacks_accepted)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def figures_table(f: MonthFigures) -> Table:
    table = Table(title=f"{SCENARIO}: {f.days:g} day(s), seed {f.seed}, IVR {f.ivr_mode}, "
                        "through the production engine")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("goal / reference", justify="right")
    scale = f.days / 30.0
    table.add_row("IVR calls", f"{f.ivr_calls:,}", f"≈ {6.93e6 * scale:,.0f} (scenario)")
    table.add_row("finished in the IVR", f"{f.contained:,}",
                  f"{6.29e6 * scale:,.0f} (published)")
    table.add_row("IVR containment", _pct(f.contained / f.ivr_calls if f.ivr_calls else None),
                  f"{6.29 / (6.29 + 0.58):.1%} (published)")
    table.add_row("contacts offered to agents", f"{f.offered:,}",
                  f"{580_000 * scale:,.0f} (published) · ≈ {644_000 * scale:,.0f} (scenario)")
    table.add_row("answered", f"{f.answered:,}", "")
    table.add_row("callbacks offered in the IVR / accepted",
                  f"{f.callbacks_offered:,} / {f.callbacks_accepted:,}", "")
    table.add_row("events", f"{f.events:,}", "")
    table.add_row("wall time", f"{f.wall_s:.1f} s", f"≤ {GOAL_S * scale:.0f} s")
    table.add_row("CPU time", f"{f.cpu_s:.1f} s", "")
    table.add_row("contacts offered / s", f"{f.contacts_per_s:,.0f}", "")
    table.add_row("IVR calls / s", f"{f.ivr_calls / f.wall_s:,.0f}", "")
    table.add_row("events / s", f"{f.events / f.wall_s:,.0f}", "")
    table.add_row("CPU µs per contact offered (all work)",
                  f"{f.cpu_s / max(f.offered, 1) * 1e6:.1f}", "")
    table.add_row("peak memory (max RSS)", f"{f.peak_rss_mib:,.0f} MiB", "")
    table.add_row("answer rate", _pct(f.answer_rate),
                  _pct(f.targets.get("answer_rate")))
    table.add_row("service level", _pct(f.service_level),
                  _pct(f.targets.get("service_level")))
    table.add_row("utilisation", _pct(f.utilisation), "≤ 80 %")
    table.add_row("occupancy", _pct(f.occupancy), "")
    return table


def funnel_table(name: str, flow: dict[str, Any]) -> Table:
    """One walked flow: how its calls ended and how many reached and left at each node."""
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(flow["outcomes"].items()))
    table = Table(title=f"IVR flow {name}: {flow['entered']:,} calls, containment "
                        f"{flow['containment']:.1%} ({outcomes})")
    table.add_column("node")
    table.add_column("calls reaching it", justify="right")
    table.add_column("share of calls", justify="right")
    table.add_column("hung up there", justify="right")
    for row in flow["funnel"]:
        table.add_row(row["node"], f"{row['entered']:,}", _pct(row["entered"] / flow["entered"]),
                      f"{row['dropped']:,}")
    return table


def verdict(f: MonthFigures) -> str:
    # The goal is for 30 days; a shorter run is judged against its share of the budget.
    budget = GOAL_S * f.days / 30.0
    ratio = f.wall_s / budget
    met = "meets" if ratio <= 1.0 else "MISSES"
    return (f"wall {f.wall_s:.1f} s ÷ budget {budget:.3g} s = {ratio:.2f}× → {met} the goal "
            f"({budget / f.wall_s:.2f}× faster than needed; CPU {f.cpu_s:.1f} s)")


def main(argv: list[str] | None = None) -> MonthFigures:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--days", type=float, default=None,
                        help="days to simulate (default: the scenario's 30)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed (default: the scenario's)")
    parser.add_argument("--ivr", choices=("flows", "delay"), default=None,
                        help="callers walk the IVR flows, or take the stream's IVR delay "
                             "(default: the scenario's mode)")
    args = parser.parse_args(argv)
    console = Console()
    console.print(f"engine: {Path(hotline.__file__).parent}", highlight=False)
    with Progress(TextColumn(f"[bold]{SCENARIO}[/]"), BarColumn(), TaskProgressColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task("twin", total=1.0)
        figures = run_month(days=args.days, seed=args.seed, ivr=args.ivr,
                            progress=lambda done: bar.update(task, completed=done))
    console.print(figures_table(figures))
    for name, flow in (figures.ivr_flows or {}).items():
        console.print(funnel_table(name, flow))
    console.print(verdict(figures))
    return figures


if __name__ == "__main__":
    main()
