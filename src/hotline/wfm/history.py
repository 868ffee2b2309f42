"""Interval volumes laid out as days × intervals in the centre's time zone.

A history arrives as ``(interval_start, calls)`` rows at some interval length (5, 6, 10, 15,
20, 30 or 60 minutes). Closed periods may be absent or zero; both become zero here. Day
boundaries are local midnights of the centre's zone; on a daylight-saving change the
wall-clock interval is what counts (a repeated hour adds into the same interval).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from hotline.wfm.errors import HistoryError

INTERVAL_CHOICES = (5, 6, 10, 12, 15, 20, 30, 60)
MINUTES_PER_DAY = 1440
# A run this long of wider spacing inside a series is a second interval length, not closed time.
MIXED_RUN = 6

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, kw_only=True, slots=True)
class DailyGrid:
    """Volumes per interval: ``counts[day, interval]`` from local midnight of `first_day`."""

    first_day: date
    interval_minutes: int
    counts: FloatArray
    zone: tzinfo

    def __post_init__(self) -> None:
        if self.interval_minutes not in INTERVAL_CHOICES:
            raise HistoryError(
                f"interval_minutes: {self.interval_minutes} is not one of {INTERVAL_CHOICES}"
            )
        if self.counts.ndim != 2 or self.counts.shape[1] != self.per_day:
            raise HistoryError(
                f"counts: shape {self.counts.shape} is not (days, {self.per_day})"
            )

    @property
    def per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def days(self) -> int:
        return int(self.counts.shape[0])

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=index)

    def daily_totals(self) -> FloatArray:
        return np.asarray(self.counts.sum(axis=1), dtype=np.float64)

    def window(self, start: int, stop: int) -> DailyGrid:
        """Days ``start`` (inclusive) to ``stop`` (exclusive) as a grid of their own."""
        return DailyGrid(
            first_day=self.day(start),
            interval_minutes=self.interval_minutes,
            counts=self.counts[start:stop],
            zone=self.zone,
        )

    def resample(self, interval_minutes: int) -> DailyGrid:
        """Sum into a coarser interval that is a whole multiple of this one."""
        if interval_minutes % self.interval_minutes or interval_minutes not in INTERVAL_CHOICES:
            raise HistoryError(
                f"interval_minutes: {interval_minutes} is not a multiple of the history's "
                f"{self.interval_minutes}-minute interval (a forecast cannot be finer than it)"
            )
        factor = interval_minutes // self.interval_minutes
        counts = self.counts.reshape(self.days, self.per_day // factor, factor).sum(axis=2)
        return DailyGrid(
            first_day=self.first_day, interval_minutes=interval_minutes, counts=counts,
            zone=self.zone,
        )

    def interval_starts(self) -> list[datetime]:
        """Aware local start of every interval, day by day."""
        starts: list[datetime] = []
        step = timedelta(minutes=self.interval_minutes)
        for i in range(self.days):
            midnight = datetime.combine(self.day(i), time(0), tzinfo=self.zone)
            starts.extend(midnight + step * k for k in range(self.per_day))
        return starts


def detect_interval_minutes(starts: Sequence[datetime], *, row_offset: int = 0) -> int:
    """The interval length of a history, from the spacing of its interval starts.

    The length is the smallest spacing between consecutive rows; longer gaps are closed time.
    A long run of a wider spacing (e.g. 30-minute rows inside a 15-minute history) is a mixed
    interval length and raises `HistoryError` naming the rows.
    """
    if len(starts) < 2:
        raise HistoryError("history: fewer than two rows, so the interval length is unknown")
    steps = [_minutes(b - a) for a, b in pairwise(starts)]
    positive = [s for s in steps if s > 0]
    if not positive:
        raise HistoryError("interval_start: every row has the same timestamp")
    interval = min(positive)
    if interval not in INTERVAL_CHOICES:
        first = steps.index(interval) + row_offset
        raise HistoryError(
            f"interval_start rows {first}–{first + 1}: spacing of {interval:g} minutes is not an "
            f"interval length this forecast reads {INTERVAL_CHOICES}"
        )
    run_len = 0
    for index, step in enumerate(steps):
        wider = interval < step < 120
        same = run_len > 0 and step == steps[index - 1]
        run_len = (run_len + 1 if same else 1) if wider else 0
        if run_len >= MIXED_RUN:
            first_row = index - run_len + 1 + row_offset
            raise HistoryError(
                f"interval_start rows {first_row}–{index + 1 + row_offset}: mixed interval length, "
                f"these rows are {step:g} minutes apart but others are {interval:g} minutes apart"
            )
    return int(interval)


def grid_from_intervals(
    starts: Sequence[datetime],
    calls: Sequence[float],
    *,
    zone: tzinfo,
    interval_minutes: int | None = None,
    row_offset: int = 0,
) -> DailyGrid:
    """Validate ``(interval_start, calls)`` rows and lay them out as whole local days.

    `row_offset` is added to row indexes in messages (2 for a CSV with a header line).
    Raises `HistoryError` on a naive or misaligned timestamp, a negative, missing or
    non-finite volume, a repeated or out-of-order timestamp, or a mixed interval length.
    """
    if not starts:
        raise HistoryError("history: no rows (an empty history cannot be forecast)")
    if len(starts) != len(calls):
        raise HistoryError(f"history: {len(starts)} timestamps but {len(calls)} volumes")
    local: list[datetime] = []
    for index, (start, volume) in enumerate(zip(starts, calls, strict=True)):
        row = index + row_offset
        if start.tzinfo is None or start.utcoffset() is None:
            raise HistoryError(f"row {row}, field 'interval_start': {start} has no time zone")
        if volume is None or not np.isfinite(volume):
            raise HistoryError(f"row {row}, field 'calls': volume is missing")
        if volume < 0:
            raise HistoryError(f"row {row}, field 'calls': volume {volume:g} is negative")
        here = start.astimezone(zone)
        if local and start <= starts[index - 1]:
            raise HistoryError(
                f"row {row}, field 'interval_start': {start.isoformat()} is not after the "
                f"previous row's {starts[index - 1].isoformat()} (rows must be in time order)"
            )
        local.append(here)
    interval = interval_minutes or detect_interval_minutes(starts, row_offset=row_offset)
    first_day = local[0].date()
    n_days = (local[-1].date() - first_day).days + 1
    per_day = MINUTES_PER_DAY // interval
    counts = np.zeros((n_days, per_day), dtype=np.float64)
    for index, (here, volume) in enumerate(zip(local, calls, strict=True)):
        minute = here.hour * 60 + here.minute
        if minute % interval or here.second or here.microsecond:
            raise HistoryError(
                f"row {index + row_offset}, field 'interval_start': {here.time()} is not on "
                f"the {interval}-minute interval grid"
            )
        counts[(here.date() - first_day).days, minute // interval] += float(volume)
    return DailyGrid(first_day=first_day, interval_minutes=interval, counts=counts, zone=zone)


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60.0
