"""`step(flow, state, input, now) -> (state, outputs)`: the pure IVR interpreter.

The shell owns the call: it performs the actions in order and feeds back what happened.

>>> state = new_call(flow)                                        # doctest: +SKIP
>>> state, out = step(flow, state, CallStarted(dialled_number="95588"), now)  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import datetime

from hotline.ivr.actions import IvrEntered, Output
from hotline.ivr.errors import CallError
from hotline.ivr.flow import Flow
from hotline.ivr.inputs import (
    BankReplied,
    CallerHungUp,
    CallStarted,
    DigitsEntered,
    EstimatedWait,
    Input,
    InputTimedOut,
    PromptFinished,
)
from hotline.ivr.runtime import Run
from hotline.ivr.state import CallState, Wait

Outputs = tuple[Output, ...]
_NOTHING: Outputs = ()


def new_call(flow: Flow) -> CallState:
    """A call pinned to ``flow``'s version, waiting for `CallStarted`."""
    return CallState(flow=flow.name, version=flow.version)


def step(flow: Flow, state: CallState, event: Input, now: datetime) -> tuple[CallState, Outputs]:
    """Apply one input to one call; return the new state and what to do, in order.

    Keys and timeouts that arrive while nothing is being collected, prompt ends, and
    anything after the end are ignored (returned unchanged). A `CallStarted` twice, an input
    before the start, or a bank answer or wait estimate nobody asked for raise `CallError`.
    """
    if state.flow != flow.name or state.version != flow.version:
        raise CallError(
            f"call is on flow {state.flow} v{state.version}, not {flow.name} v{flow.version}"
        )
    if now.tzinfo is None:
        raise CallError(f"now: {now.isoformat()} has no time zone")
    wait = state.wait
    if wait is Wait.START:
        if not isinstance(event, CallStarted):
            raise CallError(f"{type(event).__name__}: the call has not started")
        return _start(flow, state, event, now)
    if isinstance(event, CallStarted):
        raise CallError("CallStarted: the call has already started")
    if wait is Wait.ENDED or isinstance(event, PromptFinished):
        return state, _NOTHING
    run = Run(flow, state, now)
    node = flow.nodes[state.node]
    if isinstance(event, DigitsEntered):
        if wait is not Wait.DIGITS:
            return state, _NOTHING
        run.wait = Wait.NONE
        node.on_digits(run, event.digits)
    elif isinstance(event, InputTimedOut):
        if wait is not Wait.DIGITS:
            return state, _NOTHING
        run.wait = Wait.NONE
        node.on_timeout(run)
    elif isinstance(event, BankReplied):
        if wait is not Wait.BANK:
            raise CallError(f"BankReplied: no bank request is pending at node {state.node!r}")
        run.wait = Wait.NONE
        node.on_bank(run, event)
    elif isinstance(event, EstimatedWait):
        if wait is not Wait.ESTIMATE:
            raise CallError(f"EstimatedWait: no wait estimate was asked at node {state.node!r}")
        run.wait = Wait.NONE
        node.on_estimate(run, event.seconds)
    elif isinstance(event, CallerHungUp):
        run.end("abandoned")
    else:
        raise CallError(f"{type(event).__name__}: not an IVR input")
    return _finish(run, state)


def _start(
    flow: Flow, state: CallState, event: CallStarted, now: datetime
) -> tuple[CallState, Outputs]:
    run = Run(flow, state, now)
    run.started_at = now
    run.language = flow.default_language
    run.wait = Wait.NONE
    for name in flow.context:
        value = event.context.get(name)
        if value is not None:
            run.set(name, value)
    run.set("dialled_number", event.dialled_number)
    run.set("caller_number", event.caller_number)
    run.set("language", run.language)
    run.set("authenticated", "false")
    run.out.append(
        IvrEntered(flow=flow.name, version=flow.version, dialled_number=event.dialled_number)
    )
    run.go(flow.start)
    return _finish(run, state)


def _finish(run: Run, state: CallState) -> tuple[CallState, Outputs]:
    run.settle()
    if run.wait is Wait.NONE:  # every node must wait, move on or end; this is a bug if hit
        raise CallError(f"node {run.node!r} neither waited nor moved on")
    return run.state(state), tuple(run.out)
