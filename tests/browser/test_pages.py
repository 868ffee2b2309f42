"""The page routes and static files, without a browser (these run where Chromium is missing)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hotline.web import pages
from hotline.web.app import create_app
from tests.unit.web.conftest import World, build_world, login


@pytest.fixture
def world() -> World:
    return build_world()


def _client(world: World) -> TestClient:
    return TestClient(create_app(lambda: world.services))


def _bare(vendor: Path) -> TestClient:
    """Only the pages, their files and the vendor folder given (no API, no centre)."""
    app = FastAPI()
    pages.mount(app, vendor_dir=vendor)
    return TestClient(app)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with _client(world) as c:
        yield c


def _config(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    assert found is not None, "the page has no config"
    config: dict[str, object] = json.loads(found.group(1))
    return config


def test_home_goes_to_the_login_page(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


@pytest.mark.parametrize(("path", "script"), [("/login", "login.js"),
                                              ("/desktop", "desktop.js"),
                                              ("/wallboard", "wallboard.js")])
def test_pages_load_without_a_session_and_name_their_script(
        client: TestClient, path: str, script: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert f'src="/static/js/{script}"' in r.text
    assert client.get(f"/static/js/{script}").status_code == 200


def test_the_desktop_lists_the_queues_for_a_signed_in_user_only(client: TestClient) -> None:
    config = _config(client.get("/desktop").text)
    assert config["queues"] == []
    reasons = config["reasons"]
    assert isinstance(reasons, list) and {"code": "break", "label": "Break"} in reasons
    login(client, "agent")
    assert _config(client.get("/desktop").text)["queues"] == ["cards", "vip"]


def test_config_is_escaped_inside_the_script_tag(world: World) -> None:
    world.services.reasons = (("x", "</script><b>bold</b>"),)
    with _client(world) as c:
        html = c.get("/wallboard").text
    assert "</script><b>" not in html
    assert _config(html)["reasons"] == [{"code": "x", "label": "</script><b>bold</b>"}]


def test_vendor_files_come_from_the_vendor_folder(tmp_path: Path) -> None:
    (tmp_path / "uplot").mkdir()
    (tmp_path / "uplot" / "uPlot.esm.js").write_text("export default 42;\n")
    with _bare(tmp_path) as c:
        r = c.get("/static/vendor/uplot/uPlot.esm.js")
    assert r.status_code == 200 and r.text == "export default 42;\n"


def test_without_vendor_files_they_are_missing_not_an_error(tmp_path: Path) -> None:
    with _bare(tmp_path / "absent") as c:
        assert c.get("/static/vendor/uplot/uPlot.esm.js").status_code == 404
        assert c.get("/wallboard").status_code == 200
