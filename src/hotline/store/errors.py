"""Typed errors of the persistence adapters. Each message names the file, the item and the reason.

>>> str(CorruptEvent("log.sqlite", 42, "unknown event type 'Teleported'"))
"log.sqlite: event 42: unknown event type 'Teleported'"
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every store error."""

    error_id = "store_error"


class EventLogOpenError(StoreError):
    """The file cannot be opened as an event log (not SQLite, not ours, unreadable)."""

    error_id = "event_log_open"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class SchemaTooNew(EventLogOpenError):
    """The file was written by a newer Hotline; reading it could misread events."""

    error_id = "schema_too_new"

    def __init__(self, source: str, found: int, supported: int) -> None:
        super().__init__(source, f"schema version {found} is newer than this Hotline supports "
                                 f"({supported}); upgrade Hotline to read it")
        self.found = found
        self.supported = supported


class CorruptEvent(StoreError):
    """A stored event cannot be decoded: bad JSON, unknown type, missing fields."""

    error_id = "corrupt_event"

    def __init__(self, source: str, seq: int, reason: str) -> None:
        super().__init__(f"{source}: event {seq}: {reason}")
        self.source = source
        self.seq = seq
        self.reason = reason


class EventNotStorable(StoreError):
    """An event of a batch cannot be stored; the whole batch is refused."""

    error_id = "event_not_storable"

    def __init__(self, index: int, kind: str, reason: str) -> None:
        super().__init__(f"events[{index}] ({kind}): {reason}; nothing was appended")
        self.index = index
        self.kind = kind
        self.reason = reason


class EventLogWriteError(StoreError):
    """The database refused the batch (locked, disk full, read-only); nothing was appended."""

    error_id = "event_log_write"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: cannot append: {reason}; nothing was appended")
        self.source = source
        self.reason = reason


class InvalidArgument(StoreError):
    """A bad argument: ``read``'s ``after`` or ``limit``, a batch or page size, a setting."""

    error_id = "invalid_argument"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class EventLogClosed(StoreError):
    error_id = "event_log_closed"

    def __init__(self, source: str) -> None:
        super().__init__(f"{source}: the event log is closed")
        self.source = source
