"""Clocks for the live centre: wall time on asyncio, and a manual clock for tests.

The engine never reads a clock (design §2); the live centre asks one for ``now`` and asks it to
call back when a timer is due. Times are float seconds since the epoch, like the engine's.

>>> clock = ManualClock(100.0)
>>> fired = []
>>> _ = clock.call_at(105.0, lambda: fired.append(clock.now()))
>>> clock.advance(10.0); fired
[105.0]
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Callable
from itertools import count
from typing import Protocol


class Cancel(Protocol):
    def cancel(self) -> object: ...


class Clock(Protocol):
    def now(self) -> float: ...

    def call_at(self, due: float, callback: Callable[[], None]) -> Cancel: ...


class AsyncioClock:
    """Wall time; callbacks run on the event loop (so they never race a request handler)."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def now(self) -> float:
        return time.time()

    def call_at(self, due: float, callback: Callable[[], None]) -> Cancel:
        return self.loop.call_later(max(0.0, due - time.time()), callback)


class _Entry:
    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """Virtual time that moves only when told; due callbacks run in (due, scheduling) order."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._heap: list[tuple[float, int, _Entry]] = []
        self._seq = count()

    def now(self) -> float:
        return self._now

    def call_at(self, due: float, callback: Callable[[], None]) -> Cancel:
        entry = _Entry(callback)
        heapq.heappush(self._heap, (due, next(self._seq), entry))
        return entry

    def advance(self, seconds: float) -> None:
        """Move time forward, running every callback that falls due on the way at its time."""
        end = self._now + seconds
        while self._heap and self._heap[0][0] <= end:
            due, _, entry = heapq.heappop(self._heap)
            self._now = max(self._now, due)
            if not entry.cancelled:
                entry.callback()
        self._now = end

    def pending(self) -> int:
        return sum(not e.cancelled for _, _, e in self._heap)
