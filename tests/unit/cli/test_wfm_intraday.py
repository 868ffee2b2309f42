"""`hotline wfm intraday`: actions and a PNG on good input, exit 2 naming file/row/field."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app

runner = CliRunner()
CST = timezone(timedelta(hours=8))
DAY = datetime(2026, 3, 2, 8, 0, tzinfo=CST)


def write(path: Path, column: str, values: list[object]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["interval_start", column])
        for i, v in enumerate(values):
            w.writerow([(DAY + timedelta(minutes=30 * i)).isoformat(), v])
    return path


def files(tmp_path: Path, actual: float = 140.0) -> list[str]:
    return ["--forecast", str(write(tmp_path / "f.csv", "calls", [100] * 16)),
            "--actuals", str(write(tmp_path / "a.csv", "calls", [actual] * 4)),
            "--coverage", str(write(tmp_path / "c.csv", "agents", [14] * 16)),
            "--aht", "180"]


def test_hot_morning_proposes_overtime_and_writes_actions_and_png(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["wfm", "intraday", *files(tmp_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "actions.csv").open(encoding="utf-8")))
    assert rows and {r["action"] for r in rows} <= {"extend shifts", "start early",
                                                    "extra hours"}
    assert all(float(r["sl_after"]) > float(r["sl_before"]) for r in rows)
    assert (out / "intraday.png").read_bytes()[:4] == b"\x89PNG"
    assert "predicted SL" in result.output


def test_malformed_actuals_exit_2_naming_file_row_and_field(tmp_path: Path) -> None:
    args = files(tmp_path)
    write(tmp_path / "a.csv", "calls", [120, "lots", 100])
    result = runner.invoke(app, ["wfm", "intraday", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "a.csv row 3, field 'calls': 'lots' is not a number" in result.output


def test_missing_coverage_interval_and_column_exit_2(tmp_path: Path) -> None:
    args = files(tmp_path)
    write(tmp_path / "c.csv", "agents", [14] * 10)
    result = runner.invoke(app, ["wfm", "intraday", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "c.csv: no row for interval" in result.output
    write(tmp_path / "c.csv", "staff", [14] * 16)
    result = runner.invoke(app, ["wfm", "intraday", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "missing column(s) agents" in result.output


def test_impossible_target_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["wfm", "intraday", *files(tmp_path), "--sl", "100",
                                 "--threshold", "0", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "service level 100 % within 0 s" in result.output
