"""Customers, accounts, cards, payees and who is asking: the nouns of the banking port."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from hotline.banking.masking import mask_account, mask_name, mask_pan


class Segment(StrEnum):
    MASS = "mass"
    AFFLUENT = "affluent"
    VIP = "vip"


class AccountKind(StrEnum):
    CURRENT = "current"
    SAVINGS = "savings"
    CREDIT_CARD = "credit_card"
    #: The bank's own accounts (clearing, suspense, funding); they may go negative.
    INTERNAL = "internal"


class CardStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"
    #: Reported lost: frozen at once and for good (`replace_card` issues a new card instead).
    LOST = "lost"


class Channel(StrEnum):
    """The channel a request came through; daily limits are per customer and channel."""

    IVR = "ivr"
    AGENT = "agent"
    SYSTEM = "system"


class ActorKind(StrEnum):
    CUSTOMER = "customer"
    IVR = "ivr"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True, kw_only=True, slots=True)
class Customer:
    customer_id: str
    name: str = field(repr=False)
    segment: Segment
    province: str
    language: str

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


@dataclass(frozen=True, kw_only=True, slots=True)
class Account:
    account_id: str
    number: str = field(repr=False)
    customer_id: str | None
    kind: AccountKind
    #: Credit line in fen for credit-card accounts: the balance may go down to `-credit_limit`.
    credit_limit: int = 0
    currency: str = "CNY"

    @property
    def minimum_balance(self) -> int | None:
        """The lowest balance allowed in fen; `None` for the bank's internal accounts."""
        if self.kind is AccountKind.INTERNAL:
            return None
        return -self.credit_limit if self.kind is AccountKind.CREDIT_CARD else 0

    @property
    def masked_number(self) -> str:
        return mask_account(self.number)


@dataclass(frozen=True, kw_only=True, slots=True)
class Card:
    card_id: str
    #: The full card number (PAN): never shown, logged or put into a message.
    pan: str = field(repr=False)
    customer_id: str
    account_id: str

    @property
    def masked_pan(self) -> str:
        return mask_pan(self.pan)


@dataclass(frozen=True, kw_only=True, slots=True)
class Payee:
    """A third-party beneficiary of a payment (another bank's or this bank's account)."""

    name: str = field(repr=False)
    account_number: str = field(repr=False)
    bank: str

    @property
    def masked(self) -> str:
        return f"{mask_name(self.name)} {mask_account(self.account_number)} ({self.bank})"


@dataclass(frozen=True, kw_only=True, slots=True)
class Actor:
    """Who asked: the customer (self-service), the IVR, an agent (user id) or the system."""

    kind: ActorKind
    actor_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestContext:
    """Who, through which channel, for which contact, and when. `now` must be aware."""

    actor: Actor
    channel: Channel
    contact_id: str | None
    now: datetime
