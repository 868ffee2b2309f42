"""What an agent can do for a verified caller, and how each is executed over the port."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hotline.banking.model import Payee, RequestContext
from hotline.banking.money import format_fen
from hotline.banking.port import BankingPort


class CardAction(StrEnum):
    FREEZE = "freeze"
    UNFREEZE = "unfreeze"
    REPORT_LOST = "report_lost"


@dataclass(frozen=True, kw_only=True, slots=True)
class TransferOwn:
    from_account: str
    to_account: str
    amount: int


@dataclass(frozen=True, kw_only=True, slots=True)
class RepayCard:
    from_account: str
    card_account: str
    amount: int


@dataclass(frozen=True, kw_only=True, slots=True)
class PayPayee:
    from_account: str
    payee: Payee
    amount: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ChangeCard:
    card_id: str
    action: CardAction
    amount: int = 0


Operation = TransferOwn | RepayCard | PayPayee | ChangeCard


def describe(op: Operation) -> str:
    """A masked one-line summary for receipts and audit records."""
    match op:
        case TransferOwn():
            return f"transfer {format_fen(op.amount)} {op.from_account} -> {op.to_account}"
        case RepayCard():
            return f"card repayment {format_fen(op.amount)} {op.from_account} -> {op.card_account}"
        case PayPayee():
            return f"payment {format_fen(op.amount)} {op.from_account} -> {op.payee.masked}"
        case ChangeCard():
            return f"card {op.card_id} {op.action.value}"


def execute(port: BankingPort, op: Operation, *, customer_id: str, key: str,
            ctx: RequestContext) -> str:
    """Perform `op`; return the port's reference (transaction id or new card status)."""
    match op:
        case TransferOwn():
            return port.transfer_own(customer_id=customer_id, from_account=op.from_account,
                                     to_account=op.to_account, amount=op.amount,
                                     idempotency_key=key, ctx=ctx).txn_id
        case RepayCard():
            return port.repay_credit_card(customer_id=customer_id, from_account=op.from_account,
                                          card_account=op.card_account, amount=op.amount,
                                          idempotency_key=key, ctx=ctx).txn_id
        case PayPayee():
            return port.pay(customer_id=customer_id, from_account=op.from_account,
                            payee=op.payee, amount=op.amount, idempotency_key=key,
                            ctx=ctx).txn_id
        case ChangeCard():
            change = {CardAction.FREEZE: port.freeze_card, CardAction.UNFREEZE: port.unfreeze_card,
                      CardAction.REPORT_LOST: port.report_lost_card}[op.action]
            return change(customer_id=customer_id, card_id=op.card_id, ctx=ctx).status.value
