"""An agent orders a lost card's replacement over the API: only for a verified caller, only a
lost card (the bank's rule, its refusal naming ``card_id``), once per idempotency key, with a
receipt and audit that show the new card masked and never its number."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from hotline.banking.model import Card
from tests.unit.banking.helpers import PAN_A, ctx
from tests.unit.web.conftest import World, token
from tests.unit.web.test_transactions import BASE, bank, desk, key, on_call

# The banking world of the transactions tests (fixtures, used by name).
from tests.unit.web.test_transactions import client as client
from tests.unit.web.test_transactions import world as world


def report_lost(world: World, card_id: str = "A-DC", customer_id: str = "A") -> None:
    """As the IVR does when a caller reports the card lost."""
    bank(world).report_lost_card(customer_id=customer_id, card_id=card_id, ctx=ctx())


def replace(client: TestClient, h: dict[str, str], contact_id: str, card_id: str,
            idempotency_key: str | None = None) -> Response:
    r: Response = client.post(f"{BASE}/{contact_id}/banking/cards/{card_id}/replace",
                              json={"idempotency_key": idempotency_key or key()}, headers=h)
    return r


def successor(world: World, card_id: str) -> Card:
    state = bank(world).state
    return state.cards[state.replaced_by[card_id]]


def test_a_verified_callers_lost_card_is_replaced_with_a_masked_receipt(
        client: TestClient, world: World) -> None:
    report_lost(world)
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    before = client.get(f"{BASE}/c1/banking", headers=h).json()["cards"]
    assert {c["card_id"]: (c["status"], c["replaced_by"]) for c in before} == {
        "A-DC": ("lost", None), "A-CC1": ("active", None)}
    r = replace(client, h, "c1", "A-DC")
    assert r.status_code == 200, r.text
    new = successor(world, "A-DC")
    receipt = r.json()["receipt"]
    assert r.json()["status"] == "done" and r.json()["replayed"] is False
    assert receipt["summary"] == f"card A-DC replaced by {new.masked_pan}"
    assert (receipt["reference"], receipt["amount"], receipt["performed_by"]) == (
        new.card_id, 0, "agent")
    assert new.account_id == "A-CUR" and new.pan[:6] == PAN_A[:6] and new.pan != PAN_A
    got = client.get(f"{BASE}/c1/banking", headers=h).json()
    cards = {c["card_id"]: c for c in got["cards"]}
    assert cards["A-DC"]["status"] == "lost" and cards["A-DC"]["replaced_by"] == new.card_id
    assert cards[new.card_id] == {"card_id": new.card_id, "masked_pan": new.masked_pan,
                                  "status": "active", "replaced_by": None}
    assert got["receipts"] == [receipt]  # the contact's history
    # Audited by the desk (who, what, when, contact), the web and the bank, masked only.
    record = desk(world).audit[-1]
    assert (record.action, record.actor.actor_id, record.contact_id, record.reference) == (
        "executed", "agent", "c1", new.card_id)
    assert record.at.timestamp() == world.services.now()
    entry = world.services.audit.recent()[0]
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "agent", "banking_executed", "c1")
    assert entry["details"]["summary"] == receipt["summary"]
    bank_record = bank(world).audit[-1]
    assert (bank_record.action, bank_record.contact_id, bank_record.reference) == (
        "card_replaced", "c1", new.card_id)
    everything = "\n".join([r.text, str(got), str(desk(world).audit), str(bank(world).audit),
                            str(world.services.audit.recent(1000))])
    assert new.masked_pan in everything
    assert new.pan not in everything and PAN_A not in everything


def test_an_unverified_caller_gets_no_card_until_the_agents_questions_verify(
        client: TestClient, world: World) -> None:
    report_lost(world)
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=False)
    r = replace(client, h, "c1", "A-DC")
    assert r.status_code == 403 and r.json()["error_id"] == "not_verified"
    assert r.json()["details"]["field"] == "contact_id"
    assert "A-DC" not in bank(world).state.replaced_by
    r = client.post(f"{BASE}/c1/banking/verify", headers=h,
                    json={"card_last4": "1237", "province": "北京"})
    assert r.status_code == 200, r.text
    r = replace(client, h, "c1", "A-DC")
    assert r.status_code == 200 and r.json()["receipt"]["verification"] == "agent_questions"
    assert r.json()["receipt"]["reference"] == successor(world, "A-DC").card_id


def test_only_a_lost_card_is_replaced_and_the_refusal_names_card_id(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    k = key()
    r = replace(client, h, "c1", "A-DC", k)
    assert r.status_code == 403, r.text
    assert r.json() == {"error_id": "not_permitted", "message": "card_id: card "
                        "622848*********1234 is active: only a card reported lost is replaced",
                        "details": {"field": "card_id", "reason": "card 622848*********1234 is "
                                    "active: only a card reported lost is replaced"}}
    r = replace(client, h, "c1", "B-DC")  # another customer's card
    assert r.status_code == 404 and r.json()["details"]["field"] == "card_id"
    assert bank(world).state.replaced_by == {}
    assert client.get(f"{BASE}/c1/banking", headers=h).json()["receipts"] == []
    # The refusal kept no key: once the card is reported lost, the same key orders it.
    report_lost(world)
    r = replace(client, h, "c1", "A-DC", k)
    assert r.status_code == 200 and r.json()["replayed"] is False


def test_the_same_idempotency_key_orders_one_card(client: TestClient, world: World) -> None:
    report_lost(world)
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    k = key()
    first, second = replace(client, h, "c1", "A-DC", k), replace(client, h, "c1", "A-DC", k)
    assert first.status_code == second.status_code == 200
    assert first.json()["receipt"] == second.json()["receipt"]
    assert (first.json()["replayed"], second.json()["replayed"]) == (False, True)
    state = bank(world).state
    assert len(state.cards_on["A-CUR"]) == 2 and len(state.replacements_by_key) == 1
    cards = client.get(f"{BASE}/c1/banking", headers=h).json()["cards"]
    assert len(cards) == 3
    # The key names that request only; a new key for the same card meets the bank's "once".
    report_lost(world, "A-CC1")
    r = replace(client, h, "c1", "A-CC1", k)
    assert r.status_code == 409 and r.json()["details"]["field"] == "idempotency_key"
    r = replace(client, h, "c1", "A-DC")
    assert r.status_code == 403 and r.json()["details"]["field"] == "card_id"
    new = successor(world, "A-DC")
    assert r.json()["message"].endswith(f"was already replaced by {new.card_id}")
    assert len(state.cards_on["A-CUR"]) == 2


def test_roles_as_for_a_freeze(client: TestClient, world: World) -> None:
    report_lost(world)
    on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    for who in ("analyst", "admin"):
        r = replace(client, token(client, who), "c1", "A-DC")
        assert r.status_code == 403 and r.json()["error_id"] == "forbidden"
    assert replace(client, {}, "c1", "A-DC").status_code == 401
    # A supervisor who takes calls orders it for their own caller.
    sup = on_call(client, world, "sup-desk", "c2", customer_id="A", authenticated=True)
    r = replace(client, sup, "c2", "A-DC")
    assert r.status_code == 200 and r.json()["receipt"]["performed_by"] == "sup-desk"


def test_the_agent_reports_a_card_lost_then_orders_its_replacement(
        client: TestClient, world: World) -> None:
    h = on_call(client, world, "agent", "c1", customer_id="A", authenticated=True)
    r = client.post(f"{BASE}/c1/banking/cards/A-DC/report-lost",
                    json={"idempotency_key": key()}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "done"
    assert bank(world).state.card_status["A-DC"].value == "lost"
    again = client.post(f"{BASE}/c1/banking/cards/A-DC/report-lost",
                        json={"idempotency_key": key()}, headers=h)
    assert again.status_code == 200  # already lost: nothing changes, nothing is refused
    unfreeze = client.post(f"{BASE}/c1/banking/cards/A-DC/unfreeze",
                           json={"idempotency_key": key()}, headers=h)
    assert unfreeze.status_code == 403 and unfreeze.json()["details"]["field"] == "card_id"
    assert replace(client, h, "c1", "A-DC").status_code == 200
    assert successor(world, "A-DC").account_id == "A-CUR"
    actions = [e["action"] for e in world.services.audit.recent()]
    assert actions.count("banking_executed") == 3  # lost, lost again (a no-op), replaced
    assert PAN_A not in str(world.services.audit.recent())
