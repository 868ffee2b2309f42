"""The available agents of one queue (and channel slot), best first, in O(1) per step mostly.

An entry is ``(idle since, agent seq, version, agent)``, one tuple shared by the agent's entries
in all its queues; it is stale once the agent's ``version`` moved on, and is dropped when it
surfaces. Each entry goes in with a *rank*, the first part of the selection key (0 under
longest-idle selection, the negated proficiency under most-proficient, the occupancy under
least-occupied); the order is rank, then the entry (longest idle, then registration order).

Entries of one integral rank go to a FIFO of their own (a *bucket*): agents become idle as time
passes, so keys mostly arrive in order and go in and out in O(1), touching one cache line where
a heap would sift through log n entries (cache misses that dominate at 10,000 agents). The key
of a bucket's last entry is kept in the bucket, so a push reads no other entry. A key that
arrives out of order (an agent re-indexed with an older idle time), or a fractional or far-off
rank, goes to a heap of ``(rank, entry)``; the best is the smaller of the first live bucket
head and the heap's top.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from heapq import heapify, heappop, heappush
from itertools import chain
from typing import Any, Final

Entry = tuple[Any, ...]
Ranked = tuple[float, Entry]

# The most distinct integral ranks one index keeps in buckets (proficiencies 1–10 need 10).
SPAN: Final = 16


def _live(entry: Entry) -> bool:
    return bool(entry[-1].version == entry[-2])


class _Bucket:
    """The entries of one rank in key order, and the key of the last one pushed."""

    __slots__ = ("fifo", "idle", "seq", "version")

    def __init__(self) -> None:
        self.fifo: deque[Entry] = deque()
        self.idle = 0.0
        self.seq = 0
        self.version = 0

    def set_tail(self) -> None:
        """Take the tail key from the last entry (after the FIFO was rebuilt)."""
        if self.fifo:
            last = self.fifo[-1]
            self.idle, self.seq, self.version = float(last[0]), int(last[1]), int(last[2])


class IdleIndex:
    __slots__ = ("buckets", "heap", "last", "last_rank", "low", "size")

    def __init__(self) -> None:
        self.size = 0  # entries held, live or stale
        # Bucket i holds rank ``low + i`` (None: no such rank yet).
        self.low = 0
        self.buckets: list[_Bucket | None] = []
        # The bucket of the latest push: a queue's pushes mostly share a rank.
        self.last: _Bucket | None = None
        self.last_rank = 0.0
        self.heap: list[Ranked] = []

    def push(self, rank: float, idle: float, seq: int, version: int, entry: Entry) -> None:
        """Add ``entry`` (whose key is ``idle, seq, version``) with ``rank``."""
        self.size += 1
        bucket = self.last
        if bucket is None or self.last_rank != rank:
            bucket = self._bucket(rank)
            if bucket is None:
                heappush(self.heap, (rank, entry))
                return
            self.last = bucket
            self.last_rank = rank
        fifo = bucket.fifo
        if fifo and (idle < bucket.idle or (idle == bucket.idle and (
                seq < bucket.seq or (seq == bucket.seq and version < bucket.version)))):
            heappush(self.heap, (rank, entry))
            return
        fifo.append(entry)
        bucket.idle = idle
        bucket.seq = seq
        bucket.version = version

    def push_entry(self, rank: float, entry: Entry) -> None:
        """Put back an entry taken out with ``pop_best``."""
        self.push(rank, float(entry[0]), int(entry[1]), int(entry[2]), entry)

    def _bucket(self, rank: float) -> _Bucket | None:
        """The bucket of ``rank``, made if need be; None where the rank is fractional or would
        stretch the buckets past ``SPAN`` ranks."""
        r = int(rank)
        if r != rank:
            return None
        buckets = self.buckets
        if not buckets:
            self.low = r
        low = self.low
        if r < low:
            if low + len(buckets) - r > SPAN:
                return None
            grown: list[_Bucket | None] = [None] * (low - r)
            self.buckets = buckets = grown + buckets
            self.low = low = r
        elif r - low >= len(buckets):
            if r - low >= SPAN:
                return None
            buckets.extend([None] * (r - low + 1 - len(buckets)))
        bucket = buckets[r - low]
        if bucket is None:
            bucket = buckets[r - low] = _Bucket()
        return bucket

    def _head(self) -> tuple[int, Entry] | None:
        """The rank and entry of the first live bucket head; stale heads are dropped."""
        low = self.low
        for i, bucket in enumerate(self.buckets):
            if bucket is None:
                continue
            fifo = bucket.fifo
            while fifo:
                head = fifo[0]
                if head[-1].version == head[-2]:
                    return low + i, head
                fifo.popleft()
                self.size -= 1
        return None

    def _top(self) -> Ranked | None:
        """The heap's top once its stale entries are dropped."""
        heap = self.heap
        while heap and not _live(heap[0][1]):
            heappop(heap)
            self.size -= 1
        return heap[0] if heap else None

    def best(self) -> Entry | None:
        """The best live entry, left in place (it goes stale when its agent is reserved)."""
        head = self._head()
        top = self._top() if self.heap else None
        if top is not None and (head is None or top[0] < head[0]
                                or (top[0] == head[0] and top[1] < head[1])):
            return top[1]
        return head[1] if head is not None else None

    def pop_best(self) -> Ranked | None:
        """Take out the best live entry, with its rank (``push_entry`` puts it back)."""
        head = self._head()
        top = self._top() if self.heap else None
        if top is not None and (head is None or top[0] < head[0]
                                or (top[0] == head[0] and top[1] < head[1])):
            heappop(self.heap)
            self.size -= 1
            return top
        if head is None:
            return None
        bucket = self.buckets[head[0] - self.low]
        assert bucket is not None
        bucket.fifo.popleft()
        self.size -= 1
        return float(head[0]), head[1]

    def compact(self) -> None:
        """Drop every stale entry (each FIFO stays in order)."""
        size = 0
        for bucket in self.buckets:
            if bucket is not None:
                bucket.fifo = deque(e for e in bucket.fifo if _live(e))
                bucket.set_tail()
                size += len(bucket.fifo)
        self.heap = [r for r in self.heap if _live(r[1])]
        heapify(self.heap)
        self.size = size + len(self.heap)

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Entry]:
        """Every entry held, live or stale, in no particular order."""
        fifos = [b.fifo for b in self.buckets if b is not None]
        return chain(*fifos, (entry for _, entry in self.heap))
