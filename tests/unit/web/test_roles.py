"""Every route of the API × every role, and nobody: 401 for nobody, 403 for a role the route
does not declare, neither for a role it does. A route without declared roles fails the test
unless it is in the public list below."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from fastapi.testclient import TestClient

from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import Directory
from hotline.web.app import create_app
from hotline.web.deps import route_roles
from hotline.web.ports import ROLES
from hotline.web.security import new_token, token_hash
from tests.unit.web.conftest import HASH, PASSWORD, World, build_world

PUBLIC = {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/tokens")}
STREAM = "/api/v1/stream"  # a WebSocket: its login is tested in test_stream.py
_PARAM = re.compile(r"\{[^}]+\}")


def api_routes() -> list[tuple[str, str, tuple[str, ...] | None]]:
    """(method, path with dummy parameters, declared roles) of every /api/v1 HTTP route."""
    app = create_app(lambda: build_world().services)  # for its routes: never started
    found: list[tuple[str, str, tuple[str, ...] | None]] = []
    for ctx in iter_route_contexts(app.routes):
        route, path = ctx.original_route, ctx.path or ""
        if not path.startswith("/api/v1"):
            continue
        if isinstance(route, APIWebSocketRoute):
            assert path == STREAM, f"an unexpected WebSocket route {path}"
            continue
        assert isinstance(route, APIRoute), f"{path}: not an APIRoute ({type(route).__name__})"
        for method in sorted(route.methods):
            found.append((method, _PARAM.sub("x", path), route_roles(route)))
    return found


ROUTES = api_routes()
PROTECTED = [(m, p, r) for m, p, r in ROUTES if (m, p) not in PUBLIC]


def test_the_matrix_covers_the_api() -> None:
    paths = {p for _, p, _ in ROUTES}
    assert len(PROTECTED) >= 40  # agent, supervisor, admin: a shrinking count means a lost router
    assert {"/api/v1/agent/state", "/api/v1/supervisor/wallboard", "/api/v1/admin/users",
            "/api/v1/me", "/api/v1/supervisor/ivr"} <= paths
    assert {(m, p) for m, p, _ in ROUTES} >= PUBLIC, "a public route went away: update PUBLIC"


@pytest.mark.parametrize(("method", "path", "roles"), PROTECTED,
                         ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_every_route_declares_its_roles(method: str, path: str,
                                        roles: tuple[str, ...] | None) -> None:
    assert roles, f"{method} {path} declares no roles and is not in the public list"
    assert set(roles) <= set(ROLES), f"{method} {path}: unknown roles {roles}"


@pytest.fixture(scope="module")
def world() -> World:
    w = build_world()
    engine = open_database("sqlite://")
    migrate(engine)
    w.services.extra["directory"] = Directory(engine)
    # A supervisor who also works as an agent, so the agent routes answer it in full.
    w.services.accounts.add_user(username="sup-desk", display_name="Sup", role="supervisor",
                                 agent_id="a2", password_hash=HASH)
    return w


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(lambda: world.services)) as c:
        yield c


USERS = {"agent": "agent", "supervisor": "sup-desk", "analyst": "analyst", "admin": "admin"}


def bearer(world: World, role: str) -> dict[str, str]:
    """A fresh API token for the role's user (fresh: a logout must not spoil the next call)."""
    accounts = world.services.accounts
    user = accounts.user_by_name(USERS[role])
    assert user is not None and user.role == role
    raw = new_token()
    accounts.store_token(token_hash=token_hash(raw), user_id=user.id, kind="api", csrf=None,
                         expires_at=world.services.now() + 3600)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize(("method", "path", "roles"), PROTECTED,
                         ids=[f"{m} {p}" for m, p, _ in PROTECTED])
def test_roles_matrix(client: TestClient, world: World, method: str, path: str,
                      roles: tuple[str, ...] | None) -> None:
    body = {} if method in ("POST", "PUT", "PATCH") else None
    r = client.request(method, path, json=body)
    assert r.status_code == 401, f"nobody: {method} {path} -> {r.status_code} {r.text[:200]}"
    assert r.json()["error_id"] == "not_authenticated"
    r = client.request(method, path, json=body, headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401, f"forged token: {method} {path} -> {r.status_code}"
    for role in ROLES:
        r = client.request(method, path, json=body, headers=bearer(world, role))
        if role in (roles or ()):
            assert r.status_code not in (401, 403), \
                f"{role} is allowed: {method} {path} -> {r.status_code} {r.text[:200]}"
            assert r.status_code < 500, f"{role}: {method} {path} -> {r.status_code}"
        else:
            assert r.status_code == 403, f"{role} is not allowed: {method} {path} -> " \
                                         f"{r.status_code} {r.text[:200]}"
            assert r.json()["error_id"] == "forbidden"
            assert r.json()["details"] == {"role": role, "allowed": list(roles or ())}


def test_a_cookie_session_needs_its_csrf_token_for_every_change(client: TestClient,
                                                                world: World) -> None:
    changes = [(m, p) for m, p, _ in PROTECTED if m in ("POST", "PUT", "PATCH", "DELETE")]
    assert changes
    r = client.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 200
    try:
        for method, path in changes:
            r = client.request(method, path, json={} if method != "DELETE" else None)
            assert r.status_code == 403 and r.json()["error_id"] == "csrf_rejected", \
                f"{method} {path} without X-CSRF-Token -> {r.status_code}"
    finally:
        client.cookies.clear()
