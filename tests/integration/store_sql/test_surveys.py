"""Post-call survey answers on SQLite and PostgreSQL: once per contact, read back by time."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

import hotline.store.sql.surveys as surveys_module
from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.surveys import AlreadySurveyed, SurveyStore

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def record(store: SurveyStore, contact_id: str, score: int = 5, *, minutes: float = 0,
           reason: str | None = None, agent_id: str | None = "a1", queue: str | None = "cards",
           site: str | None = "bj") -> None:
    store.record(contact_id=contact_id, agent_id=agent_id, queue=queue, site=site, score=score,
                 reason=reason, at=T0 + timedelta(minutes=minutes))


def test_answers_come_back_from_a_time_on_oldest_first(engine: Engine) -> None:
    store = SurveyStore(engine)
    record(store, "c3", 2, minutes=30, reason="1", agent_id=None, queue=None, site=None)
    record(store, "c1", 5, minutes=-60)
    record(store, "c2", 4, minutes=10)
    shanghai = timezone(timedelta(hours=8))
    got = store.since(T0.astimezone(shanghai))  # the same instant in another zone
    assert [(a.contact_id, a.score, a.reason) for a in got] == [("c2", 4, None), ("c3", 2, "1")]
    assert got[0].at == T0 + timedelta(minutes=10) and got[0].at.tzinfo is UTC
    assert (got[0].queue, got[0].agent_id, got[0].site) == ("cards", "a1", "bj")
    assert (got[1].queue, got[1].agent_id, got[1].site) == (None, None, None)
    assert [a.contact_id for a in store.since(T0 - timedelta(hours=2))] == ["c1", "c2", "c3"]
    assert store.get("c1") is not None and store.get("nobody") is None


def test_a_contact_is_surveyed_once_and_a_retry_changes_nothing(engine: Engine) -> None:
    store = SurveyStore(engine)
    record(store, "c1", 4, reason="2")
    record(store, "c1", 4, reason="2")  # the same answer again: a retry
    with pytest.raises(AlreadySurveyed) as info:
        record(store, "c1", 1, minutes=1)
    assert str(info.value) == "contact_id: contact 'c1' has answered the survey already"
    assert info.value.field == "contact_id"
    assert [(a.score, a.reason) for a in store.since(T0)] == [(4, "2")]


@pytest.mark.parametrize(("changes", "message"), [
    ({"score": 6}, "score: must be a whole number from 1 to 5, got 6"),
    ({"score": "5"}, "score: must be a whole number from 1 to 5, got '5'"),
    ({"reason": "12"}, "reason: must be one digit 0–9 or nothing, got '12'"),
    ({"contact_id": ""}, "contact_id: must be 1–128 characters, got ''"),
    ({"queue": "q" * 129}, "queue: must be 1–128 characters, got '" + "q" * 129 + "'"),
    ({"site": ""}, "site: must be 1–64 characters, got ''"),
    ({"at": datetime(2026, 3, 2, 9)},  # noqa: DTZ001
     "at: must be an aware datetime, got datetime.datetime(2026, 3, 2, 9, 0)"),
])
def test_bad_answers_are_refused_naming_the_field(engine: Engine, changes: dict[str, object],
                                                  message: str) -> None:
    fields: dict[str, object] = {"contact_id": "c1", "agent_id": "a1", "queue": "cards",
                                 "site": "bj", "score": 5, "reason": None, "at": T0}
    fields.update(changes)
    with pytest.raises(InvalidRecord) as info:
        SurveyStore(engine).record(**fields)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert SurveyStore(engine).since(T0 - timedelta(days=1)) == []


def test_the_database_refuses_a_score_out_of_range_too(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(text("INSERT INTO surveys (contact_id, score, at) "
                       "VALUES ('c9', 9, CURRENT_TIMESTAMP)"))


def test_docstring_example() -> None:
    result = doctest.testmod(surveys_module)
    assert result.attempted > 0 and result.failed == 0
