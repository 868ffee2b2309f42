"""`hotline wfm schedule`: outputs on good input, exit 2 and a named field on bad input."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app

CST = timezone(timedelta(hours=8))
MONDAY = datetime(2024, 6, 3, tzinfo=CST)
SHIFTS = """
shifts:
  - name: day
    earliest_start: "8:00"
    latest_start: "9:00"
    length: "9:00"
    breaks:
      - {name: lunch, minutes: 60, earliest: "3:30", latest: "4:30", paid: false}
tour_rules: {days_per_week: [5], consecutive_days_off: true}
"""
AGENTS = """
agents:
  - {name: li.wei, site: beijing, skills: [cards], min_weekly_hours: 35, max_weekly_hours: 40}
  - {name: wang.fang, site: shanghai, skills: [cards], min_weekly_hours: 35,
     max_weekly_hours: 40, availability: {mon: "8:00-18:00", tue: "8:00-18:00",
     wed: "8:00-18:00", thu: "8:00-18:00", fri: "8:00-18:00"}}
  - {name: zhao.lei, skills: [cards], max_weekly_hours: 10}
"""


def write_requirements(path: Path, value: object = 2, *, bad_row: int | None = None) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["start", "required"])
        for i in range(336):
            need = 2 if 18 <= i % 48 < 34 and i // 48 < 5 else 0
            w.writerow([(MONDAY + timedelta(minutes=30 * i)).isoformat(),
                        value if i == bad_row else need])
    return path


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["wfm", "schedule", *args, "--out", str(tmp_path / "out")])
    return result.exit_code, " ".join(result.output.split())


def test_schedule_writes_plan_roster_and_plot(tmp_path: Path) -> None:
    req = write_requirements(tmp_path / "req.csv")
    (tmp_path / "shifts.yaml").write_text(SHIFTS)
    (tmp_path / "agents.yaml").write_text(AGENTS)
    code, out = run(tmp_path, "--requirements", str(req), "--shifts",
                    str(tmp_path / "shifts.yaml"), "--agents", str(tmp_path / "agents.yaml"),
                    "--time-limit", "10")
    assert code == 0, out
    assert "LP bound" in out and "gap to LP bound" in out
    assert "unassignable: agent 'zhao.lei': contract allows 0-10 h/week" in out
    folder = tmp_path / "out"
    assert (folder / "coverage.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    roster = list(csv.DictReader((folder / "roster.csv").open()))
    worked = [r for r in roster if r["shift"]]
    assert {r["agent"] for r in worked} == {"li.wei", "wang.fang"}
    for r in worked:
        start = datetime.fromisoformat(r["start"])
        assert start.utcoffset() == timedelta(hours=8)
        assert r["breaks"].startswith("lunch ")
    assert any("unassignable" in r["note"] for r in roster if r["agent"] == "zhao.lei")
    plan = list(csv.DictReader((folder / "shift_plan.csv").open()))
    assert sum(int(r["agents"]) for r in plan) == len(worked)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-3", "line 12, field 'required': -3 must be a finite number of agents, zero or more"),
        ("lots", "line 12, field 'required': 'lots' is not a number"),
    ],
)
def test_bad_requirement_value_exits_2_naming_file_line_and_field(
    tmp_path: Path, value: str, message: str
) -> None:
    req = write_requirements(tmp_path / "req.csv", value, bad_row=10)
    code, out = run(tmp_path, "--requirements", str(req))
    assert code == 2
    assert f"{req}: {message}" in out
    assert "Traceback" not in out


def test_naive_timestamp_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "req.csv"
    path.write_text("start,required\n2024-06-03T00:00:00,1\n2024-06-03T00:30:00,1\n")
    code, out = run(tmp_path, "--requirements", str(path))
    assert code == 2
    assert "line 2, field 'start': '2024-06-03T00:00:00' has no UTC offset" in out


def test_missing_interval_is_named(tmp_path: Path) -> None:
    path = write_requirements(tmp_path / "req.csv")
    lines = path.read_text().splitlines()
    del lines[5]
    path.write_text("\n".join(lines) + "\n")
    code, out = run(tmp_path, "--requirements", str(path))
    assert code == 2
    assert "field 'start': expected 2024-06-03T02:00:00+08:00 (one row every 30 min" in out


def test_break_outside_the_shift_names_the_shift_and_break(tmp_path: Path) -> None:
    req = write_requirements(tmp_path / "req.csv")
    shifts = tmp_path / "shifts.yaml"
    shifts.write_text(SHIFTS.replace('latest: "4:30"', 'latest: "8:30"'))
    code, out = run(tmp_path, "--requirements", str(req), "--shifts", str(shifts))
    assert code == 2
    assert (f"{shifts}: shifts[0]: shift 'day': break 'lunch': window ends 9:30 after the "
            "shift's start, outside the shift (length 9:00)") in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("shifts: [{name: day, earliest_start: '8:00', latest_start: '9:00', length: '9:00', "
         "breaks: [{name: b, minutes: 0, earliest: 60, latest: 90}]}]",
         "shifts[0].breaks[0].minutes: Input should be greater than 0"),
        ("shifts: [{name: day, earliest_start: '8:75', latest_start: '9:00', length: 540}]",
         "shifts[0].earliest_start: expected 'H:MM' or minutes, got '8:75'"),
        ("shifts: [{name: day, earliest_start: 480, latest_start: 540, length: 540, colour: red}]",
         "shifts[0].colour: Extra inputs are not permitted"),
        ("shifts: [unclosed", "not valid YAML at line 1"),
    ],
)
def test_malformed_shift_files_exit_2(tmp_path: Path, text: str, message: str) -> None:
    req = write_requirements(tmp_path / "req.csv")
    shifts = tmp_path / "shifts.yaml"
    shifts.write_text(text)
    code, out = run(tmp_path, "--requirements", str(req), "--shifts", str(shifts))
    assert code == 2
    assert message in out


def test_malformed_agent_availability_is_named(tmp_path: Path) -> None:
    req = write_requirements(tmp_path / "req.csv")
    agents = tmp_path / "agents.yaml"
    agents.write_text("agents: [{name: li, availability: {mon: '8-18'}}]")
    code, out = run(tmp_path, "--requirements", str(req), "--agents", str(agents))
    assert code == 2
    assert f"{agents}: agents[0].availability: mon: expected 'H:MM-H:MM', got '8-18'" in out


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, out = run(tmp_path, "--requirements", str(tmp_path / "nope.csv"))
    assert code == 2
    assert "nope.csv: cannot read: No such file or directory" in out
