"""`hotline serve --telephony ari`: the ARI settings are checked before the server starts; a
missing variable is named, exit 2, no traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hotline.cli import app

runner = CliRunner()
ARI_VARS = ("HOTLINE_ARI_URL", "HOTLINE_ARI_USER", "HOTLINE_ARI_PASSWORD")


@pytest.fixture(autouse=True)
def no_ari_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ARI_VARS:
        monkeypatch.delenv(name, raising=False)


def test_without_the_ari_variables_serve_names_them_and_exits_2() -> None:
    result = runner.invoke(app, ["serve", "--telephony", "ari"])
    assert result.exit_code == 2, result.output
    assert "HOTLINE_ARI_URL, HOTLINE_ARI_USER, HOTLINE_ARI_PASSWORD: not set" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an error raised


def test_one_missing_variable_is_the_one_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_ARI_URL", "http://pbx:8088/ari")
    monkeypatch.setenv("HOTLINE_ARI_USER", "hotline")
    result = runner.invoke(app, ["serve", "--telephony", "ari"])
    assert result.exit_code == 2, result.output
    assert "HOTLINE_ARI_PASSWORD: not set" in result.output
    assert "HOTLINE_ARI_URL" not in result.output.split("error:")[1]


def test_a_bad_url_is_named_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_ARI_URL", "pbx:8088")
    monkeypatch.setenv("HOTLINE_ARI_USER", "hotline")
    monkeypatch.setenv("HOTLINE_ARI_PASSWORD", "secret")
    result = runner.invoke(app, ["serve", "--telephony", "ari"])
    assert result.exit_code == 2, result.output
    assert "HOTLINE_ARI_URL: 'pbx:8088' is not an http(s) URL" in result.output
    assert "secret" not in result.output


def test_an_unknown_telephony_is_refused() -> None:
    result = runner.invoke(app, ["serve", "--telephony", "sip"])
    assert result.exit_code == 2
    assert "'sip' is not one of 'none', 'ari'" in result.output
