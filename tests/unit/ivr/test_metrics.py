"""IVR metrics computed from scripted calls' outputs."""

from __future__ import annotations

import pytest

from hotline.ivr.library import shipped_flow
from hotline.ivr.metrics import FunnelStep, ivr_report
from tests.unit.ivr.scripted import CARD, PIN, Caller

FLOW = shipped_flow("bank-hotline")


def test_containment_funnel_authentication_and_csat() -> None:
    calls = [
        Caller(FLOW).call().keys("1", "1", CARD, PIN, "9", "5"),  # self-service, completed
        Caller(FLOW).call().keys("1", "1", CARD, "000000", PIN, "9", "2", "1"),  # one wrong PIN
        Caller(FLOW)
        .call()
        .keys("1", "1", CARD, "111111", "222222", "333333"),  # locked out → agents
        Caller(FLOW).call().keys("1").hang_up(),  # hangs up at the main menu
        Caller(FLOW).call().keys("1", "0"),  # straight to agents
    ]
    report = ivr_report(c.outputs for c in calls)
    assert report.entered == 5
    assert report.outcomes == {"completed": 2, "enqueued": 2, "abandoned": 1}
    assert report.containment == pytest.approx(3 / 5)
    assert report.served_containment == pytest.approx(2 / 5)
    assert (report.auth_calls, report.auth_succeeded, report.wrong_pins, report.lockouts) == (
        3, 2, 4, 1,
    )  # fmt: skip
    assert report.auth_success_rate == pytest.approx(2 / 3)
    assert report.lockout_rate == pytest.approx(1 / 3)
    assert (report.survey_answers, report.csat) == (2, 0.5)
    funnel = {step.node: step for step in report.funnel}
    assert funnel["main_menu"] == FunnelStep(node="main_menu", entered=5, dropped=1)
    assert funnel["main_menu"].drop_rate == pytest.approx(0.2)
    assert funnel["balance_auth"].entered == 3 and funnel["balance"].entered == 2
    assert report.funnel[0].entered == 5  # most-reached first


def test_empty_report() -> None:
    report = ivr_report([])
    assert (report.entered, report.containment, report.csat, report.funnel) == (0, 0.0, 0.0, ())
