"""The composition root on a real SQLite file: the demo comes up, people log in, the floor
lives, and a restart brings the same floor back from the log."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hotline.bootstrap import DEMO_PASSWORD, ServerConfig, build_app
from hotline.store.sql.database import open_database
from hotline.store.sql.ivr_days import IvrDayStore
from hotline.store.sql.testing import (
    create_throwaway_postgres,
    postgres_required,
    postgres_unavailable,
)


def _config(db: Path) -> ServerConfig:
    return ServerConfig(database_url=f"sqlite:///{db}", demo=True, speed=30.0, seed=3,
                        fast_hashes=True)


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/tokens",
                    json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["token"]}


def test_the_demo_runs_and_comes_back_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    with TestClient(build_app(_config(db))) as client:
        sup = _token(client, "supervisor")
        board = client.get("/api/v1/supervisor/wallboard", headers=sup).json()
        assert {q["queue"] for q in board["queues"]} >= {"vip", "bj-retail", "sh-retail"}
        assert sum(board["floor"]["agents"].values()) >= 200  # the scenario's agents + desks
        desk = _token(client, "agent1")
        r = client.post("/api/v1/agent/login", json={"ready": True}, headers=desk)
        assert r.status_code == 200
        call = client.post("/api/v1/demo/calls", headers=sup,
                           json={"attributes": {"segment": "vip", "province": "北京"}})
        assert call.status_code == 200, call.text
        seq_before = board["seq"]
        state = client.get("/api/v1/agent/state", headers=desk).json()
        assert state["view"]["agents"]["desk1"]["presence"] == "ready"
        audit = client.get("/api/v1/supervisor/audit", headers=sup).json()["entries"]
        assert audit[0]["action"] == "demo_call"
        last = client.get("/api/v1/supervisor/wallboard", headers=sup).json()["seq"]
        assert last > seq_before
    with TestClient(build_app(_config(db))) as client:
        sup = _token(client, "supervisor")
        board = client.get("/api/v1/supervisor/wallboard", headers=sup).json()
        assert board["seq"] >= last  # the log continues; nothing defined twice
        desk_row = next(a for a in board["agents"] if a["agent_id"] == "desk1")
        assert desk_row["state"] != "offline"  # desk1 is still logged in after the restart


def test_a_deactivated_agent_cannot_log_in_to_the_floor(tmp_path: Path) -> None:
    with TestClient(build_app(_config(tmp_path / "demo.sqlite"))) as client:
        admin = _token(client, "admin")
        assert client.delete("/api/v1/admin/agents/desk2", headers=admin).status_code == 200
        r = client.post("/api/v1/agent/login", json={"ready": True},
                        headers=_token(client, "agent2"))
        assert r.status_code == 403 and r.json()["error_id"] == "agent_inactive"
        assert r.json()["message"] == "agent 'desk2' is deactivated; ask an admin"


def test_the_demo_runs_on_postgresql_and_comes_back() -> None:
    """HOTLINE_DATABASE_URL=postgresql://…: the same server on a real PostgreSQL."""
    reason = postgres_unavailable()
    if reason is not None:
        if postgres_required():
            pytest.fail(f"{reason} (HOTLINE_REQUIRE_POSTGRES is set)")
        pytest.skip(reason)
    with create_throwaway_postgres() as url:
        config = ServerConfig(database_url=url, demo=True, speed=30.0, seed=5, fast_hashes=True)
        with TestClient(build_app(config)) as client:
            sup = _token(client, "supervisor")
            call = client.post("/api/v1/demo/calls", headers=sup, json={})
            assert call.status_code == 200, call.text
            first = client.get("/api/v1/supervisor/wallboard", headers=sup).json()
            assert sum(first["floor"]["agents"].values()) >= 200
        with TestClient(build_app(config)) as client:
            sup = _token(client, "supervisor")
            again = client.get("/api/v1/supervisor/wallboard", headers=sup).json()
            assert again["seq"] >= first["seq"]
            audit = client.get("/api/v1/supervisor/audit", headers=sup).json()["entries"]
            assert any(e["action"] == "demo_call" for e in audit)


def test_todays_ivr_figures_come_back_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    config = ServerConfig(database_url=f"sqlite:///{db}", demo=True, speed=100.0, seed=3,
                          fast_hashes=True)
    with TestClient(build_app(config)) as client:
        sup = _token(client, "supervisor")
        for _ in range(100):  # the demo's callers walk the IVR at speed 100
            before = client.get("/api/v1/supervisor/ivr", headers=sup).json()
            if sum(before["outcomes"].values()) >= 20:
                break
            time.sleep(0.1)
        assert sum(before["outcomes"].values()) >= 20
    engine = open_database(config.database_url)
    stored = IvrDayStore(engine).load(before["day"])  # written when the server stopped
    engine.dispose()
    assert stored is not None and stored["entered"] >= before["entered"]
    with TestClient(build_app(config)) as client:
        after = client.get("/api/v1/supervisor/ivr", headers=_token(client, "supervisor")).json()
        assert after["day"] == before["day"]
        assert after["entered"] >= before["entered"]  # read back, not zero again
        for outcome, count in before["outcomes"].items():
            assert after["outcomes"].get(outcome, 0) >= count
