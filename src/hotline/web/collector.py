"""Keep the cyclic garbage collector's pauses short while the centre serves agents.

A full collection walks every tracked object and stops the event loop while it does. With
1,000 agents' sessions open the heap holds some 440,000 tracked objects (their tasks,
coroutines, transports, timers) and a full collection took 320 ms under
``benchmarks/load.py``: every command that arrived meanwhile waited, and the p99 of agent
commands went with it. Nearly all of those objects live for hours, so after each full
collection the survivors are frozen (``gc.freeze``): the next full collection walks only what
came since, in milliseconds. Reference counting still frees frozen objects that die; only
cycles among them wait, for the hourly sweep that thaws everything for one full collection
(one long pause an hour instead of two a minute).
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

SWEEP_S = 3600.0
_holders = [0]  # servers in this process that asked (tests run several)


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def sweep() -> int:
    """Thaw everything and collect it fully (frees cycles among long-lived objects); the
    survivors are frozen again. Returns the objects collected."""
    gc.unfreeze()
    return gc.collect()


async def hold_survivors(sweep_s: float = SWEEP_S) -> None:
    """Run for the server's life: collect and freeze what start-up built, freeze the survivors
    of each full collection, sweep every ``sweep_s``. Cancel it, then ``release_survivors``."""
    _holders[0] += 1
    gc.collect()
    gc.freeze()
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
    while True:
        await asyncio.sleep(sweep_s)
        sweep()


def release_survivors() -> None:
    """The server stops: when it was the last one, stop freezing and thaw everything."""
    _holders[0] = max(0, _holders[0] - 1)
    if _holders[0] == 0:
        if _freeze_survivors in gc.callbacks:
            gc.callbacks.remove(_freeze_survivors)
        gc.unfreeze()
