"""The event log in an SQLite file (stdlib ``sqlite3``, WAL mode).

One table ``events(seq, at, at_iso, type, data)`` holds one row per event, ``data`` being the
event's ``to_json``; ``schema_version`` says which layout the file has. Each ``append`` is one
transaction: all of the batch or none of it. The SQL is plain (no SQLite-only functions in the
queries) so the same layout can live in PostgreSQL.

>>> import tempfile, pathlib
>>> from hotline.core.events import WakeUpRequested
>>> path = pathlib.Path(tempfile.mkdtemp()) / "events.sqlite"
>>> with SqliteEventLog(path) as log:
...     log.append([WakeUpRequested(at=0.0, key="k", due=5.0)])
1
>>> with SqliteEventLog(path) as log:  # a reopened log continues the sequence
...     log.append([WakeUpRequested(at=1.0, key="k", due=6.0)])
2
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal

from hotline.core.events import Event
from hotline.store.errors import (
    CorruptEvent,
    EventLogClosed,
    EventLogOpenError,
    EventLogWriteError,
    InvalidArgument,
    SchemaTooNew,
)
from hotline.store.eventlog_codec import check_read, decode, encode, iso_utc

SCHEMA_VERSION = 1

_CREATE = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "CREATE TABLE events ("
    " seq INTEGER PRIMARY KEY,"
    " at REAL NOT NULL,"
    " at_iso TEXT NOT NULL,"  # aware UTC ISO-8601, for people and SQL
    " type TEXT NOT NULL,"
    " data TEXT NOT NULL)",  # hotline.core.events.to_json
)
_INSERT = "INSERT INTO events (seq, at, at_iso, type, data) VALUES (?, ?, ?, ?, ?)"
_LAST = "SELECT COALESCE(MAX(seq), 0) FROM events"
_PAGE = "SELECT seq, type, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?"

Synchronous = Literal["FULL", "NORMAL"]


class SqliteEventLog:
    """An ``EventLog`` in the SQLite file ``path``, created if missing (unless ``create=False``).

    ``synchronous="FULL"`` (the default) makes each append durable before it returns, even
    through a power cut; ``"NORMAL"`` may lose the last appends on a power cut (never on a
    process crash) and suits bulk writes such as the twin's. Reading goes page by page
    (``page_size`` rows a query), so a log larger than memory can be replayed.
    """

    def __init__(self, path: str | Path, *, synchronous: Synchronous = "FULL",
                 create: bool = True, page_size: int = 10_000) -> None:
        self.path = Path(path)
        self.source = str(path)
        if synchronous not in ("FULL", "NORMAL"):
            raise InvalidArgument("synchronous", f"must be FULL or NORMAL, got {synchronous!r}")
        if page_size < 1:
            raise InvalidArgument("page_size", f"must be ≥ 1, got {page_size!r}")
        if not create and not self.path.is_file():
            raise EventLogOpenError(self.source, "is a directory, not an event log file"
                                    if self.path.is_dir() else "no such file")
        self.page_size = page_size
        self._conn: sqlite3.Connection | None = None
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per append.
            conn = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise EventLogOpenError(self.source, f"cannot open ({exc})") from None
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={synchronous}")
            self._prepare(conn, create)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise EventLogOpenError(self.source, f"not an SQLite event log ({exc})") from None
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _prepare(self, conn: sqlite3.Connection, create: bool) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_version" in tables:
                self._check_version(conn, tables)
            elif "events" in tables:
                raise EventLogOpenError(self.source, "has an events table but no schema_version "
                                                     "table: not a Hotline event log")
            elif not create:
                raise EventLogOpenError(self.source, "not a Hotline event log "
                                                     "(no schema_version table)")
            else:
                for statement in _CREATE:
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version (version) VALUES (?)",
                             (SCHEMA_VERSION,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _check_version(self, conn: sqlite3.Connection, tables: set[str]) -> None:
        version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        if not isinstance(version, int):
            raise EventLogOpenError(self.source,
                                    f"schema_version: no valid version (found {version!r})")
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(self.source, version, SCHEMA_VERSION)
        # Older layouts would be migrated here; version 1 is the first.
        if "events" not in tables:
            raise EventLogOpenError(self.source, "events table is missing")

    # --- the port ------------------------------------------------------------------------------
    def append(self, events: Sequence[Event]) -> int:
        conn = self._live()
        rows: list[tuple[float, str, str, str]] = []
        for i, event in enumerate(events):
            kind, data = encode(event, i)
            rows.append((event.at, iso_utc(event.at), kind, data))
        if not rows:
            return self.last_seq()
        try:
            # IMMEDIATE takes the write lock first, so MAX(seq) cannot move under us.
            conn.execute("BEGIN IMMEDIATE")
            last: int = conn.execute(_LAST).fetchone()[0]
            conn.executemany(_INSERT, [(last + n, *row) for n, row in enumerate(rows, 1)])
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise EventLogWriteError(self.source, str(exc)) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return last + len(rows)

    def read(self, after: int = 0, limit: int | None = None) -> Iterator[tuple[int, Event]]:
        check_read(after, limit)
        self._live()
        return self._read(after, limit)

    def _read(self, after: int, limit: int | None) -> Iterator[tuple[int, Event]]:
        remaining = limit
        while remaining is None or remaining > 0:
            size = self.page_size if remaining is None else min(self.page_size, remaining)
            # Page by page, not one open cursor: nothing stays locked while the caller works.
            rows = self._live().execute(_PAGE, (after, size)).fetchall()
            for seq, kind, data in rows:
                if seq != after + 1:
                    raise CorruptEvent(self.source, after + 1,
                                       f"missing (the log jumps from {after} to {seq})")
                yield seq, decode(self.source, seq, kind, data)
                after = seq
            if len(rows) < size:
                return
            if remaining is not None:
                remaining -= len(rows)

    def last_seq(self) -> int:
        seq: int = self._live().execute(_LAST).fetchone()[0]
        return seq

    # --- lifetime ------------------------------------------------------------------------------
    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise EventLogClosed(self.source)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> SqliteEventLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"SqliteEventLog({self.source!r}, {state})"
