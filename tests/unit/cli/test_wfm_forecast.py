"""`hotline wfm forecast` / `backtest`: CSV in, CSV and PNG out; bad input exits 2, no traceback."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from typer.testing import CliRunner

from hotline.cli import app

runner = CliRunner()
WEEKLY = [1500.0, 1400, 1350, 1300, 1200, 300, 150]


def write_history(path: Path, days: int = 35, minutes: int = 15) -> Path:
    rng = np.random.default_rng(3)
    per_day = 1440 // minutes
    shape = np.exp(-0.5 * ((np.arange(per_day) - per_day * 0.45) / (per_day / 8)) ** 2)
    shape /= shape.sum()
    start = datetime(2024, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["interval_start", "calls"])
        for d in range(days):
            counts = rng.poisson(WEEKLY[d % 7] * shape)
            for k, calls in enumerate(counts):
                if calls:  # closed or empty intervals absent
                    stamp = start + timedelta(days=d, minutes=minutes * k)
                    out.writerow([stamp.replace(tzinfo=None).isoformat(), int(calls)])  # naive
    return path


def test_forecast_writes_the_horizon_at_the_requested_interval(tmp_path: Path) -> None:
    history = write_history(tmp_path / "history.csv")
    out = tmp_path / "forecast.csv"
    result = runner.invoke(
        app,
        [
            "wfm",
            "forecast",
            "--history",
            str(history),
            "--horizon",
            "7",
            "--country",
            "CN",
            "--interval-minutes",
            "30",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 7 * 48
    assert rows[0]["interval_start"] == "2024-02-05T00:00:00+08:00"
    monday = sum(float(r["calls"]) for r in rows[:48])
    assert monday == pytest.approx(WEEKLY[0], rel=0.1)


def test_backtest_writes_table_and_png(tmp_path: Path) -> None:
    history = write_history(tmp_path / "history.csv", days=42)
    out = tmp_path / "scores.csv"
    result = runner.invoke(
        app,
        [
            "wfm",
            "backtest",
            "--history",
            str(history),
            "--origins",
            "2",
            "--weekend",
            "sat,sun",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    scores = list(csv.DictReader(out.open()))
    assert [r["origin"] for r in scores] == ["2024-01-29", "2024-02-05"]
    assert all(0 < float(r["wape"]) < 0.4 for r in scores)
    assert (tmp_path / "scores.png").read_bytes()[:4] == b"\x89PNG"


def bad(tmp_path: Path, text: str, *extra: str) -> str:
    path = tmp_path / "history.csv"
    path.write_text(text)
    result = runner.invoke(
        app, ["wfm", "forecast", "--history", str(path), "--out", str(tmp_path / "o.csv"), *extra]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_bad_histories_name_file_row_field_and_reason(tmp_path: Path) -> None:
    head = "interval_start,calls\n"
    ok = "2024-01-01T08:00:00,3\n"
    assert "row 3, field 'calls': volume -4 is negative" in bad(
        tmp_path, head + ok + "2024-01-01T08:30:00,-4\n"
    )
    assert "row 3, field 'calls': volume is missing" in bad(
        tmp_path, head + ok + "2024-01-01T08:30:00,\n"
    )
    assert "row 2, field 'interval_start': 'yesterday 8am' is not an ISO 8601 timestamp" in bad(
        tmp_path, head + "yesterday 8am,3\n"
    )
    assert "missing column(s) calls" in bad(tmp_path, "interval_start,volume\n" + ok)
    assert "history: no rows" in bad(tmp_path, head)
    assert "history: 1 days is too short" in bad(tmp_path, head + ok + "2024-01-01T08:30:00,3\n")
    mixed = [f"2024-01-01T{8 + k // 4:02d}:{15 * (k % 4):02d}:00,1" for k in range(8)]
    mixed += [f"2024-01-01T{10 + k // 2:02d}:{30 * (k % 2):02d}:00,1" for k in range(8)]
    assert "rows 10–16: mixed interval length" in bad(tmp_path, head + "\n".join(mixed) + "\n")


def test_bad_calendars_and_options_are_named(tmp_path: Path) -> None:
    history = write_history(tmp_path / "h.csv", days=21)
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("date,kind\n2024-02-10,holiday\n2024-02-30,holiday\n")
    text = bad(tmp_path, history.read_text(), "--holidays", str(holidays))
    assert f"{holidays} row 3, field 'date': '2024-02-30' is not a date" in text
    holidays.write_text("date,kind\n2024-02-10,party\n")
    assert "row 2, field 'kind': 'party' is not one of" in bad(
        tmp_path, history.read_text(), "--holidays", str(holidays)
    )
    assert "weekend: 'funday' is not a weekday name" in bad(
        tmp_path, history.read_text(), "--weekend", "funday"
    )
    assert "--timezone: 'Mars/Base' is not an IANA time zone" in bad(
        tmp_path, history.read_text(), "--timezone", "Mars/Base"
    )
    assert "interval_minutes: 10 is not a multiple" in bad(
        tmp_path, history.read_text(), "--interval-minutes", "10"
    )
