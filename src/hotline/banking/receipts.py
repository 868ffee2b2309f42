"""Receipts: what an agent did for a caller, kept in the contact's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.banking.verification import VerificationMethod


@dataclass(frozen=True, kw_only=True, slots=True)
class Receipt:
    receipt_id: str
    contact_id: str
    customer_id: str
    #: Masked summary, e.g. `payment ¥12,000.00 A1 -> 王* ****5678 (ICBC)`.
    summary: str
    amount: int
    #: Transaction id of the posting, the card's new status, or a replacement's card id.
    reference: str
    performed_by: str
    approved_by: str | None
    verification: VerificationMethod
    at: datetime
