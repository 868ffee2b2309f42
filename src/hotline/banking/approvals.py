"""Dual control: request -> pending approval -> approved by another supervisor -> executed.

Rejected or expired requests move nothing. Records are immutable; a decision replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hotline.banking.operations import Operation
from hotline.banking.roles import StaffUser
from hotline.banking.verification import Verification


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    #: Approved and executed (execution failing leaves the request pending).
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(frozen=True, kw_only=True, slots=True)
class ApprovalRequest:
    request_id: str
    contact_id: str
    customer_id: str
    operation: Operation
    verification: Verification
    requested_by: StaffUser
    requested_at: datetime
    expires_at: datetime
    status: ApprovalStatus = ApprovalStatus.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""
    #: The port's reference once executed (transaction id or card status).
    reference: str | None = None
