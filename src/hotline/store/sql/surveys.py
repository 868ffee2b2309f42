"""Post-call survey answers: one per contact, read back by time for today's CSAT.

``record`` stores a contact's answer once. The same answer again (a retry) changes nothing and
returns the stored one; a different answer for a contact that has answered raises
``AlreadySurveyed`` (field ``contact_id``).

>>> from datetime import UTC, datetime
>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> store = SurveyStore(engine)
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
>>> _ = store.record(contact_id="c1", agent_id="a1", queue="cards", site="bj", score=4,
...                  reason=None, at=at)
>>> [(a.contact_id, a.score) for a in store.since(at)]
[('c1', 4)]
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from hotline.metrics.csat import (
    AlreadySurveyed,
    SurveyAnswer,
    SurveyError,
    check_reason,
    check_score,
)
from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.records import aware
from hotline.store.sql.schema import surveys

__all__ = ["AlreadySurveyed", "SurveyStore"]

_LIMITS = {"contact_id": 128, "agent_id": 128, "queue": 128, "site": 64}


class SurveyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, *, contact_id: str, agent_id: str | None, queue: str | None,
               site: str | None, score: int, reason: str | None, at: datetime) -> SurveyAnswer:
        """Store one answer; returns it as stored (times in UTC)."""
        row: dict[str, object] = {"contact_id": contact_id, "agent_id": agent_id,
                                  "queue": queue, "site": site}
        for name, limit in _LIMITS.items():
            value = row[name]
            if value is None and name != "contact_id":
                continue
            if not isinstance(value, str) or not value or len(value) > limit:
                raise InvalidRecord(name, f"must be 1–{limit} characters, got {value!r}")
        try:
            row["score"], row["reason"] = check_score(score), check_reason(reason)
        except SurveyError as exc:
            raise InvalidRecord(exc.field, exc.reason) from None
        row["at"] = aware(at, "at", InvalidRecord)
        answer = SurveyAnswer(**row)  # type: ignore[arg-type]
        try:
            with self.engine.begin() as c:
                c.execute(insert(surveys).values(row))
        except IntegrityError:
            stored = self.get(contact_id)
            if stored is None:  # not the key after all (the checks above should catch it)
                raise
            if stored != answer:
                raise AlreadySurveyed(contact_id) from None
        return answer

    def get(self, contact_id: str) -> SurveyAnswer | None:
        with self.engine.connect() as c:
            row = c.execute(select(surveys).where(surveys.c.contact_id == contact_id)).first()
        return None if row is None else SurveyAnswer(**row._mapping)

    def since(self, at: datetime) -> list[SurveyAnswer]:
        """Answers given at or after ``at``, oldest first (ties by contact id)."""
        start = aware(at, "at", InvalidRecord)
        query = (select(surveys).where(surveys.c.at >= start)
                 .order_by(surveys.c.at, surveys.c.contact_id))
        with self.engine.connect() as c:
            return [SurveyAnswer(**row._mapping) for row in c.execute(query)]
