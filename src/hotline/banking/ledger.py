"""Double-entry ledger: every posting is balanced (sum of debits = sum of credits).

An account's balance is its credits minus its debits, in fen, from the account holder's side:
a deposit credits the customer's current account, a card purchase debits the card account (which
then goes negative, down to minus its credit limit). Because every posting is balanced, the sum
of all balances, the bank's clearing, suspense and funding accounts included, is always zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hotline.banking.errors import InvalidInput, UnbalancedPosting, UnknownItem


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class TxnKind(StrEnum):
    OPENING = "opening"
    OWN_TRANSFER = "own_transfer"
    CARD_REPAYMENT = "card_repayment"
    PAYMENT = "payment"
    DEPOSIT = "deposit"


@dataclass(frozen=True, kw_only=True, slots=True)
class Leg:
    account_id: str
    side: Side
    amount: int

    @property
    def delta(self) -> int:
        """The change to the account's balance (credit +, debit -)."""
        return self.amount if self.side is Side.CREDIT else -self.amount


@dataclass(frozen=True, kw_only=True, slots=True)
class Posting:
    """One balanced journal entry. Construct it with `Posting.balanced`, which checks."""

    txn_id: str
    kind: TxnKind
    at: datetime
    legs: tuple[Leg, ...]
    description: str

    @staticmethod
    def balanced(
        *, txn_id: str, kind: TxnKind, at: datetime, legs: Iterable[Leg], description: str
    ) -> Posting:
        legs = tuple(legs)
        if len(legs) < 2:
            raise UnbalancedPosting(txn_id, "needs at least one debit and one credit leg")
        for leg in legs:
            if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount <= 0:
                raise InvalidInput(f"{txn_id}.amount", "each leg must be a positive integer of fen")
        debits = sum(leg.amount for leg in legs if leg.side is Side.DEBIT)
        credits = sum(leg.amount for leg in legs if leg.side is Side.CREDIT)
        if debits != credits:
            raise UnbalancedPosting(txn_id, f"debits {debits} fen != credits {credits} fen")
        return Posting(txn_id=txn_id, kind=kind, at=at, legs=legs, description=description)

    @staticmethod
    def transfer(
        *, txn_id: str, kind: TxnKind, at: datetime, debit: str, credit: str, amount: int,
        description: str,
    ) -> Posting:
        """Move `amount` fen out of `debit` into `credit`."""
        return Posting.balanced(
            txn_id=txn_id, kind=kind, at=at, description=description,
            legs=(Leg(account_id=debit, side=Side.DEBIT, amount=amount),
                  Leg(account_id=credit, side=Side.CREDIT, amount=amount)),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class LedgerEntry:
    """One line of an account's history: what a statement is made of."""

    txn_id: str
    kind: TxnKind
    at: datetime
    delta: int
    balance_after: int
    description: str


class Ledger:
    """Balances and per-account history. Only balanced postings over known accounts get in."""

    def __init__(self) -> None:
        self._balances: dict[str, int] = {}
        self._history: dict[str, list[LedgerEntry]] = {}

    def open(self, account_id: str) -> None:
        if account_id in self._balances:
            raise InvalidInput("account_id", f"{account_id} is already open")
        self._balances[account_id] = 0
        self._history[account_id] = []

    def balance(self, account_id: str) -> int:
        try:
            return self._balances[account_id]
        except KeyError:
            raise UnknownItem("account_id", f"no account {account_id}") from None

    @property
    def balances(self) -> Mapping[str, int]:
        return self._balances

    def history(self, account_id: str) -> list[LedgerEntry]:
        self.balance(account_id)
        return list(self._history[account_id])

    def deltas(self, posting: Posting) -> dict[str, int]:
        """Net change per account if `posting` were applied (raises if an account is unknown)."""
        net: dict[str, int] = {}
        for leg in posting.legs:
            self.balance(leg.account_id)
            net[leg.account_id] = net.get(leg.account_id, 0) + leg.delta
        return net

    def post(self, posting: Posting) -> None:
        for account_id, delta in self.deltas(posting).items():
            after = self._balances[account_id] + delta
            self._balances[account_id] = after
            self._history[account_id].append(LedgerEntry(
                txn_id=posting.txn_id, kind=posting.kind, at=posting.at, delta=delta,
                balance_after=after, description=posting.description,
            ))
