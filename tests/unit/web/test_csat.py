"""Today's CSAT in the report and on the wallboard, against the centre's ``csat`` target."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hotline.core import events as ev
from hotline.core.commands import AcceptReservation, EndContact, LogIn
from hotline.live.surveys import InMemorySurveyStore, Surveys
from hotline.web.app import create_app
from tests.unit.web.conftest import World, build_world, token
from tests.unit.web.test_admin import seeded_directory

A = "/api/v1/admin"


def surveyed_world() -> World:
    world = build_world()
    svc = world.services
    svc.extra["directory"] = seeded_directory()
    surveys = Surveys(InMemorySurveyStore(), zone=ZoneInfo("Asia/Shanghai"),
                      clock=world.clock.now)
    for _ in surveys.learning(e for _, e in world.log.read()):
        pass
    svc.centre.subscribe(surveys.heard)
    svc.extra["surveys"] = surveys
    return world


def handled(world: World, contact_id: str, agent_id: str) -> None:
    """``agent_id`` (whom the engine offers the call) answers it and ends it a minute later."""
    centre = world.services.centre
    if centre.engine.agents[agent_id].presence == "offline":
        centre.execute(LogIn(agent_id=agent_id, ready=True))
    world.offer(contact_id)
    offer = next(e for _, e in world.log.read()
                 if isinstance(e, ev.ReservationCreated) and e.contact_id == contact_id)
    assert offer.agent_id == agent_id
    centre.execute(AcceptReservation(reservation_id=offer.reservation_id))
    world.clock.advance(60.0)
    centre.execute(EndContact(contact_id=contact_id))


@pytest.fixture
def world() -> World:
    w = surveyed_world()
    surveys: Surveys = w.services.extra["surveys"]
    handled(w, "c1", "a1")
    surveys.answer("c1", 5)
    handled(w, "c2", "a2")
    surveys.answer("c2", 4)
    w.clock.advance(61.0)  # wrap-ups run out: a1, idle longer, gets the next call
    handled(w, "c3", "a1")
    surveys.answer("c3", 2, "1")
    return w


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(lambda: world.services)) as c:
        yield c


def test_the_report_of_today_has_csat_by_queue_and_agent(client: TestClient) -> None:
    report = client.get("/api/v1/reports/today", headers=token(client, "analyst")).json()
    csat = report["csat"]
    assert (csat["answers"], csat["csat"]) == (3, pytest.approx(2 / 3))
    assert csat["by_queue"]["cards"]["answers"] == 3
    assert {a: r["csat"] for a, r in csat["by_agent"].items()} == {"a1": 0.5, "a2": 1.0}
    assert csat["by_site"]["bj"]["answers"] == 3 and csat["reasons"] == {"1": 1}
    assert "totals" in report  # the KPIs are still there


def test_the_wallboard_shows_csat_against_the_default_target(client: TestClient) -> None:
    board = client.get("/api/v1/supervisor/wallboard", headers=token(client, "supervisor")).json()
    tile = board["csat_today"]
    assert tile["target"] == 0.85 and tile["answers"] == 3
    assert tile["csat"] == pytest.approx(2 / 3) and tile["status"] == "red"
    assert tile["mean_score"] == pytest.approx(11 / 3)
    assert [(q["queue"], q["answers"], q["status"]) for q in tile["queues"]] == [
        ("cards", 3, "red")]
    rows = {a["agent_id"]: a for a in board["agents"]}
    assert (rows["a2"]["csat_today"], rows["a2"]["csat_today_status"],
            rows["a2"]["surveys_today"]) == (1.0, "green", 1)
    assert (rows["a1"]["csat_today"], rows["a1"]["csat_today_status"],
            rows["a1"]["surveys_today"]) == (0.5, "red", 2)


def test_an_admin_sets_the_centres_csat_target(client: TestClient, world: World) -> None:
    admin = token(client, "admin")
    r = client.put(f"{A}/targets/centre/csat", json={"target": 0.6}, headers=admin)
    assert r.status_code == 200, r.text
    board = client.get("/api/v1/supervisor/wallboard", headers=admin).json()
    assert board["targets"]["csat"] == 0.6
    assert (board["csat_today"]["target"], board["csat_today"]["status"]) == (0.6, "green")
    rows = {a["agent_id"]: a for a in board["agents"]}
    assert rows["a1"]["csat_today_status"] == "red"  # 0.5 is more than 10 % below 0.6
    client.put(f"{A}/targets/centre/csat", json={"target": 0.55}, headers=admin)
    board = client.get("/api/v1/supervisor/wallboard", headers=admin).json()
    rows = {a["agent_id"]: a for a in board["agents"]}
    assert rows["a1"]["csat_today_status"] == "amber"  # within 10 % of 0.55
    r = client.put(f"{A}/targets/centre/csat", json={"target": 1.2}, headers=admin)
    assert r.status_code == 422 and "csat is a ratio between 0 and 1" in r.text
    assert client.delete(f"{A}/targets/centre/csat", headers=admin).status_code == 200
    board = client.get("/api/v1/supervisor/wallboard", headers=admin).json()
    assert "csat" not in board["targets"] and board["csat_today"]["target"] == 0.85


def test_without_surveys_there_is_no_csat_and_no_status() -> None:
    world = build_world()
    with TestClient(create_app(lambda: world.services)) as client:
        sup = token(client, "supervisor")
        assert client.get("/api/v1/reports/today", headers=sup).json()["csat"] is None
        board = client.get("/api/v1/supervisor/wallboard", headers=sup).json()
    assert board["csat_today"] == {"csat": None, "status": "none", "answers": 0,
                                   "target": 0.85, "mean_score": None, "queues": []}
    assert all(a["csat_today"] is None and a["csat_today_status"] == "none"
               for a in board["agents"])
