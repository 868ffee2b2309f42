"""The in-memory event log: the fake of ``hotline.core.ports.EventLog``.

Used by the unit tests, the simulator and the demo. It refuses what the SQLite log refuses (an
object that is not a registered event, or one that cannot be written as JSON), all or nothing,
so code tested against the fake behaves the same against the real log.

>>> from hotline.core.events import WakeUpRequested
>>> log = InMemoryEventLog()
>>> log.append([WakeUpRequested(at=0.0, key="a", due=1.0),
...             WakeUpRequested(at=0.0, key="b", due=2.0)])
2
>>> [(seq, e.key) for seq, e in log.read(after=1)]
[(2, 'b')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from hotline.core.events import Event
from hotline.store.eventlog_codec import check_read, encode


class InMemoryEventLog:
    """Events in a list; the seq of ``events[i]`` is ``i + 1``.

    ``check_json=False`` skips the JSON check of each appended event (it still refuses objects
    that are not events) where speed matters more than fidelity, such as in long simulations.
    """

    def __init__(self, events: Iterable[Event] = (), *, check_json: bool = True) -> None:
        self._events: list[Event] = []
        self.check_json = check_json
        self.append(list(events))

    def append(self, events: Sequence[Event]) -> int:
        batch = list(events)
        for i, event in enumerate(batch):
            if self.check_json:
                encode(event, i)
            elif not isinstance(event, Event):
                encode(event, i)  # raises EventNotStorable naming the item
        self._events.extend(batch)
        return len(self._events)

    def read(self, after: int = 0, limit: int | None = None) -> Iterator[tuple[int, Event]]:
        check_read(after, limit)
        return self._read(after, limit)

    def _read(self, after: int, limit: int | None) -> Iterator[tuple[int, Event]]:
        events = self._events
        stop = None if limit is None else after + limit
        seq = after
        # Like the SQLite log, a reader sees events appended while it reads.
        while seq < len(events) and (stop is None or seq < stop):
            seq += 1
            yield seq, events[seq - 1]

    def last_seq(self) -> int:
        return len(self._events)

    def __len__(self) -> int:
        return len(self._events)
