"""Events of the sandbox core: the state is rebuilt by applying them in order (`state.apply`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.banking.ledger import Posting
from hotline.banking.model import Account, Actor, Card, CardStatus, Channel, Customer
from hotline.banking.pins import PinRecord
from hotline.banking.results import MovementReceipt


@dataclass(frozen=True, kw_only=True, slots=True)
class MovementRequest:
    """The content an idempotency key is bound to: same key, same content, or a conflict."""

    kind: str
    customer_id: str
    from_account: str
    to_account: str
    amount: int
    payee: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class CustomerEnrolled:
    customer: Customer
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountOpened:
    account: Account
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class CardIssued:
    card: Card
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class PinChanged:
    """The PIN record after a set, a failure, a success or an unlock (hash hidden in `repr`)."""

    record: PinRecord
    reason: str
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class CardStatusChanged:
    card_id: str
    status: CardStatus
    by: Actor
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class CardReplaced:
    """The lost card `card_id` was replaced by `card` (new number, same customer and account,
    active); the key makes a retried request return the same card instead of issuing another."""

    card_id: str
    card: Card
    idempotency_key: str
    by: Actor
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class HoldPlaced:
    hold_id: str
    account_id: str
    amount: int
    reason: str
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class HoldReleased:
    hold_id: str
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class MoneyMoved:
    """A posting went through; its key, request and receipt make retries idempotent."""

    posting: Posting
    request: MovementRequest
    receipt: MovementReceipt
    channel: Channel
    #: The customer's local date the movement counts towards for daily limits (ISO).
    limit_day: str
    counts_to_limit: bool


BankEvent = (
    CustomerEnrolled | AccountOpened | CardIssued | PinChanged | CardStatusChanged | CardReplaced
    | HoldPlaced | HoldReleased | MoneyMoved
)
