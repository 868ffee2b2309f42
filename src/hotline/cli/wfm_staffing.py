"""`hotline wfm staff`: agents per interval for service-level, ASA, abandon and occupancy targets.

One interval from ``--calls``, or many from ``--requirements FILE.csv`` with columns
``interval_start,calls[,aht]`` (AHT in seconds; a blank uses ``--aht``). Timestamps are ISO 8601,
with an offset or naive in ``--timezone``. Percentages are given as 0–100. Erlang C unless
``--patience`` (mean patience in seconds) asks for Erlang A.
"""

from __future__ import annotations

import csv
import math
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from hotline.cli.csv_input import InputError, parse_timestamp, read_rows
from hotline.wfm.errors import QueueInputError, WfmError
from hotline.wfm.service_level import DEFAULT_DEFINITION, ServiceLevelDefinition
from hotline.wfm.staffing import StaffingPlan, staff
from hotline.wfm.staffing_targets import StaffingTargets

console = Console()
errors = Console(stderr=True)

SHOWN_ROWS = 48
COLUMNS = (
    "interval_start", "calls", "aht_s", "load_erlangs", "raw_agents", "scheduled_agents",
    "fractional_agents", "p_wait", "service_level", "asa_s", "abandon", "occupancy",
)




class Requirements:
    """Calls (and optional AHT) per interval, read from a CSV or one ``--calls`` value."""

    def __init__(self, starts: list[str], calls: list[float], aht: list[float]) -> None:
        self.starts, self.calls, self.aht = starts, calls, aht


def read_requirements(path: Path, default_aht: float | None, zone: tzinfo) -> Requirements:
    """Read ``interval_start,calls[,aht]``; each bad cell is named by row and field."""
    starts: list[str] = []
    calls: list[float] = []
    aht: list[float] = []
    previous: datetime | None = None
    for row_number, row in read_rows(path, required=("interval_start", "calls")):
        stamp = parse_timestamp(path, row_number, row["interval_start"], zone)
        if previous is not None and stamp <= previous:
            raise InputError(
                f"{path} row {row_number}, field 'interval_start': {stamp.isoformat()} is not "
                f"after the row before ({previous.isoformat()})"
            )
        previous = stamp
        starts.append(stamp.isoformat())
        calls.append(_number(path, row_number, "calls", row["calls"]))
        text = row.get("aht", "")
        if text:
            aht.append(_number(path, row_number, "aht", text))
        elif default_aht is None:
            raise InputError(f"{path} row {row_number}, field 'aht': missing and no --aht given")
        else:
            aht.append(default_aht)
    if not calls:
        raise InputError(f"{path}: has no intervals")
    return Requirements(starts, calls, aht)


def write_plan(path: Path, req: Requirements, plan: StaffingPlan) -> None:
    """Write one CSV row per interval: raw and scheduled agents and the predicted KPIs."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i, values in enumerate(_table_rows(req, plan)):
            writer.writerow([req.starts[i], *values])


def staff_command(
    calls: Annotated[float | None, typer.Option("--calls", help="Calls in one interval.")] = None,
    requirements: Annotated[
        Path | None,
        typer.Option("--requirements", help="CSV with interval_start,calls[,aht]."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the plan CSV.")] = None,
    interval_minutes: Annotated[
        float, typer.Option("--interval-minutes", help="Interval length.")
    ] = 30.0,
    aht: Annotated[float | None, typer.Option("--aht", help="Average handle time, s.")] = None,
    sl: Annotated[float | None, typer.Option("--sl", help="Service level target, %.")] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Service level T, s.")] = 20.0,
    asa: Annotated[float | None, typer.Option("--asa", help="Maximum ASA, s.")] = None,
    abandon: Annotated[
        float | None, typer.Option("--abandon", help="Maximum abandon rate, % (needs --patience).")
    ] = None,
    patience: Annotated[
        float | None, typer.Option("--patience", help="Mean caller patience, s (Erlang A).")
    ] = None,
    max_occupancy: Annotated[
        float | None, typer.Option("--max-occupancy", help="Maximum occupancy, %.")
    ] = None,
    shrinkage: Annotated[float, typer.Option("--shrinkage", help="Shrinkage, %.")] = 0.0,
    sl_definition: Annotated[
        ServiceLevelDefinition,
        typer.Option("--sl-definition", help="Denominator of the service level (design §5)."),
    ] = DEFAULT_DEFINITION,
    short_abandon: Annotated[
        float, typer.Option("--short-abandon", help="Short-abandon threshold, s.")
    ] = 5.0,
    timezone: Annotated[
        str, typer.Option("--timezone", help="Zone for naive timestamps.")
    ] = "Asia/Shanghai",
) -> None:
    """Least agents per interval meeting every target, with shrinkage on top."""
    try:
        if requirements is not None and calls is None:
            req = read_requirements(requirements, aht, _zone(timezone))
        elif calls is not None and requirements is None:
            if aht is None:
                raise InputError("--aht: needed with --calls")
            req = Requirements([""], [calls], [aht])
        else:
            raise InputError("give either --calls or --requirements FILE.csv, not both")
        targets = StaffingTargets(
            service_level=_share("--sl", sl), threshold_s=threshold, max_asa_s=asa,
            max_abandon=_share("--abandon", abandon),
            max_occupancy=_share("--max-occupancy", max_occupancy),
            definition=sl_definition, short_abandon_s=short_abandon,
        )
        plan = _staff(req, requirements, interval_minutes, targets, patience, shrinkage)
        if out is not None:
            write_plan(out, req, plan)
    except (InputError, WfmError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    except OSError as error:
        errors.print(
            f"[bold red]error:[/] {out}: cannot be written ({error.strerror})", soft_wrap=True
        )
        raise typer.Exit(code=2) from None
    _show(req, plan, out)


def register(app: typer.Typer) -> None:
    """Add `staff` to the `hotline wfm` app."""
    app.command("staff")(staff_command)


def _staff(
    req: Requirements, path: Path | None, minutes: float, targets: StaffingTargets,
    patience: float | None, shrinkage: float,
) -> StaffingPlan:
    if not (math.isfinite(minutes) and minutes > 0):
        raise InputError(f"--interval-minutes: must be more than 0 (got {minutes:g})")
    try:
        return staff(
            req.calls, aht_s=req.aht, interval_s=minutes * 60.0, targets=targets,
            patience_s=patience, shrinkage=_share("--shrinkage", shrinkage) or 0.0,
        )
    except QueueInputError as error:
        option = {"calls": "--calls", "aht_s": "--aht", "patience_s": "--patience",
                  "shrinkage": "--shrinkage"}.get(error.field, error.field)
        if path is None or error.index is None:
            raise InputError(f"{option}: {error.field} {error.reason}") from None
        column = "aht" if error.field == "aht_s" else error.field
        raise InputError(
            f"{path} row {error.index + 2}, field '{column}': {error.reason}"
        ) from None


def _share(option: str, percent: float | None) -> float | None:
    if percent is None:
        return None
    if not 0.0 <= percent <= 100.0:
        raise InputError(f"{option}: must be a percentage from 0 to 100 (got {percent:g})")
    return percent / 100.0


def _table_rows(req: Requirements, plan: StaffingPlan) -> list[list[str]]:
    k = plan.kpis
    return [
        [
            f"{req.calls[i]:g}", f"{req.aht[i]:g}", f"{plan.load[i]:.4f}",
            str(plan.raw_agents[i]), str(plan.scheduled_agents[i]),
            f"{plan.fractional_agents[i]:.3f}", f"{k.p_wait[i]:.6f}",
            f"{k.service_level[i]:.6f}", f"{k.asa_s[i]:.3f}", f"{k.p_abandon[i]:.6f}",
            f"{k.occupancy[i]:.6f}",
        ]
        for i in range(plan.load.size)
    ]


def _show(req: Requirements, plan: StaffingPlan, out: Path | None) -> None:
    table = Table(title="Staffing per interval")
    for name in ("interval", "calls", "Erlangs", "raw", "scheduled", "SL", "ASA s",
                 "abandon", "occupancy"):
        table.add_column(name, justify="right")
    k = plan.kpis
    for i in range(min(plan.load.size, SHOWN_ROWS)):
        table.add_row(
            req.starts[i][5:16].replace("T", " ") or "—",
            f"{req.calls[i]:g}", f"{plan.load[i]:.2f}",
            str(plan.raw_agents[i]), str(plan.scheduled_agents[i]),
            f"{k.service_level[i]:.1%}", f"{k.asa_s[i]:.1f}", f"{k.p_abandon[i]:.2%}",
            f"{k.occupancy[i]:.1%}",
        )
    console.print(table)
    hidden = plan.load.size - SHOWN_ROWS
    if hidden > 0:
        console.print(f"… {hidden} more intervals" + (f" in {out}" if out else ""))
    console.print(
        f"{plan.load.size} intervals: peak {int(np.max(plan.scheduled_agents))} scheduled, "
        f"{int(plan.raw_agents.sum())} raw agent-intervals" + (f" -> {out}" if out else "")
    )






def _number(path: Path, row: int, field: str, text: str) -> float:
    if not text:
        return math.nan  # reported by the solver as missing, with the row
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{path} row {row}, field '{field}': {text!r} is not a number") from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"--timezone: {name!r} is not an IANA time zone") from None


__all__ = ["read_requirements", "register", "staff_command", "write_plan"]
