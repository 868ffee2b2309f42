"""The audit log: who did what to which item, when; append-only.

>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> log = AuditLog(engine)
>>> entry = log.record("ann", "admin", "queue.put", "queue:vip", {"expression": "skills.vip >= 1"})
>>> [(e.actor, e.action, e.details) for e in log.list(after_id=entry.id - 1)]
[('ann', 'queue.put', {'expression': 'skills.vip >= 1'})]
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.records import aware
from hotline.store.sql.schema import audit_log

MAX_LIMIT = 1000


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry:
    id: int  # increasing: entries are read in id order
    at: datetime
    actor: str  # the username
    role: str
    action: str  # e.g. "queue.put", "user.disable", "login"
    target: str  # e.g. "queue:vip"
    details: Mapping[str, Any]


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, actor: str, role: str, action: str, target: str,
               details: Mapping[str, Any] | None = None, *,
               at: datetime | None = None) -> AuditEntry:
        """Append one entry; ``details`` must be JSON (it is stored as such)."""
        row: dict[str, Any] = {
            "actor": _text(actor, "actor", 64), "role": _text(role, "role", 16),
            "action": _text(action, "action", 64), "target": _text(target, "target", 1000),
            "at": datetime.now(UTC) if at is None else aware(at, "at", InvalidRecord),
            "details": _json(details or {}),
        }
        with self.engine.begin() as c:
            entry_id = c.execute(audit_log.insert().values(row)
                                 .returning(audit_log.c.id)).scalar_one()
        return AuditEntry(id=entry_id, **row)

    def list(self, limit: int = 100, after_id: int = 0) -> builtins.list[AuditEntry]:
        """Entries with ``id > after_id``, oldest first, at most ``limit`` (≤ 1000)."""
        _check_page(limit, after_id)
        query = (select(audit_log).where(audit_log.c.id > after_id)
                 .order_by(audit_log.c.id).limit(limit))
        return self._fetch(query)

    def latest(self, limit: int = 100, before_id: int | None = None
               ) -> builtins.list[AuditEntry]:
        """The newest entries first (before ``before_id`` if given), at most ``limit``."""
        _check_page(limit, before_id or 0)
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(audit_log.c.id < before_id)
        return self._fetch(query)

    def _fetch(self, query: Any) -> builtins.list[AuditEntry]:
        with self.engine.connect() as c:
            return [AuditEntry(**row._mapping) for row in c.execute(query)]


def _check_page(limit: object, after_id: object) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
        raise InvalidRecord("limit", f"must be a whole number from 0 to {MAX_LIMIT}, "
                                     f"got {limit!r}")
    if isinstance(after_id, bool) or not isinstance(after_id, int) or after_id < 0:
        raise InvalidRecord("after_id", f"must be a whole number ≥ 0, got {after_id!r}")


def _text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidRecord(field, f"must be 1–{limit} characters, got {value!r}")
    return value


def _json(details: object) -> dict[str, Any]:
    if not isinstance(details, Mapping):
        raise InvalidRecord("details", f"must be a mapping, got {details!r}")
    try:
        # A round trip: what comes back from the database is what the caller gets now.
        copy: dict[str, Any] = json.loads(json.dumps(dict(details), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidRecord("details", f"must be JSON ({exc})") from None
    return copy
