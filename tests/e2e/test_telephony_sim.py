"""The simulated switch on its own: how scripted keys become collect results, and its errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.channels.errors import CallNotLive
from hotline.channels.telephony import CallHungUp, CollectTimedOut, DigitsCollected
from hotline.channels.telephony_sim import Leave, Press, ScriptedCall, Silent, SimulatedTelephony

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _answered(*moves: Press | Silent | Leave) -> SimulatedTelephony:
    sim = SimulatedTelephony(start=START)
    sim.ring(ScriptedCall(call_id="c", dialled_number="95588", script=moves))
    sim.answer("c")
    return sim


def _collect(sim: SimulatedTelephony, max_digits: int = 6, min_digits: int = 1) -> object:
    return sim.collect(
        "c", max_digits=max_digits, min_digits=min_digits, terminator="#", timeout_s=5, secret=True
    )


def test_terminator_ends_entry_and_is_stripped() -> None:
    sim = _answered(Press(keys="123#"))
    assert _collect(sim) == DigitsCollected(call_id="c", digits="123")
    assert sim.now() == START + timedelta(seconds=2)


def test_too_few_keys_without_terminator_time_out_after_the_timeout() -> None:
    sim = _answered(Press(keys="12"))
    assert _collect(sim, min_digits=4) == CollectTimedOut(call_id="c")
    assert sim.now() == START + timedelta(seconds=7)


def test_keys_past_max_digits_are_cut_silence_times_out_leave_hangs_up() -> None:
    sim = _answered(Press(keys="12345678"), Silent(), Leave())
    assert _collect(sim) == DigitsCollected(call_id="c", digits="123456")
    assert _collect(sim) == CollectTimedOut(call_id="c")
    assert _collect(sim) == CallHungUp(call_id="c", by="caller")
    assert sim.ended("c")


def test_digits_never_show_in_repr_or_str() -> None:
    event = DigitsCollected(call_id="c", digits="246810")
    assert "246810" not in repr(event) and "246810" not in str(event)
    assert "<6 masked>" in repr(event)
    assert "246810" not in repr(Press(keys="246810"))


def test_errors_name_the_call_and_the_reason() -> None:
    sim = SimulatedTelephony(start=START)
    with pytest.raises(CallNotLive, match="call x: never rang"):
        sim.answer("x")
    sim.ring(ScriptedCall(call_id="c", dialled_number="95588"))
    with pytest.raises(CallNotLive, match="call c: is not answered"):
        sim.play("c", prompt_id="p", text="hi", language="en")
    sim.answer("c")
    sim.hang_up("c")
    with pytest.raises(CallNotLive, match="call c: is over"):
        _collect(sim)
    with pytest.raises(ValueError, match="call d: script: a press needs keys from 0-9"):
        sim.ring(ScriptedCall(call_id="d", dialled_number="95588", script=(Press(keys="1a"),)))
    with pytest.raises(ValueError, match="start: 2026-03-02T10:00:00 has no time zone"):
        SimulatedTelephony(start=START.replace(tzinfo=None))
