"""Banking for the caller on the line: verification, transfers, payments, card freezes, and the
supervisors' live approvals (dual control) above an agent's limit.

The pure ``hotline.banking.desk.AgentDesk`` sits in ``services.extra["desk"]`` (the composition
root puts it there); without one these routes answer 404 ``banking_unavailable``. Money is in
integer fen. Nothing here returns, logs or audits a PIN, a full card number or a full account
number: accounts and cards go out masked, operations as the desk's masked summaries.

Every change needs a client-generated ``idempotency_key``: the same key with the same request
returns the first outcome and moves nothing again; with another request it is refused (409).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from hotline.banking.approvals import ApprovalRequest, ApprovalStatus
from hotline.banking.desk import AgentDesk
from hotline.banking.errors import (
    ApprovalClosed,
    BankingError,
    CardFrozen,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidInput,
    LimitExceeded,
    NotPermitted,
    UnknownItem,
)
from hotline.banking.model import Payee
from hotline.banking.operations import (
    CardAction,
    ChangeCard,
    Operation,
    PayPayee,
    TransferOwn,
    describe,
)
from hotline.banking.receipts import Receipt
from hotline.banking.results import CardState
from hotline.banking.roles import Role, StaffUser
from hotline.banking.sandbox import SandboxBank
from hotline.banking.verification import Verification
from hotline.core.live import CONNECTED, ON_HOLD, Contact
from hotline.web.api_agent import _own_contact, agent_id
from hotline.web.api_supervisor import audit
from hotline.web.deps import require, services
from hotline.web.errors import ApiError, Invalid, NotFound
from hotline.web.ports import Session
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1", tags=["banking"])
AGENTS = ("agent", "supervisor")
#: Refused verification attempts per contact before the agent may try no more.
MAX_ATTEMPTS = 3
MAX_FEN = 10**13
#: The web role's banking role; ``services.extra["banking_roles"]`` may name senior agents.
ROLE_OF = {"agent": Role.AGENT, "supervisor": Role.SUPERVISOR}
QUESTIONS = {"card_last4": "Last 4 digits of one of their cards",
             "last_amount": "Amount of their most recent transaction",
             "province": "Province they live in"}
CardsOf = Callable[[str], tuple[CardState, ...]]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Done:
    fingerprint: str
    contact_id: str
    receipt: Receipt | None = None
    request_id: str | None = None


@dataclass(kw_only=True)
class DeskWeb:
    """The desk and what the web adds to it: card listing, idempotency keys, attempts."""

    desk: AgentDesk
    cards: CardsOf
    done: dict[str, _Done] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)


def cards_of(port: object) -> CardsOf:
    """The customer's cards, masked. The port has no such call; the sandbox's state does."""
    if not isinstance(port, SandboxBank):
        return lambda customer_id: ()
    state = port.state

    def cards(customer_id: str) -> tuple[CardState, ...]:
        return tuple(
            CardState(card_id=cid, masked_pan=state.cards[cid].masked_pan,
                      status=state.card_status[cid])
            for account_id in state.accounts_of.get(customer_id, ())
            for cid in state.cards_on.get(account_id, ()))
    return cards


def desk_web(svc: Services) -> DeskWeb:
    found = svc.extra.get("desk_web")
    if isinstance(found, DeskWeb):
        return found
    desk = svc.extra.get("desk")
    if not isinstance(desk, AgentDesk):
        raise ApiError(404, "banking_unavailable", "no banking desk runs on this server")
    made = DeskWeb(desk=desk, cards=cards_of(desk.port))
    svc.extra["desk_web"] = made
    return made


# --- plain helpers ---------------------------------------------------------------------------

def desk_now(svc: Services) -> datetime:
    return datetime.fromtimestamp(svc.now(), tz=UTC)


def _epoch(when: datetime | None) -> float | None:
    return None if when is None else when.timestamp()


def _staff(svc: Services, who: Session) -> StaffUser:
    named: dict[str, str] = svc.extra.get("banking_roles", {})
    role = Role(named[who.user.username]) if who.user.username in named \
        else ROLE_OF[who.user.role]
    return StaffUser(user_id=who.user.username, role=role)


def _truthy(value: object) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


@contextmanager
def banking_errors() -> Iterator[None]:
    """A banking refusal as an API error naming the field (messages are masked already)."""
    try:
        yield
    except BankingError as exc:
        status, error_id = {
            InvalidInput: (422, "invalid"), UnknownItem: (404, "not_found"),
            NotPermitted: (403, "not_permitted"), ApprovalClosed: (409, "approval_closed"),
            IdempotencyConflict: (409, "idempotency_conflict"),
            LimitExceeded: (422, "limit_exceeded"), InsufficientFunds: (422, "insufficient_funds"),
            CardFrozen: (409, "card_frozen"),
        }.get(type(exc), (409, "banking_refused"))
        raise ApiError(status, error_id, str(exc),
                       {"field": exc.field, "reason": exc.reason}) from None


def _contact(svc: Services, who: Session, contact_id: str, *, on_line: bool) -> Contact:
    """The agent's own contact; with ``on_line`` the caller must be connected or on hold."""
    me = agent_id(who)
    _own_contact(svc, me, contact_id)
    contact = svc.centre.engine.contacts.get(contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    activity = svc.centre.engine.agents[me].work[contact_id].activity
    if on_line and activity not in (CONNECTED, ON_HOLD):
        raise ApiError(409, "caller_not_on_line",
                       f"contact_id: the caller on {contact_id} is not on the line ({activity})",
                       {"field": "contact_id", "activity": activity})
    return contact


def _verification(svc: Services, dw: DeskWeb, contact: Contact) -> Verification | None:
    """The desk's verification; the IVR's (``authenticated`` + ``customer_id``) recorded once."""
    found = dw.desk.verifications.get(contact.id)
    if found is not None:
        return found
    attrs = contact.attributes
    customer_id = str(attrs.get("customer_id") or "")
    if not (_truthy(attrs.get("authenticated")) and customer_id):
        return None
    try:
        dw.desk.port.balances(customer_id=customer_id)
    except UnknownItem:
        return None  # the IVR's customer is not this bank's: the agent verifies instead
    return dw.desk.verified_by_ivr(contact_id=contact.id, customer_id=customer_id,
                                   masked_credential="telephone PIN", now=desk_now(svc))


# --- what goes out ---------------------------------------------------------------------------

def receipt_json(r: Receipt) -> dict[str, Any]:
    return {"receipt_id": r.receipt_id, "contact_id": r.contact_id, "customer_id": r.customer_id,
            "summary": r.summary, "amount": r.amount, "reference": r.reference,
            "performed_by": r.performed_by, "approved_by": r.approved_by,
            "verification": r.verification.value, "at": r.at.timestamp()}


def request_json(svc: Services, r: ApprovalRequest) -> dict[str, Any]:
    customer = svc.customers(r.customer_id) if svc.customers else None
    return {"request_id": r.request_id, "contact_id": r.contact_id,
            "customer_id": r.customer_id, "customer": (customer or {}).get("name"),
            "kind": type(r.operation).__name__, "summary": describe(r.operation),
            "amount": r.operation.amount, "requested_by": r.requested_by.user_id,
            "requested_role": r.requested_by.role.value, "requested_at": _epoch(r.requested_at),
            "expires_at": _epoch(r.expires_at), "status": r.status.value,
            "verification": r.verification.method.value, "decided_by": r.decided_by,
            "decided_at": _epoch(r.decided_at), "reason": r.reason, "reference": r.reference}


def _approved_receipt(dw: DeskWeb, request: ApprovalRequest) -> Receipt | None:
    # The desk executes an approved request under the request's id as its key.
    return next((r for r in dw.desk.history(request.contact_id)
                 if r.receipt_id == f"{request.request_id}/receipt"), None)


def _outcome(svc: Services, dw: DeskWeb, done: _Done, *, replayed: bool) -> JSONResponse:
    if done.receipt is not None:
        body = {"status": "done", "receipt": receipt_json(done.receipt), "replayed": replayed}
        return JSONResponse(body)
    request = dw.desk.requests[str(done.request_id)]
    receipt = _approved_receipt(dw, request)
    status = "pending_approval" if request.status is ApprovalStatus.PENDING \
        else request.status.value
    return JSONResponse({"status": status, "request": request_json(svc, request),
                         "receipt": receipt_json(receipt) if receipt else None,
                         "replayed": replayed},
                        status_code=202 if status == "pending_approval" else 200)


# --- the caller's banking ---------------------------------------------------------------------

class VerifyBody(BaseModel):
    """The caller's answers as the agent heard them; at least two must be right."""

    customer_id: str | None = Field(default=None, min_length=1, max_length=64,
                                    description="only when the contact carries none")
    card_last4: str | None = Field(default=None, pattern=r"^\d{4}$")
    last_amount: int | None = Field(default=None, gt=0, le=MAX_FEN, description="fen")
    province: str | None = Field(default=None, min_length=1, max_length=32)


class KeyBody(BaseModel):
    idempotency_key: str = Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")


class TransferBody(KeyBody):
    from_account: str = Field(min_length=1, max_length=64)
    to_account: str = Field(min_length=1, max_length=64)
    amount: int = Field(gt=0, le=MAX_FEN, description="fen")


class PaymentBody(KeyBody):
    from_account: str = Field(min_length=1, max_length=64)
    payee_name: str = Field(min_length=1, max_length=64)
    payee_account: str = Field(pattern=r"^\d{6,34}$")
    payee_bank: str = Field(min_length=1, max_length=32)
    amount: int = Field(gt=0, le=MAX_FEN, description="fen")


@router.get("/agent/contacts/{contact_id}/banking",
            summary="The caller's verification, accounts and cards (masked), receipts, requests")
async def banking(contact_id: str, who: Session = require(*AGENTS),
                  svc: Services = Depends(services)) -> dict[str, Any]:
    dw = desk_web(svc)
    contact = _contact(svc, who, contact_id, on_line=False)
    dw.desk.expire_due(now=desk_now(svc))
    verification = _verification(svc, dw, contact)
    staff = _staff(svc, who)
    out: dict[str, Any] = {
        "now": svc.now(), "contact_id": contact_id,
        "customer_id": verification.customer_id if verification
        else str(contact.attributes.get("customer_id") or "") or None,
        "verified": verification is not None, "verification": None, "accounts": [],
        "cards": [], "attempts_left": max(0, MAX_ATTEMPTS - dw.refused.get(contact_id, 0)),
        "questions": [{"code": c, "label": lbl} for c, lbl in QUESTIONS.items()],
        "limit": {"role": staff.role.value, "alone": dw.desk.limits.alone[staff.role],
                  "ceiling": dw.desk.limits.ceiling},
        "receipts": [receipt_json(r) for r in dw.desk.history(contact_id)],
        "requests": [request_json(svc, r) for r in dw.desk.requests.values()
                     if r.contact_id == contact_id],
    }
    if verification is not None:
        cid = verification.customer_id
        out["verification"] = {"method": verification.method.value,
                               "by": verification.verified_by,
                               "at": verification.at.timestamp(), "detail": verification.detail}
        out["accounts"] = [{"account_id": b.account_id, "masked_number": b.masked_number,
                            "kind": b.kind.value, "balance": b.balance,
                            "available": b.available, "credit_limit": b.credit_limit}
                           for b in dw.desk.port.balances(customer_id=cid)]
        out["cards"] = [{"card_id": c.card_id, "masked_pan": c.masked_pan,
                         "status": c.status.value} for c in dw.cards(cid)]
    return out


def _answers(svc: Services, dw: DeskWeb, customer_id: str, body: VerifyBody) -> tuple[int, int]:
    """(asked, right) for the answers given; the bank's data decides each."""
    asked = right = 0
    if body.card_last4 is not None:
        asked += 1
        right += any(c.masked_pan.endswith(body.card_last4) for c in dw.cards(customer_id))
    if body.last_amount is not None:
        asked += 1
        port = dw.desk.port
        newest = [e for b in port.balances(customer_id=customer_id)
                  for e in port.last_transactions(customer_id=customer_id,
                                                  account_id=b.account_id, count=1)]
        latest = max((e.at for e in newest), default=None)
        right += any(e.at == latest and abs(e.delta) == body.last_amount for e in newest)
    if body.province is not None:
        asked += 1
        known = svc.customers(customer_id) if svc.customers else None
        right += bool(known) and str((known or {}).get("province", "")).strip() == \
            body.province.strip()
    return asked, right


@router.post("/agent/contacts/{contact_id}/banking/verify",
             summary="Verify the caller with questions (attempts limited; audited)")
async def verify(contact_id: str, body: VerifyBody, who: Session = require(*AGENTS),
                 svc: Services = Depends(services)) -> dict[str, Any]:
    dw = desk_web(svc)
    contact = _contact(svc, who, contact_id, on_line=True)
    found = _verification(svc, dw, contact)
    if found is not None:
        return {"verified": True, "method": found.method.value, "already": True}
    if dw.refused.get(contact_id, 0) >= MAX_ATTEMPTS:
        raise ApiError(403, "verification_locked",
                       f"contact_id: {MAX_ATTEMPTS} refused attempts on {contact_id}; "
                       "no more verification on this contact", {"field": "contact_id"})
    carried = str(contact.attributes.get("customer_id") or "")
    if carried and body.customer_id not in (None, carried):
        raise Invalid("customer_id", f"the contact already names customer {carried}")
    customer_id = carried or body.customer_id
    if not customer_id:
        raise Invalid("customer_id", "the contact names no customer: give the customer id")
    with banking_errors():
        dw.desk.port.balances(customer_id=customer_id)
    asked, right = _answers(svc, dw, customer_id, body)
    if asked == 0:
        raise Invalid("answers", f"give the caller's answers: {', '.join(QUESTIONS)}")
    now = desk_now(svc)
    try:
        dw.desk.verified_by_agent(user=_staff(svc, who), contact_id=contact_id,
                                  customer_id=customer_id, questions_asked=asked,
                                  questions_passed=right, now=now)
    except NotPermitted:
        refused = dw.refused[contact_id] = dw.refused.get(contact_id, 0) + 1
        left = MAX_ATTEMPTS - refused
        # Which answer was wrong is not said: that would help a caller guess.
        audit(svc, who, "banking_verify_refused", contact_id,
              {"customer_id": customer_id, "asked": asked, "attempts_left": left})
        raise ApiError(403, "not_verified", f"answers: they do not match the bank's records; "
                       f"{left} attempt(s) left", {"field": "answers", "attempts_left": left},
                       ) from None
    audit(svc, who, "banking_verify", contact_id, {"customer_id": customer_id, "asked": asked})
    return {"verified": True, "method": "agent_questions", "already": False}


def _fingerprint(*parts: object) -> str:
    # A hash, so the idempotency memory never holds a payee's account number in clear.
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _perform(svc: Services, who: Session, contact_id: str, operation: Operation, key: str,
             content: str) -> JSONResponse:
    """Replay the outcome of an earlier ``key``, or run ``operation`` for a verified caller."""
    dw = desk_web(svc)
    contact = _contact(svc, who, contact_id, on_line=False)
    now = desk_now(svc)
    dw.desk.expire_due(now=now)
    fingerprint = _fingerprint(who.user.username, contact_id, content)
    earlier = dw.done.get(key)
    if earlier is not None:
        if earlier.fingerprint != fingerprint:
            raise ApiError(409, "idempotency_conflict", "idempotency_key: already used for "
                           "another request", {"field": "idempotency_key"})
        return _outcome(svc, dw, earlier, replayed=True)
    _contact(svc, who, contact_id, on_line=True)
    if _verification(svc, dw, contact) is None:
        raise ApiError(403, "not_verified", f"contact_id: the caller on {contact_id} is not "
                       "verified", {"field": "contact_id"})
    with banking_errors():
        result = dw.desk.perform(user=_staff(svc, who), contact_id=contact_id,
                                 operation=operation, now=now)
    if isinstance(result, Receipt):
        done = _Done(fingerprint=fingerprint, contact_id=contact_id, receipt=result)
        audit(svc, who, "banking_executed", contact_id,
              {"summary": result.summary, "amount": result.amount,
               "reference": result.reference})
    else:
        done = _Done(fingerprint=fingerprint, contact_id=contact_id,
                     request_id=result.request_id)
        audit(svc, who, "banking_approval_requested", contact_id,
              {"summary": describe(operation), "amount": operation.amount,
               "request_id": result.request_id})
    dw.done[key] = done
    return _outcome(svc, dw, done, replayed=False)


@router.post("/agent/contacts/{contact_id}/banking/transfer",
             summary="Transfer between the caller's own accounts (fen)",
             responses={202: {"description": "above your limit: waiting for a supervisor"}})
async def transfer(contact_id: str, body: TransferBody, who: Session = require(*AGENTS),
                   svc: Services = Depends(services)) -> JSONResponse:
    op = TransferOwn(from_account=body.from_account, to_account=body.to_account,
                     amount=body.amount)
    return _perform(svc, who, contact_id, op, body.idempotency_key,
                    _fingerprint("transfer", body.from_account, body.to_account, body.amount))


@router.post("/agent/contacts/{contact_id}/banking/payment",
             summary="Pay a third party from the caller's account (fen)",
             responses={202: {"description": "above your limit: waiting for a supervisor"}})
async def payment(contact_id: str, body: PaymentBody, who: Session = require(*AGENTS),
                  svc: Services = Depends(services)) -> JSONResponse:
    payee = Payee(name=body.payee_name, account_number=body.payee_account, bank=body.payee_bank)
    op = PayPayee(from_account=body.from_account, payee=payee, amount=body.amount)
    return _perform(svc, who, contact_id, op, body.idempotency_key,
                    _fingerprint("payment", body.from_account, body.payee_name,
                                 body.payee_account, body.payee_bank, body.amount))


@router.post("/agent/contacts/{contact_id}/banking/cards/{card_id}/freeze",
             summary="Freeze one of the caller's cards")
async def freeze(contact_id: str, card_id: str, body: KeyBody, who: Session = require(*AGENTS),
                 svc: Services = Depends(services)) -> JSONResponse:
    op = ChangeCard(card_id=card_id, action=CardAction.FREEZE)
    return _perform(svc, who, contact_id, op, body.idempotency_key,
                    _fingerprint("freeze", card_id))


@router.post("/agent/contacts/{contact_id}/banking/cards/{card_id}/unfreeze",
             summary="Unfreeze one of the caller's cards")
async def unfreeze(contact_id: str, card_id: str, body: KeyBody,
                   who: Session = require(*AGENTS),
                   svc: Services = Depends(services)) -> JSONResponse:
    op = ChangeCard(card_id=card_id, action=CardAction.UNFREEZE)
    return _perform(svc, who, contact_id, op, body.idempotency_key,
                    _fingerprint("unfreeze", card_id))
