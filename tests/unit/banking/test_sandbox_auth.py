from dataclasses import dataclass

import pytest

from hotline.banking.errors import (
    AuthenticationFailed,
    CardFrozen,
    CredentialLocked,
    InvalidInput,
    NotPermitted,
)
from hotline.banking.model import Channel
from hotline.banking.pins import SANDBOX_PARAMS, PinHasher
from tests.unit.banking.helpers import NUMBER_A, PAN_A, PAN_A_CC, PIN_A, PIN_B, ctx, make_bank

LOCKED = ("pin: telephone PIN of A is locked after 3 consecutive failures; an agent can "
          "unlock it after verifying the caller")


def test_card_or_account_number_with_pin_authenticates() -> None:
    bank = make_bank()
    by_card = bank.authenticate(credential=PAN_A, pin=PIN_A, ctx=ctx())
    assert by_card.customer_id == "A"
    assert by_card.masked_credential == "622848*********1234"
    assert by_card.masked_name == "张**"
    by_account = bank.authenticate(credential=NUMBER_A, pin=PIN_A, ctx=ctx())
    assert (by_account.customer_id, by_account.masked_credential) == ("A", "****2345")


def test_wrong_pin_counts_down_then_locks_and_stays_locked() -> None:
    bank = make_bank()
    for left in (2, 1):
        with pytest.raises(AuthenticationFailed) as err:
            bank.authenticate(credential=PAN_A, pin=PIN_B, ctx=ctx())
        assert str(err.value) == ("credential: card or account number and PIN do not match "
                                  f"({left} attempt(s) left)")
    with pytest.raises(CredentialLocked) as locked:
        bank.authenticate(credential=PAN_A, pin=PIN_B, ctx=ctx())
    assert str(locked.value) == LOCKED
    # The right PIN, by card or by account number, does not get past the lock.
    for credential in (PAN_A, NUMBER_A):
        with pytest.raises(CredentialLocked):
            bank.authenticate(credential=credential, pin=PIN_A, ctx=ctx())
    assert bank.state.pins["A"].locked
    assert [r.action for r in bank.audit if r.customer_id == "A"][-4:] == [
        "pin_failed", "pin_failed", "pin_failed", "pin_locked"]


def test_success_resets_the_failure_count() -> None:
    bank = make_bank()
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            bank.authenticate(credential=PAN_A, pin=PIN_B, ctx=ctx())
    bank.authenticate(credential=PAN_A, pin=PIN_A, ctx=ctx())
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            bank.authenticate(credential=PAN_A, pin=PIN_B, ctx=ctx())
    assert not bank.state.pins["A"].locked


def test_only_an_agent_unlocks_and_it_is_audited() -> None:
    bank = make_bank()
    for _ in range(3):
        with pytest.raises((AuthenticationFailed, CredentialLocked)):
            bank.authenticate(credential=PAN_A, pin=PIN_B, ctx=ctx())
    with pytest.raises(NotPermitted, match=r"^actor: only an agent can unlock a telephone PIN$"):
        bank.unlock_pin(customer_id="A", ctx=ctx())
    bank.unlock_pin(customer_id="A", ctx=ctx(channel=Channel.AGENT))
    assert bank.audit[-1].action == "pin_unlocked"
    assert bank.audit[-1].actor.actor_id == "u-agent"
    assert bank.authenticate(credential=PAN_A, pin=PIN_A, ctx=ctx()).customer_id == "A"
    with pytest.raises(InvalidInput, match=r"^customer_id: telephone PIN of A is not locked$"):
        bank.unlock_pin(customer_id="A", ctx=ctx(channel=Channel.AGENT))


def test_unknown_credential_gives_the_same_answer_and_still_verifies() -> None:
    calls: list[str] = []

    @dataclass(frozen=True)
    class CountingHasher(PinHasher):
        def verify(self, pin_hash: str, pin: str) -> bool:
            calls.append(pin_hash)
            return PinHasher.verify(self, pin_hash, pin)

    bank = make_bank()
    bank.hasher = CountingHasher(params=SANDBOX_PARAMS)
    with pytest.raises(AuthenticationFailed) as err:
        bank.authenticate(credential="6228480000000000000", pin=PIN_A, ctx=ctx())
    assert str(err.value) == "credential: card or account number and PIN do not match"
    assert len(calls) == 1, "an unknown credential costs one argon2 verification too"


def test_frozen_or_lost_card_cannot_authenticate_but_account_number_can() -> None:
    bank = make_bank()
    bank.freeze_card(customer_id="A", card_id="A-CC1", ctx=ctx())
    with pytest.raises(CardFrozen) as err:
        bank.authenticate(credential=PAN_A_CC, pin=PIN_A, ctx=ctx())
    assert str(err.value) == "credential: card 518710******1237 is frozen: it cannot authenticate"
    bank.report_lost_card(customer_id="A", card_id="A-DC", ctx=ctx())
    with pytest.raises(CardFrozen, match="is lost: it cannot authenticate"):
        bank.authenticate(credential=PAN_A, pin=PIN_A, ctx=ctx())
    assert bank.authenticate(credential=NUMBER_A, pin=PIN_A, ctx=ctx()).customer_id == "A"
    assert bank.state.pins["A"].failures == 0


def test_malformed_pin_is_refused_without_counting() -> None:
    bank = make_bank()
    with pytest.raises(InvalidInput, match=r"^pin: must be exactly 6 digits$"):
        bank.authenticate(credential=PAN_A, pin="12", ctx=ctx())
    assert bank.state.pins["A"].failures == 0
