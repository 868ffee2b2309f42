"""Country calendars: China from `chinesecalendar` (with make-up workdays), others from `holidays`.

Both packages ship their tables as data; nothing here reads files or the network.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import chinese_calendar
import holidays

from hotline.wfm.calendar_days import DayKind, SpecialDay, WorkCalendar, with_eves
from hotline.wfm.errors import CalendarError

_CN_FIRST, _CN_LAST = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year


def country_calendar(
    country: str, years: Iterable[int], *, weekend: frozenset[int] | None = None, eves: bool = True
) -> WorkCalendar:
    """Public holidays of `country` (ISO code) for `years`, plus China's make-up workdays.

    `weekend` defaults to the country's own (Friday–Saturday for IL). With `eves`, the working
    day before each holiday block becomes an eve.

    >>> cal = country_calendar("CN", [2024])
    >>> cal.special[date(2024, 2, 4)].kind
    <DayKind.WORKDAY: 'workday'>
    """
    code = country.strip().upper()
    wanted = sorted(set(years))
    try:
        table = holidays.country_holidays(code, years=wanted)
    except NotImplementedError:
        raise CalendarError(
            f"country: {country!r} is not a country code the holidays package knows"
        ) from None
    week_end = frozenset(table.weekend) if weekend is None else weekend
    special: dict[date, SpecialDay] = {}
    if code == "CN":
        special.update(_chinese_days(wanted))
    for day, name in table.items():
        if day not in special:
            special[day] = SpecialDay(day=day, kind=DayKind.HOLIDAY, name=str(name))
    for day in getattr(table, "weekend_workdays", set()):
        if day.year in wanted and day not in special:
            special[day] = SpecialDay(day=day, kind=DayKind.WORKDAY, name="make-up workday")
    calendar = WorkCalendar(weekend=week_end, special=special)
    return with_eves(calendar) if eves else calendar


def _chinese_days(years: list[int]) -> dict[date, SpecialDay]:
    """Holidays and make-up workdays from chinesecalendar, for the years it covers."""
    found: dict[date, SpecialDay] = {}
    covered = [y for y in years if _CN_FIRST <= y <= _CN_LAST]
    for day, name in chinese_calendar.holidays.items():
        if day.year in covered:
            found[day] = SpecialDay(day=day, kind=DayKind.HOLIDAY, name=str(name))
    for day, name in chinese_calendar.workdays.items():
        if day.year in covered and day.weekday() >= 5:
            found[day] = SpecialDay(day=day, kind=DayKind.WORKDAY, name=f"make-up workday ({name})")
    return found
