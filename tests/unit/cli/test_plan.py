"""`hotline plan`: outputs on a small run, exit 2 with a named reason on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from hotline.cli import app

runner = CliRunner()


def small_mmc(tmp_path: Path) -> Path:
    data = yaml.safe_load((Path(__file__).parents[3] / "src/hotline/sim/scenarios/mmc.yaml")
                          .read_text("utf-8"))
    data["traffic"][0]["arrivals"] = {"rate_per_s": 0.05}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


def test_plan_writes_summary_rounds_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(small_mmc(tmp_path)), "--days", "0.25",
                                 "--max-rounds", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    first = summary["rounds"][0]
    assert first["agents"] > 0 and 0 < first["service_level"] <= 1
    assert set(first["queues"]) == {"main"}
    rows = (out / "round-1.csv").read_text("utf-8").splitlines()
    assert rows[0].startswith("interval_start,forecast_calls,offered,requirement,coverage")
    assert len(rows) == 1 + 12  # a quarter of a day in 30-min intervals
    for name in ("coverage.png", "service_level.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    assert "Erlang vs the engine" in result.output


def test_unknown_scenario_exits_2_naming_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "no-such-centre", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no-such-centre" in result.output and "no such file" in result.output
    assert "Traceback" not in result.output


def test_impossible_target_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", str(small_mmc(tmp_path)), "--target-sl", "1",
                                 "--threshold", "0", "--days", "0.25", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "service level 100 % within 0 s" in result.output


def test_target_out_of_range_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "mmc", "--target-sl", "80", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--target-sl" in result.output and "0.8" in result.output


def test_malformed_history_exits_2_naming_row_and_field(tmp_path: Path) -> None:
    history = tmp_path / "history.csv"
    history.write_text("interval_start,calls\n2026-01-05T00:00:00+00:00,12\n"
                       "2026-01-05T00:30:00+00:00,many\n", "utf-8")
    result = runner.invoke(app, ["plan", "mmc", "--history", str(history), "--out",
                                 str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "history.csv" in result.output and "row 3" in result.output
