"""The SQL event log on SQLite and PostgreSQL: the EventLog contract, atomic batches, the
sequence across reopening and after a failed commit, typed errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from hotline.core import events as ev
from hotline.core.engine import Engine as RoutingEngine
from hotline.core.state import describe
from hotline.store.errors import (
    CorruptEvent,
    EventLogOpenError,
    EventLogWriteError,
    EventNotStorable,
    InvalidArgument,
)
from hotline.store.sql.database import open_database
from hotline.store.sql.eventlog import SqlEventLog
from tests.unit.store.contract import EventLogContract, wake
from tests.unit.store.session import scripted_session


class TestSqlEventLogContract(EventLogContract):
    @pytest.fixture
    def log(self, engine: Engine) -> Iterator[SqlEventLog]:
        # A tiny page makes every read in the contract cross page boundaries.
        yield SqlEventLog(engine, page_size=3)


def _sql(engine: Engine, statement: str, **params: object) -> list[tuple[object, ...]]:
    with engine.begin() as c:
        result = c.execute(text(statement), params)
        return [tuple(row) for row in result] if result.returns_rows else []


def test_rows_hold_the_instant_for_people_and_the_json(engine: Engine) -> None:
    event = ev.AgentLoggedIn(at=1_767_225_600.25, agent_id="a1", ready=True, reason="")
    SqlEventLog(engine).append([event])
    assert _sql(engine, "SELECT seq, at, at_iso, type, data FROM events") == [
        (1, 1_767_225_600.25, "2026-01-01T00:00:00.250000+00:00", "AgentLoggedIn",
         ev.to_json(event))]


def test_a_reopened_log_continues_the_sequence(db_url: str) -> None:
    first = open_database(db_url)
    assert SqlEventLog(first).append([wake(1), wake(2), wake(3)]) == 3
    first.dispose()
    second = open_database(db_url)
    try:
        log = SqlEventLog(second)
        assert log.last_seq() == 3
        assert log.append([wake(4), wake(5)]) == 5
        assert list(log.read()) == [(n, wake(n)) for n in range(1, 6)]
    finally:
        second.dispose()


def test_an_unstorable_event_mid_batch_appends_nothing(engine: Engine) -> None:
    log = SqlEventLog(engine)
    log.append([wake(0)])
    bad = ev.ContactQueued(at=5.0, contact_id="c1", channel="voice", workflow="w", queue="q",
                           priority=0, attributes={"blob": object()})  # type: ignore[dict-item]
    with pytest.raises(EventNotStorable) as info:
        log.append([wake(n) for n in range(1, 300)] + [bad, wake(300)])
    assert str(info.value).startswith("events[299] (ContactQueued): cannot be written as JSON")
    with pytest.raises(EventNotStorable, match=r"^events\[1\] \(WakeUpRequested\): at: must be "
                                                r"finite, got nan; nothing was appended$"):
        log.append([wake(1), ev.WakeUpRequested(at=float("nan"), key="k", due=1.0)])
    assert log.last_seq() == 1
    assert _sql(engine, "SELECT COUNT(*) FROM events") == [(1,)]
    assert log.append([wake(1)]) == 2


def test_a_failed_commit_rolls_the_batch_back_and_rereads_the_sequence(engine: Engine) -> None:
    log = SqlEventLog(engine)
    log.append([wake(1), wake(2)])
    # Another writer (which the log does not expect) took seq 5 behind its back: the batch
    # 3..7 fails at its third row, and the two rows before it must go too.
    _sql(engine, "INSERT INTO events (seq, at, at_iso, type, data) "
                 "VALUES (5, 0, 'x', 'WakeUpRequested', '{}')")
    with pytest.raises(EventLogWriteError) as info:
        log.append([wake(n) for n in range(3, 8)])
    assert str(info.value).startswith(f"{log.source}: cannot append: ")
    assert str(info.value).endswith("; nothing was appended")
    assert _sql(engine, "SELECT seq FROM events ORDER BY seq") == [(1,), (2,), (5,)]
    assert log.last_seq() == 5  # read again from the database
    assert log.append([wake(6)]) == 6


def test_a_second_writer_collides_and_appends_nothing(engine: Engine) -> None:
    # One writer per database is the rule; breaking it costs a failed append, never a gap,
    # a duplicate or a lost event.
    first, second = SqlEventLog(engine), SqlEventLog(engine)
    assert first.append([wake(1)]) == 1
    with pytest.raises(EventLogWriteError):
        second.append([wake(2), wake(3)])  # second still believes the log is empty
    assert second.last_seq() == 1  # and learnt the truth from the failure
    assert second.append([wake(2), wake(3)]) == 3
    assert first.last_seq() == 1  # no failure yet: first does not know
    assert first.refresh() == 3
    assert first.append([wake(4)]) == 4
    assert list(second.read()) == [(n, wake(n)) for n in range(1, 5)]


def test_a_database_never_migrated_is_refused(fresh_url: str) -> None:
    engine = open_database(fresh_url)
    try:
        with pytest.raises(EventLogOpenError) as info:
            SqlEventLog(engine)
        assert "cannot read the events table (run hotline.store.sql.database.migrate " \
               "first?)" in str(info.value)
    finally:
        engine.dispose()


def test_a_bad_page_size_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidArgument, match=r"^page_size: must be ≥ 1, got 0$"):
        SqlEventLog(engine, page_size=0)


@pytest.mark.parametrize(("statement", "seq", "reason"), [
    ("UPDATE events SET data = '{\"at\": 1' WHERE seq = 3", 3, "data is not valid JSON ("),
    ("UPDATE events SET type = 'Teleported' WHERE seq = 3", 3,
     "unknown event type 'Teleported'"),
    ("DELETE FROM events WHERE seq = 3", 3, "missing (the log jumps from 2 to 4)"),
])
def test_corrupt_rows_are_reported_with_their_seq(engine: Engine, statement: str, seq: int,
                                                  reason: str) -> None:
    log = SqlEventLog(engine, page_size=2)
    log.append([wake(n) for n in range(1, 6)])
    _sql(engine, statement)
    with pytest.raises(CorruptEvent) as info:
        list(log.read())
    assert str(info.value).startswith(f"{log.source}: event {seq}: {reason}")


def test_replay_from_the_database_equals_the_live_engine(engine: Engine) -> None:
    session = scripted_session()
    log = SqlEventLog(engine, page_size=7)
    for start in range(0, len(session.events), 10):
        log.append(session.events[start:start + 10])
    replayed = RoutingEngine.replay(e for _, e in log.read())
    assert describe(replayed) == describe(session.engine)


def test_a_reader_sees_events_appended_while_it_reads(engine: Engine) -> None:
    log = SqlEventLog(engine, page_size=2)
    log.append([wake(1), wake(2)])
    reader = log.read()
    assert next(reader)[0] == 1
    log.append([wake(3)])
    assert [s for s, _ in reader] == [2, 3]
