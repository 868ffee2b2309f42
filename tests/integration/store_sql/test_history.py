"""Contact history on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.history import ContactHistory, ContactRecord

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _contact(n: int, customer: str = "cust-7", **changes: Any) -> ContactRecord:
    record = ContactRecord(contact_id=f"c{n}", customer_id=customer, channel="voice",
                           offered_at=T0 + timedelta(minutes=n), queue="bj-retail")
    return dataclasses.replace(record, **changes)


def test_record_then_complete_a_contact(engine: Engine) -> None:
    history = ContactHistory(engine)
    offered = _contact(1)
    history.record_contact(offered)
    assert history.get_contact("c1") == offered
    done = dataclasses.replace(offered, agent_id="a1",
                               answered_at=T0 + timedelta(minutes=1, seconds=12),
                               ended_at=T0 + timedelta(minutes=5), outcome="answered",
                               disposition="resolved", notes="Card unblocked.")
    history.record_contact(done)  # replaces the row
    assert history.get_contact("c1") == done
    assert history.recent_for_customer("cust-7") == [done]
    assert history.get_contact("c2") is None


def test_recent_contacts_newest_first(engine: Engine) -> None:
    history = ContactHistory(engine)
    for n in range(15):
        history.record_contact(_contact(n))
    history.record_contact(_contact(99, customer="cust-8"))
    assert [c.contact_id for c in history.recent_for_customer("cust-7")] == \
        [f"c{n}" for n in range(14, 4, -1)]
    assert [c.contact_id for c in history.recent_for_customer("cust-7", limit=2)] == \
        ["c14", "c13"]
    assert history.recent_for_customer("cust-9") == []
    assert all(c.offered_at.tzinfo is UTC for c in history.recent_for_customer("cust-7"))


@pytest.mark.parametrize(("changes", "message"), [
    ({"channel": "sms"}, "channel: must be one of voice, callback, outbound, email, fax, forum, "
                         "chat, got 'sms'"),
    ({"customer_id": ""}, "customer_id: must be 1–128 characters, got ''"),
    ({"offered_at": datetime(2026, 1, 5)},  # noqa: DTZ001 - the naive datetime under test
     "offered_at: must be an aware datetime, got datetime.datetime(2026, 1, 5, 0, 0)"),
    ({"answered_at": T0}, "answered_at: must not be before offered_at "
                          "(2026-01-05T09:01:00+00:00), got 2026-01-05T09:00:00+00:00"),
    ({"notes": "x" * 4001}, "notes: must be 1–4000 characters, got 4001"),
])
def test_bad_contacts_are_refused(engine: Engine, changes: dict[str, Any],
                                  message: str) -> None:
    history = ContactHistory(engine)
    with pytest.raises(InvalidRecord) as info:
        history.record_contact(_contact(1, **changes))
    assert str(info.value) == message
    assert history.get_contact("c1") is None
    with pytest.raises(InvalidRecord, match=r"^limit: must be a whole number from 1 to 100, "
                                             r"got 0$"):
        history.recent_for_customer("cust-7", limit=0)
