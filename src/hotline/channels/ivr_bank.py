"""The IVR's bank adapter: a `BankRequest` becomes a call on the `BankingPort`, the answer a
`BankReplied` whose ``data`` keys are those `hotline.ivr.operations` promises.

The caller keys account and card *numbers*; the port speaks account and card *ids*, so a
`NumberDirectory` resolves them (the sandbox's is `SandboxDirectory`). Amounts are keyed in
whole yuan and said back in yuan; the port counts fen. The PIN is revealed only here, for the
one call that needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from hotline.banking import errors as bank_errors
from hotline.banking.model import Actor, ActorKind, Channel, RequestContext
from hotline.banking.port import BankingPort
from hotline.banking.sandbox import SandboxBank
from hotline.ivr.actions import BankRequest
from hotline.ivr.inputs import BankReplied
from hotline.ivr.operations import VERIFY_PIN


@dataclass(frozen=True, kw_only=True, slots=True)
class CardRef:
    card_id: str
    account_id: str


class NumberDirectory(Protocol):
    """Card and account numbers keyed by callers -> the bank's ids (``None``: unknown)."""

    def account_for_number(self, number: str) -> str | None: ...

    def card_for_number(self, pan: str) -> CardRef | None: ...


class SandboxDirectory:
    """`NumberDirectory` over a `SandboxBank`'s state."""

    def __init__(self, bank: SandboxBank) -> None:
        self._state = bank.state

    def account_for_number(self, number: str) -> str | None:
        return self._state.account_by_number.get(number)

    def card_for_number(self, pan: str) -> CardRef | None:
        card_id = self._state.card_by_pan.get(pan)
        if card_id is None:
            return None
        return CardRef(card_id=card_id, account_id=self._state.cards[card_id].account_id)


# Most specific first: the port's exceptions -> the IVR's failure codes.
_CODES: tuple[tuple[type[bank_errors.BankingError], str], ...] = (
    (bank_errors.CredentialLocked, "locked"),
    (bank_errors.AuthenticationFailed, "wrong_pin"),
    (bank_errors.CardFrozen, "card_frozen"),
    (bank_errors.InsufficientFunds, "insufficient_funds"),
    (bank_errors.LimitExceeded, "limit_exceeded"),
    (bank_errors.UnknownItem, "not_own_account"),
)


class Failure(Exception):
    """A request the adapter refuses before the port sees it, with the IVR's code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def yuan(fen: int) -> str:
    """``123456`` -> ``"1234.56"``; ``-50`` -> ``"-0.50"``."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


class IvrBank:
    """Answers one call's bank requests. ``failure_code`` of an unexpected port error is
    ``unavailable``; the flow decides what the caller hears."""

    def __init__(self, port: BankingPort, directory: NumberDirectory) -> None:
        self.port = port
        self.directory = directory
        self._ops: dict[str, Callable[[Mapping[str, str], str, RequestContext], BankReplied]] = {
            "balance": self._balance,
            "transactions": self._transactions,
            "transfer": self._transfer,
            "freeze_card": self._freeze_card,
            "repay_credit_card": self._repay,
        }

    def answer(self, request: BankRequest, *, call_id: str, key: str, now: datetime) -> BankReplied:
        """Perform ``request`` for call ``call_id``; ``key`` makes money movements idempotent."""
        ctx = RequestContext(
            actor=Actor(kind=ActorKind.IVR, actor_id=call_id),
            channel=Channel.IVR,
            contact_id=call_id,
            now=now,
        )
        try:
            if request.operation == VERIFY_PIN:
                return self._verify(request, ctx)
            op = self._ops.get(request.operation)
            if op is None:
                return BankReplied(ok=False, code="unavailable")
            return op(request.arguments, key, ctx)
        except Failure as failure:
            return BankReplied(ok=False, code=failure.code)
        except bank_errors.BankingError as error:
            for kind, code in _CODES:
                if isinstance(error, kind):
                    return BankReplied(ok=False, code=code)
            return BankReplied(ok=False, code="unavailable")

    def _verify(self, request: BankRequest, ctx: RequestContext) -> BankReplied:
        if request.secret is None:
            return BankReplied(ok=False, code="wrong_pin")
        card_number = request.arguments.get("card", "")
        number = card_number or request.arguments.get("account", "")
        try:
            who = self.port.authenticate(credential=number, pin=request.secret.reveal(), ctx=ctx)
        except bank_errors.InvalidInput:  # a PIN that is not 6 digits is simply wrong
            return BankReplied(ok=False, code="wrong_pin")
        card = self.directory.card_for_number(card_number) if card_number else None
        account = card.account_id if card else self.directory.account_for_number(number)
        # The keyed number is replaced by ids in the call's variables: no number is kept.
        data = {
            "customer_id": who.customer_id,
            "segment": who.segment.value,
            "account": account or "",
            "card": card.card_id if card else "",
        }
        return BankReplied(ok=True, data=MappingProxyType(data))

    def _balance(self, args: Mapping[str, str], key: str, ctx: RequestContext) -> BankReplied:
        customer, account = args["customer_id"], args.get("account", "")
        for line in self.port.balances(customer_id=customer):
            if line.account_id == account:
                return _ok(balance=yuan(line.balance), currency="CNY")
        raise Failure("unknown_account")

    def _transactions(self, args: Mapping[str, str], key: str, ctx: RequestContext) -> BankReplied:
        count = _whole(args.get("count", "5"))
        entries = self.port.last_transactions(
            customer_id=args["customer_id"], account_id=args.get("account", ""), count=count
        )
        items = tuple(
            MappingProxyType(
                {
                    "date": e.at.date().isoformat(),
                    "amount": yuan(e.delta),
                    "description": e.description,
                }
            )
            for e in entries
        )
        return BankReplied(ok=True, data=MappingProxyType({"count": str(len(items))}), items=items)

    def _transfer(self, args: Mapping[str, str], key: str, ctx: RequestContext) -> BankReplied:
        customer, source = args["customer_id"], args.get("from_account", "")
        target = self.directory.account_for_number(args.get("to_account", ""))
        if target is None:
            raise Failure("not_own_account")
        receipt = self.port.transfer_own(
            customer_id=customer,
            from_account=source,
            to_account=target,
            amount=_fen(args.get("amount", "")),
            idempotency_key=key,
            ctx=ctx,
        )
        return _ok(reference=receipt.txn_id, balance=yuan(self._balance_of(customer, source)))

    def _freeze_card(self, args: Mapping[str, str], key: str, ctx: RequestContext) -> BankReplied:
        # The IVR's freeze is the lost-card report: frozen at once and for good.
        try:
            state = self.port.report_lost_card(
                customer_id=args["customer_id"], card_id=args.get("card", ""), ctx=ctx
            )
        except bank_errors.NotPermitted as error:
            raise Failure("card_frozen") from error
        return _ok(reference=state.card_id)

    def _repay(self, args: Mapping[str, str], key: str, ctx: RequestContext) -> BankReplied:
        customer, source = args["customer_id"], args.get("from_account", "")
        card = self.directory.card_for_number(args.get("credit_card", ""))
        if card is None:
            raise Failure("unknown_card")
        receipt = self.port.repay_credit_card(
            customer_id=customer,
            from_account=source,
            card_account=card.account_id,
            amount=_fen(args.get("amount", "")),
            idempotency_key=key,
            ctx=ctx,
        )
        owed = -self._balance_of(customer, card.account_id)
        return _ok(reference=receipt.txn_id, outstanding=yuan(max(owed, 0)))

    def _balance_of(self, customer_id: str, account_id: str) -> int:
        for line in self.port.balances(customer_id=customer_id):
            if line.account_id == account_id:
                return line.balance
        raise Failure("unknown_account")


def _ok(**data: str) -> BankReplied:
    return BankReplied(ok=True, data=MappingProxyType(data))


def _whole(text: str) -> int:
    if not text.isdigit():
        raise Failure("unavailable")
    return int(text)


def _fen(amount_yuan: str) -> int:
    fen = _whole(amount_yuan) * 100
    if fen <= 0:
        raise Failure("unavailable")
    return fen
