"""Ports: what the core needs from the outside world, as small ``Protocol``s.

Adapters live in the shell (``hotline.store``); each port has an in-memory fake beside them,
shared by the unit tests, the simulator and the demo.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from hotline.core.events import Event


@runtime_checkable
class EventLog(Protocol):
    """The append-only event log, the source of truth (design §2, §4).

    Every event gets a sequence number; numbers start at 1 and have no gaps, so ``after=n``
    resumes a reader exactly where it stopped: appending three events to an empty log returns
    3, and ``read(after=1)`` then yields seqs 2 and 3.
    """

    def append(self, events: Sequence[Event]) -> int:
        """Append all of ``events`` or none; return the sequence number of the last event.

        An empty sequence appends nothing and returns ``last_seq()``.
        """
        ...

    def read(self, after: int = 0, limit: int | None = None) -> Iterator[tuple[int, Event]]:
        """Yield ``(seq, event)`` in order for ``seq > after``, at most ``limit`` of them."""
        ...

    def last_seq(self) -> int:
        """The sequence number of the last event, 0 for an empty log."""
        ...
