"""The admin API and page: roles, validation naming the field, engine and directory in step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import (
    DEFAULT_REASON_CODES,
    DEFAULT_WRAP_UP_CODES,
    AgentRecord,
    Directory,
    QueueRecord,
    SkillRecord,
    StepRecord,
    TargetRecord,
    WorkflowRecord,
)
from hotline.web import api_admin, api_hours, api_settings, api_users, pages_admin
from hotline.web.app import create_app
from hotline.web.deps import route_roles
from hotline.web.ports import ROLES
from hotline.web.services import DEFAULT_DISPOSITIONS, Settings
from tests.unit.web.conftest import HASH, PASSWORD, World, build_world, login, token

A = "/api/v1/admin"
NEW_AGENT = {"name": "Ann Wu", "site": "bj", "skills": {"cards": 4}, "languages": ["zh"],
             "capacity": {"voice": 1}}


def seeded_directory() -> Directory:
    """A directory that says what the world's engine was built with (conftest.build_world)."""
    engine = open_database("sqlite://")
    migrate(engine)
    d = Directory(engine)
    d.put_all(
        skills=[SkillRecord(name="cards"), SkillRecord(name="vip")],
        queues=[QueueRecord(name=n, expression=f"skills.{n} >= 1", site="bj")
                for n in ("cards", "vip")],
        workflows=[WorkflowRecord(name="cards", steps=(StepRecord(queue="cards"),),
                                  wrap_up_s=60.0)],
        agents=[AgentRecord(id=a, name=a, site="bj", skills={"cards": 5}, languages=("zh",))
                for a in ("a1", "a2")],
        reason_codes=DEFAULT_REASON_CODES, wrap_up_codes=DEFAULT_WRAP_UP_CODES)
    return d


@pytest.fixture
def world() -> World:
    w = build_world()
    w.services.extra["directory"] = seeded_directory()
    return w


@pytest.fixture
def directory(world: World) -> Directory:
    d: Directory = world.services.extra["directory"]
    return d


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    app = create_app(lambda: world.services)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return token(client, "admin")


def log_length(world: World) -> int:
    return len(list(world.log.read()))


# --- who may do what -----------------------------------------------------------------------------
ADMIN_ROUTES = [*api_admin.router.routes, *api_settings.router.routes, *api_hours.router.routes,
                *api_users.router.routes]


def _routes() -> list[tuple[str, str]]:
    out = []
    for route in ADMIN_ROUTES:
        assert isinstance(route, APIRoute)
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        out += [(method, path) for method in sorted(route.methods or ())]
    return out


def test_every_admin_route_lets_in_admins_and_supervisors_only_to_read() -> None:
    for route in ADMIN_ROUTES:
        assert isinstance(route, APIRoute)
        reading = route.methods == {"GET"}
        assert route_roles(route) == (("supervisor", "admin") if reading else ("admin",)), \
            route.path


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client: TestClient, role: str) -> None:
    h = token(client, role)
    for method, path in _routes():
        r = client.request(method, path, headers=h, json={})
        allowed = role == "admin" or (role == "supervisor" and method == "GET")
        assert (r.status_code != 403) == allowed, (role, method, path, r.status_code, r.text)
        if not allowed:
            assert r.json()["error_id"] == "forbidden"


def test_nobody_gets_401_and_cookie_changes_need_csrf(client: TestClient) -> None:
    assert client.get(f"{A}/skills").status_code == 401
    csrf = login(client, "admin")
    r = client.put(f"{A}/skills/loans", json={"description": "Loans"})
    assert r.status_code == 403 and r.json()["error_id"] == "csrf_rejected"
    assert client.put(f"{A}/skills/loans", json={}, headers=csrf).status_code == 200


def test_without_a_directory_the_admin_api_says_so(client: TestClient, world: World,
                                                   admin: dict[str, str]) -> None:
    del world.services.extra["directory"]
    r = client.get(f"{A}/agents", headers=admin)
    assert r.status_code == 503 and r.json()["error_id"] == "no_directory"


# --- validation names the field ------------------------------------------------------------------
BAD: list[tuple[str, str, dict[str, Any], str]] = [
    ("PUT", "/agents/a9", {**NEW_AGENT, "skills": {"cards": 12}}, "skills.cards"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "skills": {"loans": 3}}, "skills.loans"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "skills": {"cards": "high"}}, "skills.cards"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "skills": {"cards": True}}, "skills.cards"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "capacity": {"voice": "2"}}, "capacity.voice"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "capacity": {"pigeon": 1}}, "capacity.pigeon"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "capacity": {"chat": 101}}, "capacity.chat"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "languages": ["zh", "zh"]}, "languages[1]"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "site": " bj"}, "site"),
    ("PUT", "/agents/a9", {**NEW_AGENT, "skils": {}}, "skils"),
    ("PUT", "/agents/a9", {"site": "bj"}, "name"),
    ("PUT", "/skills/9lives", {}, "name"),
    ("PUT", "/queues/q", {"expression": "skills.cards >="}, "expression"),
    ("PUT", "/queues/q", {"expression": "skills.loans >= 1"}, "expression"),
    ("PUT", "/queues/q", {"expression": "skills.cards >= 1", "selection": "most_proficient"},
     "proficiency_skill"),
    ("PUT", "/queues/q", {"expression": "skills.cards >= 1", "ordering": "fifo"}, "ordering"),
    ("PUT", "/workflows/w", {"steps": [{"queue": "nope"}]}, "steps[0].queue"),
    ("PUT", "/workflows/w", {"steps": [{"queue": "cards"}, {"queue": "vip"}]},
     "steps[0].timeout_s"),
    ("PUT", "/workflows/w", {"steps": [{"queue": "cards", "timeout_s": 30}],
                             "fallback": "pigeon"}, "fallback"),
    ("PUT", "/targets/centre/service_level", {"target": 1.5}, "target"),
    ("PUT", "/targets/centre/service_level", {"target": 0.8, "warn": -1}, "warn"),
    ("PUT", "/targets/nowhere/service_level", {"target": 0.8}, "scope"),
    ("PUT", "/targets/centre/happiness", {"target": 0.8}, "metric"),
    ("PUT", "/reason-codes/no way", {"label": "No way"}, "code"),
    ("PUT", "/wrap-up-codes/ok", {"label": "  "}, "label"),
    ("POST", "/users", {"username": "bo", "display_name": "Bo", "role": "analyst",
                        "password": "short"}, "password"),
    ("POST", "/users", {"username": "b o", "display_name": "Bo", "role": "analyst",
                        "password": "long enough pass"}, "username"),
    ("POST", "/users", {"username": "bo", "display_name": "Bo", "role": "boss",
                        "password": "long enough pass"}, "role"),
    ("POST", "/users", {"username": "bo", "display_name": "Bo", "role": "agent",
                        "password": "long enough pass"}, "agent_id"),
    ("POST", "/users", {"username": "bo", "display_name": "Bo", "role": "agent",
                        "agent_id": "a99", "password": "long enough pass"}, "agent_id"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD,
                         ids=[f"{m} {p} {f}" for m, p, _, f in BAD])
def test_each_validation_error_names_its_field(client: TestClient, admin: dict[str, str],
                                               method: str, path: str, body: dict[str, Any],
                                               field: str) -> None:
    r = client.request(method, A + path, json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == field
    assert r.json()["message"].startswith(f"{field}: ")


def test_a_rejected_agent_change_leaves_engine_and_directory_as_they_were(
        client: TestClient, world: World, directory: Directory, admin: dict[str, str]) -> None:
    engine = world.services.centre.engine
    before = (engine.agents["a1"].profile, directory.get_agent("a1"), log_length(world))
    r = client.put(f"{A}/agents/a1", json={**NEW_AGENT, "skills": {"cards": 11}}, headers=admin)
    assert r.status_code == 422
    assert (engine.agents["a1"].profile, directory.get_agent("a1"), log_length(world)) == before
    assert client.put(f"{A}/agents/a9", json={**NEW_AGENT, "capacity": {"voice": -1}},
                      headers=admin).status_code == 422
    assert "a9" not in engine.agents and directory.get_agent("a9") is None
    assert world.services.audit.recent() == []  # nothing changed, nothing audited


def test_a_change_the_engine_refuses_is_not_stored(client: TestClient, world: World,
                                                   directory: Directory,
                                                   admin: dict[str, str]) -> None:
    # The directory knows a queue the engine was never told of: the engine refuses the workflow.
    directory.put_all(skills=[SkillRecord(name="loans")],
                      queues=[QueueRecord(name="loans", expression="skills.loans >= 1")])
    seq = log_length(world)
    r = client.put(f"{A}/workflows/loans", json={"steps": [{"queue": "loans"}]}, headers=admin)
    assert r.status_code == 404 and r.json()["message"] == "unknown queue 'loans'"
    assert directory.get_workflow("loans") is None
    assert "loans" not in world.services.centre.engine.workflows and log_length(world) == seq


def refuse_writes(directory: Directory, table: str) -> None:
    """From now on the database refuses every write to ``table``, as a full disk would."""
    with directory.engine.begin() as c:
        for when in ("INSERT", "UPDATE"):
            c.execute(text(f"CREATE TRIGGER refuse_{when} BEFORE {when} ON {table} "
                           "BEGIN SELECT RAISE(ABORT, 'disk full'); END"))


def test_a_failed_queue_write_puts_the_engine_back(client: TestClient, world: World,
                                                   directory: Directory,
                                                   admin: dict[str, str]) -> None:
    refuse_writes(directory, "queues")
    engine = world.services.centre.engine
    old = engine.shared_queues["cards"].spec
    with pytest.raises(DBAPIError, match="disk full"):
        client.put(f"{A}/queues/cards", json={"expression": "skills.cards >= 7"}, headers=admin)
    assert engine.shared_queues["cards"].spec == old
    assert directory.get_queue("cards") == QueueRecord(name="cards",
                                                       expression="skills.cards >= 1", site="bj")


def test_a_failed_agent_write_puts_the_engine_back(client: TestClient, world: World,
                                                   directory: Directory,
                                                   admin: dict[str, str]) -> None:
    refuse_writes(directory, "agents")
    engine = world.services.centre.engine
    def queues() -> list[str]:
        return sorted(q.spec.name for q in engine.agents["a1"].queues)

    old, old_queues = engine.agents["a1"].profile, queues()
    with pytest.raises(DBAPIError, match="disk full"):
        client.put(f"{A}/agents/a1", json={**NEW_AGENT, "skills": {"vip": 3}}, headers=admin)
    assert engine.agents["a1"].profile == old and queues() == old_queues
    assert "cards" in old_queues and "vip" not in old_queues


# --- agents, end to end --------------------------------------------------------------------------
def test_a_new_agent_put_through_the_api_takes_a_call(client: TestClient, world: World,
                                                      directory: Directory,
                                                      admin: dict[str, str]) -> None:
    r = client.put(f"{A}/agents/a7", json=NEW_AGENT, headers=admin)
    assert r.status_code == 200 and r.json()["created"] is True
    assert r.json()["agent"]["presence"] == "offline"
    assert world.services.centre.engine.agents["a7"].profile.skills == {"cards": 4}
    assert directory.get_agent("a7") == AgentRecord(id="a7", name="Ann Wu", site="bj",
                                                    skills={"cards": 4}, languages=("zh",))
    r = client.post(f"{A}/users", headers=admin, json={
        "username": "ann", "display_name": "Ann Wu", "role": "agent", "agent_id": "a7",
        "password": "ann's long password"})
    assert r.status_code == 201 and r.json()["user"]["agent_id"] == "a7"
    ann = client.post("/api/v1/auth/tokens",
                      json={"username": "ann", "password": "ann's long password"})
    h = {"Authorization": "Bearer " + ann.json()["token"]}
    assert client.post("/api/v1/agent/login", json={"ready": True}, headers=h).status_code == 200
    world.offer("c1")
    (res,) = client.get("/api/v1/agent/state", headers=h).json()["view"]["reservations"].values()
    assert res["contact_id"] == "c1"


def test_changing_an_agent_updates_the_live_engine(client: TestClient, world: World,
                                                   directory: Directory,
                                                   admin: dict[str, str]) -> None:
    r = client.put(f"{A}/agents/a1", headers=admin,
                   json={**NEW_AGENT, "name": "A One", "skills": {"cards": 2, "vip": 9}})
    assert r.status_code == 200 and r.json()["created"] is False
    assert world.services.centre.engine.agents["a1"].profile.skills == {"cards": 2, "vip": 9}
    record = directory.get_agent("a1")
    assert record is not None and record.name == "A One"
    assert client.get(f"{A}/agents/a1", headers=admin).json()["agent"]["skills"]["vip"] == 9
    assert client.get(f"{A}/agents/a0", headers=admin).status_code == 404


def test_deactivating_a_logged_in_agent_logs_it_out(client: TestClient, world: World,
                                                    directory: Directory,
                                                    admin: dict[str, str]) -> None:
    h = token(client, "agent")  # works as a1
    client.post("/api/v1/agent/login", json={"ready": True}, headers=h)
    assert world.services.centre.engine.agents["a1"].presence == "ready"
    r = client.delete(f"{A}/agents/a1", headers=admin)
    assert r.status_code == 200 and r.json()["agent"]["active"] is False
    assert world.services.centre.engine.agents["a1"].presence == "offline"
    record = directory.get_agent("a1")
    assert record is not None and not record.active
    entry = world.services.audit.recent(1)[0]
    assert (entry["action"], entry["target"], entry["details"]) == (
        "deactivate_agent", "a1", {"logged_out": True})
    assert client.delete(f"{A}/agents/a0", headers=admin).status_code == 404


def test_putting_an_agent_inactive_logs_it_out_too(client: TestClient, world: World,
                                                   admin: dict[str, str]) -> None:
    client.post("/api/v1/agent/login", json={"ready": False}, headers=token(client, "agent"))
    r = client.put(f"{A}/agents/a1", json={**NEW_AGENT, "active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["agent"]["presence"] == "offline"


# --- skills, queues, workflows -------------------------------------------------------------------
def test_a_skill_in_use_cannot_be_deleted(client: TestClient, directory: Directory,
                                          admin: dict[str, str]) -> None:
    r = client.delete(f"{A}/skills/cards", headers=admin)
    assert r.status_code == 409
    assert r.json()["details"]["used_by"][:2] == ["agent 'a1'", "agent 'a2'"]
    assert client.put(f"{A}/skills/loans", json={"description": "Loans"},
                      headers=admin).status_code == 200
    assert [s["name"] for s in client.get(f"{A}/skills", headers=admin).json()["skills"]] == \
        ["cards", "loans", "vip"]
    assert client.delete(f"{A}/skills/loans", headers=admin).status_code == 200
    assert directory.get_skill("loans") is None
    assert client.delete(f"{A}/skills/loans", headers=admin).status_code == 404


def test_queues_and_workflows_reach_the_engine(client: TestClient, world: World,
                                               directory: Directory,
                                               admin: dict[str, str]) -> None:
    client.put(f"{A}/skills/loans", json={}, headers=admin)
    r = client.put(f"{A}/queues/loans", headers=admin, json={
        "expression": "skills.loans >= 2", "selection": "most_proficient",
        "proficiency_skill": "loans", "site": "bj"})
    assert r.status_code == 200 and r.json()["created"] is True
    r = client.put(f"{A}/workflows/loans", headers=admin, json={
        "steps": [{"queue": "loans", "timeout_s": 30}, {"queue": "cards", "timeout_s": 60}],
        "fallback": "callback", "wrap_up_s": 30})
    assert r.status_code == 200, r.text
    engine = world.services.centre.engine
    assert engine.shared_queues["loans"].spec.proficiency_skill == "loans"
    assert [s.queue for s in engine.workflows["loans"].steps] == ["loans", "cards"]
    assert engine.workflows["loans"].fallback == "callback"
    stored = directory.get_workflow("loans")
    assert stored is not None and stored.steps[1] == StepRecord(queue="cards", timeout_s=60)
    names = [w["name"] for w in client.get(f"{A}/workflows", headers=admin).json()["workflows"]]
    assert names == ["cards", "loans"]


# --- targets and codes ---------------------------------------------------------------------------
def test_targets_refresh_the_wallboard(client: TestClient, world: World,
                                       admin: dict[str, str]) -> None:
    s = world.services.settings
    r = client.put(f"{A}/targets/centre/service_level", json={"target": 0.85, "warn": 0.7},
                   headers=admin)
    assert r.status_code == 200
    assert s.targets["service_level"] == 0.85 and s.alerts["service_level_below"] == 0.7
    board = client.get("/api/v1/supervisor/wallboard", headers=admin).json()
    assert board["targets"]["service_level"] == 0.85
    client.put(f"{A}/targets/cards/answer_rate", json={"target": 0.99}, headers=admin)
    assert s.targets["answer_rate"] == 0.9  # a queue's target is not the centre's
    listed = client.get(f"{A}/targets", headers=admin).json()
    assert [(t["scope"], t["metric"]) for t in listed["targets"]] == [
        ("cards", "answer_rate"), ("centre", "service_level")]
    assert "asa_s" in listed["metrics"] and "asa_s" not in listed["ratios"]
    assert client.delete(f"{A}/targets/centre/service_level", headers=admin).status_code == 200
    assert s.targets["service_level"] == 0.8 and s.alerts["service_level_below"] == 0.8
    assert client.delete(f"{A}/targets/centre/service_level", headers=admin).status_code == 404


def test_centre_settings_follow_the_centre_targets_else_the_defaults() -> None:
    defaults = Settings(targets={"service_level": 0.8, "answer_rate": 0.9},
                        alerts={"service_level_below": 0.75})
    targets, alerts = api_settings.centre_settings(
        [TargetRecord(scope="centre", metric="answer_rate", target=0.95),
         TargetRecord(scope="vip", metric="service_level", target=0.99, warn=0.9)],
        {"service_level": 0.5, "answer_rate": 0.5, "other": 1.0},
        {"service_level_below": 0.5, "waiting_above": 20.0}, defaults)
    assert targets == {"service_level": 0.8, "answer_rate": 0.95, "other": 1.0}
    # No centre 'waiting' target: its alert goes back to the default (here, none).
    assert alerts == {"service_level_below": 0.75}
    targets, alerts = api_settings.centre_settings(
        [TargetRecord(scope="centre", metric="service_level", target=0.9, warn=0.85)], {}, {},
        Settings(targets={}, alerts={}))
    assert (targets, alerts) == ({"service_level": 0.9}, {"service_level_below": 0.85})


def test_reason_codes_reach_the_agents(client: TestClient, world: World,
                                       admin: dict[str, str]) -> None:
    h = token(client, "agent")
    client.post("/api/v1/agent/login", json={"ready": True}, headers=h)
    coffee = {"ready": False, "reason": "coffee"}
    assert client.post("/api/v1/agent/presence", json=coffee, headers=h).status_code == 422
    r = client.put(f"{A}/reason-codes/coffee", json={"label": "Coffee"}, headers=admin)
    assert r.status_code == 200 and ("coffee", "Coffee") in world.services.reasons
    assert client.post("/api/v1/agent/presence", json=coffee, headers=h).status_code == 200
    assert client.delete(f"{A}/reason-codes/coffee", headers=admin).status_code == 200
    assert "coffee" not in dict(world.services.reasons)
    codes = client.get(f"{A}/reason-codes", headers=admin).json()["codes"]
    assert [c["code"] for c in codes] == sorted(c.code for c in DEFAULT_REASON_CODES)


def test_wrap_up_codes_refresh_the_dispositions(client: TestClient, world: World,
                                                admin: dict[str, str]) -> None:
    r = client.put(f"{A}/wrap-up-codes/fraud", json={"label": "Fraud reported"}, headers=admin)
    assert r.status_code == 200
    assert dict(world.services.dispositions)["fraud"] == "Fraud reported"
    assert len(world.services.dispositions) == len(DEFAULT_WRAP_UP_CODES) + 1
    for code in [*(c.code for c in DEFAULT_WRAP_UP_CODES), "fraud"]:
        assert client.delete(f"{A}/wrap-up-codes/{code}", headers=admin).status_code == 200
    assert world.services.dispositions == DEFAULT_DISPOSITIONS  # never none to pick from


# --- users and the audit log ---------------------------------------------------------------------
def test_users_are_listed_without_their_hashes(client: TestClient,
                                               admin: dict[str, str]) -> None:
    r = client.get(f"{A}/users", headers=token(client, "supervisor"))
    assert r.status_code == 200
    assert [u["username"] for u in r.json()["users"]][:4] == list(ROLES)
    assert HASH not in r.text and "password" not in r.text


def test_a_taken_username_is_a_conflict(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post(f"{A}/users", headers=admin, json={
        "username": "admin", "display_name": "Again", "role": "admin", "password": PASSWORD})
    assert r.status_code == 409 and r.json()["details"]["field"] == "username"


def test_changes_are_audited_and_passwords_never(client: TestClient, world: World,
                                                 admin: dict[str, str]) -> None:
    client.get(f"{A}/skills", headers=admin)
    client.put(f"{A}/skills/loans", json={"description": "Loans"}, headers=admin)
    client.put(f"{A}/agents/a7", json=NEW_AGENT, headers=admin)
    client.post(f"{A}/users", headers=admin, json={
        "username": "ann", "display_name": "Ann", "role": "agent", "agent_id": "a7",
        "password": "a secret password"})
    entries = world.services.audit.recent()
    assert [(e["action"], e["target"], e["actor"]) for e in reversed(entries)] == [
        ("put_skill", "loans", "admin"), ("put_agent", "a7", "admin"),
        ("create_user", "ann", "admin")]
    assert entries[1]["details"]["skills"] == {"cards": 4}
    assert "a secret password" not in str(entries)


# --- the page ------------------------------------------------------------------------------------
def test_the_admin_page_is_served_with_its_script(client: TestClient) -> None:
    r = client.get("/admin")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for section in ("agents", "skills", "queues", "workflows", "targets", "codes", "hours",
                    "users"):
        assert f'id="tab-{section}"' in r.text
    assert 'src="/static/admin.js"' in r.text and 'href="/static/admin.css"' in r.text
    config = pages_admin.admin_config()  # the forms' choices, rendered for the script
    assert "fax" in config["channels"] and "most_proficient" in config["selections"]
    assert '"most_proficient"' in r.text and config["min_password"] == api_users.MIN_PASSWORD


def test_wait_targets_set_the_wallboard_alert_ceilings() -> None:
    from hotline.store.sql.records import TargetRecord
    from hotline.web.api_settings import centre_settings

    records = [TargetRecord(scope="centre", metric="longest_wait_s", target=60.0, warn=90.0),
               TargetRecord(scope="centre", metric="waiting", target=15.0)]
    _, alerts = centre_settings(records, {}, {})
    assert alerts["longest_wait_above_s"] == 90.0 and alerts["waiting_above"] == 15.0
    _, alerts = centre_settings([], {}, alerts)
    assert alerts["longest_wait_above_s"] == 60.0 and alerts["waiting_above"] == 20.0  # defaults
