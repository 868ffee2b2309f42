"""What the banking port answers: balances, statements, receipts. No PIN or PAN in any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.banking.ledger import LedgerEntry, TxnKind
from hotline.banking.model import AccountKind, CardStatus, Segment


@dataclass(frozen=True, kw_only=True, slots=True)
class Authenticated:
    """The caller proved knowledge of the telephone PIN for this credential."""

    customer_id: str
    segment: Segment
    province: str
    language: str
    masked_name: str
    #: The credential used, masked (`622848*********1234` or `****5678`).
    masked_credential: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountBalance:
    account_id: str
    masked_number: str
    kind: AccountKind
    #: Ledger balance in fen (negative on a credit card = owed).
    balance: int
    #: Balance minus holds, plus the credit line: what can be spent now.
    available: int
    credit_limit: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Statement:
    account_id: str
    masked_number: str
    start: datetime
    end: datetime
    opening_balance: int
    closing_balance: int
    lines: tuple[LedgerEntry, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class MovementReceipt:
    """The result of a money movement; a retry with the same idempotency key returns it again."""

    txn_id: str
    kind: TxnKind
    customer_id: str
    amount: int
    from_account: str
    to_account: str
    #: Masked payee for payments, the masked target account otherwise.
    beneficiary: str
    at: datetime
    idempotency_key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CardState:
    card_id: str
    masked_pan: str
    status: CardStatus
