"""The batching sink appends in batches, keeps order and flushes the rest on the way out."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from hotline.core import events as ev
from hotline.store.errors import InvalidArgument
from hotline.store.eventlog_memory import InMemoryEventLog
from hotline.store.eventlog_writer import BatchingEventWriter
from tests.unit.store.contract import wake


class CountingLog(InMemoryEventLog):
    def __init__(self) -> None:
        self.batches: list[int] = []
        super().__init__()

    def append(self, events: Sequence[ev.Event]) -> int:
        batch = list(events)
        if batch:
            self.batches.append(len(batch))
        return super().append(batch)


def test_appends_in_batches_and_flushes_the_rest() -> None:
    log = CountingLog()
    with BatchingEventWriter(log, batch_size=4) as sink:
        for n in range(10):
            sink(wake(n))
        assert log.batches == [4, 4]
    assert log.batches == [4, 4, 2]
    assert sink.written == 10
    assert [e for _, e in log.read()] == [wake(n) for n in range(10)]


def test_flushes_what_happened_before_a_crash() -> None:
    log = InMemoryEventLog()
    with pytest.raises(RuntimeError), BatchingEventWriter(log, batch_size=100) as sink:
        sink(wake(1))
        sink(wake(2))
        raise RuntimeError("twin crashed")
    assert log.last_seq() == 2


def test_flush_returns_the_last_seq() -> None:
    log = InMemoryEventLog([wake(0)])
    sink = BatchingEventWriter(log)
    sink(ev.AgentLoggedOut(at=3.0, agent_id="a1"))
    assert sink.flush() == 2
    assert sink.flush() == 2


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(InvalidArgument, match=r"^batch_size: must be ≥ 1, got 0$"):
        BatchingEventWriter(InMemoryEventLog(), batch_size=0)
