"""The interpreter's contract: what it accepts, ignores and refuses."""

from __future__ import annotations

from datetime import datetime

import pytest

from hotline.ivr import (
    BankReplied,
    CallerHungUp,
    CallError,
    CallStarted,
    Collect,
    DigitsEntered,
    EstimatedWait,
    InputTimedOut,
    IvrEntered,
    NodeEntered,
    Play,
    PromptFinished,
    Wait,
    build_flow,
    new_call,
    step,
)
from tests.unit.ivr.flows import tiny
from tests.unit.ivr.scripted import START, Caller

FLOW = build_flow(tiny())


def started() -> Caller:
    return Caller(FLOW).call()


def test_start_enters_the_flow_and_asks() -> None:
    c = started()
    assert c.outputs == [
        IvrEntered(flow="tiny", version=1, dialled_number="95588"),
        NodeEntered(node="main_menu"),
        Play(prompt_id="menu", text="余额请按1", language="zh"),
        Collect(max_digits=1, timeout_s=5.0),
    ]
    assert c.state is not None and c.state.wait is Wait.DIGITS


def test_refused_inputs_leave_the_state_unchanged() -> None:
    state = new_call(FLOW)
    with pytest.raises(CallError, match="DigitsEntered: the call has not started"):
        step(FLOW, state, DigitsEntered(digits="1"), START)
    with pytest.raises(CallError, match="has no time zone"):
        step(FLOW, state, CallStarted(dialled_number="1"), datetime(2026, 1, 1))  # noqa: DTZ001
    c = started()
    assert c.state is not None
    with pytest.raises(CallError, match="CallStarted: the call has already started"):
        step(FLOW, c.state, CallStarted(dialled_number="1"), START)
    with pytest.raises(
        CallError, match="BankReplied: no bank request is pending at node 'main_menu'"
    ):
        step(FLOW, c.state, BankReplied(ok=True), START)
    with pytest.raises(CallError, match="EstimatedWait: no wait estimate was asked"):
        step(FLOW, c.state, EstimatedWait(seconds=3), START)
    other = build_flow({**tiny(), "version": 2})
    with pytest.raises(CallError, match="call is on flow tiny v1, not tiny v2"):
        step(other, c.state, InputTimedOut(), START)


def test_ignored_inputs_return_the_same_state() -> None:
    c = started().keys("1", "6222020200001234567")
    assert c.state is not None
    state, _ = step(FLOW, c.state, DigitsEntered(digits="246810"), START)
    assert state.wait is Wait.BANK
    for event in (DigitsEntered(digits="5"), InputTimedOut(), PromptFinished(prompt_id="x")):
        assert step(FLOW, state, event, START) == (state, ())


def test_everything_after_the_end_is_ignored() -> None:
    c = started().hang_up()
    assert c.state is not None and c.state.ended
    for event in (CallerHungUp(), DigitsEntered(digits="1"), BankReplied(ok=False)):
        assert step(FLOW, c.state, event, START) == (c.state, ())


def test_bank_failure_without_a_code_counts_as_unavailable() -> None:
    c = started().keys("1", "6222020200001234567")
    assert c.state is not None
    state, _ = step(FLOW, c.state, DigitsEntered(digits="246810"), START)
    state, _ = step(FLOW, state, BankReplied(ok=False), START)
    assert state.variables["auth_error"] == "unavailable" and state.ended


def test_states_are_not_shared_between_steps() -> None:
    c = started().keys("1", "6222020200001234567")
    first, second = c.states[0], c.states[-1]
    assert "card" not in first.variables and second.variables["card"] == "6222020200001234567"
