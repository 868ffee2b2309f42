"""Agent-performed transactions: a pure service over `BankingPort` for a verified caller.

Within the agent's role limit an operation runs at once; above it the desk opens an approval
request that a *different* user with the supervisor role must approve before it runs. Every
step is audited (who, what, when, contact) and each completed operation leaves a `Receipt` in
the contact's history. A rejected command changes nothing on the desk.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hotline.banking.approvals import ApprovalRequest, ApprovalStatus
from hotline.banking.audit import AuditRecord
from hotline.banking.errors import ApprovalClosed, InvalidInput, NotPermitted, UnknownItem
from hotline.banking.model import Actor, ActorKind, Channel, RequestContext
from hotline.banking.money import require_amount, require_aware
from hotline.banking.operations import ChangeCard, Operation, ReplaceCard, describe, execute
from hotline.banking.port import BankingPort
from hotline.banking.receipts import Receipt
from hotline.banking.roles import Role, RoleLimits, StaffUser
from hotline.banking.verification import Verification, VerificationMethod

#: Verification questions an agent must see answered before acting (configurable).
MIN_QUESTIONS = 2


class AgentDesk:
    def __init__(self, port: BankingPort, *, limits: RoleLimits | None = None,
                 approval_ttl: timedelta = timedelta(minutes=15),
                 min_questions: int = MIN_QUESTIONS) -> None:
        self.port = port
        self.limits = limits or RoleLimits()
        self.approval_ttl = approval_ttl
        self.min_questions = min_questions
        self.verifications: dict[str, Verification] = {}
        self.requests: dict[str, ApprovalRequest] = {}
        self._receipts: list[Receipt] = []
        self._audit: list[AuditRecord] = []
        self._keys = 0

    @property
    def audit(self) -> tuple[AuditRecord, ...]:
        return tuple(self._audit)

    def history(self, contact_id: str) -> tuple[Receipt, ...]:
        return tuple(r for r in self._receipts if r.contact_id == contact_id)

    def _log(self, user: StaffUser | ActorKind, now: datetime, action: str, contact_id: str,
             customer_id: str, *, amount: int | None = None, reference: str | None = None,
             detail: str = "") -> None:
        """Audit one step; `user` is the staff member, or the IVR/system acting by itself."""
        if isinstance(user, StaffUser):
            actor = Actor(kind=ActorKind.AGENT, actor_id=user.user_id)
            role = f"[{user.role.value}] "
        else:
            actor, role = Actor(kind=user, actor_id=user.value), ""
        self._audit.append(AuditRecord(
            at=now, actor=actor, channel=Channel.AGENT, contact_id=contact_id, action=action,
            customer_id=customer_id, amount=amount, reference=reference, detail=role + detail,
        ))

    # -- verification ------------------------------------------------------------------------

    def verified_by_ivr(self, *, contact_id: str, customer_id: str, masked_credential: str,
                        now: datetime) -> Verification:
        """Record that the IVR authenticated this caller (its `Authenticated` result)."""
        return self._verify(Verification(
            contact_id=contact_id, customer_id=customer_id, method=VerificationMethod.IVR_PIN,
            verified_by="ivr", at=require_aware("now", now), detail=masked_credential),
            ActorKind.IVR)

    def verified_by_agent(self, *, user: StaffUser, contact_id: str, customer_id: str,
                          questions_asked: int, questions_passed: int,
                          now: datetime) -> Verification:
        if questions_passed < self.min_questions or questions_passed > questions_asked:
            raise NotPermitted("questions_passed", f"{questions_passed} of {questions_asked} "
                               f"answered; at least {self.min_questions} must be right")
        return self._verify(Verification(
            contact_id=contact_id, customer_id=customer_id,
            method=VerificationMethod.AGENT_QUESTIONS, verified_by=user.user_id,
            at=require_aware("now", now),
            detail=f"{questions_passed} of {questions_asked} questions"), user)

    def _verify(self, verification: Verification, user: StaffUser | ActorKind) -> Verification:
        self.verifications[verification.contact_id] = verification
        self._log(user, verification.at, "caller_verified", verification.contact_id,
                  verification.customer_id, detail=f"{verification.method.value}: "
                                                   f"{verification.detail}")
        return verification

    def _verification(self, contact_id: str) -> Verification:
        verification = self.verifications.get(contact_id)
        if verification is None:
            raise NotPermitted("contact_id", f"the caller on {contact_id} is not verified")
        return verification

    # -- operations --------------------------------------------------------------------------

    def perform(self, *, user: StaffUser, contact_id: str, operation: Operation,
                now: datetime) -> Receipt | ApprovalRequest:
        """Run `operation` now if the role may, else open an approval request and return it."""
        require_aware("now", now)
        verification = self._verification(contact_id)
        if not isinstance(operation, ChangeCard | ReplaceCard):  # card changes move no money
            require_amount("amount", operation.amount)
        if self.limits.needs_approval(user.role, operation.amount):
            self._keys += 1
            request = ApprovalRequest(
                request_id=f"{contact_id}/R{self._keys}", contact_id=contact_id,
                customer_id=verification.customer_id, operation=operation,
                verification=verification, requested_by=user, requested_at=now,
                expires_at=now + self.approval_ttl)
            self.requests[request.request_id] = request
            self._log(user, now, "approval_requested", contact_id, verification.customer_id,
                      amount=operation.amount, reference=request.request_id,
                      detail=describe(operation))
            return request
        key = f"{contact_id}/K{self._keys + 1}"
        receipt = self._run(user, None, verification, operation, key, now)
        self._keys += 1
        return receipt

    def _run(self, user: StaffUser, approver: StaffUser | None, verification: Verification,
             operation: Operation, key: str, now: datetime) -> Receipt:
        ctx = RequestContext(actor=Actor(kind=ActorKind.AGENT, actor_id=user.user_id),
                             channel=Channel.AGENT, contact_id=verification.contact_id, now=now)
        done = execute(self.port, operation, customer_id=verification.customer_id, key=key,
                       ctx=ctx)
        receipt = Receipt(
            receipt_id=f"{key}/receipt", contact_id=verification.contact_id,
            customer_id=verification.customer_id, summary=done.summary,
            amount=operation.amount, reference=done.reference, performed_by=user.user_id,
            approved_by=approver.user_id if approver else None,
            verification=verification.method, at=now)
        self._receipts.append(receipt)
        self._log(approver or user, now, "executed", verification.contact_id,
                  verification.customer_id, amount=operation.amount, reference=done.reference,
                  detail=f"{done.summary} for {user.user_id}")
        return receipt

    def unlock_pin(self, *, user: StaffUser, contact_id: str, now: datetime) -> None:
        """Unlock the caller's telephone PIN; the agent must have verified the caller."""
        verification = self._verification(contact_id)
        if verification.method is not VerificationMethod.AGENT_QUESTIONS:
            raise NotPermitted("contact_id", "unlocking a PIN needs verification by the agent")
        ctx = RequestContext(actor=Actor(kind=ActorKind.AGENT, actor_id=user.user_id),
                             channel=Channel.AGENT, contact_id=contact_id,
                             now=require_aware("now", now))
        self.port.unlock_pin(customer_id=verification.customer_id, ctx=ctx)
        self._log(user, now, "pin_unlocked", contact_id, verification.customer_id)

    # -- dual control ------------------------------------------------------------------------

    def _pending(self, request_id: str, approver: StaffUser, now: datetime) -> ApprovalRequest:
        require_aware("now", now)
        request = self.requests.get(request_id)
        if request is None:
            raise UnknownItem("request_id", f"no approval request {request_id}")
        if request.status is not ApprovalStatus.PENDING:
            raise ApprovalClosed("request_id", f"{request_id} is already {request.status.value}")
        if now >= request.expires_at:
            raise ApprovalClosed("request_id", f"{request_id} expired at "
                                               f"{request.expires_at.isoformat()}")
        if approver.role is not Role.SUPERVISOR:
            raise NotPermitted("approver", f"{approver.user_id} is {approver.role.value}; "
                                           "only a supervisor can decide")
        if approver.user_id == request.requested_by.user_id:
            raise NotPermitted("approver", f"{approver.user_id} cannot decide their own request")
        return request

    def approve(self, *, request_id: str, approver: StaffUser, now: datetime) -> Receipt:
        """Approve and execute; if the port rejects it, the request stays pending."""
        request = self._pending(request_id, approver, now)
        receipt = self._run(request.requested_by, approver, request.verification,
                            request.operation, request_id, now)
        self._log(approver, now, "approved", request.contact_id, request.customer_id,
                  amount=request.operation.amount, reference=request_id)
        self.requests[request_id] = replace(
            request, status=ApprovalStatus.APPROVED, decided_by=approver.user_id,
            decided_at=now, reference=receipt.reference)
        return receipt

    def reject(self, *, request_id: str, approver: StaffUser, reason: str,
               now: datetime) -> ApprovalRequest:
        if not reason.strip():
            raise InvalidInput("reason", "a rejection needs a reason")
        request = self._pending(request_id, approver, now)
        decided = replace(request, status=ApprovalStatus.REJECTED, decided_by=approver.user_id,
                          decided_at=now, reason=reason)
        self.requests[request_id] = decided
        self._log(approver, now, "rejected", request.contact_id, request.customer_id,
                  amount=request.operation.amount, reference=request_id, detail=reason)
        return decided

    def expire_due(self, *, now: datetime) -> tuple[ApprovalRequest, ...]:
        """Close every pending request whose time is up; nothing moves for them."""
        require_aware("now", now)
        expired = []
        for request in list(self.requests.values()):
            if request.status is ApprovalStatus.PENDING and now >= request.expires_at:
                closed = replace(request, status=ApprovalStatus.EXPIRED, decided_at=now)
                self.requests[request.request_id] = closed
                self._log(ActorKind.SYSTEM, now, "expired", request.contact_id, request.customer_id,
                          amount=request.operation.amount, reference=request.request_id)
                expired.append(closed)
        return tuple(expired)
