"""The audit log on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from hotline.store.sql.audit import AuditLog
from hotline.store.sql.errors import InvalidRecord

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_entries_come_back_in_order_and_page_by_id(engine: Engine) -> None:
    log = AuditLog(engine)
    written = [log.record("ann", "admin", "queue.put", f"queue:q{n}",
                          {"n": n, "expression": "skills.cards >= 1", "tags": ["a", None]},
                          at=T0 + timedelta(seconds=n))
               for n in range(5)]
    assert [e.id for e in written] == sorted(e.id for e in written)
    assert log.list() == written
    assert log.list(limit=2) == written[:2]
    assert log.list(limit=2, after_id=written[1].id) == written[2:4]
    assert log.list(after_id=written[-1].id) == []
    assert log.latest(limit=2) == [written[4], written[3]]
    assert log.latest(before_id=written[2].id) == [written[1], written[0]]
    assert written[3].at == T0 + timedelta(seconds=3) and written[3].at.tzinfo is UTC
    assert written[0].details == {"n": 0, "expression": "skills.cards >= 1", "tags": ["a", None]}


def test_time_defaults_to_now_and_details_to_nothing(engine: Engine) -> None:
    before = datetime.now(UTC)
    entry = AuditLog(engine).record("bob", "supervisor", "agent.logout", "agent:a7")
    assert before <= entry.at <= datetime.now(UTC)
    assert AuditLog(engine).list() == [entry]
    assert entry.details == {}


@pytest.mark.parametrize(("args", "message"), [
    (("", "admin", "x", "y"), "actor: must be 1–64 characters, got ''"),
    (("ann", "admin", "x", "y", {"when": T0}),
     "details: must be JSON (Object of type datetime is not JSON serializable)"),
    (("ann", "admin", "x", "y", {"ratio": float("nan")}),
     "details: must be JSON (Out of range float values are not JSON compliant)"),
])
def test_bad_entries_are_refused(engine: Engine, args: tuple[object, ...], message: str) -> None:
    with pytest.raises(InvalidRecord) as info:
        AuditLog(engine).record(*args)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert AuditLog(engine).list() == []


def test_bad_pages_are_refused(engine: Engine) -> None:
    with pytest.raises(InvalidRecord, match=r"^limit: must be a whole number from 0 to 1000, "
                                             r"got 5000$"):
        AuditLog(engine).list(limit=5000)
    with pytest.raises(InvalidRecord, match=r"^after_id: must be a whole number ≥ 0, got -1$"):
        AuditLog(engine).list(after_id=-1)
