"""The available agents of one queue (and channel slot), best first, in O(1) per step mostly.

Entries are ``(selection key..., agent seq, version, agent)``; an entry is stale once the
agent's ``version`` moved on, and is dropped when it surfaces. Under longest-idle selection
the keys arrive in increasing order (agents become idle as time passes), so they go to a FIFO:
in and out in O(1), touching one entry, where a heap would touch log n of them (cache misses
that dominate at 10,000 agents). A key that arrives out of order (an agent re-indexed with an
older idle time, or another selection policy) goes to a heap; the best is the smaller head.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from heapq import heapify, heappop, heappush
from itertools import chain
from typing import Any

Entry = tuple[Any, ...]


def _live(entry: Entry) -> bool:
    return bool(entry[-1].version == entry[-2])


class IdleIndex:
    __slots__ = ("fifo", "heap")

    def __init__(self) -> None:
        self.fifo: deque[Entry] = deque()
        self.heap: list[Entry] = []

    def push(self, entry: Entry) -> None:
        fifo = self.fifo
        if not fifo or fifo[-1] <= entry:
            fifo.append(entry)
        else:
            heappush(self.heap, entry)

    def best(self) -> Entry | None:
        """The best live entry, left in place (it goes stale when its agent is reserved)."""
        fifo, heap = self.fifo, self.heap
        while fifo and fifo[0][-1].version != fifo[0][-2]:
            fifo.popleft()
        while heap and heap[0][-1].version != heap[0][-2]:
            heappop(heap)
        if fifo:
            if heap and heap[0] < fifo[0]:
                return heap[0]
            return fifo[0]
        return heap[0] if heap else None

    def pop_best(self) -> Entry | None:
        entry = self.best()
        if entry is not None:
            if self.fifo and self.fifo[0] is entry:
                self.fifo.popleft()
            else:
                heappop(self.heap)
        return entry

    def compact(self) -> None:
        """Drop every stale entry (the FIFO stays in order)."""
        self.fifo = deque(e for e in self.fifo if _live(e))
        self.heap = [e for e in self.heap if _live(e)]
        heapify(self.heap)

    def __len__(self) -> int:
        return len(self.fifo) + len(self.heap)

    def __iter__(self) -> Iterator[Entry]:
        return chain(self.fifo, self.heap)
