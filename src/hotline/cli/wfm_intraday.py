"""`hotline wfm intraday`: reforecast today from its actuals and propose staffing actions.

``--forecast`` and ``--actuals`` are CSVs ``interval_start,calls``; ``--coverage`` is
``interval_start,agents`` (scheduled agents per interval). The day is the one of the first
actual; ``--now`` (ISO time) cuts the actuals, by default after the last one given.
``--roster`` is the ``roster.csv`` written by ``hotline wfm schedule`` (columns ``agent``,
``date``, ``start``, ``end``, ``breaks`` as ``NAME HH:MM-HH:MM; …``); its shifts on the day are
passed to the planner so breaks not yet started may be moved. The roster has no break windows:
each break may start up to ``--break-window`` minutes (default 30) either side of its planned
start, clipped to the shift.
"""

from __future__ import annotations

import csv
import math
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.table import Table

from hotline.wfm.errors import WfmError
from hotline.wfm.intraday import IntradayPlan, plan_intraday
from hotline.wfm.schedule_intraday import AgentDay, DayBreak
from hotline.wfm.staffing_targets import StaffingTargets

console = Console()
errors = Console(stderr=True)


class IntradayInputError(Exception):
    """Bad input: the message names the file or option, the row and the field."""


def _read(path: Path, value: str, zone: tzinfo) -> dict[datetime, float]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = [f.strip() for f in reader.fieldnames or []]
            missing = [f for f in ("interval_start", value) if f not in fields]
            if missing:
                raise IntradayInputError(f"{path}: missing column(s) {', '.join(missing)} "
                                         f"(found: {', '.join(fields) or 'none'})")
            reader.fieldnames = fields
            rows = list(enumerate(reader, start=2))
    except OSError as error:
        raise IntradayInputError(f"{path}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise IntradayInputError(f"{path}: not a readable CSV file ({error})") from None
    out: dict[datetime, float] = {}
    for number, row in rows:
        text = (row.get("interval_start") or "").strip()
        try:
            stamp = datetime.fromisoformat(text)
        except ValueError:
            raise IntradayInputError(f"{path} row {number}, field 'interval_start': {text!r} is "
                                     "not an ISO 8601 timestamp") from None
        stamp = stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=zone)
        cell = (row.get(value) or "").strip()
        try:
            number_value = float(cell)
        except ValueError:
            raise IntradayInputError(f"{path} row {number}, field '{value}': {cell!r} is not a "
                                     "number") from None
        if not math.isfinite(number_value) or number_value < 0:
            raise IntradayInputError(f"{path} row {number}, field '{value}': {cell} must be a "
                                     "number ≥ 0")
        if stamp in out:
            raise IntradayInputError(f"{path} row {number}, field 'interval_start': "
                                     f"{stamp.isoformat()} appears twice")
        out[stamp] = number_value
    if not out:
        raise IntradayInputError(f"{path}: has no rows")
    return out


ROSTER_COLUMNS = ("agent", "date", "start", "end", "breaks")


def _read_roster(path: Path, day: date, window: timedelta) -> list[AgentDay]:
    """The shifts of ``day`` in a ``hotline wfm schedule`` roster, with break windows."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = [f.strip() for f in reader.fieldnames or []]
            missing = [f for f in ROSTER_COLUMNS if f not in fields]
            if missing:
                raise IntradayInputError(f"{path}: missing column(s) {', '.join(missing)} "
                                         f"(found: {', '.join(fields) or 'none'})")
            reader.fieldnames = fields
            rows = list(enumerate(reader, start=2))
    except OSError as error:
        raise IntradayInputError(f"{path}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise IntradayInputError(f"{path}: not a readable CSV file ({error})") from None
    out: dict[str, AgentDay] = {}
    for number, row in rows:
        cell = {f: (row.get(f) or "").strip() for f in ROSTER_COLUMNS}
        where = f"{path} row {number}, field"
        if not cell["date"] and not cell["start"]:
            continue  # "not needed this week" / "unassignable" rows have no shift
        try:
            on = date.fromisoformat(cell["date"])
        except ValueError:
            raise IntradayInputError(f"{where} 'date': {cell['date']!r} is not an ISO 8601 "
                                     "date") from None
        if on != day:
            continue
        if not cell["agent"]:
            raise IntradayInputError(f"{where} 'agent': is empty")
        start, end = (_aware_stamp(cell[f], f"{where} '{f}'") for f in ("start", "end"))
        if end <= start:
            raise IntradayInputError(f"{where} 'end': {cell['end']} is not after the start "
                                     f"{cell['start']}")
        breaks = tuple(_break(part.strip(), start, end, window, f"{where} 'breaks'")
                       for part in cell["breaks"].split(";") if part.strip())
        if cell["agent"] in out:
            raise IntradayInputError(f"{where} 'agent': {cell['agent']!r} has a second shift "
                                     f"on {day}")
        out[cell["agent"]] = AgentDay(agent=cell["agent"], shift_start=start, shift_end=end,
                                      breaks=breaks)
    if not out:
        raise IntradayInputError(f"{path}: has no shifts on {day}, the day of the actuals")
    return list(out.values())


def _aware_stamp(text: str, where: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise IntradayInputError(f"{where}: {text!r} is not an ISO 8601 timestamp") from None
    if stamp.tzinfo is None:
        raise IntradayInputError(f"{where}: {text} has no UTC offset")
    return stamp


def _break(text: str, start: datetime, end: datetime, window: timedelta,
           where: str) -> DayBreak:
    """``NAME HH:MM-HH:MM`` on the shift's day (after midnight if before the shift starts)."""
    name, _, span = text.rpartition(" ")
    first, _, last = span.partition("-")
    try:
        times = [time.fromisoformat(t) for t in (first, last)]
    except ValueError:
        times = []
    if not name.strip() or len(first) != 5 or len(last) != 5 or len(times) != 2:
        raise IntradayInputError(f"{where}: {text!r} is not 'NAME HH:MM-HH:MM'")
    begin = datetime.combine(start.date(), times[0], tzinfo=start.tzinfo)
    begin += timedelta(days=1) if begin < start else timedelta(0)
    finish = datetime.combine(begin.date(), times[1], tzinfo=start.tzinfo)
    finish += timedelta(days=1) if finish <= begin else timedelta(0)
    if finish > end:
        raise IntradayInputError(f"{where}: {text!r} is outside the shift "
                                 f"{start:%H:%M}-{end:%H:%M}")
    minutes = int((finish - begin).total_seconds() // 60)
    return DayBreak(name=name.strip(), start=begin, minutes=minutes,
                    earliest=max(start, begin - window),
                    latest=min(end - timedelta(minutes=minutes), begin + window))


def intraday(
    forecast: Annotated[Path, typer.Option("--forecast", help="CSV interval_start,calls.")],
    actuals: Annotated[Path, typer.Option("--actuals", help="CSV interval_start,calls.")],
    coverage: Annotated[Path, typer.Option("--coverage", help="CSV interval_start,agents.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    aht: Annotated[float, typer.Option("--aht", help="Average handle time, s.")] = 180.0,
    now: Annotated[str | None, typer.Option("--now", help="ISO time: actuals before it.")] = None,
    sl: Annotated[float, typer.Option("--sl", help="Service level target, %.")] = 80.0,
    threshold: Annotated[float, typer.Option("--threshold", help="Service level T, s.")] = 20.0,
    patience: Annotated[
        float | None, typer.Option("--patience", help="Mean patience, s (Erlang A).")
    ] = None,
    shrinkage: Annotated[float, typer.Option("--shrinkage", help="Shrinkage, %.")] = 0.0,
    timezone: Annotated[str, typer.Option("--timezone", help="Zone of naive times.")] = (
        "Asia/Shanghai"),
    roster: Annotated[Path | None, typer.Option(
        "--roster", help="roster.csv from 'hotline wfm schedule': agents' shifts and breaks on "
        "the day, so breaks not yet started may be moved. It has no break windows: each break "
        "may start --break-window minutes either side of its planned start, within the shift.",
    )] = None,
    break_window: Annotated[int, typer.Option(
        "--break-window", min=0, help="With --roster: minutes a break may move either way.",
    )] = 30,
) -> None:
    """Reforecast the rest of today and propose overtime, early release and break moves."""
    try:
        zone = _zone(timezone)
        plan_rows = _read(forecast, "calls", zone)
        seen = _read(actuals, "calls", zone)
        cover_rows = _read(coverage, "agents", zone)
        day = min(seen).astimezone(zone).date()
        starts = sorted(t for t in plan_rows if t.astimezone(zone).date() == day)
        if not starts:
            raise IntradayInputError(f"{forecast}: has no intervals on {day}, the day of "
                                     f"{actuals}")
        step = int((starts[1] - starts[0]).total_seconds() // 60) if len(starts) > 1 else 1440
        cut = _now(now, zone, starts, seen)
        arrived = [t for t in starts if t < cut]
        for t in arrived:
            if t not in seen:
                raise IntradayInputError(f"{actuals}: no row for interval {t.isoformat()} "
                                         "(needed before --now)")
        for t in starts:
            if t not in cover_rows:
                raise IntradayInputError(f"{coverage}: no row for interval {t.isoformat()}")
        if not 0 <= sl <= 100 or not 0 <= shrinkage < 100:
            raise IntradayInputError("--sl and --shrinkage: give percentages (0–100)")
        agents = (_read_roster(roster, day, timedelta(minutes=break_window))
                  if roster is not None else None)
        targets = StaffingTargets(service_level=sl / 100, threshold_s=threshold)
        result = plan_intraday(
            forecast=[plan_rows[t] for t in starts], actuals=[seen[t] for t in arrived],
            coverage=[cover_rows[t] for t in starts], interval_minutes=step, aht_s=aht,
            targets=targets, patience_s=patience, shrinkage=shrinkage / 100, agents=agents,
            day_start=starts[0])
    except (IntradayInputError, WfmError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
        _write(out / "actions.csv", result, starts)
        _plot(out / "intraday.png", result, starts, zone)
    except OSError as error:
        errors.print(f"[bold red]error:[/] {out}: cannot be written ({error.strerror})")
        raise typer.Exit(code=2) from None
    _show(result, starts, zone)
    console.print(f"wrote {out / 'actions.csv'}, {out / 'intraday.png'}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `intraday` to the `hotline wfm` app."""
    app.command("intraday")(intraday)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise IntradayInputError(f"--timezone: {name!r} is not an IANA time zone") from None


def _now(text: str | None, zone: tzinfo, starts: list[datetime],
         seen: dict[datetime, float]) -> datetime:
    if text is None:
        done = [t for t in starts if t in seen]
        return max(done) + (starts[1] - starts[0]) if len(starts) > 1 else max(done)
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise IntradayInputError(f"--now: {text!r} is not an ISO 8601 time") from None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=zone)


def _at(starts: list[datetime], index: int) -> str:
    if index < len(starts):
        return f"{starts[index]:%H:%M}"
    return f"{starts[-1] + (starts[-1] - starts[-2]) if len(starts) > 1 else starts[-1]:%H:%M}"


def _write(path: Path, p: IntradayPlan, starts: list[datetime]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["action", "from", "to", "agents", "agent_hours", "sl_before", "sl_after",
                    "detail"])
        for a in p.actions:
            w.writerow([a.kind, starts[a.first].isoformat(), _at(starts, a.last), a.agents,
                        f"{a.hours:.2f}", f"{a.sl_before:.4f}", f"{a.sl_after:.4f}", a.detail])


def _show(p: IntradayPlan, starts: list[datetime], zone: tzinfo) -> None:
    del zone
    table = Table(title=f"Intraday actions from {_at(starts, p.now)}")
    for name in ("action", "from", "to", "agents", "agent-h", "SL before", "SL after"):
        table.add_column(name, justify="left" if name == "action" else "right")
    for a in p.actions:
        table.add_row(a.kind, _at(starts, a.first), _at(starts, a.last), str(a.agents),
                      f"{a.hours:.1f}", f"{a.sl_before:.1%}", f"{a.sl_after:.1%}")
    console.print(table)
    seen = float(p.reforecast[: p.now].sum())
    planned = float(p.forecast[: p.now].sum())
    console.print(
        f"arrived {seen:,.0f} calls vs {planned:,.0f} forecast; rest of day reforecast "
        f"{p.reforecast[p.now:].sum():,.0f} (was {p.forecast[p.now:].sum():,.0f}); predicted SL "
        f"for the rest of the day {p.rest_of_day_sl(after=False):.1%} → "
        f"{p.rest_of_day_sl(after=True):.1%} with these actions", highlight=False)


def _plot(path: Path, p: IntradayPlan, starts: list[datetime], zone: tzinfo) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [t.astimezone(zone).hour + t.astimezone(zone).minute / 60 for t in starts]
    step = x[1] - x[0] if len(x) > 1 else 1.0
    xs = [*x, x[-1] + step]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    top.step(xs, [*p.requirement, p.requirement[-1]], where="post", color="black",
             label="required (reforecast)")
    top.step(xs, [*p.coverage_before, p.coverage_before[-1]], where="post", color="tab:gray",
             ls="--", label="scheduled coverage (before)")
    top.step(xs, [*p.coverage_after, p.coverage_after[-1]], where="post", color="tab:blue",
             label="coverage with the actions (after)")
    top.axvline(x[p.now] if p.now < len(x) else xs[-1], color="tab:red", lw=1, ls=":",
                label="now")
    top.set_ylabel("agents")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"Intraday: requirement vs coverage before and after "
                  f"({len(p.actions)} actions); rest-of-day SL "
                  f"{p.rest_of_day_sl(after=False):.0%} → {p.rest_of_day_sl(after=True):.0%}",
                  fontsize=10)
    bottom.bar(x, p.forecast, width=step, align="edge", color="tab:gray", alpha=0.4,
               label="forecast")
    bottom.step(xs, [*p.reforecast, p.reforecast[-1]], where="post", color="tab:orange",
                label="actuals, then reforecast")
    bottom.set_ylabel("calls")
    bottom.set_xlabel("hour of day")
    bottom.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
