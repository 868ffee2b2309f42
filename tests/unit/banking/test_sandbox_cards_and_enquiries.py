from datetime import timedelta

import pytest

from hotline.banking.errors import InvalidInput, NotPermitted, UnknownItem
from hotline.banking.model import Account, AccountKind, CardStatus
from hotline.banking.sandbox import SandboxBank
from tests.unit.banking.helpers import PAYEE, T0, ctx, make_bank


def test_freeze_unfreeze_and_lost_is_final() -> None:
    bank = make_bank()
    state = bank.freeze_card(customer_id="A", card_id="A-DC", ctx=ctx())
    assert (state.status, state.masked_pan) == (CardStatus.FROZEN, "622848*********1234")
    assert bank.audit[-1].action == "card_frozen"
    audit = len(bank.audit)
    assert bank.freeze_card(customer_id="A", card_id="A-DC", ctx=ctx()).status is CardStatus.FROZEN
    assert len(bank.audit) == audit, "freezing a frozen card changes nothing"
    bank.unfreeze_card(customer_id="A", card_id="A-DC", ctx=ctx())
    lost = bank.report_lost_card(customer_id="A", card_id="A-DC", ctx=ctx())
    assert lost.status is CardStatus.LOST
    with pytest.raises(NotPermitted) as err:
        bank.unfreeze_card(customer_id="A", card_id="A-DC", ctx=ctx())
    assert str(err.value) == "card_id: card 622848*********1234 is lost: it cannot become active"
    with pytest.raises(NotPermitted, match="is lost: it cannot become frozen"):
        bank.freeze_card(customer_id="A", card_id="A-DC", ctx=ctx())


def test_another_customers_card_is_unknown() -> None:
    bank = make_bank()
    with pytest.raises(UnknownItem, match=r"^card_id: B-DC is not a card of customer A$"):
        bank.freeze_card(customer_id="A", card_id="B-DC", ctx=ctx())


def test_balances_last_transactions_and_statement() -> None:
    bank = make_bank()
    for day in range(5):
        bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=1_000 * (day + 1),
                 idempotency_key=f"p{day}", ctx=ctx(T0 + timedelta(days=day + 1)))
    balances = {b.account_id: b for b in bank.balances(customer_id="A")}
    assert balances["A-CUR"].balance == 1_000_000 - 15_000
    assert balances["A-CC"].available == 2_000_000
    last = bank.last_transactions(customer_id="A", account_id="A-CUR", count=2)
    assert [e.delta for e in last] == [-5_000, -4_000]
    statement = bank.statement(customer_id="A", account_id="A-CUR",
                               start=T0 + timedelta(days=2), end=T0 + timedelta(days=4))
    assert [e.delta for e in statement.lines] == [-2_000, -3_000]
    assert statement.opening_balance == 1_000_000 - 1_000
    assert statement.closing_balance == 1_000_000 - 6_000
    assert statement.masked_number == "****2345"
    with pytest.raises(InvalidInput, match=r"^end: must be after start$"):
        bank.statement(customer_id="A", account_id="A-CUR", start=T0, end=T0)
    with pytest.raises(InvalidInput, match=r"^count: must be at least 1, got 0$"):
        bank.last_transactions(customer_id="A", account_id="A-CUR", count=0)


def test_state_rebuilds_from_events() -> None:
    bank = make_bank()
    bank.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-SAV", amount=7,
                      idempotency_key="t", ctx=ctx())
    bank.freeze_card(customer_id="B", card_id="B-DC", ctx=ctx())
    bank.place_hold(customer_id="A", account_id="A-SAV", amount=3, reason="x", ctx=ctx())
    rebuilt = SandboxBank.replay(bank.events, hasher=bank.hasher, limits=bank.limits)
    assert rebuilt.state.snapshot() == bank.state.snapshot()


def test_onboarding_errors() -> None:
    bank = make_bank()
    with pytest.raises(InvalidInput, match=r"^number: \*\*\*\*2345 is already in use$"):
        bank.open_account(account=Account(account_id="A-X", number="11000000000012345",
                                          customer_id="A", kind=AccountKind.CURRENT), now=T0)
    with pytest.raises(InvalidInput, match=r"^credit_limit: only credit-card accounts"):
        bank.open_account(account=Account(account_id="A-X", number="9", customer_id="A",
                                          kind=AccountKind.SAVINGS, credit_limit=5), now=T0)
    with pytest.raises(UnknownItem, match=r"^customer_id: no customer Z$"):
        bank.open_account(account=Account(account_id="Z-X", number="8", customer_id="Z",
                                          kind=AccountKind.SAVINGS), now=T0)
