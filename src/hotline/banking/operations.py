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


@dataclass(frozen=True, kw_only=True, slots=True)
class ReplaceCard:
    """Order the bank's replacement of a card reported lost (the bank's rule: only a lost one)."""

    card_id: str
    amount: int = 0


Operation = TransferOwn | RepayCard | PayPayee | ChangeCard | ReplaceCard


@dataclass(frozen=True, kw_only=True, slots=True)
class Executed:
    """What the port did: its reference and the receipt's masked one-line summary."""

    #: Transaction id, the card's new status, or a replacement's new card id.
    reference: str
    summary: str


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
        case ReplaceCard():
            return f"card {op.card_id} replacement"


def execute(port: BankingPort, op: Operation, *, customer_id: str, key: str,
            ctx: RequestContext) -> Executed:
    """Perform `op` with `key` as the port's idempotency key."""
    match op:
        case TransferOwn():
            reference = port.transfer_own(
                customer_id=customer_id, from_account=op.from_account, to_account=op.to_account,
                amount=op.amount, idempotency_key=key, ctx=ctx).txn_id
        case RepayCard():
            reference = port.repay_credit_card(
                customer_id=customer_id, from_account=op.from_account,
                card_account=op.card_account, amount=op.amount, idempotency_key=key,
                ctx=ctx).txn_id
        case PayPayee():
            reference = port.pay(customer_id=customer_id, from_account=op.from_account,
                                 payee=op.payee, amount=op.amount, idempotency_key=key,
                                 ctx=ctx).txn_id
        case ChangeCard():
            change = {CardAction.FREEZE: port.freeze_card, CardAction.UNFREEZE: port.unfreeze_card,
                      CardAction.REPORT_LOST: port.report_lost_card}[op.action]
            reference = change(customer_id=customer_id, card_id=op.card_id, ctx=ctx).status.value
        case ReplaceCard():
            new = port.replace_card(customer_id=customer_id, card_id=op.card_id,
                                    idempotency_key=key, ctx=ctx)
            # The new number is known only now; the receipt shows it masked, as the port gave it.
            return Executed(reference=new.card_id,
                            summary=f"card {op.card_id} replaced by {new.masked_pan}")
    return Executed(reference=reference, summary=describe(op))
