"""Banking for the caller on the line: verification, transfers, payments, card freezes and lost
cards' replacements; the supervisors' side (dual control above an agent's limit) is
``api_approvals``, the desk's state and checks ``desk_web``.

Money is in integer fen. Nothing here returns, logs or audits a PIN, a full card number or a
full account number: accounts and cards go out masked, operations as the desk's masked summaries.

Every change needs a client-generated ``idempotency_key``: the same key with the same request
returns the first outcome and moves nothing again; with another request it is refused (409).
The keys are kept by an ``IdempotencyKeys`` port, in the database beside a stored desk, so this
holds across a restart too; so are the refused verification attempts of a contact
(``VerificationAttempts``): a restart gives a caller no fresh tries at the questions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from hotline.banking.errors import NotPermitted
from hotline.banking.model import Payee
from hotline.banking.operations import (
    CardAction,
    ChangeCard,
    Operation,
    PayPayee,
    ReplaceCard,
    TransferOwn,
    describe,
)
from hotline.banking.receipts import Receipt
from hotline.web.api_supervisor import audit
from hotline.web.deps import require, services
from hotline.web.desk_web import (
    DeskWeb,
    banking_errors,
    caller_contact,
    desk_now,
    desk_web,
    fingerprint,
    outcome,
    receipt_json,
    request_json,
    staff_of,
    verification_of,
)
from hotline.web.errors import ApiError, Invalid
from hotline.web.ports import KeyedOutcome, Session
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1", tags=["banking"])
AGENTS = ("agent", "supervisor")
#: Refused verification attempts per contact before the agent may try no more.
MAX_ATTEMPTS = 3
# Across contacts: a caller who hangs up and rings again gets no fresh tries without end.
MAX_CUSTOMER_ATTEMPTS, CUSTOMER_WINDOW_S = 5, 86_400.0
MAX_FEN = 10**13
QUESTIONS = {"card_last4": "Last 4 digits of one of their cards",
             "last_amount": "Amount of their most recent transaction",
             "province": "Province they live in"}


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
    contact = caller_contact(svc, who, contact_id, on_line=False)
    dw.desk.expire_due(now=desk_now(svc))
    verification = verification_of(svc, dw, contact)
    staff = staff_of(svc, who)
    out: dict[str, Any] = {
        "now": svc.now(), "contact_id": contact_id,
        "customer_id": verification.customer_id if verification
        else str(contact.attributes.get("customer_id") or "") or None,
        "verified": verification is not None, "verification": None, "accounts": [],
        "cards": [], "attempts_left": max(0, MAX_ATTEMPTS - dw.attempts.refused(contact_id)),
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
                         "status": c.status.value, "replaced_by": dw.successor(c.card_id)}
                        for c in dw.cards(cid)]
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
    contact = caller_contact(svc, who, contact_id, on_line=True)
    found = verification_of(svc, dw, contact)
    if found is not None:
        return {"verified": True, "method": found.method.value, "already": True}
    if dw.attempts.refused(contact_id) >= MAX_ATTEMPTS:
        raise ApiError(403, "verification_locked",
                       f"contact_id: {MAX_ATTEMPTS} refused attempts on {contact_id}; "
                       "no more verification on this contact", {"field": "contact_id"})
    carried = str(contact.attributes.get("customer_id") or "")
    if carried and body.customer_id not in (None, carried):
        raise Invalid("customer_id", f"the contact already names customer {carried}")
    customer_id = carried or body.customer_id
    if not customer_id:
        raise Invalid("customer_id", "the contact names no customer: give the customer id")
    if dw.attempts.refused_customer(customer_id, svc.now() - CUSTOMER_WINDOW_S) \
            >= MAX_CUSTOMER_ATTEMPTS:
        audit(svc, who, "banking_verify_locked", contact_id, {"customer_id": customer_id})
        raise ApiError(403, "verification_locked",
                       f"customer_id: {MAX_CUSTOMER_ATTEMPTS} refused attempts for this "
                       "customer in the last 24 h; verify through the IVR's PIN instead",
                       {"field": "customer_id"})
    with banking_errors():
        dw.desk.port.balances(customer_id=customer_id)
    asked, right = _answers(svc, dw, customer_id, body)
    if asked == 0:
        raise Invalid("answers", f"give the caller's answers: {', '.join(QUESTIONS)}")
    now = desk_now(svc)
    try:
        dw.desk.verified_by_agent(user=staff_of(svc, who), contact_id=contact_id,
                                  customer_id=customer_id, questions_asked=asked,
                                  questions_passed=right, now=now)
    except NotPermitted:
        # Counted before the audit, so an audit that cannot be written still costs the try.
        refused = dw.attempts.refuse(contact_id=contact_id, customer_id=customer_id,
                                     at=svc.now())
        left = max(0, MAX_ATTEMPTS - refused)
        # Which answer was wrong is not said: that would help a caller guess.
        audit(svc, who, "banking_verify_refused", contact_id,
              {"customer_id": customer_id, "asked": asked, "attempts_left": left})
        raise ApiError(403, "not_verified", f"answers: they do not match the bank's records; "
                       f"{left} attempt(s) left", {"field": "answers", "attempts_left": left},
                       ) from None
    audit(svc, who, "banking_verify", contact_id, {"customer_id": customer_id, "asked": asked})
    return {"verified": True, "method": "agent_questions", "already": False}


def _perform(svc: Services, who: Session, contact_id: str, operation: Operation, key: str,
             content: str) -> JSONResponse:
    """Replay the outcome of an earlier ``key``, or run ``operation`` for a verified caller."""
    dw = desk_web(svc)
    contact = caller_contact(svc, who, contact_id, on_line=False)
    now = desk_now(svc)
    dw.desk.expire_due(now=now)
    print_ = fingerprint(who.user.username, contact_id, content)
    earlier = dw.keys.get(key)
    if earlier is not None:
        if earlier.fingerprint != print_:
            raise ApiError(409, "idempotency_conflict", "idempotency_key: already used for "
                           "another request", {"field": "idempotency_key"})
        return outcome(svc, dw, earlier, replayed=True)
    caller_contact(svc, who, contact_id, on_line=True)
    if verification_of(svc, dw, contact) is None:
        raise ApiError(403, "not_verified", f"contact_id: the caller on {contact_id} is not "
                       "verified", {"field": "contact_id"})
    # The operation and its key are one step: stored, they are written in one transaction,
    # so a restart never finds the money moved and the key forgotten (it would move again).
    with dw.keys.step(), banking_errors():
        result = dw.desk.perform(user=staff_of(svc, who), contact_id=contact_id,
                                 operation=operation, now=now)
        if isinstance(result, Receipt):
            done = KeyedOutcome(key=key, fingerprint=print_, contact_id=contact_id,
                                at=svc.now(), receipt=result)
        else:
            done = KeyedOutcome(key=key, fingerprint=print_, contact_id=contact_id,
                                at=svc.now(), request_id=result.request_id)
        dw.keys.put(done)
    if isinstance(result, Receipt):
        audit(svc, who, "banking_executed", contact_id,
              {"summary": result.summary, "amount": result.amount,
               "reference": result.reference})
    else:
        audit(svc, who, "banking_approval_requested", contact_id,
              {"summary": describe(operation), "amount": operation.amount,
               "request_id": result.request_id})
    return outcome(svc, dw, done, replayed=False)


@router.post("/agent/contacts/{contact_id}/banking/transfer",
             summary="Transfer between the caller's own accounts (fen)",
             responses={202: {"description": "above your limit: waiting for a supervisor"}})
async def transfer(contact_id: str, body: TransferBody, who: Session = require(*AGENTS),
                   svc: Services = Depends(services)) -> JSONResponse:
    op = TransferOwn(from_account=body.from_account, to_account=body.to_account,
                     amount=body.amount)
    return _perform(svc, who, contact_id, op, body.idempotency_key,
                    fingerprint("transfer", body.from_account, body.to_account, body.amount))


@router.post("/agent/contacts/{contact_id}/banking/payment",
             summary="Pay a third party from the caller's account (fen)",
             responses={202: {"description": "above your limit: waiting for a supervisor"}})
async def payment(contact_id: str, body: PaymentBody, who: Session = require(*AGENTS),
                  svc: Services = Depends(services)) -> JSONResponse:
    payee = Payee(name=body.payee_name, account_number=body.payee_account, bank=body.payee_bank)
    op = PayPayee(from_account=body.from_account, payee=payee, amount=body.amount)
    return _perform(svc, who, contact_id, op, body.idempotency_key,
                    fingerprint("payment", body.from_account, body.payee_name,
                                 body.payee_account, body.payee_bank, body.amount))


def _card_route(action: str, operation: Callable[[str], Operation], summary: str,
                description: str = "") -> None:
    """POST .../cards/{card_id}/{action}: one card change, same rules as every operation."""

    async def change(contact_id: str, card_id: str, body: KeyBody,
                     who: Session = require(*AGENTS),
                     svc: Services = Depends(services)) -> JSONResponse:
        # The fingerprint names the action as stored idempotency keys have it ("report_lost").
        return _perform(svc, who, contact_id, operation(card_id), body.idempotency_key,
                        fingerprint(action.replace("-", "_"), card_id))

    router.add_api_route(f"/agent/contacts/{{contact_id}}/banking/cards/{{card_id}}/{action}",
                         change, methods=["POST"], summary=summary, description=description,
                         name=action.replace("-", "_"))


_card_route("freeze", lambda card: ChangeCard(card_id=card, action=CardAction.FREEZE),
            "Freeze one of the caller's cards")
_card_route("unfreeze", lambda card: ChangeCard(card_id=card, action=CardAction.UNFREEZE),
            "Unfreeze one of the caller's cards")
_card_route("report-lost", lambda card: ChangeCard(card_id=card, action=CardAction.REPORT_LOST),
            "Report one of the caller's cards lost (frozen for good; then replace it)")
_card_route("replace", lambda card: ReplaceCard(card_id=card),
            "Order a new card for one of the caller's cards reported lost",
            "The bank issues a new number on the same account; the receipt names it masked. "
            "Only a card reported lost, once (403 ``not_permitted`` naming ``card_id`` "
            "otherwise).")
