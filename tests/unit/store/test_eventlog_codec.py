"""Rows of the event log: the fast encoder agrees with ``to_json``; bad rows name seq and reason."""

from __future__ import annotations

import doctest
import math
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.core import events as ev
from hotline.store import errors, eventlog_codec, eventlog_memory, eventlog_writer
from hotline.store.errors import CorruptEvent, EventNotStorable
from hotline.store.eventlog_codec import decode, encode, iso_utc
from tests.unit.store.session import scripted_session


def test_encode_writes_exactly_to_json_for_every_event_of_a_session() -> None:
    events = scripted_session().events
    assert {type(e).__name__ for e in events} == set(ev.EVENT_TYPES)
    for event in events:
        kind, data = encode(event)
        assert kind == type(event).__name__
        assert data == ev.to_json(event)
        assert decode("log", 1, kind, data) == event


def test_encode_falls_back_to_to_json_for_values_json_cannot_take_directly() -> None:
    # A dataclass inside a field: json cannot write it, asdict (in to_json) turns it into a
    # dict, so the fallback decides and the text is still to_json's.
    @dataclass
    class Where:
        province: str

    event = ev.ContactQueued(at=1.0, contact_id="c", channel="voice", workflow="w", queue="q",
                             priority=0, attributes={"where": Where("北京")})  # type: ignore[dict-item]
    assert encode(event) == ("ContactQueued", ev.to_json(event))
    assert '"where":{"province":"北京"}' in ev.to_json(event)


@pytest.mark.parametrize(("at", "reason"), [
    (math.nan, "at: must be finite, got nan"),
    (math.inf, "at: must be finite, got inf"),
    ("yesterday", "at: must be seconds since the epoch, got 'yesterday'"),
    (True, "at: must be seconds since the epoch, got True"),
])
def test_encode_refuses_a_bad_instant(at: object, reason: str) -> None:
    with pytest.raises(EventNotStorable) as info:
        encode(ev.WakeUpRequested(at=at, key="k", due=1.0), 7)  # type: ignore[arg-type]
    assert str(info.value) == f"events[7] (WakeUpRequested): {reason}; nothing was appended"


def test_iso_utc_is_aware_and_fixed_width() -> None:
    assert iso_utc(1_767_225_600.0) == "2026-01-01T00:00:00.000000+00:00"
    assert iso_utc(1_767_225_600.5) == "2026-01-01T00:00:00.500000+00:00"


GOOD = ev.to_json(ev.WakeUpRequested(at=1.0, key="k", due=2.0))


@pytest.mark.parametrize(("kind", "data", "reason"), [
    ("Teleported", GOOD, "unknown event type 'Teleported'"),
    (None, GOOD, "unknown event type None"),
    ("WakeUpRequested", "{not json", "data is not valid JSON (Expecting property name"),
    ("WakeUpRequested", "[1, 2]", "data is not a JSON object"),
    ("WakeUpRequested", 12, "data is not text (got int)"),
    ("AgentLoggedOut", GOOD, "data says type 'WakeUpRequested' but the row says 'AgentLoggedOut'"),
    ("WakeUpRequested", '{"type":"WakeUpRequested","at":1.0,"key":"k"}',
     "WakeUpRequested: missing field(s) due"),
    ("WakeUpRequested", '{"type":"WakeUpRequested","at":"noon","key":"k","due":2}',
     "at: must be a number, got 'noon'"),
])
def test_decode_names_the_seq_and_the_reason(kind: object, data: object, reason: str) -> None:
    with pytest.raises(CorruptEvent) as info:
        decode("log.sqlite", 42, kind, data)
    assert str(info.value).startswith(f"log.sqlite: event 42: {reason}")
    assert info.value.seq == 42


@pytest.mark.parametrize("module", [errors, eventlog_codec, eventlog_memory, eventlog_writer])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, raise_on_error=False)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


@settings(max_examples=1000, deadline=None)
@given(st.floats(min_value=-2e9, max_value=4e9, allow_nan=False))
def test_iso_utc_is_exactly_what_datetime_writes(at: float) -> None:
    expected = datetime.fromtimestamp(at, tz=UTC).isoformat(timespec="microseconds")
    assert iso_utc(at) == expected


@pytest.mark.parametrize("at", [0.9999995, 1.0000005, -0.0000005, 2.5e-6, 3.5e-6,
                                1_767_225_600.9999996, -1.5e-7, -0.0])
def test_iso_utc_rounds_microseconds_like_datetime(at: float) -> None:
    assert iso_utc(at) == datetime.fromtimestamp(at, tz=UTC).isoformat(timespec="microseconds")
