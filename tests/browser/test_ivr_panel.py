"""The wallboard's IVR panel shows today's containment, authentication and drop-out funnel."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from hotline.banking.demo import demo_bank
from hotline.banking.model import Segment
from hotline.channels.ivr_bank import IvrBank, SandboxDirectory
from hotline.channels.ivr_session import IvrShell
from hotline.channels.telephony_sim import Leave, Press, ScriptedCall, SimulatedTelephony
from hotline.core.commands import DefineQueue, DefineWorkflow
from hotline.core.definitions import QueueSpec, Workflow, WorkflowStep
from hotline.core.engine import Engine
from hotline.ivr.library import shipped_registry
from hotline.live.ivr_today import IvrToday
from tests.browser.conftest import SCREENSHOTS, LiveServer, NewContext
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser
OPEN_HOURS = {"business_hours": "true", "holiday": "false"}


def test_the_ivr_panel_shows_the_calls_that_ended_in_the_ivr(
        live_server: LiveServer, new_context: NewContext) -> None:
    opened = datetime(2026, 1, 1, tzinfo=UTC)
    demo = demo_bank(random.Random(11), customers=20, opened_at=opened)
    switch = SimulatedTelephony(start=opened)
    engine = Engine()
    engine.handle(DefineQueue(queue=QueueSpec(name="general", expression="true")), 0.0)
    engine.handle(DefineWorkflow(workflow=Workflow(
        name="general", steps=(WorkflowStep(queue="general", timeout_s=None),))), 0.0)
    shell = IvrShell(telephony=switch, registry=shipped_registry(),
                     bank=IvrBank(demo.bank, SandboxDirectory(demo.bank)), engine=engine,
                     clock=lambda: opened, estimate_wait=lambda workflow: 30.0)
    today: IvrToday = live_server.call(lambda: IvrToday(
        live_server.services.today.zone, live_server.services.centre.clock.now))
    live_server.services.extra["ivr_today"] = today

    board = sign_in(new_context(), live_server.url, "supervisor", "/wallboard")
    expect(board.locator("#ivr-panel")).to_be_visible()
    expect(board.locator("#ivr-entered")).to_have_text("0")

    cred = next(c for c in demo.credentials if c.segment is not Segment.VIP)
    calls = [  # two balance checks that end in the IVR, one caller who gives up at the menu
        (Press(keys="1"), Press(keys="1"), Press(keys=cred.pan + "#"), Press(keys=cred.pin),
         Leave()),
        (Press(keys="1"), Press(keys="1"), Press(keys=cred.pan + "#"), Press(keys=cred.pin),
         Leave()),
        (Press(keys="1"), Leave()),
    ]
    for i, moves in enumerate(calls):
        arrived = switch.ring(ScriptedCall(call_id=f"c{i}", dialled_number="95588",
                                           caller_number="13912345678", script=moves))
        result = shell.run_call(arrived, context=OPEN_HOURS)
        live_server.call(lambda r=result: today.add(r))  # type: ignore[misc]

    expect(board.locator("#ivr-entered")).to_have_text("3", timeout=8000)  # polled every 5 s
    expect(board.locator("#ivr-containment")).to_have_text("100%")
    expect(board.locator("#ivr-auth-calls")).to_have_text("2 of 2")
    panel, tile = (board.locator(sel).bounding_box() for sel in ("#ivr-panel", "#ivr-lockouts"))
    assert panel and tile and tile["x"] + tile["width"] <= panel["x"] + panel["width"]
    rows = board.locator("#ivr-funnel tbody tr")
    expect(rows.first).to_contain_text("choose_language")
    board.locator("#ivr-panel").screenshot(path=str(SCREENSHOTS / "wallboard-ivr.png"))
    board.screenshot(path=str(SCREENSHOTS / "wallboard-with-ivr.png"), full_page=True)
    assert cred.pin not in board.content() and cred.pan not in board.content()
