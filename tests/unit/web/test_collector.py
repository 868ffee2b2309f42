"""The collector policy: survivors of full collections are frozen, the sweep thaws them."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from hotline.web import collector

T = TypeVar("T")


def run_apart(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run on a thread of its own: a browser test's Playwright may hold this one's loop."""
    out: list[T] = []
    thread = threading.Thread(target=lambda: out.append(asyncio.run(scenario())))
    thread.start()
    thread.join()
    return out[0]


def test_survivors_of_a_full_collection_are_frozen_and_released_on_stop() -> None:
    async def scenario() -> tuple[int, int, int]:
        task = asyncio.create_task(collector.hold_survivors(sweep_s=3600))
        await asyncio.sleep(0)
        at_start = gc.get_freeze_count()
        later = [[i] for i in range(5_000)]  # tracked objects made after start-up
        gc.collect()  # a full collection: its survivors join the frozen ones
        after_full = gc.get_freeze_count()
        task.cancel()
        collector.release_survivors()
        del later
        return at_start, after_full, gc.get_freeze_count()

    at_start, after_full, after_release = run_apart(scenario)
    assert at_start > 0
    assert after_full >= at_start + 5_000
    assert after_release == 0
    assert collector._freeze_survivors not in gc.callbacks


def test_the_sweep_thaws_everything_and_collects_cycles_among_frozen_objects() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    async def scenario() -> tuple[bool, bool]:
        task = asyncio.create_task(collector.hold_survivors(sweep_s=3600))
        await asyncio.sleep(0)
        cycle = Node()
        ref = weakref.ref(cycle)
        gc.freeze()  # frozen with the survivors, as after a full collection
        del cycle
        gc.collect()
        alive_after_collect = ref() is not None  # frozen: a plain collection leaves it
        collector.sweep()
        alive_after_sweep = ref() is not None
        task.cancel()
        collector.release_survivors()
        return alive_after_collect, alive_after_sweep

    assert run_apart(scenario) == (True, False)
