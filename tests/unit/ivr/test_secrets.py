"""No PIN digits in any repr/str of inputs, outputs, states or errors."""

from __future__ import annotations

import pytest

from hotline.ivr import BankRequest, CallError, DigitsEntered, Secret, step
from hotline.ivr.library import shipped_flow
from tests.unit.ivr.scripted import CARD, START, Bank, Caller

PIN = "975312"  # digits that appear nowhere else in a call


def shown(value: object) -> str:
    return repr(value) + str(value)


def test_secret_masks_itself() -> None:
    secret = Secret(PIN)
    assert PIN not in shown(secret) + f"{secret}" + f"{secret!r}"
    assert secret.reveal() == PIN and secret == Secret(PIN) and secret != Secret("1")


def test_pin_shows_nowhere_in_a_call() -> None:
    c = (
        Caller(shipped_flow("bank-hotline"), Bank(pin=PIN))
        .call()
        .keys("1", "1", CARD, "135790", PIN)
    )
    requests = c.of(BankRequest)
    assert [r.secret.reveal() for r in requests if r.secret] == ["135790", PIN]  # type: ignore[attr-defined]
    for item in [*c.inputs, *c.outputs, *c.states]:
        assert PIN not in shown(item), item
    assert all(PIN not in shown(value) for s in c.states for value in s.variables.values())


def test_secret_collect_keeps_the_digits_masked_in_state() -> None:
    from hotline.ivr.loader import build_flow

    flow = build_flow(
        {
            "flow": "t", "version": 1, "languages": ["en"], "start": "ask",
            "prompts": {"p": {"en": "Code?"}},
            "nodes": {
                "ask": {"type": "collect", "prompt": "p", "into": "code", "secret": True,
                        "max_digits": 6, "next": "bye", "invalid": "bye"},
                "bye": {"type": "hangup"},
            },
        }
    )  # fmt: skip
    c = Caller(flow).call().keys(PIN)
    assert c.states[-1].variables["code"] == Secret(PIN)
    assert PIN not in shown(c.states[-1])


def test_errors_do_not_show_pins() -> None:
    c = Caller(shipped_flow("bank-hotline")).call()
    assert c.state is not None
    with pytest.raises(CallError) as caught:
        step(shipped_flow("bank-vip"), c.state, DigitsEntered(digits=PIN), START)
    assert PIN not in str(caught.value) + repr(caught.value)
