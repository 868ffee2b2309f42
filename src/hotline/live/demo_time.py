"""The demo floor's virtual time, and the callbacks it has pending on the centre's clock.

Virtual time runs ``speed`` times as fast as the clock from an anchor; changing the speed moves
the anchor to now, so virtual time never jumps.

>>> pace = Pace(1000.0, speed=60.0)
>>> pace.virtual(1001.0), pace.real(1120.0), pace.scaled(30.0)
(1060.0, 1002.0, 0.5)
>>> pace.change(120.0, now=1001.0); pace.virtual(1002.0)
1180.0
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from itertools import count

from hotline.core.errors import CoreError
from hotline.live.clock import Cancel, Clock

log = logging.getLogger("hotline.live.demo_floor")


def check_speed(speed: float) -> float:
    if not isinstance(speed, int | float) or not math.isfinite(speed) or speed <= 0:
        raise ValueError(f"speed: must be a positive number, got {speed!r}")
    return float(speed)


class Pace:
    """Maps clock seconds to virtual seconds, ``speed`` virtual seconds per clock second."""

    def __init__(self, now: float, *, speed: float = 1.0) -> None:
        self.speed = check_speed(speed)
        self._real0 = now
        self._virtual0 = now

    def virtual(self, real: float) -> float:
        return self._virtual0 + (real - self._real0) * self.speed

    def real(self, virtual: float) -> float:
        return self._real0 + (virtual - self._virtual0) / self.speed

    def scaled(self, virtual_s: float) -> float:
        """Clock seconds of a virtual duration at the current speed."""
        return virtual_s / self.speed

    def anchor(self, now: float, virtual: float) -> None:
        """Virtual time is ``virtual`` at the clock's ``now``, and runs on from there."""
        self._real0 = now
        self._virtual0 = virtual

    def change(self, speed: float, now: float) -> None:
        speed = check_speed(speed)
        self._virtual0 = self.virtual(now)
        self._real0 = now
        self.speed = speed


class Timers:
    """The floor's callbacks on the clock, so that ``cancel_all`` can take every one back.

    A callback that the world overtook (the contact was abandoned or transferred, a supervisor
    logged the agent out) makes the engine refuse its command; that is expected, so the
    ``CoreError`` is logged at debug level and the floor goes on.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._pending: dict[int, Cancel] = {}
        self._ids = count(1)

    def at(self, due: float, action: Callable[[], None], what: str) -> int:
        token = next(self._ids)

        def fire() -> None:
            if self._pending.pop(token, None) is None:
                return  # cancelled (a clock may still call a cancelled entry)
            try:
                action()
            except CoreError as exc:
                log.debug("demo floor: %s skipped: %s", what, exc)

        self._pending[token] = self.clock.call_at(due, fire)
        return token

    def after(self, delay: float, action: Callable[[], None], what: str) -> int:
        return self.at(self.clock.now() + max(0.0, delay), action, what)

    def cancel(self, token: int | None) -> None:
        if token is not None:
            handle = self._pending.pop(token, None)
            if handle is not None:
                handle.cancel()

    def cancel_all(self) -> None:
        pending, self._pending = self._pending, {}
        for handle in pending.values():
            handle.cancel()

    def __len__(self) -> int:
        return len(self._pending)


def local_midnight(t: float, zone: tzinfo) -> datetime:
    """The start of the local day (in ``zone``) that holds the instant ``t``."""
    day = datetime.fromtimestamp(t, zone).date()
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)


def next_midnight(midnight: datetime) -> datetime:
    day = (midnight + timedelta(days=1)).date()  # a date, so a DST day keeps its true length
    return datetime.combine(day, datetime.min.time(), tzinfo=midnight.tzinfo)
