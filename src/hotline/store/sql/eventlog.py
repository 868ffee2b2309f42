"""The event log in the SQL database (SQLite or PostgreSQL), table ``events``.

Same rows as ``store/eventlog_sqlite.py``: ``(seq, at, at_iso, type, data)``, ``data`` being the
event's ``to_json``. Each ``append`` is one transaction and one multi-row insert: all of the
batch or none of it.

One writer per database: the next seq is kept in memory (read with ``MAX(seq)`` when the log
is opened, and again after a failed commit), so appends cost no extra query. A second writer
would collide on the primary key; its append fails with ``EventLogWriteError`` and appends
nothing, never a gap or a duplicate. Within one process appends are serialised by a lock, so
threads may share the log.

>>> from hotline.core.events import WakeUpRequested
>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> SqlEventLog(engine).append([WakeUpRequested(at=0.0, key="k", due=5.0)])
1
>>> SqlEventLog(engine).append([WakeUpRequested(at=1.0, key="k", due=6.0)])  # continues
2
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from hotline.core.events import Event
from hotline.store.errors import (
    CorruptEvent,
    EventLogOpenError,
    EventLogWriteError,
    InvalidArgument,
)
from hotline.store.eventlog_codec import check_read, decode, encode, iso_utc
from hotline.store.sql.schema import events

_INSERT = insert(events)
_LAST = select(func.coalesce(func.max(events.c.seq), 0))
_PAGE = select(events.c.seq, events.c.type, events.c.data).order_by(events.c.seq)


class SqlEventLog:
    """An ``EventLog`` in the ``events`` table of ``engine``'s database (migrated first)."""

    def __init__(self, engine: Engine, *, page_size: int = 10_000) -> None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise InvalidArgument("page_size", f"must be ≥ 1, got {page_size!r}")
        self.engine = engine
        self.page_size = page_size
        self.source = engine.url.render_as_string(hide_password=True)
        self._lock = threading.Lock()
        try:
            self._last: int | None = self._read_last()
        except SQLAlchemyError as exc:
            raise EventLogOpenError(self.source, "cannot read the events table (run "
                                    "hotline.store.sql.database.migrate first?): "
                                    f"{_reason(exc)}") from None

    # --- the port ------------------------------------------------------------------------------
    def append(self, events: Sequence[Event]) -> int:
        # Encode the whole batch first: an event that cannot be stored refuses the batch
        # before anything touches the database.
        rows: list[dict[str, Any]] = []
        for i, event in enumerate(events):
            kind, data = encode(event, i)
            rows.append({"at": event.at, "at_iso": iso_utc(event.at), "type": kind,
                         "data": data})
        with self._lock:
            try:
                last = self._last if self._last is not None else self._read_last()
                if not rows:
                    self._last = last
                    return last
                for n, row in enumerate(rows, 1):
                    row["seq"] = last + n
                with self.engine.begin() as connection:
                    connection.execute(_INSERT, rows)
            except SQLAlchemyError as exc:
                # Another writer, or a lost connection: learn the true last seq next time.
                self._last = None
                raise EventLogWriteError(self.source, _reason(exc)) from None
            except BaseException:
                self._last = None
                raise
            self._last = last + len(rows)
            return self._last

    def read(self, after: int = 0, limit: int | None = None) -> Iterator[tuple[int, Event]]:
        check_read(after, limit)
        return self._read(after, limit)

    def _read(self, after: int, limit: int | None) -> Iterator[tuple[int, Event]]:
        remaining = limit
        while remaining is None or remaining > 0:
            size = self.page_size if remaining is None else min(self.page_size, remaining)
            # Page by page, each on its own short connection: nothing stays open while the
            # caller works, and events appended meanwhile are seen.
            with self.engine.connect() as connection:
                rows = connection.execute(
                    _PAGE.where(events.c.seq > after).limit(size)).all()
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
        with self._lock:
            if self._last is None:
                self._last = self._read_last()
            return self._last

    def refresh(self) -> int:
        """Re-read the last seq from the database (after another writer appended)."""
        with self._lock:
            self._last = self._read_last()
            return self._last

    def _read_last(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(_LAST).scalar_one())

    def __repr__(self) -> str:
        return f"SqlEventLog({self.source!r})"


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
