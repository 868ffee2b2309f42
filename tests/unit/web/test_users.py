"""Users: change name, role, agent and status; reset a password; sessions end; audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hotline.core.commands import LogIn, SetPresence
from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import AgentRecord, Directory
from hotline.web.app import create_app
from tests.unit.web.conftest import PASSWORD, World, build_world, token

A = "/api/v1/admin"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def world() -> World:
    w = build_world()
    engine = open_database("sqlite://")
    migrate(engine)
    d = Directory(engine)
    d.put_all(agents=[AgentRecord(id=a, name=a, site="bj", skills={}, languages=("zh",))
                      for a in ("a1", "a2")])
    w.services.extra["directory"] = d
    return w


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(lambda: world.services)) as c:
        yield c


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return token(client, "admin")


def test_an_admin_changes_a_users_name_and_role_and_their_sessions_end(
        client: TestClient, world: World, admin: dict[str, str]) -> None:
    theirs = token(client, "analyst")
    assert client.get("/api/v1/me", headers=theirs).status_code == 200
    r = client.patch(f"{A}/users/analyst", headers=admin,
                     json={"display_name": "Lin Analyst", "role": "supervisor"})
    assert r.status_code == 200, r.text
    assert (r.json()["user"]["role"], r.json()["user"]["display_name"]) == \
        ("supervisor", "Lin Analyst")
    assert r.json()["sessions_ended"] == 1
    assert client.get("/api/v1/me", headers=theirs).status_code == 401
    again = token(client, "analyst")  # a new login carries the new role
    assert client.get("/api/v1/me", headers=again).json()["user"]["role"] == "supervisor"
    entry = world.services.audit.recent()[0]
    assert (entry["action"], entry["target"], entry["actor"]) == \
        ("change_user", "analyst", "admin")
    assert entry["details"]["role"] == "supervisor" and "password" not in str(entry)


def test_a_disabled_user_cannot_log_in_and_their_agent_leaves_the_floor(
        client: TestClient, world: World, admin: dict[str, str]) -> None:
    world.services.centre.execute(LogIn(agent_id="a2"))
    world.services.centre.execute(SetPresence(agent_id="a2", ready=True))
    r = client.patch(f"{A}/users/agent2", headers=admin, json={"disabled": True})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["disabled"] is True
    assert world.services.centre.engine.agents["a2"].presence == "offline"
    r = client.post("/api/v1/auth/tokens", json={"username": "agent2", "password": PASSWORD})
    assert r.status_code == 401
    assert world.services.audit.recent()[0]["details"]["logged_out"] is True
    r = client.patch(f"{A}/users/agent2", headers=admin, json={"disabled": False})
    assert r.status_code == 200 and token(client, "agent2")


def test_a_password_reset_ends_sessions_and_only_the_new_password_works(
        client: TestClient, world: World, admin: dict[str, str]) -> None:
    theirs = token(client, "supervisor")
    r = client.post(f"{A}/users/supervisor/password", headers=admin,
                    json={"password": NEW_PASSWORD})
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    assert client.get("/api/v1/me", headers=theirs).status_code == 401
    old = client.post("/api/v1/auth/tokens", json={"username": "supervisor",
                                                   "password": PASSWORD})
    new = client.post("/api/v1/auth/tokens", json={"username": "supervisor",
                                                   "password": NEW_PASSWORD})
    assert (old.status_code, new.status_code) == (401, 200)
    entry = world.services.audit.recent()[0]
    assert entry["action"] == "reset_password" and NEW_PASSWORD not in str(entry)


@pytest.mark.parametrize(("username", "body", "status", "field", "message"), [
    ("analyst", {"role": "boss"}, 422, "role", "role: must be one of agent, supervisor, "
     "analyst, admin, got 'boss'"),
    ("analyst", {"role": "agent"}, 422, "agent_id",
     "agent_id: an agent user needs the agent it works as"),
    ("analyst", {"agent_id": "a9"}, 422, "agent_id", "agent_id: no active agent 'a9'"),
    ("analyst", {"display_name": "  "}, 422, "display_name", "display_name: is empty"),
    ("analyst", {"disabled": None}, 422, "disabled", "disabled: cannot be null"),
    ("analyst", {}, 422, "body", "body: names no field to change"),
    ("analyst", {"password": "x" * 12}, 422, "password", None),
    ("admin", {"disabled": True}, 409, "disabled",
     "disabled: an admin cannot disable or demote themself"),
    ("admin", {"role": "analyst"}, 409, "role",
     "role: an admin cannot disable or demote themself"),
    ("nobody", {"role": "analyst"}, 404, None, "unknown user 'nobody'"),
])
def test_bad_changes_name_the_field_and_change_nothing(
        client: TestClient, world: World, admin: dict[str, str], username: str,
        body: dict[str, object], status: int, field: str | None, message: str | None) -> None:
    before = world.services.accounts.list_users()
    audited = len(world.services.audit.recent())
    r = client.patch(f"{A}/users/{username}", headers=admin, json=body)
    assert r.status_code == status, r.text
    if field is not None:
        assert r.json()["details"]["field"] == field
    if message is not None:
        assert r.json()["message"] == message
    assert world.services.accounts.list_users() == before
    assert len(world.services.audit.recent()) == audited


def test_the_last_active_admin_cannot_be_disabled_by_another(
        client: TestClient, world: World, admin: dict[str, str]) -> None:
    r = client.post(f"{A}/users", headers=admin, json={
        "username": "root2", "display_name": "Second", "role": "admin", "password": PASSWORD})
    assert r.status_code == 201
    second = token(client, "root2")
    assert client.patch(f"{A}/users/root2", headers=admin,
                        json={"disabled": True}).status_code == 200  # another admin remains
    r = client.patch(f"{A}/users/admin", headers=second, json={"disabled": True})
    assert r.status_code == 401  # root2's sessions ended when it was disabled
    assert client.patch(f"{A}/users/root2", headers=admin,
                        json={"disabled": False}).status_code == 200
    second = token(client, "root2")
    assert client.patch(f"{A}/users/admin", headers=second,
                        json={"role": "analyst"}).status_code == 200
    r = client.patch(f"{A}/users/root2", headers=token(client, "root2"),
                     json={"role": "analyst"})
    assert r.status_code == 409 and r.json()["details"]["field"] == "role"


def test_supervisors_read_users_but_cannot_change_them(client: TestClient) -> None:
    sup = token(client, "supervisor")
    assert client.get(f"{A}/users", headers=sup).status_code == 200
    assert client.patch(f"{A}/users/analyst", headers=sup,
                        json={"role": "admin"}).status_code == 403
    assert client.post(f"{A}/users/analyst/password", headers=sup,
                       json={"password": NEW_PASSWORD}).status_code == 403
