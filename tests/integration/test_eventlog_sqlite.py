"""The SQLite event log on real files: contract, durability of the sequence, atomic appends,
replay equal to the live engine, typed errors for newer schemas and corrupt rows.

The SQL used to tamper with files is plain, so these tests can later run against PostgreSQL
with another ``Backend`` (only the trigger test is SQLite-specific, and says so).
"""

from __future__ import annotations

import doctest
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hotline.core import events as ev
from hotline.core.commands import OfferContact, RegisterAgent, TimerFired
from hotline.core.definitions import AgentProfile
from hotline.core.engine import Engine
from hotline.core.state import describe
from hotline.store import eventlog_sqlite
from hotline.store.errors import (
    CorruptEvent,
    EventLogClosed,
    EventLogOpenError,
    EventLogWriteError,
    EventNotStorable,
    InvalidArgument,
    SchemaTooNew,
)
from hotline.store.eventlog_sqlite import SCHEMA_VERSION, SqliteEventLog
from tests.unit.store.contract import EventLogContract, wake
from tests.unit.store.session import scripted_session


@dataclass
class Backend:
    """Opens logs at a location and runs raw SQL there, as a second process would."""

    root: Path

    def location(self, name: str = "events.sqlite") -> Path:
        return self.root / name

    def open(self, name: str = "events.sqlite", **options: Any) -> SqliteEventLog:
        return SqliteEventLog(self.location(name), **options)

    def sql(self, statement: str, params: tuple[Any, ...] = (),
            name: str = "events.sqlite") -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self.location(name))
        try:
            with conn:
                return conn.execute(statement, params).fetchall()
        finally:
            conn.close()


@pytest.fixture
def backend(tmp_path: Path) -> Backend:
    return Backend(tmp_path)


class TestSqliteEventLogContract(EventLogContract):
    @pytest.fixture
    def log(self, backend: Backend) -> Iterator[SqliteEventLog]:
        # A tiny page makes every read in the contract cross page boundaries.
        with backend.open(page_size=3) as log:
            yield log


def test_rows_hold_the_instant_for_people_and_the_json(backend: Backend) -> None:
    event = ev.AgentLoggedIn(at=1_767_225_600.25, agent_id="a1", ready=True, reason="")
    with backend.open() as log:
        log.append([event])
    rows = backend.sql("SELECT seq, at, at_iso, type, data FROM events")
    assert rows == [(1, 1_767_225_600.25, "2026-01-01T00:00:00.250000+00:00", "AgentLoggedIn",
                     ev.to_json(event))]
    assert backend.sql("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]


@pytest.mark.parametrize(("synchronous", "level"), [("FULL", 2), ("NORMAL", 1)])
def test_wal_mode_and_synchronous_setting(backend: Backend, synchronous: Any,
                                          level: int) -> None:
    with backend.open(synchronous=synchronous) as log:
        conn = log._live()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == level


def test_bad_settings() -> None:
    with pytest.raises(InvalidArgument, match=r"^synchronous: must be FULL or NORMAL, got 'OFF'$"):
        SqliteEventLog("unused.sqlite", synchronous="OFF")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=r"^page_size: must be ≥ 1, got 0$"):
        SqliteEventLog("unused.sqlite", page_size=0)


def test_sequence_continues_after_reopening(backend: Backend) -> None:
    with backend.open() as log:
        assert log.append([wake(1), wake(2), wake(3)]) == 3
    with backend.open() as log:
        assert log.last_seq() == 3
        assert log.append([wake(4), wake(5)]) == 5
        assert [(s, e) for s, e in log.read()] == [(n, wake(n)) for n in range(1, 6)]


def test_two_writers_on_one_file_share_one_gapless_sequence(backend: Backend) -> None:
    with backend.open() as first, backend.open() as second:
        assert first.append([wake(1)]) == 1
        assert second.append([wake(2), wake(3)]) == 3
        assert first.append([wake(4)]) == 4
        assert [s for s, _ in second.read()] == [1, 2, 3, 4]


def test_an_unserialisable_event_mid_batch_appends_nothing(backend: Backend) -> None:
    bad = ev.ContactQueued(at=5.0, contact_id="c1", channel="voice", workflow="w", queue="q",
                           priority=0, attributes={"blob": object()})  # type: ignore[dict-item]
    batch = [wake(n) for n in range(500)] + [bad] + [wake(n) for n in range(500, 1000)]
    with backend.open() as log:
        log.append([wake(-1)])
        with pytest.raises(EventNotStorable) as info:
            log.append(batch)
        assert str(info.value).startswith("events[500] (ContactQueued): cannot be written as JSON")
        assert log.last_seq() == 1
    assert backend.sql("SELECT COUNT(*) FROM events") == [(1,)]


def test_a_database_failure_mid_batch_rolls_the_batch_back(backend: Backend) -> None:
    # SQLite-specific: a trigger makes the 503rd insert fail after 502 rows went in.
    with backend.open() as log:
        log.append([wake(0), wake(1)])
    backend.sql("CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.seq = 503 "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    with backend.open() as log:
        with pytest.raises(EventLogWriteError) as info:
            log.append([wake(n) for n in range(2, 1002)])
        assert str(info.value) == (f"{backend.location()}: cannot append: disk on fire; "
                                   "nothing was appended")
        assert log.last_seq() == 2
        assert log.append([wake(2)]) == 3  # the log still works afterwards
    assert backend.sql("SELECT COUNT(*) FROM events") == [(3,)]


def test_replay_from_sqlite_equals_the_live_engine(backend: Backend) -> None:
    session = scripted_session()
    events = session.events
    live = session.engine
    assert live.reservations and live.timers and live.contacts  # something left to rebuild
    with backend.open(synchronous="NORMAL") as log:
        for start in range(0, len(events), 10):
            log.append(events[start:start + 10])
    with backend.open(page_size=7) as log:
        replayed = Engine.replay(e for _, e in log.read())
    assert describe(replayed) == describe(live)
    # The routing indexes came back too: both engines decide the next commands alike.
    now = session.now + 1.0
    offer = OfferContact(contact_id="c9", channel="voice", workflow="cards")
    assert replayed.handle(offer, now) == live.handle(offer, now)
    for key, due in sorted(live.timers.items(), key=lambda kv: (kv[1], kv[0])):
        when = max(now, due)
        assert replayed.handle(TimerFired(key=key), when) == live.handle(TimerFired(key=key),
                                                                          when)
    assert describe(replayed) == describe(live)


def test_replayed_profiles_are_equal_with_their_keys_sorted(backend: Backend) -> None:
    # The log stores to_json, which sorts keys: a replayed profile is equal (dicts compare
    # without order) but iterates its skills in sorted order. ``describe`` shows profiles by
    # repr, so it tells the two apart when a profile's keys were not sorted to begin with.
    live = Engine()
    profile = AgentProfile(agent_id="a1", site="bj", skills={"loans": 3, "cards": 5},
                           attributes={"team": "t1", "senior": 1})
    events = live.handle(RegisterAgent(profile=profile), 0.0)
    with backend.open() as log:
        log.append(events)
        replayed = Engine.replay(e for _, e in log.read())
    assert replayed.agents["a1"].profile == live.agents["a1"].profile
    assert list(replayed.agents["a1"].profile.skills) == ["cards", "loans"]
    assert list(live.agents["a1"].profile.skills) == ["loans", "cards"]


def test_a_newer_schema_version_is_refused(backend: Backend) -> None:
    with backend.open() as log:
        log.append([wake(1)])
    backend.sql("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaTooNew) as info:
        backend.open()
    assert str(info.value) == (
        f"{backend.location()}: schema version {SCHEMA_VERSION + 1} is newer than this Hotline "
        f"supports ({SCHEMA_VERSION}); upgrade Hotline to read it")


@pytest.mark.parametrize(("statement", "seq", "reason"), [
    ("UPDATE events SET data = '{\"at\": 1' WHERE seq = 6", 6, "data is not valid JSON ("),
    ("UPDATE events SET type = 'Teleported' WHERE seq = 6", 6,
     "unknown event type 'Teleported'"),
    ("UPDATE events SET data = '{\"type\":\"WakeUpRequested\",\"at\":1.0}' WHERE seq = 6", 6,
     "WakeUpRequested: missing field(s) due, key"),
    ("DELETE FROM events WHERE seq = 6", 6, "missing (the log jumps from 5 to 7)"),
])
def test_a_corrupt_row_names_its_seq_and_the_reason(backend: Backend, statement: str, seq: int,
                                                     reason: str) -> None:
    with backend.open() as log:
        log.append([wake(n) for n in range(1, 11)])
    backend.sql(statement)
    with backend.open(page_size=4) as log:
        reader = log.read()
        # Rows before the bad one arrive first: reading streams page by page.
        assert [next(reader)[0] for _ in range(seq - 1)] == list(range(1, seq))
        with pytest.raises(CorruptEvent) as info:
            next(reader)
        assert str(info.value).startswith(f"{backend.location()}: event {seq}: {reason}")
        assert info.value.seq == seq
        assert [s for s, _ in log.read(after=seq)] == list(range(seq + 1, 11))


def test_a_file_that_is_not_an_event_log(backend: Backend) -> None:
    junk = backend.location("junk.sqlite")
    junk.write_bytes(b"this is not a database, just some text " * 200)
    with pytest.raises(EventLogOpenError) as info:
        backend.open("junk.sqlite")
    assert str(info.value) == f"{junk}: not an SQLite event log (file is not a database)"

    backend.sql("CREATE TABLE events (id INTEGER)", name="foreign.sqlite")
    with pytest.raises(EventLogOpenError, match="has an events table but no schema_version"):
        backend.open("foreign.sqlite")

    backend.sql("CREATE TABLE customers (id INTEGER)", name="other.sqlite")
    with pytest.raises(EventLogOpenError, match=r"not a Hotline event log \(no schema_version"):
        backend.open("other.sqlite", create=False)

    with pytest.raises(EventLogOpenError) as missing:
        backend.open("absent.sqlite", create=False)
    assert str(missing.value) == f"{backend.location('absent.sqlite')}: no such file"
    assert not backend.location("absent.sqlite").exists()

    with pytest.raises(EventLogOpenError) as folder:
        SqliteEventLog(backend.root, create=False)
    assert str(folder.value) == f"{backend.root}: is a directory, not an event log file"


def test_a_closed_log_says_so(backend: Backend) -> None:
    log = backend.open()
    log.close()
    log.close()  # closing twice is harmless
    for use in (log.last_seq, lambda: log.append([wake(1)]), lambda: log.read()):
        with pytest.raises(EventLogClosed) as info:
            use()
        assert str(info.value) == f"{backend.location()}: the event log is closed"
    assert "closed" in repr(log)


def test_doctests() -> None:
    result = doctest.testmod(eventlog_sqlite, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0
