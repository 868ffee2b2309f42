"""The desk's retention on a manual clock: it prunes at start with the cut ``now - retention``,
again every hour until stopped; a store that fails is logged and tried next round without
stopping the others; a retention under a day is refused, naming the setting."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

import pytest

from hotline.live.clock import ManualClock
from hotline.web.errors import SettingsError
from hotline.web.retention import PRUNE_EVERY_S, DeskRetention, Prunable

T0 = datetime(2026, 3, 2, 2, tzinfo=UTC)
MONTH = 30 * 86400.0


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.cuts: list[datetime] = []
        self.fail = fail

    def prune(self, before: datetime) -> int:
        self.cuts.append(before)
        if self.fail:
            raise OSError("database gone")
        return len(self.cuts)


def retention(clock: ManualClock, **stores: Prunable) -> DeskRetention:
    return DeskRetention(stores=dict(stores), clock=clock, retention_s=MONTH)


def test_it_prunes_at_start_then_every_hour_until_stopped() -> None:
    clock = ManualClock(T0.timestamp())
    keys, attempts = Store(), Store()
    kept = retention(clock, keys=keys, attempts=attempts)
    kept.start()
    assert keys.cuts == attempts.cuts == [T0 - timedelta(days=30)]
    clock.advance(2 * PRUNE_EVERY_S + 1)
    cuts = [T0 - timedelta(days=30) + timedelta(seconds=n * PRUNE_EVERY_S) for n in range(3)]
    assert keys.cuts == attempts.cuts == cuts
    kept.stop()
    clock.advance(5 * PRUNE_EVERY_S)
    assert len(keys.cuts) == 3 and clock.pending() == 0


def test_a_failing_store_is_logged_and_the_others_still_pruned(
        caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock(T0.timestamp())
    broken, fine = Store(fail=True), Store()
    kept = retention(clock, broken=broken, fine=fine)
    assert kept.prune() == {"fine": 1}
    assert "pruning broken older than 2026-01-31T02:00:00+00:00 failed" in caplog.text
    kept.start()  # and the next round tries the broken one again
    clock.advance(PRUNE_EVERY_S)
    assert len(broken.cuts) == 3 and len(fine.cuts) == 3


@pytest.mark.parametrize("retention_s", [0.0, 86399.0, -MONTH, math.nan])
def test_a_retention_under_a_day_is_refused(retention_s: float) -> None:
    with pytest.raises(SettingsError, match=r"^desk_retention_s: must be at least 86400 s "
                                            r"\(one day\), got "):
        DeskRetention(stores={}, clock=ManualClock(), retention_s=retention_s)


def test_nothing_is_logged_when_nothing_went(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    class Empty:
        def prune(self, before: datetime) -> int:
            return 0

    assert retention(ManualClock(T0.timestamp()), empty=Empty()).prune() == {"empty": 0}
    assert "pruned" not in caplog.text
