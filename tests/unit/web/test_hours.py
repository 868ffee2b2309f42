"""Business hours and holidays over the admin API: validation naming the field, 404s, the audit,
and the live IVR's `OpeningHours` following each change without a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hotline.channels.telephony import CallArrived
from hotline.live.opening_hours import OpeningHours
from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import Directory
from hotline.store.sql.records import BusinessHoursRecord
from hotline.web.app import create_app
from tests.unit.web.conftest import World, build_world, token

A = "/api/v1/admin"
ZONE = ZoneInfo("Asia/Shanghai")
CALL = CallArrived(call_id="c1", dialled_number="95588")


@pytest.fixture
def world() -> World:
    w = build_world()
    engine = open_database("sqlite://")
    migrate(engine)
    w.services.extra["directory"] = Directory(engine)
    w.services.extra["opening"] = OpeningHours(ZONE, w.clock.now)
    return w


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(lambda: world.services)) as c:
        yield c


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return token(client, "admin")


def local_now(world: World) -> datetime:
    return datetime.fromtimestamp(world.clock.now(), UTC).astimezone(ZONE)


def around_now(world: World) -> tuple[int, str, str]:
    """(weekday, opens, closes) of hours that hold the world's clock, an hour either side."""
    now = local_now(world)
    assert 1 <= now.hour <= 22  # else an hour either side would cross midnight
    return now.weekday(), f"{now.hour - 1:02d}:00", f"{now.hour + 1:02d}:00"


def test_hours_round_trip_and_a_missing_one_is_404(client: TestClient, world: World,
                                                   admin: dict[str, str]) -> None:
    r = client.put(f"{A}/business-hours/beijing/0", json={"opens": "09:00", "closes": "18:00"},
                   headers=admin)
    assert r.status_code == 200, r.text
    assert r.json() == {"hours": {"site": "beijing", "weekday": 0, "day": "Monday",
                                  "opens": "09:00", "closes": "18:00"}, "created": True}
    r = client.put(f"{A}/business-hours/beijing/0", json={"opens": "08:30", "closes": "24:00"},
                   headers=admin)
    assert r.json()["created"] is False
    client.put(f"{A}/business-hours/shanghai/6", json={"opens": "10:00", "closes": "16:00"},
               headers=admin)
    listed = client.get(f"{A}/business-hours", headers=token(client, "supervisor")).json()
    assert [(h["site"], h["weekday"], h["opens"], h["closes"]) for h in listed["hours"]] == [
        ("beijing", 0, "08:30", "24:00"), ("shanghai", 6, "10:00", "16:00")]
    assert listed["weekdays"][6] == "Sunday" and listed["now"]["zone"] == "Asia/Shanghai"
    only = client.get(f"{A}/business-hours?site=shanghai", headers=admin).json()["hours"]
    assert [h["site"] for h in only] == ["shanghai"]
    assert client.delete(f"{A}/business-hours/beijing/0", headers=admin).status_code == 200
    r = client.delete(f"{A}/business-hours/beijing/0", headers=admin)
    assert r.status_code == 404 and r.json()["details"] == {"kind": "business hours",
                                                            "id": "beijing/0"}


def test_holidays_round_trip_and_a_missing_one_is_404(client: TestClient,
                                                      admin: dict[str, str]) -> None:
    r = client.put(f"{A}/holidays/2026-02-17", json={"name": "Spring Festival"}, headers=admin)
    assert r.status_code == 200 and r.json() == {
        "holiday": {"day": "2026-02-17", "name": "Spring Festival"}, "created": True}
    client.put(f"{A}/holidays/2026-10-01", json={"name": "National Day"}, headers=admin)
    r = client.put(f"{A}/holidays/2026-10-01", json={"name": "国庆节"}, headers=admin)
    assert r.json()["created"] is False
    got = client.get(f"{A}/holidays", headers=token(client, "supervisor")).json()["holidays"]
    assert got == [{"day": "2026-02-17", "name": "Spring Festival"},
                   {"day": "2026-10-01", "name": "国庆节"}]
    assert client.delete(f"{A}/holidays/2026-02-17", headers=admin).status_code == 200
    r = client.delete(f"{A}/holidays/2026-02-17", headers=admin)
    assert r.status_code == 404 and r.json()["error_id"] == "not_found"


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("/business-hours/beijing/7", {"opens": "09:00", "closes": "18:00"}, "weekday"),
    ("/business-hours/beijing/-1", {"opens": "09:00", "closes": "18:00"}, "weekday"),
    ("/business-hours/beijing/monday", {"opens": "09:00", "closes": "18:00"}, "weekday"),
    ("/business-hours/beijing/0", {"opens": "9:00", "closes": "18:00"}, "opens"),
    ("/business-hours/beijing/0", {"opens": "09:00", "closes": "18:60"}, "closes"),
    ("/business-hours/beijing/0", {"opens": "24:00", "closes": "24:00"}, "opens"),
    ("/business-hours/beijing/0", {"opens": "18:00", "closes": "09:00"}, "closes"),
    ("/business-hours/beijing/0", {"opens": "09:00", "closes": "09:00"}, "closes"),
    ("/business-hours/beijing/0", {"opens": 9, "closes": "18:00"}, "opens"),
    ("/business-hours/beijing/0", {"closes": "18:00"}, "opens"),
    ("/business-hours/beijing/0", {"opens": "09:00", "closes": "18:00", "lunch": "12:00"},
     "lunch"),
    ("/business-hours/ beijing/0", {"opens": "09:00", "closes": "18:00"}, "site"),
    ("/holidays/2026-02-30", {"name": "Nope"}, "day"),
    ("/holidays/tomorrow", {"name": "Nope"}, "day"),
    ("/holidays/2026-02-17", {"name": "   "}, "name"),
    ("/holidays/2026-02-17", {}, "name"),
]


@pytest.mark.parametrize(("path", "body", "field"), BAD, ids=[f"{p} {f}" for p, _, f in BAD])
def test_each_validation_error_names_its_field(client: TestClient, world: World,
                                               admin: dict[str, str], path: str,
                                               body: dict[str, Any], field: str) -> None:
    r = client.put(A + path, json=body, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == field
    d: Directory = world.services.extra["directory"]
    assert d.list_business_hours() == [] and d.list_holidays() == []
    assert world.services.audit.recent() == []  # nothing changed, nothing audited


def test_every_change_is_audited(client: TestClient, world: World,
                                 admin: dict[str, str]) -> None:
    client.put(f"{A}/business-hours/beijing/2", json={"opens": "09:00", "closes": "18:00"},
               headers=admin)
    client.delete(f"{A}/business-hours/beijing/2", headers=admin)
    client.put(f"{A}/holidays/2026-10-01", json={"name": "National Day"}, headers=admin)
    client.delete(f"{A}/holidays/2026-10-01", headers=admin)
    client.get(f"{A}/business-hours", headers=admin)  # a read is not audited
    entries = list(reversed(world.services.audit.recent()))
    assert [(e["action"], e["target"], e["actor"]) for e in entries] == [
        ("put_business_hours", "beijing/2", "admin"),
        ("delete_business_hours", "beijing/2", "admin"),
        ("put_holiday", "2026-10-01", "admin"), ("delete_holiday", "2026-10-01", "admin")]
    assert entries[0]["details"]["opens"] == "09:00"
    assert entries[2]["details"] == {"day": "2026-10-01", "name": "National Day"}


def test_supervisors_read_and_may_not_change(client: TestClient) -> None:
    sup = token(client, "supervisor")
    assert client.get(f"{A}/business-hours", headers=sup).status_code == 200
    r = client.put(f"{A}/business-hours/beijing/0", json={"opens": "09:00", "closes": "18:00"},
                   headers=sup)
    assert r.status_code == 403 and r.json()["error_id"] == "forbidden"
    assert client.delete(f"{A}/holidays/2026-10-01", headers=sup).status_code == 403
    assert client.get(f"{A}/holidays", headers=token(client, "agent")).status_code == 403


def test_the_next_call_hears_each_change(client: TestClient, world: World,
                                        admin: dict[str, str]) -> None:
    opening: OpeningHours = world.services.extra["opening"]
    heard = lambda: opening.context(CALL)  # noqa: E731 (read at each call)
    assert heard() == {"business_hours": "true", "holiday": "false"}  # nothing set: open
    weekday, opens, closes = around_now(world)
    # Hours on another day only: today is closed for the site, so for the centre.
    client.put(f"{A}/business-hours/beijing/{(weekday + 1) % 7}",
               json={"opens": opens, "closes": closes}, headers=admin)
    assert heard()["business_hours"] == "false"
    got = client.get(f"{A}/business-hours", headers=admin).json()["now"]
    assert got["centre"]["business_hours"] == "false" and got["sites"] == {
        "beijing": {"business_hours": "false", "holiday": "false"}}
    client.put(f"{A}/business-hours/beijing/{weekday}", json={"opens": opens, "closes": closes},
               headers=admin)
    assert heard()["business_hours"] == "true"
    client.put(f"{A}/holidays/{local_now(world).date().isoformat()}", json={"name": "Today"},
               headers=admin)
    assert heard() == {"business_hours": "true", "holiday": "true"}
    world.clock.advance(2 * 3600)  # past closes: the clock decides, not the last change
    assert heard()["business_hours"] == "false"
    client.delete(f"{A}/business-hours/beijing/{weekday}", headers=admin)
    client.delete(f"{A}/business-hours/beijing/{(weekday + 1) % 7}", headers=admin)
    assert heard()["business_hours"] == "true"  # no hours left: round the clock again


def test_a_dialled_number_can_hear_one_sites_hours(world: World) -> None:
    opening = OpeningHours(ZONE, world.clock.now, sites={"95588-2": "shanghai"})
    weekday, opens, closes = around_now(world)
    shut = {(weekday + 1) % 7}
    opening.load([BusinessHoursRecord(site="beijing", weekday=weekday, opens=opens, closes=closes),
                  *(BusinessHoursRecord(site="shanghai", weekday=d, opens=opens, closes=closes)
                    for d in shut)], [])
    assert opening.context(CALL)["business_hours"] == "true"  # the centre: Beijing works
    shanghai = CallArrived(call_id="c2", dialled_number="95588-2")
    assert opening.site_of("95588-2") == "shanghai"
    assert opening.context(shanghai)["business_hours"] == "false"
