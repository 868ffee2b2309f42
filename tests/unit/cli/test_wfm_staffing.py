"""`hotline wfm staff`: one interval or a requirements CSV in, a plan CSV out; bad input exits 2."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from hotline.wfm.erlang import queue_kpis

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["wfm", "staff", *args])
    return result.exit_code, result.output


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_one_interval_classic_example() -> None:
    code, output = run("--calls", "100", "--aht", "180", "--sl", "80", "--threshold", "20",
                       "--shrinkage", "30")
    assert code == 0, output
    assert "14" in output and "20" in output and "88.8%" in output


def test_requirements_csv_to_plan_csv(tmp_path: Path) -> None:
    req = write(tmp_path / "req.csv",
                "interval_start,calls,aht\n"
                "2024-03-04T09:00,100,\n"
                "2024-03-04T09:30+08:00,2500,240\n"
                "2024-03-04T10:00,0,\n")
    out = tmp_path / "plan.csv"
    code, output = run("--requirements", str(req), "--aht", "180", "--sl", "80",
                       "--max-occupancy", "85", "--shrinkage", "30", "--out", str(out))
    assert code == 0, output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["interval_start"] for r in rows] == [
        "2024-03-04T09:00:00+08:00", "2024-03-04T09:30:00+08:00", "2024-03-04T10:00:00+08:00"
    ]
    assert [int(r["raw_agents"]) for r in rows] == [14, 393, 0]
    assert [int(r["scheduled_agents"]) for r in rows] == [20, 562, 0]
    assert rows[1]["aht_s"] == "240" and rows[0]["aht_s"] == "180"
    # The predicted KPIs are those of the raw agents.
    k = queue_kpis(393, 2500 * 240 / 1800, aht_s=240)
    assert float(rows[1]["occupancy"]) == pytest.approx(float(k.occupancy), abs=1e-6)
    assert float(rows[0]["service_level"]) == pytest.approx(0.888350, abs=1e-6)
    assert float(rows[2]["p_wait"]) == 0.0


def test_erlang_a_options(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    req = write(tmp_path / "req.csv", "interval_start,calls\n2024-03-04T09:00,100\n")
    code, output = run("--requirements", str(req), "--aht", "180", "--abandon", "2",
                       "--patience", "300", "--out", str(out))
    assert code == 0, output
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert int(row["raw_agents"]) == 14
    assert float(row["abandon"]) == pytest.approx(0.013984, abs=1e-6)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("interval_start,calls\n2024-03-04T09:00,100\n2024-03-04T09:30,-4\n",
         "row 3, field 'calls': must be zero or more (got -4.0)"),
        ("interval_start,calls\n2024-03-04T09:00,\n",
         "row 2, field 'calls': is missing or not finite"),
        ("interval_start,calls\n2024-03-04T09:00,many\n",
         "row 2, field 'calls': 'many' is not a number"),
        ("interval_start,calls,aht\n2024-03-04T09:00,10,0\n",
         "row 2, field 'aht': must be more than 0 (got 0.0)"),
        ("interval_start,calls\nMonday,10\n",
         "row 2, field 'interval_start': 'Monday' is not an ISO 8601 timestamp"),
        ("interval_start,calls\n2024-03-04T09:30,10\n2024-03-04T09:00,10\n",
         "row 3, field 'interval_start': 2024-03-04T09:00:00+08:00 is not after"),
        ("start,volume\n2024-03-04T09:00,10\n",
         "missing column(s) interval_start, calls (found: start, volume)"),
    ],
)
def test_bad_requirements_name_file_row_and_field(tmp_path: Path, body: str,
                                                  message: str) -> None:
    req = write(tmp_path / "req.csv", body)
    code, output = run("--requirements", str(req), "--aht", "180", "--sl", "80")
    assert code == 2
    assert "Traceback" not in output
    assert message in " ".join(output.split())
    assert "req.csv" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calls", "100", "--aht", "180", "--sl", "100", "--threshold", "0"],
         "target service level 100 % within 0 s: unreachable with any finite number of agents"),
        (["--calls", "100", "--aht", "180", "--asa", "0"], "target ASA 0 s: unreachable"),
        (["--calls", "100", "--aht", "180", "--abandon", "0", "--patience", "60"],
         "target abandon 0 %: unreachable with a finite mean patience (60 s)"),
        (["--calls", "100", "--aht", "180", "--abandon", "5"],
         "target abandon: needs a mean patience (Erlang A)"),
        (["--calls", "-1", "--aht", "180", "--sl", "80"],
         "--calls: calls must be zero or more (got -1.0)"),
        (["--calls", "10", "--aht", "0", "--sl", "80"], "--aht: aht_s must be more than 0"),
        (["--calls", "10", "--aht", "180", "--sl", "180"],
         "--sl: must be a percentage from 0 to 100 (got 180)"),
        (["--calls", "10", "--aht", "180", "--sl", "80", "--shrinkage", "100"],
         "--shrinkage: shrinkage must be below 1 (100 %)"),
        (["--calls", "10", "--sl", "80"], "--aht: needed with --calls"),
        (["--aht", "180", "--sl", "80"], "give either --calls or --requirements"),
        (["--calls", "10", "--aht", "180"], "target none: give at least one of service level"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    code, output = run(*args)
    assert code == 2
    assert "Traceback" not in output
    assert message in " ".join(output.split())


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    code, output = run("--requirements", str(tmp_path / "absent.csv"), "--aht", "180",
                       "--sl", "80")
    assert code == 2
    assert "absent.csv: cannot be read" in " ".join(output.split())
