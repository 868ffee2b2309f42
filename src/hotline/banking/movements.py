"""Plan a money movement: validate it against the state and build the `MoneyMoved` event.

Nothing changes here; the sandbox applies the event only if planning raised nothing, so a
rejected movement leaves the state unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.banking.errors import IdempotencyConflict, InvalidInput
from hotline.banking.events import MoneyMoved, MovementRequest
from hotline.banking.ledger import Posting, TxnKind
from hotline.banking.limits import DailyLimits
from hotline.banking.model import AccountKind, RequestContext
from hotline.banking.money import require_amount, require_aware
from hotline.banking.results import MovementReceipt
from hotline.banking.state import FUNDING, BankState


@dataclass(frozen=True, kw_only=True, slots=True)
class Movement:
    """A requested movement. `to_account` may be one of the bank's internal accounts."""

    kind: TxnKind
    customer_id: str
    from_account: str
    to_account: str
    amount: int
    idempotency_key: str
    #: Masked beneficiary shown on receipts (payee for payments, else the target account).
    beneficiary: str = ""
    #: Masked payee fingerprint, part of the idempotent content of a payment.
    payee: str = ""
    description: str = ""


def replayed(state: BankState, movement: Movement) -> MoneyMoved | None:
    """The earlier event for this idempotency key, or None; a different request conflicts."""
    key = movement.idempotency_key
    if not key or not key.strip():
        raise InvalidInput("idempotency_key", "must not be empty")
    earlier = state.moves_by_key.get(key)
    # A key is one request: one that replaced a card cannot move money.
    if earlier is None and key not in state.replacements_by_key:
        return None
    if earlier is None or earlier.request != request_of(movement):
        raise IdempotencyConflict(
            "idempotency_key", f"{key} was already used for a different request"
        )
    return earlier


def request_of(movement: Movement) -> MovementRequest:
    return MovementRequest(
        kind=movement.kind.value, customer_id=movement.customer_id,
        from_account=movement.from_account, to_account=movement.to_account,
        amount=movement.amount, payee=movement.payee,
    )


def plan(
    state: BankState, movement: Movement, ctx: RequestContext, limits: DailyLimits
) -> MoneyMoved:
    """Check accounts, freezes, funds and the daily limit; return the event to apply."""
    now = require_aware("now", ctx.now)
    amount = require_amount("amount", movement.amount)
    if movement.kind is TxnKind.DEPOSIT:
        # Deposits come from the bank's funding account, which may go negative.
        source = state.accounts[FUNDING]
        state.own_account(movement.customer_id, movement.to_account, "account_id")
    else:
        source = state.own_account(movement.customer_id, movement.from_account, "from_account")
        if movement.to_account not in state.accounts:
            raise InvalidInput("to_account", f"no account {movement.to_account}")
        if movement.to_account == movement.from_account:
            raise InvalidInput("to_account", "must differ from from_account")
        if source.kind is AccountKind.INTERNAL:
            raise InvalidInput("from_account", "cannot be an internal account")
        state.require_debitable(source, amount, "from_account")
    day = limits.day(now)
    counts = limits.counts(movement.kind)
    if counts:
        used = state.usage.get((movement.customer_id, ctx.channel, day), 0)
        limits.check(channel=ctx.channel, used=used, amount=amount)
    txn_id = f"T{state.postings + 1:08d}"
    posting = Posting.transfer(
        txn_id=txn_id, kind=movement.kind, at=now, debit=source.account_id,
        credit=movement.to_account, amount=amount,
        description=movement.description or movement.kind.value,
    )
    receipt = MovementReceipt(
        txn_id=txn_id, kind=movement.kind, customer_id=movement.customer_id, amount=amount,
        from_account=source.account_id, to_account=movement.to_account,
        beneficiary=movement.beneficiary, at=now, idempotency_key=movement.idempotency_key,
    )
    return MoneyMoved(
        posting=posting, request=request_of(movement), receipt=receipt, channel=ctx.channel,
        limit_day=day, counts_to_limit=counts,
    )
