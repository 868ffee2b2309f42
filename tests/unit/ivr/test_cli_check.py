"""`hotline ivr check FILE`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app
from hotline.ivr.library import shipped_flow_text

runner = CliRunner()


def test_check_prints_a_summary_of_a_good_flow(tmp_path: Path) -> None:
    path = tmp_path / "vip.yaml"
    path.write_text(shipped_flow_text("bank-vip"), encoding="utf-8")
    result = runner.invoke(app, ["ivr", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "bank-vip v1" in result.output and "19:" in result.output
    assert f"{path}: OK" in result.output


def test_check_lists_problems_with_paths_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = shipped_flow_text("bank-vip").replace("next: anything_else", "next: anythin_else", 1)
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["ivr", "check", str(path)])
    assert result.exit_code == 2
    assert f"{path}: nodes.balance.next: unknown target 'anythin_else'" in result.output
    assert "Traceback" not in result.output


def test_check_unreadable_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ivr", "check", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "cannot read the flow file" in result.output
