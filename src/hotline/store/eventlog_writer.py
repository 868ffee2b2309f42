"""An event sink that appends to an ``EventLog`` in batches.

The twin emits events one at a time (``event_sink(event)``); one append per event would make
the log the bottleneck, so events wait in a buffer and go in batches of ``batch_size``, each
one transaction. Leaving the ``with`` block (normally or by an exception) appends the rest:
events that happened before a crash are facts worth keeping.

>>> from hotline.core.events import WakeUpRequested
>>> from hotline.store.eventlog_memory import InMemoryEventLog
>>> log = InMemoryEventLog()
>>> with BatchingEventWriter(log, batch_size=2) as sink:
...     for key in "abc":
...         sink(WakeUpRequested(at=0.0, key=key, due=1.0))
...     log.last_seq()  # the third event still waits in the buffer
2
>>> log.last_seq(), sink.written
(3, 3)
"""

from __future__ import annotations

from types import TracebackType

from hotline.core.events import Event
from hotline.core.ports import EventLog
from hotline.store.errors import InvalidArgument


class BatchingEventWriter:
    """Call it with each event; ``flush()`` appends what is buffered; ``written`` counts."""

    def __init__(self, log: EventLog, *, batch_size: int = 10_000) -> None:
        if batch_size < 1:
            raise InvalidArgument("batch_size", f"must be ≥ 1, got {batch_size!r}")
        self.log = log
        self.batch_size = batch_size
        self.written = 0
        self._buffer: list[Event] = []

    def __call__(self, event: Event) -> None:
        buffer = self._buffer
        buffer.append(event)
        if len(buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> int:
        """Append the buffered events; return the log's last seq."""
        batch, self._buffer = self._buffer, []
        last = self.log.append(batch)
        self.written += len(batch)
        return last

    def __enter__(self) -> BatchingEventWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.flush()
