"""The IVR in the live server: scripted callers on the simulated switch walk the shipped flows
through the IVR runner, against the sandbox bank, into the live centre behind the API.

One caller authenticates, hears the balance and hangs up: contained, and today's IVR figures
on ``/api/v1/supervisor/ivr`` count it. Another asks for an agent and becomes a waiting contact
on the live stream with what the IVR learnt (intent, authenticated, a masked card). Nothing
recorded carries a PIN or a full card number.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hotline.banking.demo import DemoBank, DemoCredential, demo_bank
from hotline.banking.masking import mask_pan
from hotline.banking.model import Segment
from hotline.channels.ivr_bank import IvrBank, SandboxDirectory, yuan
from hotline.channels.ivr_session import IvrShell
from hotline.channels.telephony import RecordingFinished
from hotline.channels.telephony_sim import Leave, Move, Press, ScriptedCall, SimulatedTelephony
from hotline.core.commands import DefineWorkflow
from hotline.core.definitions import Workflow, WorkflowStep
from hotline.ivr.library import shipped_registry
from hotline.live.ivr_runner import (
    CentreRouting,
    IvrRunner,
    NullLine,
    ScriptedAnswerer,
    shell_clock,
)
from hotline.live.ivr_today import IvrToday
from hotline.web.app import create_app
from tests.unit.web.conftest import World, build_world, token
from tests.unit.web.test_stream import URL, bearer, events_until, next_data, on_loop

OPEN_HOURS = {"business_hours": "true", "holiday": "false"}
ZH = Press(keys="1")


class Line:
    """The live app with the IVR runner on the simulated switch, driven by the manual clock."""

    def __init__(self, world: World) -> None:
        self.world = world
        centre = world.services.centre
        # The shipped flows hand calls to the "general" workflow.
        centre.execute(DefineWorkflow(workflow=Workflow(
            name="general", steps=(WorkflowStep(queue="cards", timeout_s=None),))))
        opened = datetime(2026, 1, 1, tzinfo=UTC)
        self.demo: DemoBank = demo_bank(random.Random(11), customers=40, opened_at=opened)
        self.switch = SimulatedTelephony(start=datetime.fromtimestamp(centre.clock.now(), UTC))
        bank = self.demo.bank
        cards = {c.customer_id: c.pan for c in self.demo.credentials}

        def masked_card(gathered: Mapping[str, str]) -> dict[str, str]:
            pan = cards.get(gathered.get("customer_id", ""))
            return {"card": mask_pan(pan)} if pan else {}

        shell = IvrShell(telephony=self.switch, registry=shipped_registry(),
                         bank=IvrBank(bank, SandboxDirectory(bank)),
                         engine=CentreRouting(centre, enrich=masked_card),
                         clock=shell_clock(centre), estimate_wait=lambda workflow: 30.0)
        self.today = IvrToday(world.services.today.zone, centre.clock.now)
        self.runner = IvrRunner(shell, centre, today=self.today)
        world.services.extra["ivr_today"] = self.today
        world.services.extra["ivr_runner"] = self.runner

    def customer(self) -> DemoCredential:
        return next(c for c in self.demo.credentials if c.segment is not Segment.VIP)

    def call(self, call_id: str, *moves: Move) -> None:
        arrived = self.switch.ring(ScriptedCall(call_id=call_id, dialled_number="95588",
                                                caller_number="13912345678", script=moves))
        self.runner.ring(arrived, ScriptedAnswerer(self.switch), context=OPEN_HOURS)

    def run_out(self) -> None:
        """Let the clock run until no call is left in the IVR (prompts and keys take time)."""
        for _ in range(200):
            if not self.runner.live:
                return
            self.world.clock.advance(5.0)
        raise AssertionError(f"calls still in the IVR: {sorted(self.runner.live)}")

    def secrets(self) -> set[str]:
        return {c.pin for c in self.demo.credentials} | {c.pan for c in self.demo.credentials}


@pytest.fixture
def line() -> Iterator[Line]:
    ln = Line(build_world())
    yield ln
    records = [*map(repr, ln.switch.log), *map(str, ln.switch.log),
               *(repr(e) for _, e in ln.world.log.read())]
    for record in records:
        leaked = [s for s in ln.secrets() if s in record]
        assert not leaked, f"secret leaked into {record[:80]}"


@pytest.fixture
def client(line: Line) -> Iterator[TestClient]:
    with TestClient(create_app(lambda: line.world.services)) as c:
        yield c


def ivr(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/v1/supervisor/ivr", headers=token(client, "supervisor"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_caller_checks_the_balance_and_hangs_up_contained_and_counted(
        client: TestClient, line: Line) -> None:
    assert ivr(client)["entered"] == 0
    cred = line.customer()
    state = line.demo.bank.state
    balance = state.ledger.balance(state.cards[cred.card_id].account_id)
    on_loop(client, lambda: line.call("c1", ZH, Press(keys="1"), Press(keys=cred.pan + "#"),
                                      Press(keys=cred.pin), Leave()))
    assert "c1" in line.runner.live  # waiting for keys on the clock, not run through at once
    on_loop(client, line.run_out)
    said = [p.prompt_id for p in line.switch.played("c1")]
    assert "balance_is" in said and "anything_else" in said
    assert yuan(balance) in line.switch.played("c1")[said.index("balance_is")].text
    assert "c1" not in line.world.services.centre.engine.contacts  # never offered to agents
    got = ivr(client)
    assert got["enabled"] is True
    assert got["entered"] == 1 and got["outcomes"] == {"abandoned": 1}
    assert got["containment"] == 1.0
    assert (got["auth_calls"], got["auth_succeeded"], got["lockouts"]) == (1, 1, 0)
    funnel = {f["node"]: f for f in got["funnel"]}
    assert funnel["balance_auth"]["entered"] == 1
    assert funnel["anything_else"]["dropped"] == 1


def test_a_caller_who_asks_for_an_agent_waits_on_the_stream_with_the_ivrs_attributes(
        client: TestClient, line: Line) -> None:
    cred = line.customer()
    with client.websocket_connect(f"{URL}?token={bearer(client, 'supervisor')}") as ws:
        next_data(ws, "snapshot")
        on_loop(client, lambda: line.call("c2", ZH, Press(keys="1"), Press(keys=cred.pan + "#"),
                                          Press(keys=cred.pin), Press(keys="0")))
        on_loop(client, line.run_out)
        centre = line.world.services.centre
        items = events_until(ws, centre.seq)
    queued = [i["event"] for i in items if i["event"]["type"] == "ContactQueued"]
    assert len(queued) == 1
    contact = centre.engine.contacts["c2"]
    assert contact.state == "waiting"
    attributes = contact.attributes
    assert attributes["intent"] == "balance"
    assert attributes["authenticated"] == "true"
    assert attributes["customer_id"] == cred.customer_id
    assert attributes["card"] == mask_pan(cred.pan) and attributes["card"] != cred.pan
    assert queued[0]["attributes"]["card"] == mask_pan(cred.pan)
    assert queued[0]["attributes"]["intent"] == "balance"
    got = ivr(client)
    assert got["outcomes"] == {"enqueued": 1} and got["containment"] == 0.0


def test_without_the_runner_the_endpoint_says_so(client: TestClient, line: Line) -> None:
    del line.world.services.extra["ivr_today"]
    assert ivr(client) == {"enabled": False}


def test_the_demo_line_takes_a_message_at_the_voicemail_tone() -> None:
    line = NullLine(random.Random(7))
    got = line.record("c1", name="vm-general-1", max_s=30.0, beep=True)
    assert isinstance(got, RecordingFinished) and got.hung_up
    assert 6.0 <= got.duration_s <= 30.0 and got.name == "vm-general-1"
    assert line.record("c2", name="vm", max_s=3.0, beep=True).duration_s == 3.0  # the limit
