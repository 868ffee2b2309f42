"""`hotline wfm forecast` and `hotline wfm backtest`: forecast a queue's calls from a history CSV.

The history CSV has ``interval_start,calls`` at any interval length (5–60 minutes, detected);
closed periods are absent or zero. Timestamps are ISO 8601, with an offset or naive in
``--timezone``. The optional holidays CSV has ``date,kind[,name]`` with kind one of holiday,
eve, reduced, workday (a make-up workday).
"""

from __future__ import annotations

import csv
import math
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from hotline.cli.csv_input import InputError, parse_timestamp, read_rows
from hotline.wfm.calendar_days import WorkCalendar, merge, parse_weekend, special_days_from_rows
from hotline.wfm.calendar_sources import country_calendar
from hotline.wfm.errors import WfmError
from hotline.wfm.forecast import forecast
from hotline.wfm.forecast_backtest import Backtest, rolling_backtest
from hotline.wfm.history import DailyGrid, grid_from_intervals

console = Console()
errors = Console(stderr=True)

HistoryOpt = Annotated[
    Path, typer.Option("--history", help="CSV with interval_start,calls.", show_default=False)
]
CountryOpt = Annotated[
    str | None, typer.Option("--country", help="ISO country code for public holidays (CN, IL).")
]
HolidaysOpt = Annotated[
    Path | None, typer.Option("--holidays", help="CSV with date,kind[,name] special days.")
]
WeekendOpt = Annotated[
    str | None,
    typer.Option(
        "--weekend", help="Weekend days, e.g. fri,sat (default: the country's, or sat,sun)."
    ),
]
ZoneOpt = Annotated[
    str, typer.Option("--timezone", help="The centre's zone; naive timestamps are read in it.")
]
IntervalOpt = Annotated[
    int | None,
    typer.Option("--interval-minutes", help="Output interval (default: the history's)."),
]




def read_history(path: Path, zone: tzinfo) -> DailyGrid:
    """Read and validate a history CSV into a grid of local days."""
    starts: list[datetime] = []
    calls: list[float] = []
    for row_number, row in read_rows(path, required=("interval_start", "calls")):
        starts.append(parse_timestamp(path, row_number, row["interval_start"], zone))
        calls.append(_volume(path, row_number, row["calls"]))
    try:
        return grid_from_intervals(starts, calls, zone=zone, row_offset=2)
    except WfmError as error:
        raise InputError(f"{path}: {error}") from None


def read_calendar(
    country: str | None, weekend: str | None, holidays_file: Path | None, years: range
) -> WorkCalendar:
    """The centre's calendar from a country code, a weekend and a holidays CSV."""
    try:
        week_end = parse_weekend(weekend) if weekend is not None else None
        calendar = (
            country_calendar(country, years, weekend=week_end)
            if country
            else WorkCalendar(weekend=week_end if week_end is not None else frozenset({5, 6}))
        )
    except WfmError as error:
        raise InputError(f"--country/--weekend: {error}") from None
    except NotImplementedError as error:
        raise InputError(f"--country {country}: {error}") from None
    if holidays_file is None:
        return calendar
    rows = [
        (row["date"], row.get("kind") or "", row.get("name") or "")
        for _, row in read_rows(holidays_file, required=("date",))
    ]
    try:
        special = special_days_from_rows(rows, source=str(holidays_file))
    except WfmError as error:
        raise InputError(str(error)) from None
    return merge(calendar, special.values())






def _volume(path: Path, row: int, text: str) -> float:
    if not text:
        raise InputError(f"{path} row {row}, field 'calls': volume is missing")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{path} row {row}, field 'calls': {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InputError(f"{path} row {row}, field 'calls': {text!r} is not a finite number")
    if value < 0:
        raise InputError(f"{path} row {row}, field 'calls': volume {value:g} is negative")
    return value


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"--timezone: {name!r} is not an IANA time zone") from None


def _prepare(
    history: Path,
    timezone: str,
    interval_minutes: int | None,
    country: str | None,
    weekend: str | None,
    holidays_file: Path | None,
    horizon_days: int,
) -> tuple[DailyGrid, WorkCalendar]:
    grid = read_history(history, _zone(timezone))
    if interval_minutes is not None:
        try:
            grid = grid.resample(interval_minutes)
        except WfmError as error:
            raise InputError(f"--interval-minutes: {error}") from None
    last = grid.day(grid.days) + timedelta(days=max(horizon_days, 0))
    years = range(grid.first_day.year, last.year + 1)
    return grid, read_calendar(country, weekend, holidays_file, years)


def _write_grid(
    path: Path, grid: DailyGrid, header: tuple[str, ...], extra: DailyGrid | None
) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        values = grid.counts.ravel()
        other = extra.counts.ravel() if extra is not None else None
        for index, start in enumerate(grid.interval_starts()):
            row = [start.isoformat(), f"{values[index]:.3f}"]
            if other is not None:
                row.append(f"{other[index]:.0f}")
            writer.writerow(row)


def _fail(error: Exception) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {error}", highlight=False)
    return typer.Exit(code=2)


def forecast_command(
    history: HistoryOpt,
    out: Annotated[Path, typer.Option("--out", help="Where to write the forecast CSV.")],
    horizon: Annotated[int, typer.Option("--horizon", help="Days to forecast.")] = 7,
    country: CountryOpt = None,
    holidays: HolidaysOpt = None,
    weekend: WeekendOpt = None,
    timezone: ZoneOpt = "Asia/Shanghai",
    interval_minutes: IntervalOpt = None,
) -> None:
    """Forecast calls per interval for the days after the history (interval_start,calls)."""
    try:
        grid, calendar = _prepare(
            history, timezone, interval_minutes, country, weekend, holidays, horizon
        )
        made = forecast(grid, calendar, horizon_days=horizon)
        _write_grid(out, made, ("interval_start", "calls"), None)
    except (InputError, WfmError) as error:
        raise _fail(error) from None
    except OSError as error:
        raise _fail(InputError(f"{out}: cannot be written ({error.strerror})")) from None
    console.print(
        f"forecast {made.first_day} – {made.day(made.days - 1)}: "
        f"{made.counts.sum():,.0f} calls in {made.counts.size} intervals of "
        f"{made.interval_minutes} min -> {out}"
    )


def backtest_command(
    history: HistoryOpt,
    origins: Annotated[int, typer.Option("--origins", help="Number of rolling origins.")] = 4,
    horizon: Annotated[int, typer.Option("--horizon", help="Days forecast from each origin.")] = 7,
    country: CountryOpt = None,
    holidays: HolidaysOpt = None,
    weekend: WeekendOpt = None,
    timezone: ZoneOpt = "Asia/Shanghai",
    interval_minutes: IntervalOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the score table as CSV.")] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="PNG of forecast vs actual (default: beside --out)."),
    ] = None,
) -> None:
    """Rolling-origin backtest over the end of the history: WAPE and MASE per origin, and a PNG."""
    try:
        grid, calendar = _prepare(
            history, timezone, interval_minutes, country, weekend, holidays, 0
        )
        result = rolling_backtest(grid, calendar, origins=origins, horizon_days=horizon)
        picture = plot or (out.with_suffix(".png") if out else Path("wfm-backtest.png"))
        _show(result)
        if out is not None:
            _write_scores(out, result)
        _plot(result, picture)
    except (InputError, WfmError) as error:
        raise _fail(error) from None
    except OSError as error:
        raise _fail(InputError(f"{error.filename}: cannot be written ({error.strerror})")) from None
    console.print(f"plot: {picture}" + (f"; table: {out}" if out else ""))


def _show(result: Backtest) -> None:
    table = Table(title="Rolling-origin backtest")
    for column in ("origin", "WAPE", "MASE", "daily WAPE", "daily MASE"):
        table.add_column(column, justify="right")
    for s in result.scores:
        table.add_row(
            str(s.origin),
            f"{s.wape:.2%}",
            f"{s.mase:.3f}",
            f"{s.daily_wape:.2%}",
            f"{s.daily_mase:.3f}",
        )
    mean_mase = float(np.mean([s.mase for s in result.scores]))
    mean_daily = float(np.mean([s.daily_mase for s in result.scores]))
    table.add_row(
        "all",
        f"{result.wape:.2%}",
        f"{mean_mase:.3f}",
        f"{result.daily_wape:.2%}",
        f"{mean_daily:.3f}",
    )
    console.print(table)


def _write_scores(path: Path, result: Backtest) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("origin", "wape", "mase", "daily_wape", "daily_mase"))
        for s in result.scores:
            writer.writerow(
                (
                    s.origin.isoformat(),
                    f"{s.wape:.5f}",
                    f"{s.mase:.5f}",
                    f"{s.daily_wape:.5f}",
                    f"{s.daily_mase:.5f}",
                )
            )


def _plot(result: Backtest, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Local wall-clock times on the axis: matplotlib would otherwise draw in UTC.
    naive = _date_numbers([s.replace(tzinfo=None) for s in result.actual.interval_starts()])
    fig, axis = plt.subplots(figsize=(14, 5))
    axis.plot(naive, result.actual.counts.ravel(), color="black", lw=0.8, label="actual")
    axis.plot(naive, result.forecast.counts.ravel(), color="tab:red", lw=1.1, label="forecast")
    for s in result.scores:
        at = _date_numbers([datetime.combine(s.origin, datetime.min.time())])[0]
        axis.axvline(float(at), color="grey", ls=":", lw=0.8)
    axis.xaxis_date()
    axis.set_ylabel(f"calls per {result.actual.interval_minutes}-minute interval")
    axis.set_title(
        f"Rolling-origin backtest: WAPE {result.wape:.1%} over {len(result.scores)} origins "
        "(dotted), local time"
    )
    axis.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _date_numbers(stamps: list[datetime]) -> np.ndarray:
    """Matplotlib date numbers (days since 1970-01-01) of naive wall-clock times."""
    minutes = np.array(stamps, dtype="datetime64[m]").astype(np.int64)
    return np.asarray(minutes / 1440.0, dtype=np.float64)


def register(app: typer.Typer) -> None:
    """Add `forecast` and `backtest` to the `hotline wfm` app."""
    app.command("forecast")(forecast_command)
    app.command("backtest")(backtest_command)


__all__ = ["read_calendar", "read_history", "register"]
