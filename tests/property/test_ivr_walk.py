"""Every node of the shipped flows, every key, silence and bank answer lead somewhere defined.

An exhaustive walk explores each flow from its start with a fixed alphabet of inputs
(every key, junk, silence, hang-up, right and wrong numbers and PINs, every bank failure
code); Hypothesis then drives random calls through the same flows.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.ivr import (
    AskEstimatedWait,
    BankReplied,
    BankRequest,
    CallerHungUp,
    CallStarted,
    CallState,
    Collect,
    DigitsEntered,
    EstimatedWait,
    Flow,
    Input,
    InputTimedOut,
    IvrEnded,
    NodeEntered,
    Output,
    Wait,
    new_call,
    step,
)
from hotline.ivr.actions import OUTCOMES
from hotline.ivr.library import SHIPPED, shipped_flow
from hotline.ivr.operations import FAILURE_CODES
from tests.unit.ivr.scripted import ACCOUNT, CARD, CREDIT_CARD, PIN, SAVINGS, START

FLOWS = {name: shipped_flow(name) for name in SHIPPED}
KEYS = [*"0123456789*#", "", "#", "99#", CARD, ACCOUNT, SAVINGS, CREDIT_CARD, PIN, "000000", "300"]
CONTEXTS = [
    {"business_hours": "true", "holiday": "false", "province": "BJ"},
    {"business_hours": "false", "holiday": "false"},
    {"business_hours": "true", "holiday": "true"},
    {"segment": "vip"},
]
DATA = {
    "customer_id": "C1", "segment": "vip", "account": ACCOUNT, "card": CARD, "balance": "1",
    "currency": "CNY", "reference": "R", "outstanding": "0", "count": "1",
}  # fmt: skip
ITEMS = ({"date": "1", "amount": "2", "description": "x"},)


def answers(state: CallState) -> list[Input]:
    """Every input worth trying in ``state``."""
    if state.wait is Wait.DIGITS:
        keyed: list[Input] = [DigitsEntered(digits=k) for k in KEYS]
        return [*keyed, InputTimedOut(), CallerHungUp()]
    if state.wait is Wait.BANK:
        failed: list[Input] = [BankReplied(ok=False, code=c) for c in sorted(FAILURE_CODES)]
        return [BankReplied(ok=True, data=DATA, items=ITEMS), *failed, CallerHungUp()]
    if state.wait is Wait.ESTIMATE:
        return [EstimatedWait(seconds=s) for s in (0.0, 10_000.0)]
    return []


def check(flow: Flow, state: CallState, out: tuple[Output, ...]) -> None:
    """A step always leaves the call somewhere defined."""
    assert state.wait in (Wait.DIGITS, Wait.BANK, Wait.ESTIMATE, Wait.ENDED)
    assert state.node in flow.nodes
    if state.wait is Wait.ENDED:
        ends = [o for o in out if isinstance(o, IvrEnded)]
        assert len(ends) == 1 and ends[0].outcome in OUTCOMES and out[-1] is ends[0]
    else:
        expected = {Wait.DIGITS: Collect, Wait.BANK: BankRequest, Wait.ESTIMATE: AskEstimatedWait}
        assert isinstance(out[-1], expected[state.wait]), out


BRANCHED_ON = ("business_hours", "holiday", "segment")


def key(state: CallState) -> tuple[object, ...]:
    """What can change where a call goes next (the walk's notion of "same state")."""
    return (
        state.node, state.phase, state.tries, state.attempts, state.wait,
        state.authenticated, state.handoff, *(state.variables.get(v) for v in BRANCHED_ON),
    )  # fmt: skip


def explore(flow: Flow) -> tuple[set[str], dict[str, CallState]]:
    """Breadth-first over call states; returns the nodes entered and, per asking node, a
    state that has just started asking there."""
    entered: set[str] = set()
    asking: dict[str, CallState] = {}
    todo: deque[CallState] = deque()
    seen: set[tuple[object, ...]] = set()
    for context in CONTEXTS:
        event = CallStarted(dialled_number="95588", caller_number="138", context=context)
        state, out = step(flow, new_call(flow), event, START)
        check(flow, state, out)
        entered.update(o.node for o in out if isinstance(o, NodeEntered))
        todo.append(state)
    while todo:
        state = todo.popleft()
        if key(state) in seen:
            continue
        seen.add(key(state))
        if state.wait is Wait.DIGITS and state.tries == 0 and state.phase == 0:
            asking.setdefault(state.node, state)
        for event in answers(state):
            after, out = step(flow, state, event, START + timedelta(seconds=5))
            check(flow, after, out)
            entered.update(o.node for o in out if isinstance(o, NodeEntered))
            if not after.ended:
                todo.append(after)
    return entered, asking


@pytest.mark.parametrize("name", SHIPPED)
def test_walk_reaches_every_node(name: str) -> None:
    flow = FLOWS[name]
    entered, _ = explore(flow)
    assert entered == set(flow.nodes)


DEFINED_BRANCH = {
    "menu": "invalid", "collect": "invalid", "language": "next", "confirm": "cancel",
    "survey": "next", "authenticate": "failed", "offer_callback": "next",
}  # fmt: skip


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("event", [DigitsEntered(digits="#"), InputTimedOut()], ids=repr)
def test_junk_and_silence_on_every_asking_node_take_its_defined_branch(
    name: str, event: Input
) -> None:
    flow = FLOWS[name]
    _, asking = explore(flow)
    waiting = {n for n, node in flow.nodes.items() if node.waits_for_caller}
    assert waiting <= set(asking)
    for node_name, state in asking.items():
        node = flow.nodes[node_name]
        branch = getattr(node, DEFINED_BRANCH[node.kind])
        if node.kind == "menu" and isinstance(event, InputTimedOut):
            branch = node.timeout  # type: ignore[attr-defined]
        outputs: list[Output] = []
        for _ in range(getattr(node, "retries", 0) + 1):
            state, out = step(flow, state, event, START)
            check(flow, state, out)
            outputs += out
        assert NodeEntered(node=branch) in outputs, (node_name, branch)


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, dict[str, str], list[int]]:
    return (
        draw(st.sampled_from(SHIPPED)),
        draw(st.sampled_from(CONTEXTS)),
        draw(st.lists(st.integers(0, 40), max_size=60)),
    )


@given(calls())
@settings(max_examples=200, deadline=None)
def test_random_calls_always_stay_defined(case: tuple[str, dict[str, str], list[int]]) -> None:
    name, context, choices = case
    flow = FLOWS[name]
    state, out = step(flow, new_call(flow), CallStarted(dialled_number="1", context=context), START)
    check(flow, state, out)
    for choice in choices:
        options = answers(state)
        if not options:
            break
        state, out = step(flow, state, options[choice % len(options)], START)
        check(flow, state, out)
