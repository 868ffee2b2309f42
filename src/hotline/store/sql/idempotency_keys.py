"""The web's idempotency keys of agent-performed transactions (``idempotency_keys``, 0004).

A key holds the first outcome of the change made under it: the ``Receipt``, or the id of the
approval request it opened, with a hash of the request (``fingerprint``) to tell a retry from
another request that reuses the key. Kept in the database, a retry after a restart gets the
first outcome back and nothing moves again.

Given the ``PersistentBank`` of the same database, a key is written in the same transaction as
the bank's writes of its step: ``step()`` opens the bank's unit, and ``put`` inside it rides on
the unit's write. A restart then never finds money moved without its key, nor a key without its
money. Without a bank each ``put`` is a transaction of its own.

>>> from datetime import UTC, datetime
>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> keys = IdempotencyKeys(engine)
>>> keys.put(IdempotencyRecord(key="k-0001", fingerprint="ab" * 32, contact_id="c1",
...                            at=datetime(2026, 1, 1, tzinfo=UTC), request_id="c1/R1"))
>>> IdempotencyKeys(engine).get("k-0001").request_id
'c1/R1'
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from hotline.banking.receipts import Receipt
from hotline.store.errors import InvalidArgument
from hotline.store.sql.bank import Rider
from hotline.store.sql.bank_codec import BankCodecError, dump, load
from hotline.store.sql.bank_persistent import PersistentBank
from hotline.store.sql.errors import Duplicate, InvalidRecord
from hotline.store.sql.records import aware
from hotline.store.sql.schema import idempotency_keys

KEY_MAX = 128
FINGERPRINT_LEN = 64  # a SHA-256, in hex


@dataclass(frozen=True, kw_only=True, slots=True)
class IdempotencyRecord:
    """The first outcome under ``key``: ``receipt`` or ``request_id``, exactly one."""

    key: str
    fingerprint: str
    contact_id: str
    at: datetime
    receipt: Receipt | None = None
    request_id: str | None = None


class IdempotencyKeys:
    def __init__(self, engine: Engine, *, bank: PersistentBank | None = None) -> None:
        if bank is not None and (bank.store is None or bank.store.engine is not engine):
            raise InvalidArgument("bank", "must be opened on the same database engine")
        self.engine = engine
        self.bank = bank
        # What this process put: a put that rides on a bank write that failed is here (as the
        # bank's state is in memory) until the bank's next write succeeds.
        self._put: dict[str, IdempotencyRecord] = {}

    def get(self, key: str) -> IdempotencyRecord | None:
        found = self._put.get(key)
        if found is not None:
            return found
        query = select(idempotency_keys).where(idempotency_keys.c.key == key)
        with self.engine.connect() as c:
            row = c.execute(query).mappings().first()
        return None if row is None else _record(dict(row))

    def put(self, record: IdempotencyRecord) -> None:
        """Keep ``record`` under its key; a key holds one outcome (``Duplicate`` otherwise)."""
        row = _row(record)
        if record.key in self._put:
            raise Duplicate("idempotency key", record.key)
        if self.bank is not None:
            self.bank.ride(Rider(table=idempotency_keys, row=row))
        else:
            try:
                with self.engine.begin() as c:
                    c.execute(insert(idempotency_keys), [row])
            except IntegrityError:
                raise Duplicate("idempotency key", record.key) from None
        self._put[record.key] = record

    def prune(self, before: datetime) -> int:
        """Delete the keys kept since before ``before`` (a retry comes within minutes, not
        weeks); returns how many rows went. This process forgets them too."""
        cut = aware(before, "before", InvalidRecord)
        for key in [k for k, r in self._put.items() if r.at < cut]:
            del self._put[key]
        t = idempotency_keys
        with self.engine.begin() as c:
            return int(c.execute(delete(t).where(t.c.at < cut)).rowcount)

    def step(self) -> AbstractContextManager[None]:
        """Around one desk operation and the ``put`` of its outcome: one transaction."""
        return self.bank.unit() if self.bank is not None else nullcontext()


def _row(r: IdempotencyRecord) -> dict[str, Any]:
    # Checked before any SQL, so a bad record names its field instead of a constraint.
    if not r.key or len(r.key) > KEY_MAX:
        raise InvalidRecord("key", f"must be 1 to {KEY_MAX} characters")
    if len(r.fingerprint) != FINGERPRINT_LEN:
        raise InvalidRecord("fingerprint", f"must be a hash of {FINGERPRINT_LEN} hex digits")
    if not r.contact_id:
        raise InvalidRecord("contact_id", "must not be empty")
    if (r.receipt is None) == (r.request_id is None):
        raise InvalidRecord("receipt", "give the receipt or the request_id, exactly one")
    try:
        receipt = None if r.receipt is None else dump(r.receipt)
    except BankCodecError as exc:
        raise InvalidRecord(f"receipt.{exc.field}", exc.reason) from None
    return {"key": r.key, "fingerprint": r.fingerprint, "contact_id": r.contact_id,
            "at": aware(r.at, "at", InvalidRecord), "receipt": receipt, "request_id": r.request_id}


def _record(row: Mapping[str, Any]) -> IdempotencyRecord:
    try:
        receipt = None if row["receipt"] is None else load(Receipt, row["receipt"])
    except BankCodecError as exc:
        raise BankCodecError(f"idempotency_keys[{row['key']}].receipt.{exc.field}",
                             exc.reason) from None
    return IdempotencyRecord(key=row["key"], fingerprint=row["fingerprint"],
                             contact_id=row["contact_id"], at=row["at"], receipt=receipt,
                             request_id=row["request_id"])
