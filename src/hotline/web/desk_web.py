"""The agent desk as the web sees it: the desk and its state kept beside it, the checks every
banking route makes (the agent's own contact, the caller on the line, verified), and what goes
out (receipts and approval requests as JSON, masked).

The pure ``hotline.banking.desk.AgentDesk`` sits in ``services.extra["desk"]`` (the composition
root puts it there); without one the banking routes answer 404 ``banking_unavailable``. Nothing
here returns, logs or audits a PIN, a full card number or a full account number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse

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
from hotline.banking.operations import describe
from hotline.banking.receipts import Receipt
from hotline.banking.results import CardState
from hotline.banking.roles import Role, StaffUser
from hotline.banking.sandbox import SandboxBank
from hotline.banking.verification import Verification
from hotline.core.live import CONNECTED, ON_HOLD, Contact
from hotline.web.api_agent import _own_contact, agent_id
from hotline.web.errors import ApiError, NotFound
from hotline.web.memory import MemoryIdempotencyKeys, MemoryVerificationAttempts
from hotline.web.ports import IdempotencyKeys, KeyedOutcome, Session, VerificationAttempts
from hotline.web.services import Services

#: The web role's banking role; ``services.extra["banking_roles"]`` may name senior agents.
ROLE_OF = {"agent": Role.AGENT, "supervisor": Role.SUPERVISOR}
CardsOf = Callable[[str], tuple[CardState, ...]]
SuccessorOf = Callable[[str], str | None]


@dataclass(kw_only=True)
class DeskWeb:
    """The desk and what the web adds to it: card listing, idempotency keys, attempts."""

    desk: AgentDesk
    cards: CardsOf
    #: The card id that replaced a lost card, or None; the desktop offers a replacement only
    #: for a lost card that has none yet.
    successor: SuccessorOf = lambda card_id: None
    keys: IdempotencyKeys = field(default_factory=MemoryIdempotencyKeys)
    attempts: VerificationAttempts = field(default_factory=MemoryVerificationAttempts)


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


def successor_of(port: object) -> SuccessorOf:
    """A lost card's replacement. The port has no such call either; the sandbox's state does."""
    if not isinstance(port, SandboxBank):
        return lambda card_id: None
    return port.state.replaced_by.get


def desk_web(svc: Services) -> DeskWeb:
    found = svc.extra.get("desk_web")
    if isinstance(found, DeskWeb):
        return found
    desk = svc.extra.get("desk")
    if not isinstance(desk, AgentDesk):
        raise ApiError(404, "banking_unavailable", "no banking desk runs on this server")
    # The composition root keeps the keys in the database next to a stored desk; a desk in
    # memory keeps them in memory too (both are gone together).
    keys = svc.extra.get("idempotency_keys") or MemoryIdempotencyKeys()
    # Refused verification attempts too: in the database, a restart gives no fresh tries.
    attempts = svc.extra.get("verification_attempts") or MemoryVerificationAttempts()
    made = DeskWeb(desk=desk, cards=cards_of(desk.port), successor=successor_of(desk.port),
                   keys=keys, attempts=attempts)
    svc.extra["desk_web"] = made
    return made


def desk_now(svc: Services) -> datetime:
    return datetime.fromtimestamp(svc.now(), tz=UTC)


def epoch(when: datetime | None) -> float | None:
    return None if when is None else when.timestamp()


def staff_of(svc: Services, who: Session) -> StaffUser:
    named: dict[str, str] = svc.extra.get("banking_roles", {})
    role = Role(named[who.user.username]) if who.user.username in named \
        else ROLE_OF[who.user.role]
    return StaffUser(user_id=who.user.username, role=role)


def truthy(value: object) -> bool:
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


def caller_contact(svc: Services, who: Session, contact_id: str, *, on_line: bool) -> Contact:
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


def verification_of(svc: Services, dw: DeskWeb, contact: Contact) -> Verification | None:
    """The desk's verification; the IVR's (``authenticated`` + ``customer_id``) recorded once."""
    found = dw.desk.verifications.get(contact.id)
    if found is not None:
        return found
    attrs = contact.attributes
    customer_id = str(attrs.get("customer_id") or "")
    if not (truthy(attrs.get("authenticated")) and customer_id):
        return None
    try:
        dw.desk.port.balances(customer_id=customer_id)
    except UnknownItem:
        return None  # the IVR's customer is not this bank's: the agent verifies instead
    return dw.desk.verified_by_ivr(contact_id=contact.id, customer_id=customer_id,
                                   masked_credential="telephone PIN", now=desk_now(svc))


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
            "requested_role": r.requested_by.role.value, "requested_at": epoch(r.requested_at),
            "expires_at": epoch(r.expires_at), "status": r.status.value,
            "verification": r.verification.method.value, "decided_by": r.decided_by,
            "decided_at": epoch(r.decided_at), "reason": r.reason, "reference": r.reference}


def approved_receipt(dw: DeskWeb, request: ApprovalRequest) -> Receipt | None:
    # The desk executes an approved request under the request's id as its key.
    return next((r for r in dw.desk.history(request.contact_id)
                 if r.receipt_id == f"{request.request_id}/receipt"), None)


def outcome(svc: Services, dw: DeskWeb, done: KeyedOutcome, *, replayed: bool) -> JSONResponse:
    if done.receipt is not None:
        body = {"status": "done", "receipt": receipt_json(done.receipt), "replayed": replayed}
        return JSONResponse(body)
    request = dw.desk.requests.get(str(done.request_id))
    if request is None:  # a key kept longer than the desk that opened its request
        raise ApiError(409, "idempotency_conflict", f"idempotency_key: {done.key} names approval "
                       f"request {done.request_id}, which this desk does not know",
                       {"field": "idempotency_key"})
    receipt = approved_receipt(dw, request)
    status = "pending_approval" if request.status is ApprovalStatus.PENDING \
        else request.status.value
    return JSONResponse({"status": status, "request": request_json(svc, request),
                         "receipt": receipt_json(receipt) if receipt else None,
                         "replayed": replayed},
                        status_code=202 if status == "pending_approval" else 200)


def fingerprint(*parts: object) -> str:
    # A hash, so the idempotency memory never holds a payee's account number in clear.
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
