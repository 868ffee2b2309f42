"""Reading a history: interval-length detection and bad input named by row and field."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.wfm.errors import HistoryError
from hotline.wfm.history import detect_interval_minutes, grid_from_intervals

SH = ZoneInfo("Asia/Shanghai")


def stamps(minutes: int, count: int, start: datetime | None = None) -> list[datetime]:
    first = start or datetime(2024, 3, 4, 8, 0, tzinfo=SH)
    return [first + timedelta(minutes=minutes * k) for k in range(count)]


@pytest.mark.parametrize("minutes", [5, 15, 30, 60])
def test_interval_length_is_detected(minutes: int) -> None:
    assert detect_interval_minutes(stamps(minutes, 50)) == minutes


def test_closed_periods_absent_still_give_the_interval() -> None:
    day1 = stamps(15, 40)
    day2 = stamps(15, 40, datetime(2024, 3, 5, 8, 0, tzinfo=SH))
    gappy = day1[:10] + day1[14:] + day2  # an hour closed, then the night
    assert detect_interval_minutes(gappy) == 15
    grid = grid_from_intervals(gappy, [1.0] * len(gappy), zone=SH)
    assert grid.interval_minutes == 15 and grid.days == 2 and grid.per_day == 96
    assert grid.counts[0, 32 + 10 : 32 + 14].sum() == 0  # the absent hour is zero
    assert grid.counts.sum() == len(gappy)


def test_mixed_interval_length_names_the_rows() -> None:
    mixed = stamps(15, 20) + stamps(30, 20, datetime(2024, 3, 4, 13, 0, tzinfo=SH))
    with pytest.raises(
        HistoryError,
        match=r"^interval_start rows 22–28: mixed interval length, these rows are 30 minutes apart",
    ):
        detect_interval_minutes(mixed, row_offset=2)


def test_offsets_are_honoured_and_days_cut_at_local_midnight() -> None:
    utc = [
        datetime(2024, 3, 4, 15, 30, tzinfo=ZoneInfo("UTC")) + timedelta(minutes=30 * k)
        for k in range(4)
    ]  # 23:30–01:00 in Shanghai
    grid = grid_from_intervals(utc, [1.0, 2.0, 3.0, 4.0], zone=SH)
    assert grid.first_day.isoformat() == "2024-03-04" and grid.days == 2
    assert grid.counts[0, 47] == 1.0 and grid.counts[1, :2].tolist() == [2.0, 3.0]


@pytest.mark.parametrize(
    ("calls", "message"),
    [
        ([1.0, -3.0, 1.0], "row 3, field 'calls': volume -3 is negative"),
        ([1.0, 1.0, float("nan")], "row 4, field 'calls': volume is missing"),
    ],
)
def test_bad_volumes_name_the_row(calls: list[float], message: str) -> None:
    with pytest.raises(HistoryError, match=f"^{message}$"):
        grid_from_intervals(stamps(30, 3), calls, zone=SH, row_offset=2)


def test_naive_misaligned_unordered_and_empty_histories_are_refused() -> None:
    naive = [s.replace(tzinfo=None) for s in stamps(30, 3)]
    with pytest.raises(HistoryError, match=r"^row 2, field 'interval_start': .* has no time zone"):
        grid_from_intervals(naive, [1.0] * 3, zone=SH, row_offset=2)
    odd = stamps(30, 4)
    odd[2] = odd[2] + timedelta(minutes=7)
    with pytest.raises(
        HistoryError, match=r"rows 4–5: spacing of 23 minutes is not an interval length"
    ):
        grid_from_intervals(odd, [1.0] * 4, zone=SH, row_offset=2)
    back = stamps(30, 3)[::-1]
    with pytest.raises(HistoryError, match=r"^row 3, field 'interval_start': .* is not after"):
        grid_from_intervals(back, [1.0] * 3, zone=SH, row_offset=2)
    with pytest.raises(HistoryError, match=r"^history: no rows"):
        grid_from_intervals([], [], zone=SH)


def test_resample_sums_into_a_coarser_interval_only() -> None:
    grid = grid_from_intervals(stamps(15, 8), [1.0, 2, 3, 4, 5, 6, 7, 8], zone=SH)
    half = grid.resample(30)
    assert half.counts[0, 16:20].tolist() == [3.0, 7.0, 11.0, 15.0]
    with pytest.raises(HistoryError, match=r"interval_minutes: 10 is not a multiple"):
        grid.resample(10)
