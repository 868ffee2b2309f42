"""The sandbox core's state, changed only by applying events (so it can be rebuilt from them)."""

from __future__ import annotations

from typing import Any

from hotline.banking.errors import CardFrozen, InsufficientFunds, UnknownItem
from hotline.banking.events import (
    AccountOpened,
    BankEvent,
    CardIssued,
    CardReplaced,
    CardStatusChanged,
    CustomerEnrolled,
    HoldPlaced,
    HoldReleased,
    MoneyMoved,
    PinChanged,
)
from hotline.banking.ledger import Ledger
from hotline.banking.model import Account, AccountKind, Card, CardStatus, Channel, Customer
from hotline.banking.money import format_fen
from hotline.banking.pins import PinRecord

#: The bank's own accounts: payments to other banks go out through clearing; opening balances
#: and deposits come in from funding; suspense takes what cannot be placed yet.
CLEARING = "bank:clearing"
SUSPENSE = "bank:suspense"
FUNDING = "bank:funding"
INTERNAL_ACCOUNTS = (CLEARING, SUSPENSE, FUNDING)


class BankState:
    """Customers, accounts, cards, PINs, ledger, holds, limit usage and idempotency keys."""

    def __init__(self) -> None:
        self.customers: dict[str, Customer] = {}
        self.accounts: dict[str, Account] = {}
        self.account_by_number: dict[str, str] = {}
        self.accounts_of: dict[str, list[str]] = {}
        self.cards: dict[str, Card] = {}
        self.card_status: dict[str, CardStatus] = {}
        self.card_by_pan: dict[str, str] = {}
        self.cards_on: dict[str, list[str]] = {}
        #: A lost card's replacement, by the lost card's id.
        self.replaced_by: dict[str, str] = {}
        self.replacements_by_key: dict[str, CardReplaced] = {}
        self.pins: dict[str, PinRecord] = {}
        self.ledger = Ledger()
        self.holds: dict[str, HoldPlaced] = {}
        self.held: dict[str, int] = {}
        self.usage: dict[tuple[str, Channel, str], int] = {}
        self.moves_by_key: dict[str, MoneyMoved] = {}
        self.postings = 0
        self.holds_placed = 0
        for account_id in INTERNAL_ACCOUNTS:
            self._open(Account(account_id=account_id, number=account_id, customer_id=None,
                               kind=AccountKind.INTERNAL))

    # -- reading -----------------------------------------------------------------------------

    def customer(self, customer_id: str) -> Customer:
        try:
            return self.customers[customer_id]
        except KeyError:
            raise UnknownItem("customer_id", f"no customer {customer_id}") from None

    def own_account(self, customer_id: str, account_id: str, field: str) -> Account:
        """The customer's account `account_id`; another customer's account reads as unknown."""
        self.customer(customer_id)
        account = self.accounts.get(account_id)
        if account is None or account.customer_id != customer_id:
            raise UnknownItem(field, f"{account_id} is not an account of customer {customer_id}")
        return account

    def own_card(self, customer_id: str, card_id: str) -> Card:
        self.customer(customer_id)
        card = self.cards.get(card_id)
        if card is None or card.customer_id != customer_id:
            raise UnknownItem("card_id", f"{card_id} is not a card of customer {customer_id}")
        return card

    def current_card(self, card_id: str) -> str:
        """`card_id`, or the replacement that stands for it now (a replacement may be lost and
        replaced in turn): `A-DC` -> `A-DC-R2`."""
        while card_id in self.replaced_by:
            card_id = self.replaced_by[card_id]
        return card_id

    def available(self, account_id: str) -> int:
        """Balance minus holds plus the credit line: what may still be debited."""
        account = self.accounts[account_id]
        return (self.ledger.balance(account_id) - self.held.get(account_id, 0)
                + account.credit_limit)

    def require_debitable(self, account: Account, amount: int, field: str) -> None:
        """Raise unless `amount` may leave `account`: no frozen card on it, funds available.

        A lost card that has been replaced no longer stops debits: the replacement now guards
        the account (and stops them itself if it is frozen or lost in turn).
        """
        for card_id in self.cards_on.get(account.account_id, ()):
            if self.card_status[card_id] is not CardStatus.ACTIVE \
                    and card_id not in self.replaced_by:
                raise CardFrozen(field, f"{account.masked_number} has a "
                                        f"{self.card_status[card_id].value} card: debits refused")
        floor = account.minimum_balance
        available = self.available(account.account_id)
        if floor is not None and available - amount < 0:
            raise InsufficientFunds(field, f"{account.masked_number} has {format_fen(available)} "
                                           f"available, {format_fen(amount)} requested")

    def snapshot(self) -> dict[str, Any]:
        """Plain data for comparing two states (live versus rebuilt from events)."""
        return {
            "customers": dict(self.customers), "accounts": dict(self.accounts),
            "cards": dict(self.cards), "card_status": dict(self.card_status),
            "replaced_by": dict(self.replaced_by),
            "replacements": dict(self.replacements_by_key),
            "pins": dict(self.pins), "balances": dict(self.ledger.balances),
            "history": {a: self.ledger.history(a) for a in self.accounts},
            "holds": dict(self.holds), "held": dict(self.held), "usage": dict(self.usage),
            "keys": dict(self.moves_by_key), "postings": self.postings,
            "holds_placed": self.holds_placed,
        }

    # -- changing ----------------------------------------------------------------------------

    def apply(self, event: BankEvent) -> None:
        match event:
            case CustomerEnrolled(customer=customer):
                self.customers[customer.customer_id] = customer
                self.accounts_of.setdefault(customer.customer_id, [])
            case AccountOpened(account=account):
                self._open(account)
            case CardIssued(card=card):
                self._issue(card)
            case CardReplaced(card_id=card_id, card=card, idempotency_key=key):
                self._issue(card)
                self.replaced_by[card_id] = card.card_id
                self.replacements_by_key[key] = event
            case PinChanged(record=record):
                self.pins[record.customer_id] = record
            case CardStatusChanged(card_id=card_id, status=status):
                self.card_status[card_id] = status
            case HoldPlaced(hold_id=hold_id, account_id=account_id, amount=amount):
                self.holds[hold_id] = event
                self.held[account_id] = self.held.get(account_id, 0) + amount
                self.holds_placed += 1
            case HoldReleased(hold_id=hold_id):
                hold = self.holds.pop(hold_id)
                self.held[hold.account_id] -= hold.amount
            case MoneyMoved():
                self._move(event)

    def _issue(self, card: Card) -> None:
        self.cards[card.card_id] = card
        self.card_status[card.card_id] = CardStatus.ACTIVE
        self.card_by_pan[card.pan] = card.card_id
        self.cards_on.setdefault(card.account_id, []).append(card.card_id)

    def _open(self, account: Account) -> None:
        self.ledger.open(account.account_id)
        self.accounts[account.account_id] = account
        self.account_by_number[account.number] = account.account_id
        if account.customer_id is not None:
            self.accounts_of.setdefault(account.customer_id, []).append(account.account_id)

    def _move(self, event: MoneyMoved) -> None:
        self.ledger.post(event.posting)
        self.postings += 1
        self.moves_by_key[event.receipt.idempotency_key] = event
        if event.counts_to_limit:
            key = (event.request.customer_id, event.channel, event.limit_day)
            self.usage[key] = self.usage.get(key, 0) + event.request.amount

