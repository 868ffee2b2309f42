"""Working calendars: weekends, supplied holidays, eves, China's make-up workdays."""

from __future__ import annotations

from datetime import date

import pytest

from hotline.wfm.calendar_days import (
    DayKind,
    DayType,
    WorkCalendar,
    parse_weekend,
    special_days_from_rows,
    with_eves,
)
from hotline.wfm.calendar_sources import country_calendar
from hotline.wfm.errors import CalendarError


def israeli_bank() -> WorkCalendar:
    rows = [("1999-09-20", "holiday", "Yom Kippur"), ("1999-09-12", "holiday", "Rosh Hashana")]
    special = special_days_from_rows(rows)
    return with_eves(WorkCalendar(weekend=parse_weekend("fri,sat"), special=special))


def test_weekend_names_parse_to_weekdays() -> None:
    assert parse_weekend("fri,sat") == frozenset({4, 5})
    assert parse_weekend("Saturday, Sunday") == frozenset({5, 6})
    assert parse_weekend("") == frozenset()


def test_supplied_israeli_holidays_replace_their_weekday_and_mark_eves() -> None:
    cal = israeli_bank()
    assert cal.day_type(date(1999, 9, 20)) == DayType.HOLIDAY  # a Monday
    assert cal.day_type(date(1999, 9, 19)) == DayType.EVE  # Sunday before Yom Kippur
    assert cal.day_type(date(1999, 9, 21)) == 1  # an ordinary Tuesday
    assert cal.is_off(date(1999, 9, 17)) and cal.is_off(date(1999, 9, 18))  # Fri, Sat
    assert not cal.is_off(date(1999, 9, 19))


def test_neighbours_flag_the_working_days_around_a_holiday() -> None:
    cal = israeli_bank()
    before, after = cal.neighbours(date(1999, 9, 19), 3)
    assert before == [True, False, False]
    assert after == [False, False, True]  # 21 Sep, the day after Yom Kippur
    # Rosh Hashana on Sunday 12 Sep: the Thursday before reaches it across Fri–Sat.
    before, _ = cal.neighbours(date(1999, 9, 9), 1)
    assert before == [True]


def test_chinese_make_up_workday_and_spring_festival() -> None:
    cal = country_calendar("CN", [2024])
    assert cal.weekend == frozenset({5, 6})
    assert cal.special[date(2024, 2, 4)].kind is DayKind.WORKDAY  # a Sunday worked
    assert cal.day_type(date(2024, 2, 4)) == DayType.WORKDAY
    assert not cal.is_off(date(2024, 2, 4))
    for day in (10, 12, 17):
        assert cal.day_type(date(2024, 2, day)) == DayType.HOLIDAY
        assert "Spring Festival" in cal.special[date(2024, 2, day)].name
    assert cal.day_type(date(2024, 2, 18)) == DayType.WORKDAY  # Sunday after the festival


def test_israeli_country_calendar_has_friday_saturday_weekend_and_holidays() -> None:
    cal = country_calendar("IL", [1999])
    assert cal.weekend == frozenset({4, 5})
    assert cal.day_type(date(1999, 9, 20)) == DayType.HOLIDAY
    assert cal.day_type(date(1999, 9, 19)) == DayType.EVE
    assert cal.day_type(date(1999, 4, 21)) == DayType.HOLIDAY  # Independence Day


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("1999-13-01", "holiday", "")], "holidays row 2, field 'date': '1999-13-01' is not"),
        ([("1999-09-20", "feast", "")], "holidays row 2, field 'kind': 'feast' is not one of"),
        (
            [("1999-09-20", "holiday", ""), ("1999-09-20", "workday", "")],
            "holidays row 3, field 'date': 1999-09-20 is given twice, as holiday and as workday",
        ),
    ],
)
def test_malformed_calendar_rows_name_row_and_field(
    rows: list[tuple[str, str, str]], message: str
) -> None:
    with pytest.raises(CalendarError, match="^" + message.replace("(", r"\(")):
        special_days_from_rows(rows)


def test_bad_weekend_and_country_are_named() -> None:
    with pytest.raises(CalendarError, match="weekend: 'fry' is not a weekday name"):
        parse_weekend("fry,sat")
    with pytest.raises(CalendarError, match="weekend: every day of the week"):
        parse_weekend("mon,tue,wed,thu,fri,sat,sun")
    with pytest.raises(CalendarError, match="country: 'XX' is not a country code"):
        country_calendar("XX", [2024])
