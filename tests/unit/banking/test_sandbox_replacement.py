"""Replacing a lost card: a new active card on the same account, the lost one stays lost, one
card per idempotency key, refusals that name the field and change nothing."""

from __future__ import annotations

import random

import pytest

from hotline.banking.errors import CardFrozen, IdempotencyConflict, InvalidInput, NotPermitted
from hotline.banking.events import CardReplaced
from hotline.banking.masking import mask_pan
from hotline.banking.model import Card, CardStatus, Channel
from hotline.banking.replacement import luhn_valid, replacement_pan, successor_id
from hotline.banking.sandbox import SandboxBank
from tests.unit.banking.helpers import PAN_A, PAN_A_CC, PAYEE, PIN_A, ctx, make_bank

AGENT = ctx(channel=Channel.AGENT)


def lost_bank() -> SandboxBank:
    bank = make_bank()
    bank.pan_entropy = random.Random(5).randbytes
    bank.report_lost_card(customer_id="A", card_id="A-DC", ctx=ctx())
    return bank


def test_a_lost_card_is_replaced_by_a_new_active_card_on_the_same_account() -> None:
    bank = lost_bank()
    new = bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    assert new.card_id == "A-DC-R1" and new.status is CardStatus.ACTIVE
    card = bank.state.cards[new.card_id]
    assert (card.customer_id, card.account_id) == ("A", "A-CUR")
    assert card.pan != PAN_A and card.pan[:6] == PAN_A[:6] and len(card.pan) == len(PAN_A)
    assert luhn_valid(card.pan) and new.masked_pan == mask_pan(card.pan)
    assert bank.state.card_status["A-DC"] is CardStatus.LOST
    assert bank.state.replaced_by == {"A-DC": "A-DC-R1"}
    # The new card authenticates, the lost one still does not.
    assert bank.authenticate(credential=card.pan, pin=PIN_A, ctx=ctx()).customer_id == "A"
    with pytest.raises(CardFrozen, match="is lost"):
        bank.authenticate(credential=PAN_A, pin=PIN_A, ctx=ctx())


def test_the_replacement_is_audited_with_masked_numbers_only() -> None:
    bank = lost_bank()
    new = bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    record = bank.audit[-1]
    assert (record.action, record.customer_id, record.reference, record.accounts) == (
        "card_replaced", "A", new.card_id, ("A-CUR",))
    assert record.actor == AGENT.actor and record.contact_id == AGENT.contact_id
    pan = bank.state.cards[new.card_id].pan
    assert record.detail == f"{mask_pan(PAN_A)} (A-DC) replaced by {mask_pan(pan)}"
    assert pan not in repr(bank.audit) and PAN_A not in repr(bank.audit)
    assert pan not in repr(bank.events[-1]) and pan not in repr(new)


def test_a_retry_with_the_same_key_issues_one_card() -> None:
    bank = lost_bank()
    first = bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    snapshot, audit = bank.state.snapshot(), len(bank.audit)
    again = bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    assert again == first
    assert bank.state.snapshot() == snapshot and len(bank.audit) == audit
    assert sum(isinstance(e, CardReplaced) for e in bank.events) == 1


def test_a_lost_card_is_replaced_once_and_a_replacement_can_be_replaced_in_turn() -> None:
    bank = lost_bank()
    bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    with pytest.raises(NotPermitted) as err:
        bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r2", ctx=AGENT)
    assert str(err.value) == (f"card_id: card {mask_pan(PAN_A)} was already replaced by A-DC-R1")
    bank.report_lost_card(customer_id="A", card_id="A-DC-R1", ctx=ctx())
    second = bank.replace_card(customer_id="A", card_id="A-DC-R1", idempotency_key="r2",
                               ctx=AGENT)
    assert second.card_id == "A-DC-R2"
    assert len({c.pan for c in bank.state.cards.values()}) == len(bank.state.cards)


@pytest.mark.parametrize("freeze", [False, True])
def test_an_active_or_frozen_card_is_not_replaced(freeze: bool) -> None:
    bank = make_bank()
    if freeze:
        bank.freeze_card(customer_id="A", card_id="A-DC", ctx=ctx())
    before, audit = bank.state.snapshot(), len(bank.audit)
    with pytest.raises(NotPermitted) as err:
        bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    status = "frozen" if freeze else "active"
    assert str(err.value) == (f"card_id: card {mask_pan(PAN_A)} is {status}: only a card "
                              "reported lost is replaced")
    assert err.value.field == "card_id"
    assert bank.state.snapshot() == before and len(bank.audit) == audit


def test_keys_and_ownership_are_checked() -> None:
    bank = lost_bank()
    bank.report_lost_card(customer_id="A", card_id="A-CC1", ctx=ctx())
    with pytest.raises(InvalidInput, match=r"^idempotency_key: must not be empty$"):
        bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key=" ", ctx=AGENT)
    with pytest.raises(Exception, match=r"^card_id: A-DC is not a card of customer B$"):
        bank.replace_card(customer_id="B", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    # The same key for another card, or for a money movement, is another request.
    with pytest.raises(IdempotencyConflict, match=r"^idempotency_key: r1 was already used"):
        bank.replace_card(customer_id="A", card_id="A-CC1", idempotency_key="r1", ctx=AGENT)
    with pytest.raises(IdempotencyConflict, match=r"^idempotency_key: r1 was already used"):
        bank.pay(customer_id="A", from_account="A-SAV", payee=PAYEE, amount=100,
                 idempotency_key="r1", ctx=AGENT)
    bank.pay(customer_id="A", from_account="A-SAV", payee=PAYEE, amount=100,
             idempotency_key="p1", ctx=AGENT)
    with pytest.raises(IdempotencyConflict, match=r"^idempotency_key: p1 was already used"):
        bank.replace_card(customer_id="A", card_id="A-CC1", idempotency_key="p1", ctx=AGENT)
    assert bank.state.card_status["A-CC1"] is CardStatus.LOST


def test_a_replaced_lost_card_no_longer_stops_its_accounts_debits() -> None:
    bank = lost_bank()
    with pytest.raises(CardFrozen, match=r"^from_account: "):
        bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=100,
                 idempotency_key="p1", ctx=AGENT)
    new = bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=100,
             idempotency_key="p1", ctx=AGENT)
    bank.freeze_card(customer_id="A", card_id=new.card_id, ctx=AGENT)
    with pytest.raises(CardFrozen, match="has a frozen card"):
        bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=100,
                 idempotency_key="p2", ctx=AGENT)


def test_replay_rebuilds_the_replacement_and_the_seeded_numbers_repeat() -> None:
    one, two = lost_bank(), lost_bank()
    for bank in (one, two):
        bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1", ctx=AGENT)
    # The same entropy, the same new number (PIN salts differ: they are not seeded here).
    assert one.state.cards == two.state.cards
    rebuilt = SandboxBank.replay(one.events, hasher=one.hasher, limits=one.limits)
    assert rebuilt.state.snapshot() == one.state.snapshot()
    assert rebuilt.replace_card(customer_id="A", card_id="A-DC", idempotency_key="r1",
                                ctx=AGENT).card_id == "A-DC-R1"


def test_new_numbers_keep_bin_and_length_and_skip_taken_ones() -> None:
    draws = iter([b"\0" * 8, b"\0" * 8, (7).to_bytes(8, "big")])
    first = replacement_pan(PAN_A_CC, taken=set(), entropy=lambda n: b"\0" * n)
    assert first == "5187100000000002" and luhn_valid(first)
    # The first two draws give a taken number; the third a free one.
    pan = replacement_pan(PAN_A_CC, taken={first}, entropy=lambda n: next(draws))
    assert pan[:6] == "518710" and pan[6:-1] == "000000007" and luhn_valid(pan)
    with pytest.raises(InvalidInput, match=r"^pan: "):
        replacement_pan("1234567", taken=set(), entropy=lambda n: b"\0" * n)


def test_successor_ids_count_up_past_taken_ones() -> None:
    bank = make_bank()
    assert successor_id(bank.state, "A-DC") == "A-DC-R1"
    assert successor_id(bank.state, "A-DC-R1") == "A-DC-R2"
    bank.issue_card(card=Card(card_id="A-DC-R1", pan="6228480000000000018", customer_id="A",
                              account_id="A-CUR"), now=ctx().now)
    assert successor_id(bank.state, "A-DC") == "A-DC-R2"


def test_docstring_examples() -> None:
    import doctest

    import hotline.banking.replacement as module

    assert doctest.testmod(module).failed == 0
