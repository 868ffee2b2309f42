"""The agent desk's refused verification attempts (``verification_attempts``, migration 0005).

A caller the IVR did not verify is verified by the agent with questions, a few tries per
contact. Each refused try is a row, so a restart of the server does not give the caller fresh
tries: the count is read back from the database. Rows name the contact and the customer whose
questions were got wrong, never an answer. ``prune`` deletes rows older than a time (the
retention, long after the call).

>>> from datetime import UTC, datetime
>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
>>> VerificationAttempts(engine).refuse(contact_id="c1", customer_id="A", at=at)
1
>>> VerificationAttempts(engine).refuse(contact_id="c1", customer_id="A", at=at)
2
>>> VerificationAttempts(engine).refused("c1"), VerificationAttempts(engine).refused("c2")
(2, 0)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Select, delete, func, insert, select

from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.records import aware
from hotline.store.sql.schema import verification_attempts

CONTACT_MAX = 128
CUSTOMER_MAX = 64


class VerificationAttempts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def refuse(self, *, contact_id: str, customer_id: str, at: datetime) -> int:
        """Note one refused attempt on ``contact_id``; returns the refusals on it, this one
        included (counted in the same transaction, so a second server sees both)."""
        row = {"contact_id": _text(contact_id, "contact_id", CONTACT_MAX),
               "customer_id": _text(customer_id, "customer_id", CUSTOMER_MAX),
               "at": aware(at, "at", InvalidRecord)}
        with self.engine.begin() as c:
            c.execute(insert(verification_attempts), [row])
            return int(c.execute(_count(contact_id)).scalar_one())

    def refused(self, contact_id: str) -> int:
        """Refused attempts on ``contact_id`` still kept (0 for a contact never refused)."""
        with self.engine.connect() as c:
            return int(c.execute(_count(contact_id)).scalar_one())

    def refused_customer(self, customer_id: str, since: datetime) -> int:
        """Refused attempts for ``customer_id`` on any contact since ``since``."""
        t = verification_attempts
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(t).where(
                t.c.customer_id == customer_id,
                t.c.at >= aware(since, "since", InvalidRecord))).scalar_one())

    def prune(self, before: datetime) -> int:
        """Delete the attempts made before ``before``; returns how many went."""
        t = verification_attempts
        with self.engine.begin() as c:
            return int(c.execute(delete(t).where(
                t.c.at < aware(before, "before", InvalidRecord))).rowcount)


def _count(contact_id: str) -> Select[int]:
    t = verification_attempts
    return select(func.count()).select_from(t).where(t.c.contact_id == contact_id)


def _text(value: object, field: str, limit: int) -> str:
    # Checked before any SQL, so a bad value names its field instead of a constraint.
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidRecord(field, f"must be 1 to {limit} characters, got {value!r}")
    return value
