"""Is the centre open? The flows' ``business_hours`` and ``holiday`` context at an instant.

The directory keeps opening hours per site and weekday (``opens`` to ``closes``, local times
``HH:MM`` of the centre's zone, ``closes`` later than ``opens``, ``24:00`` for midnight) and
the centre's holidays (a date and a name; a holiday closes every site). This module turns
them into what the IVR flows branch on, for one site (or the whole centre) at one instant:

- ``business_hours`` is true from ``opens`` (included) to ``closes`` (excluded) on the
  instant's local weekday. A weekday without a record is closed, as long as the site has
  hours on some day; a site with no hours at all is always open, so a fresh install (or a
  new site) is not closed before anyone set its hours.
- ``site=None`` asks for the centre: open while any site with hours is open (a national
  hotline whose sites overflow to one another takes calls while one of them works).
- ``holiday`` is true on a holiday's local date, whatever the hours say; the flows decide what
  a holiday means (the shipped ones close, before they look at the hours).

Overnight hours (22:00–06:00) are not a record the directory accepts: closes must follow
opens on the same day. Pure: the caller passes the instant.

Monday 09:00–18:00 in Beijing, and Monday 2 March 2026 at 01:00 UTC (09:00 there)::

    opening([BusinessHoursRecord(site="beijing", weekday=0, opens="09:00", closes="18:00")],
            [], site="beijing", zone=ZoneInfo("Asia/Shanghai"),
            at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)).context()
    # {'business_hours': 'true', 'holiday': 'false'}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class Hours(Protocol):
    """One site's opening hours on one weekday (the directory's ``BusinessHoursRecord``)."""

    @property
    def site(self) -> str: ...
    @property
    def weekday(self) -> int: ...  # 0 Monday .. 6 Sunday
    @property
    def opens(self) -> str: ...  # "HH:MM"
    @property
    def closes(self) -> str: ...  # "HH:MM", "24:00" for midnight


class Holiday(Protocol):
    """A day the centre is closed (the directory's ``HolidayRecord``)."""

    @property
    def day(self) -> date: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class Opening:
    """The answer at one instant, as the flows' context wants it."""

    business_hours: bool
    holiday: bool

    def context(self) -> dict[str, str]:
        """``{"business_hours": "true", "holiday": "false"}``: flows compare strings."""
        return {"business_hours": _flag(self.business_hours), "holiday": _flag(self.holiday)}


#: What the IVR hears when nothing says otherwise: agents answer round the clock.
ALWAYS_OPEN = Opening(business_hours=True, holiday=False)


def opening(hours: Iterable[Hours], holidays: Iterable[Holiday], *, site: str | None,
            zone: ZoneInfo, at: datetime) -> Opening:
    """Whether ``site`` (``None``: the centre) is in business hours and on a holiday at ``at``
    (aware), in the centre's ``zone`` (see the module's docstring for the rules)."""
    if at.tzinfo is None or at.utcoffset() is None:
        # A naive instant would be read in the machine's zone: the wrong hour, silently.
        raise ValueError(f"at must be an aware datetime, got {at!r}")
    local = at.astimezone(zone)
    # Minutes since local midnight: records are whole minutes, so seconds never decide.
    minute = local.hour * 60 + local.minute
    weekday = local.weekday()
    relevant = [h for h in hours if site is None or h.site == site]
    is_open = not relevant or any(
        h.weekday == weekday and _minutes(h.opens) <= minute < _minutes(h.closes)
        for h in relevant)
    today = local.date()
    return Opening(business_hours=is_open, holiday=any(h.day == today for h in holidays))


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _flag(value: bool) -> str:
    return "true" if value else "false"
