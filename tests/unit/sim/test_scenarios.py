"""Scenarios: the built-ins load and run; bad ones stop with file, field and reason (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hotline.cli import app
from hotline.sim.errors import ScenarioError
from hotline.sim.scenario import load_scenario
from hotline.sim.twin import Twin

runner = CliRunner()


def write(tmp_path: Path, data: object, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data, "utf-8")
    return path


def mmc_data() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((Path(__file__).parents[3] / "src/hotline/sim/scenarios/mmc.yaml")
                          .read_text("utf-8"))


@pytest.mark.parametrize("name", ["mmc", "bank-hotline"])
def test_built_in_scenarios_load(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name


def test_bank_hotline_routes_north_to_beijing_first_and_vips_to_their_queue() -> None:
    scenario = load_scenario("bank-hotline").model_copy(update={"days": 0.25})
    twin = Twin(scenario)
    result = twin.run()
    assert result.ivr.entered > 5_000
    assert 0.88 < (result.ivr.containment or 0) < 0.93
    queues = result.report.by_queue
    assert queues["vip"]["offered"] > 0
    assert queues["bj-retail"]["offered"] > 0 and queues["sh-retail"]["offered"] > 0
    # Northern provinces enter Beijing's queues: Beijing's share of offered contacts is its
    # provinces' share of traffic (about 42 %), not half.
    bj = sum(k["offered"] for q, k in queues.items() if q.startswith("bj-"))
    sh = sum(k["offered"] for q, k in queues.items() if q.startswith("sh-"))
    assert 0.35 < bj / (bj + sh) < 0.5


@pytest.mark.parametrize("mutate, field, reason", [
    (lambda d: d["traffic"][0]["arrivals"].update(rate_per_s=-2), "traffic[0].arrivals.rate_per_s",
     "greater than 0"),
    (lambda d: d["workflows"][0]["steps"][0].update(queue="nowhere"), "workflows[0].steps[0].queue",
     "unknown queue 'nowhere'"),
    (lambda d: d["traffic"][0]["handle_time"].update(kind="weibull"), "traffic[0].handle_time.kind",
     "Input should be"),
    (lambda d: d["traffic"][0]["patience"].pop("mean"), "traffic[0].patience",
     "needs mean"),
    (lambda d: d.update(timezone="Mars/Olympus"), "timezone", "unknown time zone"),
    (lambda d: d["agents"][0].update(skills={"general": 11}), "agents[0].skills.general",
     "proficiency must be 1–10"),
    (lambda d: d["queues"][0].update(expression="skills.general >="), "queues[0].expression",
     "syntax error"),
    (lambda d: d.update(colour="blue"), "colour", "Extra inputs are not permitted"),
    (lambda d: d["traffic"][0]["routing"][0].update(when={"segment": "vip"}),
     "traffic[0].routing", "catch-all"),
])
def test_invalid_scenario_names_file_field_and_reason(tmp_path: Path, mutate, field: str,  # type: ignore[no-untyped-def]
                                                      reason: str) -> None:
    data = mmc_data()
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ScenarioError) as info:
        Twin(load_scenario(str(path))).run()
    assert info.value.source == str(path)
    assert info.value.field == field
    assert reason in info.value.reason
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert f"{path}: {field}:" in result.output
    assert "Traceback" not in result.output


def test_unreadable_yaml_and_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path, "name: [unclosed\n")
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "not valid YAML" in result.output and "line" in result.output
    result = runner.invoke(app, ["simulate", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_simulate_writes_report_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "mmc.json"
    result = runner.invoke(app, ["simulate", "mmc", "--days", "0.05", "--agents", "30",
                                 "--rate", "0.2", "--json", str(out)])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(out.read_text("utf-8"))
    assert data["totals"]["offered"] > 100
    assert data["definitions"]["service_level_s"] == 20
    png = out.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_result_other_seed_differs() -> None:
    scenario = load_scenario("mmc").model_copy(update={"days": 0.05})
    a = Twin(scenario, seed=3).run().report.totals
    b = Twin(scenario, seed=3).run().report.totals
    c = Twin(scenario, seed=4).run().report.totals
    assert a == b
    assert a != c
