import pytest

from hotline.banking.errors import InvalidInput, UnbalancedPosting, UnknownItem
from hotline.banking.ledger import Ledger, Leg, Posting, Side, TxnKind
from tests.unit.banking.helpers import T0


def leg(account: str, side: Side, amount: int) -> Leg:
    return Leg(account_id=account, side=side, amount=amount)


def test_unbalanced_posting_is_refused() -> None:
    with pytest.raises(UnbalancedPosting, match=r"^T1: debits 100 fen != credits 90 fen$"):
        Posting.balanced(txn_id="T1", kind=TxnKind.PAYMENT, at=T0, description="x",
                         legs=[leg("a", Side.DEBIT, 100), leg("b", Side.CREDIT, 90)])
    with pytest.raises(UnbalancedPosting, match="at least one debit and one credit"):
        Posting.balanced(txn_id="T1", kind=TxnKind.PAYMENT, at=T0, description="x",
                         legs=[leg("a", Side.DEBIT, 100)])
    with pytest.raises(InvalidInput, match=r"^T1.amount: each leg must be a positive"):
        Posting.balanced(txn_id="T1", kind=TxnKind.PAYMENT, at=T0, description="x",
                         legs=[leg("a", Side.DEBIT, -5), leg("b", Side.CREDIT, -5)])


def test_multi_leg_posting_keeps_total_zero() -> None:
    ledger = Ledger()
    for a in ("a", "b", "c"):
        ledger.open(a)
    ledger.post(Posting.balanced(
        txn_id="T1", kind=TxnKind.PAYMENT, at=T0, description="split",
        legs=[leg("a", Side.DEBIT, 100), leg("b", Side.CREDIT, 60), leg("c", Side.CREDIT, 40)]))
    assert dict(ledger.balances) == {"a": -100, "b": 60, "c": 40}
    assert [e.balance_after for e in ledger.history("b")] == [60]


def test_unknown_account_posts_nothing() -> None:
    ledger = Ledger()
    ledger.open("a")
    posting = Posting.transfer(txn_id="T1", kind=TxnKind.PAYMENT, at=T0, debit="a",
                               credit="zz", amount=5, description="x")
    with pytest.raises(UnknownItem, match=r"^account_id: no account zz$"):
        ledger.post(posting)
    assert ledger.balance("a") == 0
    assert ledger.history("a") == []


def test_account_opens_once() -> None:
    ledger = Ledger()
    ledger.open("a")
    with pytest.raises(InvalidInput, match=r"^account_id: a is already open$"):
        ledger.open("a")
