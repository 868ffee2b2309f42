from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.web.conftest import World, login, token


def test_an_agent_takes_a_call_from_offer_to_wrap_up(client: TestClient, world: World) -> None:
    h = login(client, "agent")
    assert client.post("/api/v1/agent/login", json={"ready": True}, headers=h).status_code == 200
    world.offer("c1", customer_id="cust-9", segment="vip", province="Hebei", intent="lost_card",
                authenticated=True, card="6222021234567890123")
    world.clock.advance(3)
    state = client.get("/api/v1/agent/state").json()
    (rid, res), = state["view"]["reservations"].items()
    assert res["contact_id"] == "c1"
    ctx = state["contacts"]["c1"]
    assert ctx["vip"] is True and ctx["province"] == "Hebei" and ctx["authenticated"] is True
    assert ctx["waited_s"] == 3.0 and ctx["customer"]["card"].endswith("1234")
    assert "6222021234567890123" not in str(state)  # the card number is masked everywhere
    assert client.post(f"/api/v1/agent/reservations/{rid}/accept", headers=h).status_code == 200
    assert client.post("/api/v1/agent/contacts/c1/hold", headers=h).status_code == 200
    assert client.post("/api/v1/agent/contacts/c1/resume", headers=h).status_code == 200
    assert client.post("/api/v1/agent/contacts/c1/end", headers=h).status_code == 200
    bad = client.post("/api/v1/agent/contacts/c1/wrap-up", headers=h,
                      json={"disposition": "nonsense"})
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "disposition"
    r = client.post("/api/v1/agent/contacts/c1/wrap-up", headers=h,
                    json={"disposition": "resolved", "notes": "card 6222021234567890123 frozen"})
    assert r.status_code == 200 and r.json()["events"][-1] == "ContactCompleted"
    done = [e for _, e in world.log.read() if type(e).__name__ == "ContactCompleted"]
    assert done[0].notes == "card ***************0123 frozen"


def test_cookie_changes_need_the_csrf_header(client: TestClient) -> None:
    login(client, "agent")
    r = client.post("/api/v1/agent/login", json={"ready": True})
    assert r.status_code == 403 and r.json()["error_id"] == "csrf_rejected"


def test_bearer_tokens_need_no_csrf(client: TestClient) -> None:
    h = token(client, "agent")
    assert client.post("/api/v1/agent/login", json={"ready": True}, headers=h).status_code == 200


def test_an_agent_cannot_touch_another_agents_offer(client: TestClient, world: World) -> None:
    h = login(client, "agent2")
    client.post("/api/v1/agent/login", json={"ready": True}, headers=h)
    world.offer("c1")
    rid = next(iter(world.services.centre.engine.reservations))
    other = token(client, "agent")
    r = client.post(f"/api/v1/agent/reservations/{rid}/accept", headers=other)
    assert r.status_code == 404 and r.json()["message"] == f"unknown reservation '{rid}'"


def test_login_is_throttled_after_five_failures(client: TestClient) -> None:
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"username": "agent", "password": "nope"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/login", json={"username": "agent", "password": "nope"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "300"


def test_validation_errors_name_the_field(client: TestClient) -> None:
    h = login(client, "agent")
    r = client.post("/api/v1/agent/presence", json={"ready": "maybe"}, headers=h)
    assert r.status_code == 422 and r.json()["details"]["field"] == "ready"
    r = client.post("/api/v1/agent/presence", json={"ready": False, "reason": "nap"}, headers=h)
    assert r.json()["message"].startswith("reason: must be one of")


def test_the_desktop_state_says_when_wrap_up_ends(client: TestClient, world: World) -> None:
    h = login(client, "agent")
    client.post("/api/v1/agent/login", json={"ready": True}, headers=h)
    world.offer("c1")
    rid = next(iter(world.services.centre.engine.reservations))
    client.post(f"/api/v1/agent/reservations/{rid}/accept", headers=h)
    state = client.get("/api/v1/agent/state").json()
    assert state["contacts"]["c1"]["wrap_up_until"] is None and "cards" in state["queues"]
    world.clock.advance(10)
    client.post("/api/v1/agent/contacts/c1/end", headers=h)
    state = client.get("/api/v1/agent/state").json()
    assert state["contacts"]["c1"]["wrap_up_until"] == world.clock.now() + 60.0


def test_a_card_number_passed_as_an_attribute_never_reaches_the_log(world: World) -> None:
    world.offer("c9", customer_id="cust-1", card="6222021234567890123")
    queued = [e for _, e in world.log.read() if type(e).__name__ == "ContactQueued"]
    assert queued[-1].attributes["card"].endswith("0123")
    assert "6222021234567890123" not in repr(list(world.log.read()))
