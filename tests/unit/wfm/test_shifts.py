"""Shift templates and weekly tour rules."""

from __future__ import annotations

import pytest

from hotline.wfm.errors import ShiftTemplateError, TourRuleError
from hotline.wfm.shifts import BreakRule, ShiftTemplate
from hotline.wfm.shifts_tours import (
    DAYS,
    TourRules,
    all_tours,
    longest_cyclic_run,
    pattern_label,
)


def lunch(**kw: object) -> BreakRule:
    fields: dict[object, object] = {
        "name": "lunch", "minutes": 60, "earliest": 180, "latest": 300, "paid": False
    }
    fields.update(kw)
    return BreakRule(**fields)  # type: ignore[arg-type]


def test_paid_minutes_subtract_unpaid_breaks_only() -> None:
    coffee = BreakRule(name="coffee", minutes=15, earliest=60, latest=120)
    t = ShiftTemplate(name="day", earliest_start=480, latest_start=480, length=540,
                      breaks=(coffee, lunch()))
    assert t.paid_minutes == 540 - 60


def test_starts_and_break_offsets_follow_steps() -> None:
    t = ShiftTemplate(name="day", earliest_start=360, latest_start=450, start_step=30,
                      length=540, breaks=(lunch(),), break_step=60)
    assert t.starts() == (360, 390, 420, 450)
    assert t.break_offsets(t.breaks[0]) == (180, 240, 300)


def test_break_window_past_the_shift_end_is_rejected_by_name() -> None:
    with pytest.raises(ShiftTemplateError) as err:
        ShiftTemplate(name="short", earliest_start=480, latest_start=480, length=240,
                      breaks=(lunch(),))
    assert str(err.value) == (
        "shift 'short': break 'lunch': window ends 6:00 after the shift's start, "
        "outside the shift (length 4:00)"
    )


def test_break_window_before_the_shift_start_is_rejected() -> None:
    with pytest.raises(ShiftTemplateError, match="break 'lunch': window starts -30 min before"):
        ShiftTemplate(name="day", earliest_start=480, latest_start=480, length=540,
                      breaks=(lunch(earliest=-30),))


def test_overlapping_break_windows_are_rejected() -> None:
    coffee = BreakRule(name="coffee", minutes=15, earliest=150, latest=200)
    with pytest.raises(ShiftTemplateError, match="break 'lunch': window overlaps the window of "
                       "break 'coffee'"):
        ShiftTemplate(name="day", earliest_start=480, latest_start=480, length=540,
                      breaks=(coffee, lunch()))


def test_latest_start_before_earliest_is_rejected() -> None:
    with pytest.raises(ShiftTemplateError, match="shift 'x': latest_start 7:00 is before"):
        ShiftTemplate(name="x", earliest_start=480, latest_start=420, length=480)


@pytest.mark.parametrize(
    ("rules", "count"),
    [
        (TourRules(days_per_week=(5,), consecutive_days_off=True), 7),
        (TourRules(days_per_week=(5,), consecutive_days_off=False), 21),
        (TourRules(days_per_week=(1,)), 7),
        (TourRules(days_per_week=(4, 5), consecutive_days_off=True), 14),
    ],
)
def test_pattern_counts(rules: TourRules, count: int) -> None:
    assert len(rules.patterns()) == count


def test_every_pattern_obeys_every_rule() -> None:
    rules = TourRules(days_per_week=(4, 5), consecutive_days_off=False,
                      max_consecutive_work_days=3)
    patterns = rules.patterns()
    assert patterns
    for p in patterns:
        assert sum(p) in (4, 5)
        assert longest_cyclic_run(p, True) <= 3
    # And nothing allowed is missing: brute force over all 128 patterns.
    brute = [
        p for m in range(128)
        if (p := tuple(bool(m >> (6 - d) & 1) for d in range(DAYS)))
        and sum(p) in (4, 5) and longest_cyclic_run(p, True) <= 3
    ]
    assert sorted(brute) == sorted(patterns)


def test_consecutive_days_off_counts_sunday_to_monday() -> None:
    rules = TourRules(days_per_week=(5,), consecutive_days_off=True)
    labels = [pattern_label(p) for p in rules.patterns()]
    assert "Tue-Sat" in labels  # Sun + Mon off, adjacent across the week boundary
    for p in rules.patterns():
        assert longest_cyclic_run(p, False) == 2


def test_impossible_rules_name_the_reason() -> None:
    with pytest.raises(TourRuleError, match=r"no weekly pattern has \(6,\) working days with "
                       "at most 4 consecutive"):
        TourRules(days_per_week=(6,), max_consecutive_work_days=4)


def test_all_tours_crosses_patterns_templates_and_starts() -> None:
    t = ShiftTemplate(name="d", earliest_start=480, latest_start=540, length=480)
    tours = all_tours((t,), TourRules())
    assert len(tours) == 3 * 7
    assert tours[0].paid_hours == 40.0
    assert tours[0].label == "Mon-Fri d 8:00"
