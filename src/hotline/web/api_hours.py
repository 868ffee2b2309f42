"""Business hours per site and weekday, and the centre's holidays: what the IVR hears.

Admins change, supervisors read; every change is audited. A weekday without hours is closed
for its site (once the site has hours on some day); a site without any is always open, so
``DELETE`` of a weekday closes it and deleting them all reopens the site round the clock
(`hotline.ivr.opening`). A holiday closes every site. After each change the live IVR's
`OpeningHours` is reloaded, so the next call hears it (``services.extra["opening"]``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field

from hotline.live.opening_hours import OpeningHours
from hotline.store.sql.directory import Directory
from hotline.store.sql.records import (
    BusinessHoursRecord,
    HolidayRecord,
    validate_business_hours,
    validate_holiday,
)
from hotline.web.api_admin import ADMINS, READERS, Body, directory, stored
from hotline.web.api_supervisor import audit
from hotline.web.deps import require, services
from hotline.web.ports import Session
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class HoursBody(Body):
    opens: str = Field(description="local time of the centre, HH:MM", examples=["09:00"])
    closes: str = Field(description="HH:MM after opens; 24:00 for midnight", examples=["18:00"])


class HolidayBody(Body):
    name: str = Field(examples=["Spring Festival"])


def refresh_opening(svc: Services) -> None:
    """Hand the directory's hours and holidays to the live IVR (after a change, at start-up)."""
    found = svc.extra.get("opening")
    if isinstance(found, OpeningHours):
        d = directory(svc)
        found.load(d.list_business_hours(), d.list_holidays())


def _hours(r: BusinessHoursRecord) -> dict[str, Any]:
    return {"site": r.site, "weekday": r.weekday, "day": WEEKDAYS[r.weekday],
            "opens": r.opens, "closes": r.closes}


def _holiday(r: HolidayRecord) -> dict[str, Any]:
    return {"day": r.day.isoformat(), "name": r.name}


def _now(svc: Services, d: Directory) -> dict[str, Any] | None:
    """What a call arriving now hears, per site with hours and for the whole centre."""
    found = svc.extra.get("opening")
    if not isinstance(found, OpeningHours):
        return None
    sites = sorted({h.site for h in d.list_business_hours()})
    return {"centre": found.now(None).context(),
            "sites": {s: found.now(s).context() for s in sites},
            "zone": str(found.zone)}


@router.get("/business-hours", summary="Opening hours per site and weekday, and holidays")
async def list_hours(site: str | None = None, who: Session = require(*READERS),
                     svc: Services = Depends(services)) -> dict[str, Any]:
    d = directory(svc)
    return {"hours": [_hours(h) for h in d.list_business_hours(site)],
            "holidays": [_holiday(h) for h in d.list_holidays()],
            "weekdays": list(WEEKDAYS), "now": _now(svc, d)}


@router.put("/business-hours/{site}/{weekday}",
            summary="Set a site's hours on a weekday (0 Monday .. 6 Sunday)")
async def put_hours(site: str, weekday: int, body: HoursBody, who: Session = require(*ADMINS),
                    svc: Services = Depends(services)) -> dict[str, Any]:
    record = BusinessHoursRecord(site=site, weekday=weekday, opens=body.opens, closes=body.closes)
    d = directory(svc)
    with stored():
        validate_business_hours(record)
        created = d.get_business_hours(site, weekday) is None
        d.put_business_hours(record)
    refresh_opening(svc)
    audit(svc, who, "put_business_hours", f"{site}/{weekday}", _hours(record))
    return {"hours": _hours(record), "created": created}


@router.delete("/business-hours/{site}/{weekday}",
               summary="Close a site on a weekday (its last hours gone: open round the clock)")
async def delete_hours(site: str, weekday: int, who: Session = require(*ADMINS),
                       svc: Services = Depends(services)) -> dict[str, Any]:
    with stored():
        directory(svc).delete_business_hours(site, weekday)
    refresh_opening(svc)
    audit(svc, who, "delete_business_hours", f"{site}/{weekday}", {})
    return {"deleted": f"{site}/{weekday}"}


@router.get("/holidays", summary="The centre's holidays (every site closed)")
async def list_holidays(who: Session = require(*READERS),
                        svc: Services = Depends(services)) -> dict[str, Any]:
    return {"holidays": [_holiday(h) for h in directory(svc).list_holidays()]}


@router.put("/holidays/{day}", summary="Create or rename a holiday (day: YYYY-MM-DD)")
async def put_holiday(day: date, body: HolidayBody, who: Session = require(*ADMINS),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    record = HolidayRecord(day=day, name=body.name)
    d = directory(svc)
    with stored():
        validate_holiday(record)
        created = d.get_holiday(day) is None
        d.put_holiday(record)
    refresh_opening(svc)
    audit(svc, who, "put_holiday", day.isoformat(), _holiday(record))
    return {"holiday": _holiday(record), "created": created}


@router.delete("/holidays/{day}", summary="Remove a holiday")
async def delete_holiday(day: date, who: Session = require(*ADMINS),
                         svc: Services = Depends(services)) -> dict[str, Any]:
    with stored():
        directory(svc).delete_holiday(day)
    refresh_opening(svc)
    audit(svc, who, "delete_holiday", day.isoformat(), {})
    return {"deleted": day.isoformat()}
