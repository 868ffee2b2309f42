"""Scripted calls through the shipped VIP flow and how calls reach it."""

from __future__ import annotations

from hotline.ivr import Enqueue, LockedOut, OfferCallback
from hotline.ivr.library import shipped_flow, shipped_registry
from tests.unit.ivr.scripted import ACCOUNT, CARD, PIN, SAVINGS, Caller

VIP = shipped_flow("bank-vip")


def test_vip_number_and_vip_segment_reach_the_vip_flow() -> None:
    registry = shipped_registry()
    assert registry.select("4006695588").name == "bank-vip"
    assert registry.select("95588", segment="vip").name == "bank-vip"
    assert registry.select("95588", segment="mass").name == "bank-hotline"


def test_vip_balance_then_relationship_manager_with_priority() -> None:
    c = Caller(VIP).call("4006695588").keys("2", CARD, PIN, "1")
    assert "Your balance is 5000 CNY." in c.said
    c.keys("0")
    (enqueue,) = c.of(Enqueue)
    assert isinstance(enqueue, Enqueue)
    assert (enqueue.workflow, enqueue.priority) == ("vip", 10)
    assert enqueue.attributes["segment"] == "vip" and enqueue.attributes["intent"] == "balance"


def test_vip_transactions_and_transfer() -> None:
    c = Caller(VIP).call("4006695588").keys("1", CARD, PIN, "2")
    assert c.bank.requests[-1].arguments["count"] == "10"
    c.keys("1", "3", SAVINGS, "100", "1")
    assert c.bank.balances == {ACCOUNT: 4900, SAVINGS: 300}


def test_vip_refused_transfer_goes_to_the_manager() -> None:
    c = Caller(VIP).call("4006695588").keys("1", CARD, PIN, "3", SAVINGS, "99999", "1")
    assert "transfer_refused" in c.prompts and c.ended.outcome == "enqueued"


def test_vip_lost_card() -> None:
    c = Caller(VIP).call("4006695588").keys("1", CARD, PIN, "4")
    assert c.bank.frozen


def test_vip_lockout_goes_to_the_manager_and_long_wait_offers_callback() -> None:
    c = Caller(VIP, wait_s=61).call("4006695588").keys("1", CARD, "000000", "000001", "000002")
    assert c.of(LockedOut)
    c.keys("1")
    (callback,) = c.of(OfferCallback)
    assert isinstance(callback, OfferCallback) and callback.priority == 10
    assert c.ended.outcome == "callback"


def test_vip_junk_and_timeouts_at_the_menu_reach_the_manager() -> None:
    c = Caller(VIP).call("4006695588").keys("1", CARD, PIN).keys("7").silence(2)
    assert c.ended.outcome == "enqueued"
