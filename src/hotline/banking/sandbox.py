"""The sandbox core bank: implements `BankingPort` over an event-sourced in-memory state.

Each command validates against the state, builds events, and only then applies them, so a
rejected command changes nothing. `events` rebuilds the state (`SandboxBank.replay`); `audit`
is the separate, append-only audit trail (every money movement and every security action).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from hotline.banking.audit import AuditRecord
from hotline.banking.errors import (
    AuthenticationFailed,
    CardFrozen,
    CredentialLocked,
    InvalidInput,
    NotPermitted,
)
from hotline.banking.events import (
    AccountOpened,
    BankEvent,
    CardIssued,
    CardStatusChanged,
    CustomerEnrolled,
    HoldPlaced,
    HoldReleased,
    PinChanged,
)
from hotline.banking.ledger import LedgerEntry, TxnKind
from hotline.banking.limits import DailyLimits
from hotline.banking.masking import mask_account, mask_pan
from hotline.banking.model import (
    Account,
    AccountKind,
    ActorKind,
    Card,
    CardStatus,
    Customer,
    Payee,
    RequestContext,
)
from hotline.banking.money import require_amount, require_aware
from hotline.banking.movements import Movement, plan, replayed
from hotline.banking.pins import MAX_FAILURES, PinHasher, PinRecord, require_pin
from hotline.banking.replacement import Entropy, earlier_replacement, plan_replacement
from hotline.banking.results import (
    AccountBalance,
    Authenticated,
    CardState,
    MovementReceipt,
    Statement,
)
from hotline.banking.state import CLEARING, FUNDING, BankState

_MISMATCH = "card or account number and PIN do not match"


class SandboxBank:
    """In-memory core bank. Example: `bank.transfer_own(customer_id=..., ..., ctx=ctx)`."""

    def __init__(self, *, hasher: PinHasher | None = None, limits: DailyLimits | None = None,
                 pan_entropy: Entropy | None = None):
        self.hasher = hasher or PinHasher()
        self.limits = limits or DailyLimits()
        # Where replacement card numbers come from; injectable so a seeded demo is repeatable.
        self.pan_entropy: Entropy = pan_entropy or secrets.token_bytes
        self.state = BankState()
        self._events: list[BankEvent] = []
        self._audit: list[AuditRecord] = []
        # Verified against when the credential is unknown, so that case costs the same time.
        self._decoy_hash = self.hasher.hash("000000")

    @classmethod
    def replay(cls, events: Iterable[BankEvent], *, hasher: PinHasher | None = None,
               limits: DailyLimits | None = None,
               pan_entropy: Entropy | None = None) -> SandboxBank:
        """Rebuild a bank from its event log (the audit trail is persisted separately)."""
        bank = cls(hasher=hasher, limits=limits, pan_entropy=pan_entropy)
        for event in events:
            bank._emit(event)
        return bank

    @property
    def events(self) -> tuple[BankEvent, ...]:
        return tuple(self._events)

    @property
    def audit(self) -> tuple[AuditRecord, ...]:
        return tuple(self._audit)

    def _emit(self, *events: BankEvent) -> None:
        for event in events:
            self.state.apply(event)
            self._events.append(event)

    def _record(self, ctx: RequestContext, action: str, customer_id: str | None, *,
                amount: int | None = None, accounts: tuple[str, ...] = (),
                reference: str | None = None, detail: str = "") -> None:
        self._audit.append(AuditRecord(
            at=ctx.now, actor=ctx.actor, channel=ctx.channel, contact_id=ctx.contact_id,
            action=action, customer_id=customer_id, amount=amount, accounts=accounts,
            reference=reference, detail=detail,
        ))

    # -- onboarding (sandbox administration, not part of the port) ---------------------------

    def enroll(self, *, customer: Customer, pin: str, now: datetime) -> None:
        require_aware("now", now)
        if customer.customer_id in self.state.customers:
            raise InvalidInput("customer_id", f"{customer.customer_id} is already enrolled")
        record = PinRecord(customer_id=customer.customer_id, pin_hash=self.hasher.hash(pin))
        self._emit(CustomerEnrolled(customer=customer, at=now),
                   PinChanged(record=record, reason="set", at=now))

    def open_account(self, *, account: Account, now: datetime) -> None:
        require_aware("now", now)
        if account.kind is AccountKind.INTERNAL or account.customer_id is None:
            raise InvalidInput("kind", "customer accounts cannot be internal")
        self.state.customer(account.customer_id)
        if account.account_id in self.state.accounts:
            raise InvalidInput("account_id", f"{account.account_id} is already open")
        if account.number in self.state.account_by_number:
            raise InvalidInput("number", f"{account.masked_number} is already in use")
        if account.credit_limit < 0 or (account.credit_limit and
                                        account.kind is not AccountKind.CREDIT_CARD):
            raise InvalidInput("credit_limit", "only credit-card accounts have a (positive) limit")
        self._emit(AccountOpened(account=account, at=now))

    def issue_card(self, *, card: Card, now: datetime) -> None:
        require_aware("now", now)
        self.state.own_account(card.customer_id, card.account_id, "account_id")
        if card.card_id in self.state.cards:
            raise InvalidInput("card_id", f"{card.card_id} is already issued")
        if card.pan in self.state.card_by_pan or not (13 <= len(card.pan) <= 19):
            raise InvalidInput("pan", f"{card.masked_pan} is in use or not 13-19 digits")
        self._emit(CardIssued(card=card, at=now))

    def deposit(self, *, customer_id: str, account_id: str, amount: int, idempotency_key: str,
                ctx: RequestContext) -> MovementReceipt:
        """Cash in from the bank's funding account (opening balances, the twin's salaries)."""
        account = self.state.own_account(customer_id, account_id, "account_id")
        require_amount("amount", amount)
        movement = Movement(kind=TxnKind.DEPOSIT, customer_id=customer_id,
                            from_account=FUNDING, to_account=account.account_id,
                            amount=amount, idempotency_key=idempotency_key,
                            beneficiary=account.masked_number)
        earlier = replayed(self.state, movement)
        if earlier is not None:
            return earlier.receipt
        event = plan(self.state, movement, ctx, self.limits)
        self._emit(event)
        self._record(ctx, "deposit", customer_id, amount=amount,
                     accounts=(FUNDING, account.account_id), reference=event.receipt.txn_id)
        return event.receipt

    def place_hold(self, *, customer_id: str, account_id: str, amount: int, reason: str,
                   ctx: RequestContext) -> str:
        """Reserve `amount` on the account (lowers what is available); returns the hold id."""
        now = require_aware("now", ctx.now)
        account = self.state.own_account(customer_id, account_id, "account_id")
        self.state.require_debitable(account, require_amount("amount", amount), "account_id")
        hold_id = f"H{self.state.holds_placed + 1:08d}"
        self._emit(HoldPlaced(hold_id=hold_id, account_id=account_id, amount=amount,
                              reason=reason, at=now))
        self._record(ctx, "hold_placed", customer_id, amount=amount, accounts=(account_id,),
                     reference=hold_id, detail=reason)
        return hold_id

    def release_hold(self, *, hold_id: str, ctx: RequestContext) -> None:
        now = require_aware("now", ctx.now)
        hold = self.state.holds.get(hold_id)
        if hold is None:
            raise InvalidInput("hold_id", f"no open hold {hold_id}")
        self._emit(HoldReleased(hold_id=hold_id, at=now))
        owner = self.state.accounts[hold.account_id].customer_id
        self._record(ctx, "hold_released", owner, amount=hold.amount,
                     accounts=(hold.account_id,), reference=hold_id)

    # -- the port: authentication --------------------------------------------------------------

    def authenticate(self, *, credential: str, pin: str, ctx: RequestContext) -> Authenticated:
        now = require_aware("now", ctx.now)
        require_pin(pin)
        digits = "".join(ch for ch in credential if ch.isdigit())
        card_id = self.state.card_by_pan.get(digits)
        account_id = self.state.account_by_number.get(digits)
        if card_id is not None:
            customer_id = self.state.cards[card_id].customer_id
            masked = mask_pan(digits)
        elif account_id is not None and (owner := self.state.accounts[account_id].customer_id):
            customer_id = owner
            masked = mask_account(digits)
        else:
            self.hasher.verify(self._decoy_hash, pin)
            raise AuthenticationFailed("credential", _MISMATCH)
        record = self.state.pins[customer_id]
        matches = self.hasher.verify(record.pin_hash, pin)
        if card_id is not None and self.state.card_status[card_id] is not CardStatus.ACTIVE:
            status = self.state.card_status[card_id].value
            raise CardFrozen("credential", f"card {masked} is {status}: it cannot authenticate")
        if record.locked:
            raise CredentialLocked("pin", _locked_reason(customer_id))
        if not matches:
            failed = record.after_failure()
            self._emit(PinChanged(record=failed, reason="failure", at=now))
            self._record(ctx, "pin_failed", customer_id, detail=f"{masked}, "
                         f"{failed.failures} consecutive failure(s)")
            if failed.locked:
                self._record(ctx, "pin_locked", customer_id, detail=masked)
                raise CredentialLocked("pin", _locked_reason(customer_id))
            left = MAX_FAILURES - failed.failures
            raise AuthenticationFailed("credential", f"{_MISMATCH} ({left} attempt(s) left)")
        if record.failures:
            self._emit(PinChanged(record=record.after_success(), reason="verified", at=now))
        self._record(ctx, "authenticated", customer_id, detail=masked)
        customer = self.state.customers[customer_id]
        return Authenticated(
            customer_id=customer_id, segment=customer.segment, province=customer.province,
            language=customer.language, masked_name=customer.masked_name,
            masked_credential=masked,
        )

    def unlock_pin(self, *, customer_id: str, ctx: RequestContext) -> None:
        now = require_aware("now", ctx.now)
        if ctx.actor.kind is not ActorKind.AGENT:
            raise NotPermitted("actor", "only an agent can unlock a telephone PIN")
        self.state.customer(customer_id)
        record = self.state.pins[customer_id]
        if not record.locked:
            raise InvalidInput("customer_id", f"telephone PIN of {customer_id} is not locked")
        self._emit(PinChanged(record=record.unlocked(), reason="unlocked", at=now))
        self._record(ctx, "pin_unlocked", customer_id)

    # -- the port: enquiries -----------------------------------------------------------------

    def balances(self, *, customer_id: str) -> tuple[AccountBalance, ...]:
        self.state.customer(customer_id)
        return tuple(self._balance(self.state.accounts[a])
                     for a in self.state.accounts_of[customer_id])

    def _balance(self, account: Account) -> AccountBalance:
        return AccountBalance(
            account_id=account.account_id, masked_number=account.masked_number,
            kind=account.kind, balance=self.state.ledger.balance(account.account_id),
            available=self.state.available(account.account_id),
            credit_limit=account.credit_limit,
        )

    def last_transactions(self, *, customer_id: str, account_id: str,
                          count: int) -> tuple[LedgerEntry, ...]:
        self.state.own_account(customer_id, account_id, "account_id")
        if count < 1:
            raise InvalidInput("count", f"must be at least 1, got {count}")
        history = self.state.ledger.history(account_id)
        return tuple(reversed(history[-count:]))

    def statement(self, *, customer_id: str, account_id: str, start: datetime,
                  end: datetime) -> Statement:
        account = self.state.own_account(customer_id, account_id, "account_id")
        require_aware("start", start)
        if require_aware("end", end) <= start:
            raise InvalidInput("end", "must be after start")
        history = self.state.ledger.history(account_id)
        opening = sum(e.delta for e in history if e.at < start)
        lines = tuple(e for e in history if start <= e.at < end)
        return Statement(
            account_id=account_id, masked_number=account.masked_number, start=start, end=end,
            opening_balance=opening, closing_balance=opening + sum(e.delta for e in lines),
            lines=lines,
        )

    # -- the port: money movements -------------------------------------------------------------

    def _move(self, movement: Movement, ctx: RequestContext, action: str) -> MovementReceipt:
        earlier = replayed(self.state, movement)
        if earlier is not None:
            return earlier.receipt
        event = plan(self.state, movement, ctx, self.limits)
        self._emit(event)
        self._record(ctx, action, movement.customer_id, amount=movement.amount,
                     accounts=(movement.from_account, movement.to_account),
                     reference=event.receipt.txn_id, detail=movement.beneficiary)
        return event.receipt

    def transfer_own(self, *, customer_id: str, from_account: str, to_account: str, amount: int,
                     idempotency_key: str, ctx: RequestContext) -> MovementReceipt:
        target = self.state.own_account(customer_id, to_account, "to_account")
        return self._move(Movement(
            kind=TxnKind.OWN_TRANSFER, customer_id=customer_id, from_account=from_account,
            to_account=to_account, amount=amount, idempotency_key=idempotency_key,
            beneficiary=target.masked_number, description="transfer between own accounts",
        ), ctx, "own_transfer")

    def repay_credit_card(self, *, customer_id: str, from_account: str, card_account: str,
                          amount: int, idempotency_key: str,
                          ctx: RequestContext) -> MovementReceipt:
        target = self.state.own_account(customer_id, card_account, "card_account")
        if target.kind is not AccountKind.CREDIT_CARD:
            raise InvalidInput("card_account", f"{target.masked_number} is not a credit card")
        return self._move(Movement(
            kind=TxnKind.CARD_REPAYMENT, customer_id=customer_id, from_account=from_account,
            to_account=card_account, amount=amount, idempotency_key=idempotency_key,
            beneficiary=target.masked_number, description="credit card repayment",
        ), ctx, "card_repayment")

    def pay(self, *, customer_id: str, from_account: str, payee: Payee, amount: int,
            idempotency_key: str, ctx: RequestContext) -> MovementReceipt:
        if not payee.name.strip() or not payee.account_number.strip():
            raise InvalidInput("payee", "name and account number are required")
        # Bound to the idempotency key: the full payee, hashed into a short non-reversible tag.
        tag = f"{payee.bank}|{_fingerprint(payee.name + '|' + payee.account_number)}"
        return self._move(Movement(
            kind=TxnKind.PAYMENT, customer_id=customer_id, from_account=from_account,
            to_account=CLEARING, amount=amount, idempotency_key=idempotency_key,
            beneficiary=payee.masked, payee=tag, description=f"payment to {payee.masked}",
        ), ctx, "payment")

    # -- the port: cards ---------------------------------------------------------------------

    def _set_card(self, customer_id: str, card_id: str, ctx: RequestContext,
                  to: CardStatus, allowed_from: frozenset[CardStatus]) -> CardState:
        now = require_aware("now", ctx.now)
        card = self.state.own_card(customer_id, card_id)
        status = self.state.card_status[card_id]
        if status is not to:
            if status not in allowed_from:
                raise NotPermitted("card_id", f"card {card.masked_pan} is {status.value}: "
                                              f"it cannot become {to.value}")
            self._emit(CardStatusChanged(card_id=card_id, status=to, by=ctx.actor, at=now))
            self._record(ctx, f"card_{to.value}", customer_id, accounts=(card.account_id,),
                         reference=card_id, detail=card.masked_pan)
        return CardState(card_id=card_id, masked_pan=card.masked_pan, status=to)

    def report_lost_card(self, *, customer_id: str, card_id: str,
                         ctx: RequestContext) -> CardState:
        return self._set_card(customer_id, card_id, ctx, CardStatus.LOST,
                              frozenset({CardStatus.ACTIVE, CardStatus.FROZEN}))

    def freeze_card(self, *, customer_id: str, card_id: str, ctx: RequestContext) -> CardState:
        return self._set_card(customer_id, card_id, ctx, CardStatus.FROZEN,
                              frozenset({CardStatus.ACTIVE}))

    def unfreeze_card(self, *, customer_id: str, card_id: str, ctx: RequestContext) -> CardState:
        return self._set_card(customer_id, card_id, ctx, CardStatus.ACTIVE,
                              frozenset({CardStatus.FROZEN}))

    def replace_card(self, *, customer_id: str, card_id: str, idempotency_key: str,
                     ctx: RequestContext) -> CardState:
        earlier = earlier_replacement(self.state, customer_id=customer_id, card_id=card_id,
                                      idempotency_key=idempotency_key)
        if earlier is None:
            earlier = plan_replacement(self.state, customer_id=customer_id, card_id=card_id,
                                       idempotency_key=idempotency_key, ctx=ctx,
                                       entropy=self.pan_entropy)
            self._emit(earlier)
            old = self.state.cards[card_id]
            self._record(ctx, "card_replaced", customer_id, accounts=(old.account_id,),
                         reference=earlier.card.card_id,
                         detail=f"{old.masked_pan} ({card_id}) replaced by "
                                f"{earlier.card.masked_pan}")
        new = earlier.card
        return CardState(card_id=new.card_id, masked_pan=new.masked_pan,
                         status=self.state.card_status[new.card_id])


def _locked_reason(customer_id: str) -> str:
    return (f"telephone PIN of {customer_id} is locked after {MAX_FAILURES} consecutive "
            "failures; an agent can unlock it after verifying the caller")


def _fingerprint(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
