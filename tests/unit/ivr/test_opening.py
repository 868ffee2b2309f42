"""Opening hours and holidays as the IVR's context: weekday, the edges, sites, zone, holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.ivr.opening import ALWAYS_OPEN, Opening, opening
from hotline.store.sql.records import BusinessHoursRecord, HolidayRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
# Beijing: weekdays 09:00-18:00, Saturday 10:00-14:00, Sunday closed (no record).
BEIJING = [BusinessHoursRecord(site="beijing", weekday=d, opens="09:00", closes="18:00")
           for d in range(5)] + [
    BusinessHoursRecord(site="beijing", weekday=5, opens="10:00", closes="14:00")]
# Shanghai covers the evening on weekdays, up to midnight.
SHANGHAI_SITE = [BusinessHoursRecord(site="shanghai", weekday=d, opens="17:00", closes="24:00")
                 for d in range(5)]
MONDAY = date(2026, 3, 2)


def local(day: date, hh: int, mm: int, ss: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=zone)


def is_open(at: datetime, site: str | None = "beijing", hours: list[BusinessHoursRecord]
            | None = None, zone: ZoneInfo = SHANGHAI) -> bool:
    found = opening(BEIJING + SHANGHAI_SITE if hours is None else hours, [], site=site,
                    zone=zone, at=at)
    return found.business_hours


def test_monday_is_a_monday() -> None:
    assert MONDAY.weekday() == 0


@pytest.mark.parametrize(("hh", "mm", "ss", "expected"), [
    (8, 59, 59, False), (9, 0, 0, True), (12, 30, 0, True), (17, 59, 59, True),
    (18, 0, 0, False), (23, 0, 0, False), (0, 0, 0, False)])
def test_open_from_opens_included_to_closes_excluded(hh: int, mm: int, ss: int,
                                                     expected: bool) -> None:
    assert is_open(local(MONDAY, hh, mm, ss)) is expected


def test_each_weekday_has_its_own_hours_and_a_day_without_a_record_is_closed() -> None:
    saturday, sunday = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)
    assert is_open(local(saturday, 13, 59)) and not is_open(local(saturday, 14, 0))
    assert not is_open(local(saturday, 9, 30))  # a weekday's hours are not Saturday's
    for hh in range(24):
        assert not is_open(local(sunday, hh, 30))


def test_closes_at_2400_is_open_to_the_last_minute_of_the_day() -> None:
    assert is_open(local(MONDAY, 23, 59, 59), site="shanghai")
    assert not is_open(local(MONDAY + timedelta(days=1), 0, 0), site="shanghai", hours=[
        BusinessHoursRecord(site="shanghai", weekday=0, opens="17:00", closes="24:00")])


def test_the_centre_is_open_while_any_site_is() -> None:
    assert is_open(local(MONDAY, 10, 0), site=None)  # Beijing
    assert is_open(local(MONDAY, 20, 0), site=None)  # Shanghai
    assert not is_open(local(MONDAY, 20, 0), site="beijing")
    assert not is_open(local(MONDAY, 3, 0), site=None)  # neither


def test_without_hours_it_is_always_open() -> None:
    # A fresh install, and a site nobody set hours for while another site has them.
    for hh in (0, 9, 23):
        assert opening([], [], site=None, zone=SHANGHAI, at=local(MONDAY, hh, 0)) == ALWAYS_OPEN
        assert is_open(local(MONDAY, hh, 0), site="guangzhou")
    assert not is_open(local(MONDAY, 3, 0), site="beijing")


def test_the_hours_are_the_centres_local_time_whatever_the_instants_zone() -> None:
    # 01:30 UTC on Monday is 09:30 in Shanghai: open; 10:30 UTC is 18:30 there: closed.
    assert is_open(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    assert not is_open(datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    # Sunday 20:00 in New York is Monday 09:00 in Shanghai (a different local weekday).
    assert is_open(local(MONDAY - timedelta(days=1), 20, 0, zone=NEW_YORK))
    # The centre's zone decides: the same instant in a centre kept in New York time.
    at = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York, 22:00 in Shanghai
    assert is_open(at, zone=NEW_YORK) and not is_open(at, zone=SHANGHAI)


def test_a_holiday_is_its_local_date_and_leaves_the_hours_to_the_flow() -> None:
    holidays = [HolidayRecord(day=MONDAY, name="Spring festival")]
    at = local(MONDAY, 10, 0)
    assert opening(BEIJING, holidays, site="beijing", zone=SHANGHAI, at=at) == Opening(
        business_hours=True, holiday=True)
    # 23:30 UTC on Sunday is already Monday in Shanghai; 15:59 UTC Monday is still Monday.
    for instant, expected in ((datetime(2026, 3, 1, 15, 59, tzinfo=UTC), False),
                              (datetime(2026, 3, 1, 16, 0, tzinfo=UTC), True),
                              (datetime(2026, 3, 2, 15, 59, tzinfo=UTC), True),
                              (datetime(2026, 3, 2, 16, 0, tzinfo=UTC), False)):
        got = opening([], holidays, site=None, zone=SHANGHAI, at=instant)
        assert got.holiday is expected, instant


def test_the_context_is_the_flows_strings() -> None:
    assert Opening(business_hours=False, holiday=True).context() == {
        "business_hours": "false", "holiday": "true"}
    assert ALWAYS_OPEN.context() == {"business_hours": "true", "holiday": "false"}


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="at must be an aware datetime"):
        opening(BEIJING, [], site="beijing", zone=SHANGHAI,
                at=datetime(2026, 3, 2, 10, 0))  # noqa: DTZ001 (the naive instant under test)
