"""Contact history: a customer's recent contacts, as the agent desktop shows them.

``record_contact`` creates or replaces the row of one contact (the shell records it when the
contact is offered and again as it is answered and ends).

>>> from datetime import UTC, datetime
>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> history = ContactHistory(engine)
>>> at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
>>> history.record_contact(ContactRecord(contact_id="c1", customer_id="cust-7",
...                                      channel="voice", offered_at=at, queue="vip"))
>>> [c.contact_id for c in history.recent_for_customer("cust-7")]
['c1']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Engine, select

from hotline.core.channels import Channel
from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.records import aware
from hotline.store.sql.schema import contact_history
from hotline.store.sql.upsert import upsert

_CHANNELS = tuple(c.value for c in Channel)
_LIMITS = {"contact_id": 128, "customer_id": 128, "queue": 128, "agent_id": 128,
           "outcome": 32, "disposition": 64, "notes": 4000}


@dataclass(frozen=True, kw_only=True, slots=True)
class ContactRecord:
    contact_id: str
    customer_id: str
    channel: str
    offered_at: datetime
    queue: str | None = None
    agent_id: str | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None  # e.g. answered, abandoned, callback, diverted
    disposition: str | None = None  # the wrap-up code
    notes: str | None = None


class ContactHistory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_contact(self, record: ContactRecord) -> None:
        """Create or replace the contact's row."""
        row = _row(record)
        with self.engine.begin() as c:
            upsert(c, contact_history, [row], ("contact_id",))

    def record_contacts(self, records: Sequence[ContactRecord]) -> None:
        """Create or replace many rows in one transaction (all of them, or none)."""
        rows = [_row(r) for r in records]
        if not rows:
            return
        with self.engine.begin() as c:
            upsert(c, contact_history, rows, ("contact_id",))

    def get_contact(self, contact_id: str) -> ContactRecord | None:
        with self.engine.connect() as c:
            row = c.execute(select(contact_history)
                            .where(contact_history.c.contact_id == contact_id)).first()
        return None if row is None else ContactRecord(**row._mapping)

    def recent_for_customer(self, customer_id: str, limit: int = 10) -> list[ContactRecord]:
        """The customer's contacts, newest offered first, at most ``limit`` (1–100)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise InvalidRecord("limit", f"must be a whole number from 1 to 100, got {limit!r}")
        t = contact_history
        query = (select(t).where(t.c.customer_id == customer_id)
                 .order_by(t.c.offered_at.desc(), t.c.contact_id.desc()).limit(limit))
        with self.engine.connect() as c:
            return [ContactRecord(**row._mapping) for row in c.execute(query)]


def _row(r: ContactRecord) -> dict[str, object]:
    row: dict[str, object] = {f.name: getattr(r, f.name) for f in fields(r)}
    for name, limit in _LIMITS.items():
        value = row[name]
        required = name in ("contact_id", "customer_id")
        if value is None and not required:
            continue
        if not isinstance(value, str) or not value:
            raise InvalidRecord(name, f"must be 1–{limit} characters, got {value!r}")
        if len(value) > limit:
            raise InvalidRecord(name, f"must be 1–{limit} characters, got {len(value)}")
    if r.channel not in _CHANNELS:
        raise InvalidRecord("channel", f"must be one of {', '.join(_CHANNELS)}, "
                                       f"got {r.channel!r}")
    offered = row["offered_at"] = aware(r.offered_at, "offered_at", InvalidRecord)
    for name in ("answered_at", "ended_at"):
        value = getattr(r, name)
        if value is not None:
            when = row[name] = aware(value, name, InvalidRecord)
            if when < offered:
                raise InvalidRecord(name, f"must not be before offered_at ({offered.isoformat()})"
                                          f", got {when.isoformat()}")
    return row
