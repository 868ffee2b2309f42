"""`hotline simulate SCENARIO`: run the digital twin and print its KPI report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hotline.cli.events import event_log_sink
from hotline.sim.errors import ScenarioError
from hotline.sim.scenario import Scenario, load_scenario

console = Console()
err_console = Console(stderr=True)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.1%}"


def _sec(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}"


def _override(scenario: Scenario, *, days: float | None, rate: float | None,
              service: float | None, patience: float | None, agents: int | None) -> Scenario:
    update: dict[str, Any] = {}
    if days is not None:
        update["days"] = days
    data = scenario.model_dump()
    data.update(update)
    if any(v is not None for v in (rate, service, patience, agents)):
        if len(data["traffic"]) != 1 or len(data["agents"]) != 1:
            raise ScenarioError(scenario.name, "--rate/--service/--patience/--agents",
                                "only apply to a scenario with one traffic stream and one "
                                "agent group (such as mmc)")
        t = data["traffic"][0]
        if rate is not None:
            t["arrivals"] = {"rate_per_s": rate}
        if service is not None:
            t["handle_time"] = {"kind": "exponential", "mean": service}
        if patience is not None:
            t["patience"] = {"kind": "exponential", "mean": patience}
        if agents is not None:
            data["agents"][0]["count"] = agents
            data["agents"][0]["shifts"] = {}
    from hotline.sim.scenario import parse_scenario

    return parse_scenario(data, scenario.name)


def simulate(
    scenario: str = typer.Argument(..., help="Built-in scenario (mmc, bank-hotline) or YAML."),
    seed: int | None = typer.Option(None, help="Seed of the random stream (default: scenario's)."),
    days: float | None = typer.Option(None, help="Days to simulate (default: the scenario's)."),
    json_file: Path | None = typer.Option(None, "--json", help="Write the KPI report as JSON."),
    plot: Path | None = typer.Option(None, help="PNG of service level by interval "
                                     "(default: next to --json)."),
    rate: float | None = typer.Option(None, help="mmc: arrivals per second."),
    service: float | None = typer.Option(None, help="mmc: mean service time, s."),
    patience: float | None = typer.Option(None, help="mmc: mean patience, s."),
    agents: int | None = typer.Option(None, help="mmc: number of agents."),
    events_file: Path | None = typer.Option(None, "--events", help="Write every event of the "
                                            "run to this new SQLite event log."),
) -> None:
    """Run the digital twin on SCENARIO and print a KPI report."""
    from hotline.sim.twin import Twin

    try:
        loaded = load_scenario(scenario)
        loaded = _override(loaded, days=days, rate=rate, service=service, patience=patience,
                           agents=agents)
        with Progress(TextColumn(f"[bold]{loaded.name}[/] {loaded.days:g} day(s)"), BarColumn(),
                      TaskProgressColumn(), TimeElapsedColumn(), console=err_console,
                      transient=False) as progress, event_log_sink(events_file) as sink:
            task = progress.add_task("twin", total=1.0)
            twin = Twin(loaded, seed=seed, source=scenario,
                        progress=lambda done: progress.update(task, completed=done),
                        event_sink=sink)
            result = twin.run()
    except ScenarioError as exc:
        err_console.print(f"[red]error:[/] {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(code=2) from None
    _print_report(result)
    if sink is not None:
        console.print(f"{sink.written:,} events written to {events_file}", soft_wrap=True)
    data = result.to_dict()
    if json_file is not None:
        json_file.parent.mkdir(parents=True, exist_ok=True)
        json_file.write_text(json.dumps(data, indent=2, ensure_ascii=False), "utf-8")
        console.print(f"report written to {json_file}")
        if plot is None:
            plot = json_file.with_suffix(".png")
    if plot is not None:
        from hotline.sim.plots import plot_service_level

        plot_service_level(result, plot)
        console.print(f"service level plot written to {plot}")


def _print_report(result: Any) -> None:
    totals = result.report.totals
    d = result.report.definitions
    head = Table(title=f"{result.scenario} — seed {result.seed}, {result.days:g} day(s), "
                       f"{result.contacts:,} contacts to agents in {result.wall_s:.1f} s "
                       f"({result.contacts / max(result.wall_s, 1e-9):,.0f}/s)")
    head.add_column("KPI")
    head.add_column("value", justify="right")
    head.add_column("target", justify="right")
    ivr = result.ivr
    rows = [
        ("IVR calls", f"{ivr.entered:,}", ""),
        ("IVR containment", _pct(ivr.containment), ""),
        ("offered to agents", f"{totals['offered']:,}", ""),
        ("answered", f"{totals['answered']:,}", ""),
        ("answer rate", _pct(totals["answer_rate"]), _pct(result.targets.get("answer_rate"))),
        (f"service level ({d.service_level_s:g} s, {d.variant.value})",
         _pct(totals["service_level"]), _pct(result.targets.get("service_level"))),
        ("abandon rate", _pct(totals["abandon_rate"]), ""),
        ("ASA (s)", _sec(totals["asa_s"]), ""),
        ("AHT (s)", _sec(totals["aht_s"]), ""),
        ("occupancy", _pct(totals.get("occupancy")), ""),
        ("utilisation", _pct(totals.get("utilisation")), "≤ 80%"),
        ("IVR callback offers (long estimated wait)", f"{ivr.callbacks_offered:,}", ""),
        ("IVR callbacks accepted", f"{ivr.callbacks_accepted:,}", ""),
        ("callbacks (IVR and workflow fallbacks)", f"{totals['callbacks']:,}", ""),
        ("still waiting at the end", f"{result.still_waiting:,}", ""),
    ]
    for row in rows:
        head.add_row(*row)
    console.print(head)
    by = Table(title="by site and queue")
    for col in ("", "offered", "answer rate", "service level", "ASA (s)", "AHT (s)",
                "utilisation"):
        by.add_column(col, justify="right" if col else "left")
    for site, k in result.report.by_site.items():
        by.add_row(f"[bold]site {site}[/]", f"{k.get('offered', 0):,}", _pct(k.get("answer_rate")),
                   _pct(k.get("service_level")), _sec(k.get("asa_s")), _sec(k.get("aht_s")),
                   _pct(k.get("utilisation")))
    for queue, k in result.report.by_queue.items():
        by.add_row(f"queue {queue}", f"{k['offered']:,}", _pct(k["answer_rate"]),
                   _pct(k["service_level"]), _sec(k["asa_s"]), _sec(k["aht_s"]), "")
    console.print(by)
