"""The supervisors' live approvals (dual control) of agent transactions above a limit.

A supervisor other than the requesting agent approves (the desk then executes) or rejects with
a reason; both are audited. The agent's side is ``api_transactions``, the desk's state ``desk_web``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from hotline.banking.approvals import ApprovalRequest, ApprovalStatus
from hotline.banking.operations import describe
from hotline.banking.roles import Role, StaffUser
from hotline.web.api_agent import scrub
from hotline.web.api_supervisor import audit
from hotline.web.deps import require, services
from hotline.web.desk_web import (
    DeskWeb,
    banking_errors,
    desk_now,
    desk_web,
    receipt_json,
    request_json,
)
from hotline.web.errors import NotFound
from hotline.web.ports import Session
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1", tags=["banking"])
SUPERVISORS = ("supervisor",)


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


@router.get("/supervisor/approvals", summary="Approval requests: pending, and recent decisions")
async def approvals(who: Session = require(*SUPERVISORS),
                    svc: Services = Depends(services)) -> dict[str, Any]:
    dw = desk_web(svc)
    dw.desk.expire_due(now=desk_now(svc))
    requests = list(dw.desk.requests.values())
    pending = sorted((r for r in requests if r.status is ApprovalStatus.PENDING),
                     key=lambda r: r.requested_at)
    decided = sorted((r for r in requests if r.status is not ApprovalStatus.PENDING),
                     key=lambda r: r.decided_at or r.requested_at, reverse=True)[:10]
    return {"now": svc.now(), "me": who.user.username,
            "pending": [request_json(svc, r) for r in pending],
            "recent": [request_json(svc, r) for r in decided]}


def _request(dw: DeskWeb, request_id: str) -> ApprovalRequest:
    found = dw.desk.requests.get(request_id)
    if found is None:
        raise NotFound("approval request", request_id)
    return found


@router.post("/supervisor/approvals/{request_id:path}/approve",
             summary="Approve and execute (never your own request; audited)")
async def approve(request_id: str, who: Session = require(*SUPERVISORS),
                  svc: Services = Depends(services)) -> dict[str, Any]:
    dw = desk_web(svc)
    request = _request(dw, request_id)
    approver = StaffUser(user_id=who.user.username, role=Role.SUPERVISOR)
    with banking_errors():
        receipt = dw.desk.approve(request_id=request_id, approver=approver, now=desk_now(svc))
    audit(svc, who, "banking_approved", request_id,
          {"contact_id": request.contact_id, "summary": describe(request.operation),
           "amount": request.operation.amount, "requested_by": request.requested_by.user_id,
           "reference": receipt.reference})
    return {"status": "approved", "request": request_json(svc, dw.desk.requests[request_id]),
            "receipt": receipt_json(receipt)}


@router.post("/supervisor/approvals/{request_id:path}/reject",
             summary="Reject with a reason; nothing moves (audited)")
async def reject(request_id: str, body: RejectBody, who: Session = require(*SUPERVISORS),
                 svc: Services = Depends(services)) -> dict[str, Any]:
    dw = desk_web(svc)
    request = _request(dw, request_id)
    approver = StaffUser(user_id=who.user.username, role=Role.SUPERVISOR)
    reason = scrub(body.reason)  # free text: a card number typed into it is masked
    with banking_errors():
        decided = dw.desk.reject(request_id=request_id, approver=approver, reason=reason,
                                 now=desk_now(svc))
    audit(svc, who, "banking_rejected", request_id,
          {"contact_id": request.contact_id, "summary": describe(request.operation),
           "amount": request.operation.amount, "requested_by": request.requested_by.user_id,
           "reason": reason})
    return {"status": "rejected", "request": request_json(svc, decided)}
