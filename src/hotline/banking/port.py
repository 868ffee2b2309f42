"""The banking port: what the IVR and the agent desktop need from a core banking system.

A bank plugs its real core system in here; `sandbox.SandboxBank` is the in-package fake.
Every call carries a `RequestContext` (who, channel, contact, aware `now`). Money is in fen.
Money movements take an idempotency key: a retry with the same key and content returns the
first receipt and moves nothing; the same key with other content raises `IdempotencyConflict`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from hotline.banking.ledger import LedgerEntry
from hotline.banking.model import Payee, RequestContext
from hotline.banking.results import (
    AccountBalance,
    Authenticated,
    CardState,
    MovementReceipt,
    Statement,
)


class BankingPort(Protocol):
    def authenticate(self, *, credential: str, pin: str, ctx: RequestContext) -> Authenticated:
        """Card number or account number plus the 6-digit telephone PIN.

        Raises `AuthenticationFailed`, `CredentialLocked` (3 consecutive failures) or
        `CardFrozen`.
        """
        ...

    def unlock_pin(self, *, customer_id: str, ctx: RequestContext) -> None:
        """Unlock a locked telephone PIN; only an agent, after verifying the caller."""
        ...

    def balances(self, *, customer_id: str) -> tuple[AccountBalance, ...]: ...

    def last_transactions(
        self, *, customer_id: str, account_id: str, count: int
    ) -> tuple[LedgerEntry, ...]:
        """The `count` most recent entries, newest first."""
        ...

    def statement(
        self, *, customer_id: str, account_id: str, start: datetime, end: datetime
    ) -> Statement:
        """Entries with `start <= at < end`, with opening and closing balances."""
        ...

    def transfer_own(
        self, *, customer_id: str, from_account: str, to_account: str, amount: int,
        idempotency_key: str, ctx: RequestContext,
    ) -> MovementReceipt: ...

    def repay_credit_card(
        self, *, customer_id: str, from_account: str, card_account: str, amount: int,
        idempotency_key: str, ctx: RequestContext,
    ) -> MovementReceipt: ...

    def pay(
        self, *, customer_id: str, from_account: str, payee: Payee, amount: int,
        idempotency_key: str, ctx: RequestContext,
    ) -> MovementReceipt: ...

    def report_lost_card(self, *, customer_id: str, card_id: str, ctx: RequestContext) -> CardState:
        """The card is frozen at once and for good; `replace_card` issues its successor."""
        ...

    def freeze_card(self, *, customer_id: str, card_id: str, ctx: RequestContext) -> CardState: ...

    def unfreeze_card(
        self, *, customer_id: str, card_id: str, ctx: RequestContext
    ) -> CardState: ...

    def replace_card(
        self, *, customer_id: str, card_id: str, idempotency_key: str, ctx: RequestContext
    ) -> CardState:
        """Issue a new card (new number, same account, active) for a card reported lost; the
        lost card stays lost. Only a lost card, once; a retry with the same key returns the
        same new card. Raises `NotPermitted` (not lost, or replaced already) or
        `IdempotencyConflict`."""
        ...
