"""The in-memory fake honours the ``EventLog`` contract, plus what is particular to it."""

from __future__ import annotations

import pytest

from hotline.core import events as ev
from hotline.store.errors import EventNotStorable
from hotline.store.eventlog_memory import InMemoryEventLog
from tests.unit.store.contract import EventLogContract, wake


class TestInMemoryEventLog(EventLogContract):
    @pytest.fixture
    def log(self) -> InMemoryEventLog:
        return InMemoryEventLog()


def unserialisable() -> ev.ContactQueued:
    return ev.ContactQueued(at=5.0, contact_id="c1", channel="voice", workflow="w", queue="q",
                            priority=0, attributes={"blob": object()})  # type: ignore[dict-item]


def test_refuses_what_sqlite_refuses_all_or_nothing() -> None:
    log = InMemoryEventLog([wake(1)])
    with pytest.raises(EventNotStorable) as info:
        log.append([wake(2), unserialisable(), wake(3)])
    assert str(info.value).startswith("events[1] (ContactQueued): cannot be written as JSON (")
    assert str(info.value).endswith("; nothing was appended")
    assert log.last_seq() == 1


def test_unchecked_log_still_refuses_non_events() -> None:
    log = InMemoryEventLog(check_json=False)
    assert log.append([unserialisable()]) == 1
    with pytest.raises(EventNotStorable, match=r"events\[0\] \(int\): not an event type"):
        log.append([42])  # type: ignore[list-item]
    assert len(log) == 1


def test_a_reader_sees_events_appended_while_it_reads() -> None:
    log = InMemoryEventLog([wake(1), wake(2)])
    reader = log.read()
    assert next(reader)[0] == 1
    log.append([wake(3)])
    assert [s for s, _ in reader] == [2, 3]


def test_initial_events() -> None:
    log = InMemoryEventLog([wake(1), wake(2)])
    assert log.last_seq() == 2
    assert [e for _, e in log.read()] == [wake(1), wake(2)]
