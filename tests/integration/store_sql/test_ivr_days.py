"""Each day's IVR counts in the database, on SQLite and PostgreSQL: saved, replaced, read back
after a reopen; a bad day is named and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.ivr_days import IvrDayStore
from hotline.store.sql.schema import ivr_days


def test_a_days_counts_are_replaced_and_read_back_after_a_reopen(engine: Engine) -> None:
    store = IvrDayStore(engine)
    store.save("2026-03-02", {"entered": 3, "outcomes": {"completed": 2}})
    store.save("2026-03-02", {"entered": 5, "outcomes": {"completed": 4}})
    store.save("2026-03-03", {"entered": 1, "outcomes": {}})
    again = IvrDayStore(engine)
    assert again.load("2026-03-02") == {"entered": 5, "outcomes": {"completed": 4}}
    assert again.load("2026-03-03") == {"entered": 1, "outcomes": {}}
    assert again.load("2026-03-04") is None
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(ivr_days)).scalar_one() == 2


@pytest.mark.parametrize("day", ["", "2026-3-2", "yesterday", "2026-03-02T00:00"])
def test_a_bad_day_is_named_and_writes_nothing(engine: Engine, day: str) -> None:
    store = IvrDayStore(engine)
    with pytest.raises(InvalidRecord, match=r"^day: must be an ISO date \(YYYY-MM-DD\)"):
        store.save(day, {"entered": 1})
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(ivr_days)).scalar_one() == 0
