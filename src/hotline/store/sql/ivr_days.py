"""Each day's IVR counts (`hotline.live.ivr_today.IvrDays` over the ``ivr_days`` table).

>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> days = IvrDayStore(engine)
>>> days.save("2026-03-02", {"entered": 3})
>>> days.load("2026-03-02"), days.load("2026-03-03")
({'entered': 3}, None)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.schema import ivr_days
from hotline.store.sql.upsert import upsert

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _check_day(day: str) -> str:
    if not isinstance(day, str) or not _DAY.fullmatch(day):
        raise InvalidRecord("day", f"must be an ISO date (YYYY-MM-DD), got {day!r}")
    return day


class IvrDayStore:
    def __init__(self, engine: Engine, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock

    def load(self, day: str) -> Mapping[str, Any] | None:
        with self.engine.connect() as c:
            found = c.execute(select(ivr_days.c.tally)
                              .where(ivr_days.c.day == _check_day(day))).scalar_one_or_none()
        return dict(found) if found is not None else None

    def save(self, day: str, tally: Mapping[str, Any]) -> None:
        """Replace the day's counts."""
        row = {"day": _check_day(day), "tally": dict(tally), "updated_at": self.clock()}
        with self.engine.begin() as c:
            upsert(c, ivr_days, [row], keys=("day",))
