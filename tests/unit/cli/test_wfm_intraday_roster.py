"""`hotline wfm intraday --roster`: break moves out of a peak; bad roster rows exit 2."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app

runner = CliRunner()
CST = timezone(timedelta(hours=8))
DAY = datetime(2026, 3, 2, 8, 0, tzinfo=CST)
ROSTER = ["agent", "site", "date", "shift", "start", "end", "breaks", "weekly_paid_hours",
          "note"]


def write(path: Path, column: str, values: list[object]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["interval_start", column])
        for i, v in enumerate(values):
            w.writerow([(DAY + timedelta(minutes=30 * i)).isoformat(), v])
    return path


def roster(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(ROSTER)
        w.writerows(rows)
    return path


def shift(agent: str, breaks: str, day: datetime = DAY) -> list[object]:
    return [agent, "Beijing", day.date().isoformat(), "day", day.isoformat(),
            (day + timedelta(hours=8)).isoformat(), breaks, 40, ""]


def files(tmp_path: Path) -> list[str]:
    # 08:00-16:00 in half-hours; a peak 11:30-12:30 where five agents have their lunch at
    # 12:00. The actuals (to 10:00) follow the forecast.
    calls: list[object] = [60] * 16
    calls[7] = calls[8] = 150
    rows = [shift(f"A{i:02d}", "lunch 12:00-12:30") for i in range(5)]
    rows += [shift(f"B{i:02d}", "tea 09:00-09:15") for i in range(9)]
    rows.append(shift("A00", "lunch 03:00-03:30", DAY - timedelta(days=1)))  # another day
    rows.append(["Z99", "", "", "", "", "", "", 0, "not needed this week"])
    return ["--forecast", str(write(tmp_path / "f.csv", "calls", calls)),
            "--actuals", str(write(tmp_path / "a.csv", "calls", calls[:4])),
            "--coverage", str(write(tmp_path / "c.csv", "agents", [14] * 16)),
            "--aht", "180", "--roster", str(roster(tmp_path / "roster.csv", rows))]


def test_roster_breaks_in_the_peak_are_moved_out_of_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["wfm", "intraday", *files(tmp_path), "--out", str(out)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "actions.csv").open(encoding="utf-8")))
    moves = [r for r in rows if r["action"] == "break moves"]
    assert len(moves) == 1, rows
    move = moves[0]
    assert int(move["agents"]) >= 1
    assert float(move["sl_after"]) > float(move["sl_before"])
    assert "12:00→12:" in move["detail"] and "lunch" in move["detail"]
    assert "B0" not in move["detail"]  # tea breaks at 09:00 have already happened
    assert "break moves" in result.output


def test_without_roster_no_break_moves(tmp_path: Path) -> None:
    args = files(tmp_path)[:-2]
    out = tmp_path / "out"
    result = runner.invoke(app, ["wfm", "intraday", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "actions.csv").open(encoding="utf-8")))
    assert all(r["action"] != "break moves" for r in rows)


def test_malformed_roster_break_exits_2_naming_row_and_field(tmp_path: Path) -> None:
    args = files(tmp_path)
    roster(tmp_path / "roster.csv", [shift("A00", "lunch 12:00-12:30"),
                                     shift("A01", "lunch at noon")])
    result = runner.invoke(app, ["wfm", "intraday", *args, "--out", str(tmp_path / "o")],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "roster.csv row 3, field 'breaks': 'lunch at noon' is not 'NAME HH:MM-HH:MM'" in (
        result.output)


def test_bad_roster_start_and_missing_column_exit_2(tmp_path: Path) -> None:
    args = files(tmp_path)
    bad = shift("A00", "")
    bad[4] = "soon"
    roster(tmp_path / "roster.csv", [bad])
    result = runner.invoke(app, ["wfm", "intraday", *args, "--out", str(tmp_path / "o")],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "roster.csv row 2, field 'start': 'soon' is not an ISO 8601 timestamp" in (
        result.output)
    (tmp_path / "roster.csv").write_text("agent,date\nA00,2026-03-02\n", encoding="utf-8")
    result = runner.invoke(app, ["wfm", "intraday", *args, "--out", str(tmp_path / "o")],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "missing column(s) start, end, breaks" in result.output
