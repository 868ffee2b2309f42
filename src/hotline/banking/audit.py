"""Audit records: who did what to which accounts, how much, when, for which contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.banking.model import Actor, Channel


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditRecord:
    """One audited action. Amounts in fen; accounts are internal ids, never card numbers."""

    at: datetime
    actor: Actor
    channel: Channel
    contact_id: str | None
    action: str
    customer_id: str | None
    amount: int | None = None
    accounts: tuple[str, ...] = ()
    #: Transaction, card or request id the action refers to.
    reference: str | None = None
    detail: str = ""
