"""The demo's bank lives in the database: a transfer an agent makes for a verified caller is
still there after the server restarts on the same SQLite file, and no card number or PIN of the
demo bank reaches a log line."""

from __future__ import annotations

import logging
import random
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hotline.banking.demo import demo_bank
from hotline.banking.model import AccountKind, Actor, ActorKind, Channel, RequestContext
from hotline.bootstrap import DEMO_PASSWORD, ServerConfig, build_app
from hotline.live.clock import ManualClock
from hotline.store.sql.bank import BankStore
from hotline.store.sql.bank_persistent import PersistentBank
from hotline.store.sql.database import open_database
from hotline.store.sql.schema import verification_attempts

SEED = 3
BASE = "/api/v1/agent/contacts"


def _config(db: Path, clock: ManualClock) -> ServerConfig:
    # A clock that stands still: the simulated floor takes no call, so the desk gets ours.
    return ServerConfig(database_url=f"sqlite:///{db}", demo=True, seed=SEED, fast_hashes=True,
                        clock=lambda: clock)


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["token"]}


def _stored_bank(db: Path) -> PersistentBank:
    engine = open_database(f"sqlite:///{db}")
    try:
        return PersistentBank.open(BankStore(engine))
    finally:
        engine.dispose()


def _call_for_desk1(client: TestClient, customer_id: str, *, authenticated: bool = True
                    ) -> tuple[str, dict[str, str]]:
    """A caller of ``customer_id`` (IVR-verified unless told), connected to agent1 (desk1)."""
    admin, sup, agent = (_token(client, u) for u in ("admin", "supervisor", "agent1"))
    r = client.put("/api/v1/admin/queues/desk1-only", headers=admin,
                   json={"expression": 'id == "desk1"', "site": "beijing"})
    assert r.status_code == 200, r.text
    r = client.put("/api/v1/admin/workflows/desk1-only", headers=admin,
                   json={"steps": [{"queue": "desk1-only"}]})
    assert r.status_code == 200, r.text
    assert client.post("/api/v1/agent/login", json={"ready": True},
                       headers=agent).status_code == 200
    r = client.post("/api/v1/demo/calls", headers=sup, json={
        "workflow": "desk1-only",
        "attributes": {"customer_id": customer_id, "authenticated": authenticated}})
    assert r.status_code == 200, r.text
    contact_id = r.json()["contact_id"]
    view = client.get("/api/v1/agent/state", headers=agent).json()["view"]
    rid = next(k for k, v in view["reservations"].items() if v["contact_id"] == contact_id)
    r = client.post(f"/api/v1/agent/reservations/{rid}/accept", headers=agent)
    assert r.status_code == 200, r.text
    return contact_id, agent


def _accounts(got: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["account_id"]: a for a in got["accounts"]}


def test_a_transfer_survives_a_restart_and_no_secret_is_logged(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "demo.sqlite"
    clock = ManualClock(datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())
    with TestClient(build_app(_config(db, clock))) as client:
        bank = _stored_bank(db)
        customer = next(c for c in bank.state.customers
                        if len(bank.state.accounts_of[c]) >= 2
                        and bank.state.accounts[bank.state.accounts_of[c][1]].kind
                        is AccountKind.SAVINGS)
        source, target = bank.state.accounts_of[customer][:2]
        contact_id, agent = _call_for_desk1(client, customer)
        before = client.get(f"{BASE}/{contact_id}/banking", headers=agent).json()
        assert before["verified"] is True
        amount = min(10_000, _accounts(before)[source]["available"])
        r = client.post(f"{BASE}/{contact_id}/banking/transfer", headers=agent, json={
            "from_account": source, "to_account": target, "amount": amount,
            "idempotency_key": uuid.uuid4().hex})
        assert r.status_code == 200 and r.json()["status"] == "done", r.text
        reference = r.json()["receipt"]["reference"]
        after = client.get(f"{BASE}/{contact_id}/banking", headers=agent).json()

    clock.advance(1.0)
    with TestClient(build_app(_config(db, clock))) as client:
        agent = _token(client, "agent1")
        again = client.get(f"{BASE}/{contact_id}/banking", headers=agent)
        assert again.status_code == 200, again.text
        got = again.json()
        # The caller's verification, the receipt and the balances are what they were.
        assert got["verified"] is True and got["verification"]["method"] == "ivr_pin"
        assert [r["reference"] for r in got["receipts"]] == [reference]
        assert _accounts(got) == _accounts(after)
        assert _accounts(got)[source]["balance"] == \
            _accounts(before)[source]["balance"] - amount
        assert _accounts(got)[target]["balance"] == \
            _accounts(before)[target]["balance"] + amount

    stored = _stored_bank(db)
    assert sum(stored.state.ledger.balances.values()) == 0
    assert stored.state.postings == bank.state.postings + 1
    # The secrets of the demo bank (the same seed as the server's): none in any log line.
    demo = demo_bank(random.Random(SEED), customers=500,
                     opened_at=datetime(2026, 1, 1, tzinfo=UTC))
    pans = {card.pan for card in stored.state.cards.values()}
    assert pans == {card.pan for card in demo.bank.state.cards.values()}
    numbers = {a.number for a in stored.state.accounts.values() if a.customer_id}
    pins = {c.pin for c in demo.credentials}
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert len(caplog.records) > 0
    runs = set(re.findall(r"(?<!\d)\d{13,19}(?!\d)", logged))
    assert not runs & pans and not runs & numbers
    # A PIN as a number of its own (six digits inside a hex contact id are not one).
    assert not set(re.findall(r"(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])", logged)) & pins


def test_a_retry_after_a_restart_gets_the_first_outcome_and_moves_nothing_again(
        tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    clock = ManualClock(datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())
    key, asked_key = uuid.uuid4().hex, uuid.uuid4().hex
    with TestClient(build_app(_config(db, clock))) as client:
        bank = _stored_bank(db)
        customer = next(c for c in bank.state.customers
                        if len(bank.state.accounts_of[c]) >= 2
                        and bank.state.accounts[bank.state.accounts_of[c][1]].kind
                        is AccountKind.SAVINGS)
        source, target = bank.state.accounts_of[customer][:2]
        contact_id, agent = _call_for_desk1(client, customer)
        before = _accounts(client.get(f"{BASE}/{contact_id}/banking", headers=agent).json())
        amount = min(10_000, before[source]["available"])
        body = {"from_account": source, "to_account": target, "amount": amount,
                "idempotency_key": key}
        first = client.post(f"{BASE}/{contact_id}/banking/transfer", headers=agent, json=body)
        assert first.status_code == 200 and first.json()["status"] == "done", first.text
        # Above the agent's limit alone (5,000 yuan): a request for a supervisor.
        above = {**body, "amount": 600_000, "idempotency_key": asked_key}
        asked = client.post(f"{BASE}/{contact_id}/banking/transfer", headers=agent, json=above)
        assert asked.status_code == 202, asked.text

    clock.advance(1.0)
    with TestClient(build_app(_config(db, clock))) as client:
        agent = _token(client, "agent1")
        retry = client.post(f"{BASE}/{contact_id}/banking/transfer", headers=agent, json=body)
        assert retry.status_code == 200, retry.text
        assert retry.json()["receipt"] == first.json()["receipt"]
        assert retry.json()["replayed"] is True and first.json()["replayed"] is False
        again = client.post(f"{BASE}/{contact_id}/banking/transfer", headers=agent, json=above)
        assert again.status_code == 202, again.text
        assert again.json()["request"]["request_id"] == asked.json()["request"]["request_id"]
        # The same key with another request is refused, and moves nothing either.
        other = client.post(f"{BASE}/{contact_id}/banking/transfer", headers=agent,
                            json={**body, "amount": amount + 1})
        assert other.status_code == 409, other.text
        assert other.json()["error_id"] == "idempotency_conflict"
        got = client.get(f"{BASE}/{contact_id}/banking", headers=agent).json()
        assert len(got["receipts"]) == 1 and len(got["requests"]) == 1

    stored = _stored_bank(db)
    assert stored.state.postings == bank.state.postings + 1  # the ledger moved once
    moved = {a: stored.state.ledger.balances[a] - bank.state.ledger.balances[a]
             for a in (source, target)}
    assert sorted(moved.values()) == sorted([amount, -amount])


def test_refused_verification_attempts_survive_a_restart_and_the_limit_holds(
        tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    clock = ManualClock(datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())
    bank = None
    with TestClient(build_app(_config(db, clock))) as client:
        bank = _stored_bank(db)
        customer = next(iter(bank.state.customers))
        province = bank.state.customers[customer].province
        last4 = {c.pan[-4:] for c in bank.state.cards.values() if c.customer_id == customer}
        wrong = {"card_last4": next(f"{n:04d}" for n in range(10_000)
                                    if f"{n:04d}" not in last4),
                 "province": "Nowhere"}
        right = {"card_last4": sorted(last4)[0], "province": province}
        contact_id, agent = _call_for_desk1(client, customer, authenticated=False)
        url = f"{BASE}/{contact_id}/banking/verify"
        # Two of the three tries (MAX_ATTEMPTS) go wrong before the restart.
        for left in (2, 1):
            r = client.post(url, headers=agent, json=wrong)
            assert r.status_code == 403 and r.json()["details"]["attempts_left"] == left, r.text

    clock.advance(1.0)
    with TestClient(build_app(_config(db, clock))) as client:
        agent = _token(client, "agent1")
        got = client.get(f"{BASE}/{contact_id}/banking", headers=agent).json()
        assert got["verified"] is False and got["attempts_left"] == 1
        # One more wrong answer locks the contact, as it would have without a restart ...
        r = client.post(url, headers=agent, json=wrong)
        assert r.status_code == 403 and r.json()["details"]["attempts_left"] == 0, r.text
        # ... and then not even the right answers verify the caller.
        r = client.post(url, headers=agent, json=right)
        assert r.status_code == 403 and r.json()["error_id"] == "verification_locked", r.text
        assert client.get(f"{BASE}/{contact_id}/banking",
                          headers=agent).json()["verified"] is False
        # Every refusal is audited, those before the restart too.
        audit = client.get("/api/v1/supervisor/audit", headers=_token(client, "supervisor"))
        refused = [e for e in audit.json()["entries"] if e["action"] == "banking_verify_refused"]
        assert [e["details"]["attempts_left"] for e in refused] == [0, 1, 2]
        assert {(e["actor"], e["target"]) for e in refused} == {("agent1", contact_id)}

    # The table names the contact and the customer; no answer the caller gave is kept.
    engine = open_database(f"sqlite:///{db}")
    try:
        with engine.connect() as c:
            kept = c.execute(select(verification_attempts)).mappings().all()
    finally:
        engine.dispose()
    assert [(r["contact_id"], r["customer_id"]) for r in kept] == [(contact_id, customer)] * 3
    assert not {wrong["card_last4"], right["card_last4"]} & {str(v) for r in kept
                                                           for v in r.values()}


def test_a_lost_cards_replacement_is_stored_and_a_retry_after_a_restart_orders_no_other(
        tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    clock = ManualClock(datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())
    with TestClient(build_app(_config(db, clock))):
        pass  # the demo bank is seeded into the file
    # The caller reported the card lost in the IVR while the server was down.
    engine = open_database(f"sqlite:///{db}")
    try:
        bank = PersistentBank.open(BankStore(engine))
        card = next(c for c in bank.state.cards.values()
                    if bank.state.card_status[c.card_id].value == "active")
        bank.report_lost_card(customer_id=card.customer_id, card_id=card.card_id,
                              ctx=RequestContext(actor=Actor(kind=ActorKind.IVR, actor_id="ivr"),
                                                 channel=Channel.IVR, contact_id=None,
                                                 now=datetime.fromtimestamp(clock.now(), tz=UTC)))
    finally:
        engine.dispose()
    url = f"{BASE}/{{}}/banking/cards/{card.card_id}/replace"
    body = {"idempotency_key": uuid.uuid4().hex}
    with TestClient(build_app(_config(db, clock))) as client:
        contact_id, agent = _call_for_desk1(client, card.customer_id)
        first = client.post(url.format(contact_id), headers=agent, json=body)
        assert first.status_code == 200, first.text
        got = client.get(f"{BASE}/{contact_id}/banking", headers=agent).json()
        new_id = {c["card_id"]: c["replaced_by"] for c in got["cards"]}[card.card_id]
        assert first.json()["receipt"]["reference"] == new_id

    clock.advance(1.0)
    with TestClient(build_app(_config(db, clock))) as client:
        agent = _token(client, "agent1")
        retry = client.post(url.format(contact_id), headers=agent, json=body)
        assert retry.status_code == 200, retry.text
        assert retry.json()["receipt"] == first.json()["receipt"]
        assert retry.json()["replayed"] is True
        got = client.get(f"{BASE}/{contact_id}/banking", headers=agent).json()
        assert [r["reference"] for r in got["receipts"]] == [new_id]
        other = client.post(url.format(contact_id), headers=agent,
                            json={"idempotency_key": uuid.uuid4().hex})
        assert other.status_code == 403 and other.json()["details"]["field"] == "card_id"

    stored = _stored_bank(db)
    assert stored.state.replaced_by == {card.card_id: new_id}
    new = stored.state.cards[new_id]
    assert first.json()["receipt"]["summary"] == f"card {card.card_id} replaced by " \
                                                 f"{new.masked_pan}"
    assert new.pan not in first.text + retry.text + other.text
