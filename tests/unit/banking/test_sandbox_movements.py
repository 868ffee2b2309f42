from datetime import timedelta

import pytest

from hotline.banking.errors import (
    CardFrozen,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidInput,
    LimitExceeded,
    UnknownItem,
)
from hotline.banking.ledger import TxnKind
from hotline.banking.limits import DailyLimits
from hotline.banking.model import Channel, Payee
from hotline.banking.state import CLEARING
from tests.unit.banking.helpers import PAYEE, T0, balance, ctx, make_bank


def test_own_transfer_moves_money_and_is_audited() -> None:
    bank = make_bank()
    receipt = bank.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-SAV",
                                amount=250_000, idempotency_key="k1", ctx=ctx())
    assert (balance(bank, "A-CUR"), balance(bank, "A-SAV")) == (750_000, 750_000)
    assert receipt.kind is TxnKind.OWN_TRANSFER
    assert receipt.beneficiary == "****4321"
    record = bank.audit[-1]
    assert (record.action, record.amount, record.accounts, record.contact_id, record.reference) == (
        "own_transfer", 250_000, ("A-CUR", "A-SAV"), "K1", receipt.txn_id)
    assert record.actor.actor_id == "ivr"
    assert sum(bank.state.ledger.balances.values()) == 0


def test_retry_with_same_key_moves_money_once() -> None:
    bank = make_bank()
    first = bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=10_000,
                     idempotency_key="k1", ctx=ctx())
    audit = len(bank.audit)
    again = bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=10_000,
                     idempotency_key="k1", ctx=ctx(T0 + timedelta(seconds=30)))
    assert again == first
    assert balance(bank, "A-CUR") == 990_000
    assert balance(bank, CLEARING) == 10_000
    assert len(bank.audit) == audit


@pytest.mark.parametrize("change", [
    {"amount": 10_001},
    {"from_account": "A-SAV"},
    {"payee": Payee(name="王小明", account_number="9558801234567891", bank="ICBC")},
])
def test_same_key_other_content_is_a_conflict(change: dict[str, object]) -> None:
    bank = make_bank()
    args: dict[str, object] = {"customer_id": "A", "from_account": "A-CUR", "payee": PAYEE,
                               "amount": 10_000, "idempotency_key": "k1"}
    bank.pay(**args, ctx=ctx())  # type: ignore[arg-type]
    before = bank.state.snapshot()
    with pytest.raises(IdempotencyConflict) as err:
        bank.pay(**(args | change), ctx=ctx())  # type: ignore[arg-type]
    assert str(err.value) == "idempotency_key: k1 was already used for a different request"
    assert bank.state.snapshot() == before


def test_insufficient_funds_message_and_no_change() -> None:
    bank = make_bank()
    before = bank.state.snapshot()
    with pytest.raises(InsufficientFunds) as err:
        bank.transfer_own(customer_id="A", from_account="A-SAV", to_account="A-CUR",
                          amount=500_001, idempotency_key="k", ctx=ctx())
    assert str(err.value) == ("from_account: ****4321 has ¥5,000.00 available, "
                              "¥5,000.01 requested")
    assert bank.state.snapshot() == before
    # The same key is free again once the funds are there.
    bank.transfer_own(customer_id="A", from_account="A-SAV", to_account="A-CUR",
                      amount=500_000, idempotency_key="k", ctx=ctx())
    assert balance(bank, "A-SAV") == 0


def test_credit_card_can_go_down_to_minus_its_limit() -> None:
    bank = make_bank()
    bank.pay(customer_id="A", from_account="A-CC", payee=PAYEE, amount=2_000_000,
             idempotency_key="k1", ctx=ctx(channel=Channel.AGENT))
    assert balance(bank, "A-CC") == -2_000_000
    with pytest.raises(InsufficientFunds, match=r"has ¥0\.00 available, ¥0\.01 requested"):
        bank.pay(customer_id="A", from_account="A-CC", payee=PAYEE, amount=1,
                 idempotency_key="k2", ctx=ctx(channel=Channel.AGENT))
    bank.repay_credit_card(customer_id="A", from_account="A-CUR", card_account="A-CC",
                           amount=300_000, idempotency_key="k3", ctx=ctx())
    assert balance(bank, "A-CC") == -1_700_000
    assert bank.audit[-1].action == "card_repayment"


def test_repayment_target_must_be_a_credit_card() -> None:
    bank = make_bank()
    with pytest.raises(InvalidInput, match=r"^card_account: \*\*\*\*4321 is not a credit card$"):
        bank.repay_credit_card(customer_id="A", from_account="A-CUR", card_account="A-SAV",
                               amount=1, idempotency_key="k", ctx=ctx())


def test_other_customers_accounts_read_as_unknown() -> None:
    bank = make_bank()
    with pytest.raises(UnknownItem, match=r"^from_account: B-CUR is not an account of customer A$"):
        bank.transfer_own(customer_id="A", from_account="B-CUR", to_account="A-CUR", amount=1,
                          idempotency_key="k", ctx=ctx())
    with pytest.raises(UnknownItem, match=r"^to_account: B-CUR is not an account of customer A$"):
        bank.transfer_own(customer_id="A", from_account="A-CUR", to_account="B-CUR", amount=1,
                          idempotency_key="k", ctx=ctx())
    with pytest.raises(InvalidInput, match=r"^to_account: must differ from from_account$"):
        bank.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-CUR", amount=1,
                          idempotency_key="k", ctx=ctx())


def test_daily_limit_per_customer_and_channel_resets_next_local_day() -> None:
    bank = make_bank(DailyLimits(per_channel={Channel.IVR: 30_000}))
    bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=20_000,
             idempotency_key="k1", ctx=ctx())
    with pytest.raises(LimitExceeded) as err:
        bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=10_001,
                 idempotency_key="k2", ctx=ctx())
    assert str(err.value) == ("amount: daily ivr limit ¥300.00 would be exceeded "
                              "(used ¥200.00, requested ¥100.01)")
    # Another channel, another customer and own transfers are not held by A's IVR limit.
    bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=50_000,
             idempotency_key="k3", ctx=ctx(channel=Channel.AGENT))
    bank.pay(customer_id="B", from_account="B-CUR", payee=PAYEE, amount=30_000,
             idempotency_key="k4", ctx=ctx())
    bank.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-SAV",
                      amount=100_000, idempotency_key="k5", ctx=ctx())
    # 23:59 Beijing is still the same day; 00:00 is the next.
    late = T0.replace(hour=23, minute=59)
    with pytest.raises(LimitExceeded):
        bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=10_001,
                 idempotency_key="k6", ctx=ctx(late))
    bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=30_000,
             idempotency_key="k7", ctx=ctx(late + timedelta(minutes=1)))


def test_frozen_card_blocks_debits_but_not_credits() -> None:
    bank = make_bank()
    bank.freeze_card(customer_id="A", card_id="A-CC1", ctx=ctx())
    with pytest.raises(CardFrozen) as err:
        bank.pay(customer_id="A", from_account="A-CC", payee=PAYEE, amount=100,
                 idempotency_key="k1", ctx=ctx())
    assert str(err.value) == "from_account: ****9999 has a frozen card: debits refused"
    bank.repay_credit_card(customer_id="A", from_account="A-CUR", card_account="A-CC",
                           amount=100, idempotency_key="k2", ctx=ctx())
    bank.unfreeze_card(customer_id="A", card_id="A-CC1", ctx=ctx())
    bank.pay(customer_id="A", from_account="A-CC", payee=PAYEE, amount=100,
             idempotency_key="k3", ctx=ctx())


def test_holds_reduce_what_is_available() -> None:
    bank = make_bank()
    hold = bank.place_hold(customer_id="B", account_id="B-CUR", amount=60_000, reason="atm",
                           ctx=ctx())
    (b,) = bank.balances(customer_id="B")
    assert (b.balance, b.available) == (100_000, 40_000)
    with pytest.raises(InsufficientFunds, match=r"has ¥400\.00 available, ¥400\.01 requested"):
        bank.pay(customer_id="B", from_account="B-CUR", payee=PAYEE, amount=40_001,
                 idempotency_key="k", ctx=ctx())
    bank.release_hold(hold_id=hold, ctx=ctx())
    bank.pay(customer_id="B", from_account="B-CUR", payee=PAYEE, amount=40_001,
             idempotency_key="k", ctx=ctx())
    with pytest.raises(InvalidInput, match=f"^hold_id: no open hold {hold}$"):
        bank.release_hold(hold_id=hold, ctx=ctx())


def test_bad_amounts_and_keys() -> None:
    bank = make_bank()
    with pytest.raises(InvalidInput, match=r"^amount: must be positive, got -5 fen$"):
        bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=-5,
                 idempotency_key="k", ctx=ctx())
    with pytest.raises(InvalidInput, match=r"^idempotency_key: must not be empty$"):
        bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=5,
                 idempotency_key=" ", ctx=ctx())
    with pytest.raises(InvalidInput, match=r"^payee: name and account number are required$"):
        bank.pay(customer_id="A", from_account="A-CUR", amount=5, idempotency_key="k", ctx=ctx(),
                 payee=Payee(name="", account_number="1", bank="ICBC"))
