"""Working calendar of a centre: weekend days and special days (holidays, eves, make-up workdays).

Every date gets a *day type*, the unit the forecast learns a level and an intraday profile
for: the weekday (0 = Monday … 6 = Sunday) for an ordinary day, or the special kind that
replaces it. Example: 2024-02-04 (a Sunday) is a Chinese make-up workday, so its day type
is ``WORKDAY``, not Sunday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum, StrEnum

from hotline.wfm.errors import CalendarError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DayKind(StrEnum):
    """How a special day replaces its weekday."""

    HOLIDAY = "holiday"  # public holiday: the centre runs like (or below) a weekend day
    EVE = "eve"  # the working day before a holiday: shortened
    REDUCED = "reduced"  # partly worked (e.g. intermediate festival days)
    WORKDAY = "workday"  # make-up workday on a weekend day (调休)


class DayType(IntEnum):
    """Codes 0–6 are weekdays (Monday = 0); the special kinds follow."""

    HOLIDAY = 7
    EVE = 8
    REDUCED = 9
    WORKDAY = 10


N_DAY_TYPES = 11
_KIND_TYPE = {
    DayKind.HOLIDAY: DayType.HOLIDAY,
    DayKind.EVE: DayType.EVE,
    DayKind.REDUCED: DayType.REDUCED,
    DayKind.WORKDAY: DayType.WORKDAY,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class SpecialDay:
    """One date whose kind replaces its weekday."""

    day: date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkCalendar:
    """Weekend weekdays (Monday = 0) and special days keyed by date."""

    weekend: frozenset[int] = frozenset({5, 6})
    special: Mapping[date, SpecialDay] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.weekend <= set(range(7)):
            raise CalendarError(f"weekend: {sorted(self.weekend)} holds a day outside 0–6")
        if len(self.weekend) >= 7:
            raise CalendarError("weekend: every day of the week is a weekend day")

    def day_type(self, day: date) -> int:
        """The day type code of `day` (see `DayType`)."""
        special = self.special.get(day)
        return int(_KIND_TYPE[special.kind]) if special else day.weekday()

    def is_off(self, day: date) -> bool:
        """True on a holiday, or on a weekend day that is not a make-up workday."""
        special = self.special.get(day)
        if special is not None:
            return special.kind is DayKind.HOLIDAY
        return day.weekday() in self.weekend

    def day_types(self, first: date, days: int) -> list[int]:
        """Day type codes for `days` consecutive dates from `first`."""
        return [self.day_type(first + timedelta(days=i)) for i in range(days)]

    def neighbours(self, first: date, days: int) -> tuple[list[bool], list[bool]]:
        """(before, after): the first working day after a holiday, and the last one before it.

        Only holidays count (a weekend alone makes no neighbour), so the day after Passover is
        flagged but an ordinary Sunday is not.
        """
        after: list[bool] = []
        before: list[bool] = []
        for i in range(days):
            day = first + timedelta(days=i)
            working = not self.is_off(day)
            after.append(working and self._holiday_within(day, -1))
            before.append(working and self._holiday_within(day, +1))
        return before, after

    def _holiday_within(self, day: date, step: int) -> bool:
        """A holiday is reached from `day` going `step` through off days only."""
        cursor = day + timedelta(days=step)
        for _ in range(10):
            special = self.special.get(cursor)
            if special is not None and special.kind is DayKind.HOLIDAY:
                return True
            if not self.is_off(cursor):
                return False
            cursor += timedelta(days=step)
        return False


def parse_weekend(text: str) -> frozenset[int]:
    """Weekend from names, e.g. ``"fri,sat"`` -> ``{4, 5}``; ``""`` means no weekend."""
    days: set[int] = set()
    for raw in text.split(","):
        name = raw.strip().lower()[:3]
        if not name:
            continue
        if name not in WEEKDAY_NAMES:
            raise CalendarError(
                f"weekend: {raw.strip()!r} is not a weekday name (use mon, tue, … sun)"
            )
        days.add(WEEKDAY_NAMES.index(name))
    if len(days) == 7:
        raise CalendarError("weekend: every day of the week is a weekend day")
    return frozenset(days)


def special_days_from_rows(
    rows: Sequence[tuple[str, str, str]], *, source: str = "holidays", row_offset: int = 2
) -> dict[date, SpecialDay]:
    """Special days from ``(date, kind, name)`` text rows, as read from a CSV.

    Raises `CalendarError` naming the source, row and field on a bad date, an unknown kind or
    a date given twice with different kinds.
    """
    found: dict[date, SpecialDay] = {}
    kinds = ", ".join(k.value for k in DayKind)
    for index, (day_text, kind_text, name) in enumerate(rows):
        row = index + row_offset
        try:
            day = date.fromisoformat(day_text.strip())
        except ValueError:
            raise CalendarError(
                f"{source} row {row}, field 'date': {day_text!r} is not a date (YYYY-MM-DD)"
            ) from None
        try:
            kind = DayKind(kind_text.strip().lower() or "holiday")
        except ValueError:
            raise CalendarError(
                f"{source} row {row}, field 'kind': {kind_text!r} is not one of {kinds}"
            ) from None
        old = found.get(day)
        if old is not None and old.kind is not kind:
            raise CalendarError(
                f"{source} row {row}, field 'date': {day} is given twice, "
                f"as {old.kind.value} and as {kind.value}"
            )
        found[day] = SpecialDay(day=day, kind=kind, name=name.strip())
    return found


def with_eves(calendar: WorkCalendar) -> WorkCalendar:
    """Mark the working day before each holiday block as an eve, unless it is already special.

    Holidays in Israel (and Spring Festival in China) are preceded by a short day.
    """
    special = dict(calendar.special)
    for day, item in calendar.special.items():
        if item.kind is not DayKind.HOLIDAY:
            continue
        eve = day - timedelta(days=1)
        if eve in special or calendar.is_off(eve):
            continue
        special[eve] = SpecialDay(day=eve, kind=DayKind.EVE, name=f"eve of {item.name}".strip())
    return WorkCalendar(weekend=calendar.weekend, special=special)


def merge(calendar: WorkCalendar, extra: Iterable[SpecialDay]) -> WorkCalendar:
    """`calendar` with `extra` special days added; an extra day replaces one on the same date."""
    special = dict(calendar.special)
    special.update({item.day: item for item in extra})
    return WorkCalendar(weekend=calendar.weekend, special=special)
