"""What every ``EventLog`` adapter must do; subclass and provide the ``log`` fixture.

The fake runs it in ``tests/unit/store``, the SQLite log in ``tests/integration``; a future
PostgreSQL log subclasses it the same way.
"""

from __future__ import annotations

from typing import Any

import pytest

from hotline.core import events as ev
from hotline.core.ports import EventLog
from hotline.store.errors import EventNotStorable, InvalidArgument
from tests.unit.store.session import scripted_session


def wake(n: int) -> ev.WakeUpRequested:
    return ev.WakeUpRequested(at=1000.0 + n, key=f"k{n}", due=2000.0 + n)


class EventLogContract:
    def test_is_an_event_log(self, log: EventLog) -> None:
        assert isinstance(log, EventLog)

    def test_empty_log(self, log: EventLog) -> None:
        assert log.last_seq() == 0
        assert list(log.read()) == []

    def test_sequence_starts_at_one_without_gaps_across_batches(self, log: EventLog) -> None:
        assert log.append([wake(1), wake(2), wake(3)]) == 3
        assert log.append([wake(4)]) == 4
        assert log.append([wake(5), wake(6)]) == 6
        assert log.last_seq() == 6
        got = list(log.read())
        assert [seq for seq, _ in got] == [1, 2, 3, 4, 5, 6]
        assert [e for _, e in got] == [wake(n) for n in range(1, 7)]

    def test_empty_append_changes_nothing(self, log: EventLog) -> None:
        log.append([wake(1), wake(2)])
        assert log.append([]) == 2
        assert log.last_seq() == 2

    def test_read_after_and_limit(self, log: EventLog) -> None:
        log.append([wake(n) for n in range(1, 11)])
        assert [s for s, _ in log.read(after=7)] == [8, 9, 10]
        assert [s for s, _ in log.read(limit=2)] == [1, 2]
        assert [(s, e.key) for s, e in log.read(after=2, limit=3)] == [  # type: ignore[attr-defined]
            (3, "k3"), (4, "k4"), (5, "k5")]
        assert list(log.read(after=4, limit=0)) == []
        assert list(log.read(after=10)) == []
        assert list(log.read(after=99, limit=5)) == []
        assert [s for s, _ in log.read(after=8, limit=50)] == [9, 10]

    @pytest.mark.parametrize(("kwargs", "message"), [
        ({"after": -1}, "after: must be a whole number ≥ 0, got -1"),
        ({"after": 1.5}, "after: must be a whole number ≥ 0, got 1.5"),
        ({"limit": -3}, "limit: must be None or a whole number ≥ 0, got -3"),
        ({"limit": "10"}, "limit: must be None or a whole number ≥ 0, got '10'"),
    ])
    def test_bad_read_arguments(self, log: EventLog, kwargs: dict[str, Any],
                                message: str) -> None:
        with pytest.raises(InvalidArgument) as info:
            log.read(**kwargs)
        assert str(info.value) == message

    def test_a_non_event_in_a_batch_appends_nothing(self, log: EventLog) -> None:
        log.append([wake(1)])
        with pytest.raises(EventNotStorable) as info:
            log.append([wake(2), "not an event", wake(3)])  # type: ignore[list-item]
        assert str(info.value) == ("events[1] (str): not an event type of "
                                   "hotline.core.events.EVENT_TYPES; nothing was appended")
        assert log.last_seq() == 1
        assert log.append([wake(4)]) == 2

    def test_every_event_of_a_session_comes_back_equal(self, log: EventLog) -> None:
        events = scripted_session().events
        assert {type(e).__name__ for e in events} == set(ev.EVENT_TYPES)
        log.append(events[:40])
        log.append(events[40:])
        got = list(log.read())
        assert [s for s, _ in got] == list(range(1, len(events) + 1))
        assert [e for _, e in got] == events
        assert [type(e) for _, e in got] == [type(e) for e in events]
