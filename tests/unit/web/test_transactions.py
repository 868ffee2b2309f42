"""Agent-performed banking over the API: verification, role limits, dual control, idempotency,
audit, and nothing secret in any response, event, audit entry or log line."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from hotline.banking.desk import AgentDesk
from hotline.banking.roles import Role, RoleLimits
from hotline.banking.sandbox import SandboxBank
from hotline.web.app import create_app
from hotline.web.errors import Conflict
from hotline.web.memory import MemoryIdempotencyKeys, MemoryVerificationAttempts
from tests.unit.banking.helpers import (
    NUMBER_A,
    PAN_A,
    PAN_A_CC,
    PAN_B,
    PIN_A,
    PIN_B,
    balance,
    make_bank,
)
from tests.unit.banking.helpers import ctx as bank_ctx
from tests.unit.web.conftest import HASH, World, build_world, token

# Fen: an agent alone up to 1,000 yuan, a senior agent 3,000, a supervisor 5,000.
LIMITS = RoleLimits(alone={Role.AGENT: 100_000, Role.SENIOR_AGENT: 300_000,
                           Role.SUPERVISOR: 500_000}, ceiling=900_000)
PAYEE_ACCOUNT = "9558801234567890"
SECRETS = (PAN_A, PAN_A_CC, PAN_B, NUMBER_A, "21000000000054321", "31000000000099999",
           "11000000000077777", PIN_A, PIN_B, PAYEE_ACCOUNT)
CUSTOMERS = {"A": {"name": "张**", "province": "北京", "card": "622848*********1234"},
             "B": {"name": "W*** Li", "province": "北京", "card": "622848*********6554"}}
BASE = "/api/v1/agent/contacts"


@pytest.fixture
def world() -> World:
    w = build_world()
    w.services.extra["desk"] = AgentDesk(make_bank(), limits=LIMITS)
    w.services.customers = lambda cid: CUSTOMERS.get(cid)
    # A supervisor who also takes calls (agent a2), to show a request cannot be self-approved.
    w.services.accounts.add_user(username="sup-desk", display_name="Sup", role="supervisor",
                                 agent_id="a2", password_hash=HASH)
    return w


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(lambda: world.services)) as c:
        yield c


def bank(world: World) -> SandboxBank:
    desk = world.services.extra["desk"]
    assert isinstance(desk, AgentDesk) and isinstance(desk.port, SandboxBank)
    return desk.port


def desk(world: World) -> AgentDesk:
    found = world.services.extra["desk"]
    assert isinstance(found, AgentDesk)
    return found


def on_call(client: TestClient, world: World, username: str, contact_id: str,
            **attributes: Any) -> dict[str, str]:
    """``username``'s agent goes ready, takes ``contact_id`` and is connected to the caller."""
    h = token(client, username)
    assert client.post("/api/v1/agent/login", json={"ready": True}, headers=h).status_code == 200
    world.offer(contact_id, **attributes)
    view = client.get("/api/v1/agent/state", headers=h).json()["view"]
    rid = next(r for r, res in view["reservations"].items() if res["contact_id"] == contact_id)
    assert client.post(f"/api/v1/agent/reservations/{rid}/accept", headers=h).status_code == 200
    return h


def key() -> str:
    return uuid.uuid4().hex


def transfer(client: TestClient, h: dict[str, str], contact_id: str, amount: int,
             idempotency_key: str | None = None, **over: Any) -> Response:
    body = {"from_account": "A-CUR", "to_account": "A-SAV", "amount": amount,
            "idempotency_key": idempotency_key or key()} | over
    r: Response = client.post(f"{BASE}/{contact_id}/banking/transfer", json=body, headers=h)
    return r


def pay(client: TestClient, h: dict[str, str], contact_id: str, amount: int) -> Response:
    body = {"from_account": "A-CUR", "payee_name": "王小明", "payee_account": PAYEE_ACCOUNT,
            "payee_bank": "ICBC", "amount": amount, "idempotency_key": key()}
    r: Response = client.post(f"{BASE}/{contact_id}/banking/payment", json=body, headers=h)
    return r


def test_an_ivr_verified_caller_shows_masked_accounts_cards_and_the_agents_limit(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    r = client.get(f"{BASE}/c1/banking", headers=h)
    assert r.status_code == 200
    got = r.json()
    assert got["verified"] is True and got["verification"]["method"] == "ivr_pin"
    accounts = {a["account_id"]: a for a in got["accounts"]}
    assert accounts["A-CUR"]["masked_number"] == "****2345"
    assert accounts["A-CUR"]["balance"] == 1_000_000 and accounts["A-CC"]["kind"] == "credit_card"
    cards = {c["card_id"]: c for c in got["cards"]}
    assert cards == {"A-DC": {"card_id": "A-DC", "masked_pan": "622848*********1234",
                              "status": "active", "replaced_by": None},
                     "A-CC1": {"card_id": "A-CC1", "masked_pan": "518710******1237",
                               "status": "active", "replaced_by": None}}
    assert got["limit"] == {"role": "agent", "alone": 100_000, "ceiling": 900_000}
    # The IVR's result is recorded once, however often the desktop reads it.
    client.get(f"{BASE}/c1/banking", headers=h)
    assert [a.action for a in desk(world).audit] == ["caller_verified"]


def test_an_unverified_caller_shows_nothing_and_nothing_can_be_done(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=False)
    got = client.get(f"{BASE}/c1/banking", headers=h).json()
    assert (got["verified"], got["accounts"], got["cards"]) == (False, [], [])
    assert got["customer_id"] == "A" and got["attempts_left"] == 3
    r = transfer(client, h, "c1", 10_000)
    assert r.status_code == 403 and r.json()["error_id"] == "not_verified"
    assert r.json()["details"]["field"] == "contact_id"
    r = client.post(f"{BASE}/c1/banking/cards/A-DC/freeze", json={"idempotency_key": key()},
                    headers=h)
    assert r.status_code == 403
    assert balance(bank(world), "A-CUR") == 1_000_000
    assert bank(world).state.card_status["A-DC"] == "active"


def test_the_agent_verifies_with_questions_and_attempts_are_limited(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A")
    url = f"{BASE}/c1/banking/verify"
    r = client.post(url, json={}, headers=h)
    assert r.status_code == 422 and r.json()["details"]["field"] == "answers"
    # One right answer (card) and one wrong (province) is not enough: two must be right.
    for left in (2, 1, 0):
        r = client.post(url, json={"card_last4": "1234", "province": "上海"}, headers=h)
        assert r.status_code == 403, r.text
        body = r.json()
        assert body["error_id"] == "not_verified" and body["details"] == {
            "field": "answers", "attempts_left": left}
        assert "province" not in body["message"] and "card" not in body["message"]
    r = client.post(url, json={"card_last4": "1234", "province": "北京"}, headers=h)
    assert r.status_code == 403 and r.json()["error_id"] == "verification_locked"
    assert client.get(f"{BASE}/c1/banking", headers=h).json()["verified"] is False
    refused = [e for e in world.services.audit.recent() if e["action"] ==
               "banking_verify_refused"]
    assert len(refused) == 3 and refused[0]["actor"] == "agent" and refused[0]["target"] == "c1"
    # The desk's attempts port counted them (the locked try is no refusal of its own).
    attempts = world.services.extra["desk_web"].attempts
    assert isinstance(attempts, MemoryVerificationAttempts) and attempts.counts == {"c1": 3}


def test_the_attempts_port_given_is_the_count_the_desk_goes_by(
        client: TestClient, world: World) -> None:
    # As after a restart: the port (the database, in the server) holds two refusals already.
    attempts = MemoryVerificationAttempts()
    for _ in range(2):
        attempts.refuse(contact_id="c1", customer_id="A", at=0.0)
    world.services.extra["verification_attempts"] = attempts
    h = on_call(client, world, "agent", "c1", customer_id="A")
    assert client.get(f"{BASE}/c1/banking", headers=h).json()["attempts_left"] == 1
    url = f"{BASE}/c1/banking/verify"
    r = client.post(url, json={"card_last4": "1234", "province": "上海"}, headers=h)
    assert r.status_code == 403 and r.json()["details"]["attempts_left"] == 0, r.text
    r = client.post(url, json={"card_last4": "1234", "province": "北京"}, headers=h)
    assert r.status_code == 403 and r.json()["error_id"] == "verification_locked"
    assert attempts.counts == {"c1": 3}


def test_a_customer_refused_on_earlier_calls_is_locked_for_a_day_on_any_contact(
        client: TestClient, world: World) -> None:
    # Two earlier calls of customer A, refused 3 + 2 times (as the database would hold them).
    attempts = MemoryVerificationAttempts()
    now = world.services.now()
    for contact_id, times in (("c0", 3), ("c9", 2)):
        for _ in range(times):
            attempts.refuse(contact_id=contact_id, customer_id="A", at=now - 3_600.0)
    world.services.extra["verification_attempts"] = attempts
    h = on_call(client, world, "agent", "c1", customer_id="A")
    url = f"{BASE}/c1/banking/verify"
    right = {"card_last4": "1237", "last_amount": 500_000, "province": "上海"}
    r = client.post(url, json=right, headers=h)  # even the right answers: locked
    assert r.status_code == 403, r.text
    assert r.json() == {"error_id": "verification_locked", "message": "customer_id: 5 refused "
                        "attempts for this customer in the last 24 h; verify through the "
                        "IVR's PIN instead", "details": {"field": "customer_id"}}
    assert world.services.audit.recent()[0]["action"] == "banking_verify_locked"
    assert attempts.counts == {"c0": 3, "c9": 2}  # the lock itself is no refusal
    world.clock.advance(86_400.0 - 3_600.0 + 1.0)  # a day after those refusals
    assert client.post(url, json=right, headers=h).status_code == 200


def test_right_answers_verify_the_caller(client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A")
    # The most recent transactions are the opening deposits: 10,000 and 5,000 yuan.
    r = client.post(f"{BASE}/c1/banking/verify", headers=h,
                    json={"card_last4": "1237", "last_amount": 500_000, "province": "上海"})
    assert r.status_code == 200 and r.json()["verified"] is True
    got = client.get(f"{BASE}/c1/banking", headers=h).json()
    assert got["verification"]["method"] == "agent_questions"
    assert got["verification"]["detail"] == "2 of 3 questions"
    assert got["verification"]["by"] == "agent" and len(got["accounts"]) == 3
    record = desk(world).audit[-1]
    assert (record.action, record.actor.actor_id, record.contact_id) == (
        "caller_verified", "agent", "c1")
    assert world.services.audit.recent()[0]["action"] == "banking_verify"
    assert transfer(client, h, "c1", 10_000).status_code == 200


def test_a_contact_without_a_customer_needs_the_customer_id(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1")
    url = f"{BASE}/c1/banking/verify"
    r = client.post(url, json={"card_last4": "1234", "last_amount": 1_000_000}, headers=h)
    assert r.status_code == 422 and r.json()["details"]["field"] == "customer_id"
    r = client.post(url, json={"customer_id": "nobody", "card_last4": "1234",
                               "last_amount": 1_000_000}, headers=h)
    assert r.status_code == 404 and r.json()["details"]["field"] == "customer_id"
    r = client.post(url, json={"customer_id": "B", "card_last4": "6554",
                               "last_amount": 100_000}, headers=h)
    assert r.status_code == 200
    assert client.get(f"{BASE}/c1/banking", headers=h).json()["customer_id"] == "B"


def test_within_the_agents_limit_it_runs_at_once_with_a_receipt_and_audit(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    r = transfer(client, h, "c1", 100_000)
    assert r.status_code == 200, r.text
    receipt = r.json()["receipt"]
    assert r.json()["status"] == "done"
    assert receipt["summary"] == "transfer ¥1,000.00 A-CUR -> A-SAV"
    assert (receipt["amount"], receipt["performed_by"], receipt["approved_by"]) == (
        100_000, "agent", None)
    assert (balance(bank(world), "A-CUR"), balance(bank(world), "A-SAV")) == (900_000, 600_000)
    assert client.get(f"{BASE}/c1/banking", headers=h).json()["receipts"] == [receipt]
    record = desk(world).audit[-1]
    assert (record.action, record.actor.actor_id, record.contact_id, record.amount) == (
        "executed", "agent", "c1", 100_000)
    assert record.at.timestamp() == world.services.now()
    entry = world.services.audit.recent()[0]
    assert (entry["actor"], entry["action"], entry["target"]) == ("agent", "banking_executed",
                                                                  "c1")


def test_limits_differ_per_role(client: TestClient, world: World) -> None:
    world.services.extra["banking_roles"] = {"agent2": "senior_agent"}
    h1 = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    h2 = on_call(client, world, "agent2", "c2", customer_id="A", authenticated=True)
    assert transfer(client, h1, "c1", 100_001).status_code == 202
    assert transfer(client, h2, "c2", 300_000).status_code == 200
    assert transfer(client, h2, "c2", 300_001).status_code == 202
    got = client.get(f"{BASE}/c2/banking", headers=h2).json()
    assert got["limit"]["role"] == "senior_agent" and got["limit"]["alone"] == 300_000
    r = transfer(client, h1, "c1", 900_001)
    assert r.status_code == 422 and r.json()["error_id"] == "limit_exceeded"
    assert r.json()["details"]["field"] == "amount"


def test_above_the_limit_nothing_moves_until_another_supervisor_approves(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    r = pay(client, h, "c1", 250_000)
    assert r.status_code == 202, r.text
    request = r.json()["request"]
    assert r.json()["status"] == "pending_approval" and r.json()["receipt"] is None
    assert request["summary"] == "payment ¥2,500.00 A-CUR -> 王** ****7890 (ICBC)"
    assert balance(bank(world), "A-CUR") == 1_000_000
    rid = request["request_id"]

    # The agent cannot approve; nor can any role but a supervisor.
    for who in ("agent", "analyst", "admin"):
        r = client.post(f"/api/v1/supervisor/approvals/{rid}/approve",
                        headers=token(client, who))
        assert r.status_code == 403 and r.json()["error_id"] == "forbidden"
    sup = token(client, "supervisor")
    listed = client.get("/api/v1/supervisor/approvals", headers=sup).json()
    assert [p["request_id"] for p in listed["pending"]] == [rid]
    assert listed["pending"][0]["customer"] == "张**"
    assert listed["pending"][0]["requested_by"] == "agent"
    assert balance(bank(world), "A-CUR") == 1_000_000  # still nothing moved

    r = client.post(f"/api/v1/supervisor/approvals/{rid}/approve", headers=sup)
    assert r.status_code == 200, r.text
    assert r.json()["receipt"]["approved_by"] == "supervisor"
    assert balance(bank(world), "A-CUR") == 750_000
    got = client.get(f"{BASE}/c1/banking", headers=h).json()
    assert got["requests"][0]["status"] == "approved"
    assert got["receipts"][0]["approved_by"] == "supervisor"
    again = client.post(f"/api/v1/supervisor/approvals/{rid}/approve", headers=sup)
    assert again.status_code == 409 and again.json()["error_id"] == "approval_closed"
    assert balance(bank(world), "A-CUR") == 750_000
    entry = world.services.audit.recent()[0]
    assert (entry["actor"], entry["role"], entry["action"], entry["target"]) == (
        "supervisor", "supervisor", "banking_approved", rid)
    assert entry["details"]["requested_by"] == "agent"
    actions = [(a.action, a.actor.actor_id) for a in desk(world).audit]
    assert actions[-3:] == [("approval_requested", "agent"), ("executed", "supervisor"),
                            ("approved", "supervisor")]
    assert client.get("/api/v1/supervisor/approvals", headers=sup).json()["pending"] == []


def test_a_supervisor_cannot_approve_their_own_request(client: TestClient,
                                                       world: World) -> None:
    own = on_call(client, world, "sup-desk", "c2", customer_id="A", authenticated=True)
    r = transfer(client, own, "c2", 600_000)  # above a supervisor's own 5,000 yuan
    assert r.status_code == 202
    rid = r.json()["request"]["request_id"]
    r = client.post(f"/api/v1/supervisor/approvals/{rid}/approve", headers=own)
    assert r.status_code == 403 and r.json()["error_id"] == "not_permitted"
    assert r.json()["details"]["field"] == "approver"
    assert balance(bank(world), "A-CUR") == 1_000_000
    r = client.post(f"/api/v1/supervisor/approvals/{rid}/approve",
                    headers=token(client, "supervisor"))
    assert r.status_code == 200 and balance(bank(world), "A-CUR") == 400_000


def test_a_rejected_or_expired_request_moves_nothing(client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    sup = token(client, "supervisor")
    first = transfer(client, h, "c1", 200_000).json()["request"]["request_id"]
    r = client.post(f"/api/v1/supervisor/approvals/{first}/reject", json={"reason": ""},
                    headers=sup)
    assert r.status_code == 422 and r.json()["details"]["field"] == "reason"
    r = client.post(f"/api/v1/supervisor/approvals/{first}/reject", headers=sup,
                    json={"reason": f"caller unsure; card {PAN_A} mentioned"})
    assert r.status_code == 200 and r.json()["request"]["status"] == "rejected"
    assert PAN_A not in r.text and r.json()["request"]["reason"].endswith("1234 mentioned")
    second = transfer(client, h, "c1", 200_000).json()["request"]["request_id"]
    world.clock.advance(15 * 60)
    listed = client.get("/api/v1/supervisor/approvals", headers=sup).json()
    assert listed["pending"] == []
    assert {r["request_id"]: r["status"] for r in listed["recent"]} == {
        first: "rejected", second: "expired"}
    r = client.post(f"/api/v1/supervisor/approvals/{second}/approve", headers=sup)
    assert r.status_code == 409 and r.json()["error_id"] == "approval_closed"
    r = client.post("/api/v1/supervisor/approvals/c1/R99/approve", headers=sup)
    assert r.status_code == 404
    assert balance(bank(world), "A-CUR") == 1_000_000
    assert [a.action for a in desk(world).audit].count("expired") == 1


def test_the_same_idempotency_key_moves_money_once(client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    k = key()
    first = transfer(client, h, "c1", 50_000, k)
    second = transfer(client, h, "c1", 50_000, k)
    assert first.status_code == second.status_code == 200
    assert first.json()["receipt"] == second.json()["receipt"]
    assert (first.json()["replayed"], second.json()["replayed"]) == (False, True)
    assert balance(bank(world), "A-CUR") == 950_000
    r = transfer(client, h, "c1", 60_000, k)
    assert r.status_code == 409 and r.json()["error_id"] == "idempotency_conflict"
    assert r.json()["details"]["field"] == "idempotency_key"
    r = client.post(f"{BASE}/c1/banking/transfer", headers=h,
                    json={"from_account": "A-CUR", "to_account": "A-SAV", "amount": 1})
    assert r.status_code == 422 and r.json()["details"]["field"] == "idempotency_key"
    # A retried request above the limit opens one request, and later tells its decision.
    k2 = key()
    pending = transfer(client, h, "c1", 200_000, k2)
    assert transfer(client, h, "c1", 200_000, k2).json()["request"] == pending.json()["request"]
    assert len(desk(world).requests) == 1
    rid = pending.json()["request"]["request_id"]
    client.post(f"/api/v1/supervisor/approvals/{rid}/approve", headers=token(client, "supervisor"))
    done = transfer(client, h, "c1", 200_000, k2)
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert done.json()["receipt"]["approved_by"] == "supervisor"
    assert balance(bank(world), "A-CUR") == 750_000
    # Another agent's retry with a key in use is a conflict, not a replay of someone else's.
    other = on_call(client, world, "agent2", "c2", customer_id="A", authenticated=True)
    assert transfer(client, other, "c2", 50_000, k).status_code == 409


def test_a_refused_change_keeps_no_key_and_a_done_one_is_kept_once(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    k = key()
    r = transfer(client, h, "c1", 1_000_000, k)  # above the ceiling: refused, nothing kept
    assert r.status_code == 422 and r.json()["error_id"] == "limit_exceeded", r.text
    r = transfer(client, h, "c1", 50_000, k)
    assert r.status_code == 200 and r.json()["replayed"] is False
    keys = world.services.extra["desk_web"].keys
    assert isinstance(keys, MemoryIdempotencyKeys) and list(keys.outcomes) == [k]
    kept = keys.outcomes[k]
    assert kept.receipt is not None and kept.receipt.receipt_id == r.json()["receipt"]["receipt_id"]
    assert "A-CUR" not in kept.fingerprint  # a hash, not the request
    with pytest.raises(Conflict, match=rf"^idempotency_key: {k} holds an outcome already$"):
        keys.put(kept)


def test_cards_freeze_and_unfreeze(client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    r = client.post(f"{BASE}/c1/banking/cards/A-DC/freeze", json={"idempotency_key": key()},
                    headers=h)
    assert r.status_code == 200 and r.json()["receipt"]["reference"] == "frozen"
    cards = client.get(f"{BASE}/c1/banking", headers=h).json()["cards"]
    assert {c["card_id"]: c["status"] for c in cards}["A-DC"] == "frozen"
    r = transfer(client, h, "c1", 10_000)  # a frozen card's account pays nothing
    assert r.status_code == 409 and r.json()["error_id"] == "card_frozen"
    r = client.post(f"{BASE}/c1/banking/cards/A-DC/unfreeze", json={"idempotency_key": key()},
                    headers=h)
    assert r.status_code == 200 and bank(world).state.card_status["A-DC"] == "active"
    r = client.post(f"{BASE}/c1/banking/cards/B-DC/freeze", json={"idempotency_key": key()},
                    headers=h)
    assert r.status_code == 404 and r.json()["details"]["field"] == "card_id"
    assert bank(world).state.card_status["B-DC"] == "active"


def test_refusals_name_the_field(client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    r = transfer(client, h, "c1", 50_000, from_account="A-SAV", to_account="B-CUR")
    assert r.status_code == 404 and r.json()["details"]["field"] == "to_account"
    r = transfer(client, h, "c1", 0)
    assert r.status_code == 422 and r.json()["details"]["field"] == "amount"
    for _ in range(5):  # savings hold 5,000 yuan
        r = transfer(client, h, "c1", 100_000, from_account="A-SAV", to_account="A-CUR")
        assert r.status_code == 200
    r = transfer(client, h, "c1", 1, from_account="A-SAV", to_account="A-CUR")
    assert r.status_code == 422 and r.json()["error_id"] == "insufficient_funds"
    assert r.json()["details"]["field"] == "from_account"


def test_only_the_agent_with_the_caller_on_the_line_acts(client: TestClient,
                                                          world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    assert transfer(client, h, "c1", 10_000).status_code == 200
    other = token(client, "agent2")
    r = client.get(f"{BASE}/c1/banking", headers=other)
    assert r.status_code == 404 and r.json()["message"] == "unknown contact 'c1'"
    assert transfer(client, other, "c1", 10_000).status_code == 404
    assert client.post(f"{BASE}/c1/end", headers=h).status_code == 200
    r = transfer(client, h, "c1", 10_000)
    assert r.status_code == 409 and r.json()["error_id"] == "caller_not_on_line"
    # In wrap-up the receipts still show.
    assert len(client.get(f"{BASE}/c1/banking", headers=h).json()["receipts"]) == 1
    assert balance(bank(world), "A-CUR") == 990_000


def test_roles(client: TestClient, world: World) -> None:
    on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    for who in ("analyst", "admin"):
        h = token(client, who)
        assert client.get(f"{BASE}/c1/banking", headers=h).status_code == 403
        assert transfer(client, h, "c1", 10).status_code == 403
    assert client.get("/api/v1/supervisor/approvals",
                      headers=token(client, "agent")).status_code == 403
    assert client.get("/api/v1/supervisor/approvals").status_code == 401
    assert client.get(f"{BASE}/c1/banking").status_code == 401


def test_without_a_desk_the_routes_say_so() -> None:
    w = build_world()
    with TestClient(create_app(lambda: w.services)) as c:
        r = c.get("/api/v1/supervisor/approvals", headers=token(c, "supervisor"))
    assert r.status_code == 404 and r.json()["error_id"] == "banking_unavailable"


def test_no_pin_card_or_account_number_anywhere(client: TestClient, world: World,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []

    def keep(r: Response) -> Response:
        texts.append(r.text)
        return r

    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=False)
    sup = token(client, "supervisor")
    keep(client.get(f"{BASE}/c1/banking", headers=h))
    keep(client.post(f"{BASE}/c1/banking/verify", headers=h,
                     json={"card_last4": "0000", "last_amount": 1}))
    keep(client.post(f"{BASE}/c1/banking/verify", headers=h,
                     json={"card_last4": PAN_A[-4:], "last_amount": 1_000_000}))
    keep(client.get(f"{BASE}/c1/banking", headers=h))
    keep(client.get(f"{BASE}/c1", headers=h))
    keep(pay(client, h, "c1", 10_000))
    rid = keep(pay(client, h, "c1", 300_000)).json()["request"]["request_id"]
    keep(client.get("/api/v1/supervisor/approvals", headers=sup))
    keep(client.post(f"/api/v1/supervisor/approvals/{rid}/approve", headers=sup))
    keep(pay(client, h, "c1", 99_000_000))
    keep(transfer(client, h, "c1", 2_000_000))
    keep(client.post(f"{BASE}/c1/banking/cards/A-DC/freeze", json={"idempotency_key": key()},
                     headers=h))
    keep(pay(client, h, "c1", 1_000))  # refused: the card on the account is frozen
    # The credit card reported lost (as the IVR does) and replaced: its new number stays hidden.
    bank(world).report_lost_card(customer_id="A", card_id="A-CC1", ctx=bank_ctx())
    keep(client.post(f"{BASE}/c1/banking/cards/A-CC1/replace", json={"idempotency_key": key()},
                     headers=h))
    keep(client.get(f"{BASE}/c1/banking", headers=h))
    keep(client.get("/api/v1/supervisor/audit", headers=sup))
    assert len(texts) == 16 and sum('"status":"done"' in t for t in texts) == 3
    state = bank(world).state
    new_pan = state.cards[state.replaced_by["A-CC1"]].pan
    texts += [str(e) for _, e in world.log.read()]
    texts += [str(e) for e in world.services.audit.recent(1000)]
    texts += [str(r) for r in desk(world).audit]
    texts += [str(r) for r in bank(world).audit]
    texts += [caplog.text]
    everything = "\n".join(texts)
    assert "payment ¥3,000.00 A-CUR -> 王** ****7890 (ICBC)" in everything
    assert f"card A-CC1 replaced by {new_pan[:6]}******{new_pan[-4:]}" in everything
    for secret in (*SECRETS, new_pan):
        assert secret not in everything, f"{secret[:4]}… leaked"
