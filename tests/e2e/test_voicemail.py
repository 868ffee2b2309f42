"""Voicemail end to end: simulated switch -> bank-hotline's closed-hours voicemail -> engine.

Out of hours the caller asks for an agent, hears the closed message, presses 1, hears the
greeting and speaks. A message becomes a callback contact in the mailbox's workflow with the
caller number, the recording and its length; hang-ups, empty messages and failed recordings
make no contact and are counted. No PIN or full card number reaches anything recorded.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from hotline.banking.demo import DemoBank, demo_bank
from hotline.banking.model import Segment
from hotline.channels.errors import ChannelError
from hotline.channels.ivr_bank import IvrBank, SandboxDirectory
from hotline.channels.ivr_session import CallResult, IvrShell
from hotline.channels.telephony import (
    CallBridged,
    CallHungUp,
    CollectTimedOut,
    RecordingFailed,
    RecordingFinished,
    RecordResult,
)
from hotline.channels.telephony_sim import (
    Leave,
    Move,
    Press,
    ScriptedCall,
    Silent,
    SimulatedTelephony,
    Speak,
)
from hotline.channels.voicemail import Mailbox, recording_name
from hotline.core.commands import LogIn, RegisterAgent
from hotline.core.definitions import AgentProfile
from hotline.core.engine import Engine
from hotline.core.events import ContactConnected, ContactQueued
from hotline.ivr.library import shipped_registry
from tests.e2e.engines import engine_with

OPENED = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 21:00 in Beijing: agents have gone home
CLOSED = {"business_hours": "false", "holiday": "false"}
CALLER = "13912345678"
ENGLISH, AGENT, LEAVE_MESSAGE = Press(keys="2"), Press(keys="0"), Press(keys="1")
TO_VOICEMAIL = (ENGLISH, AGENT, LEAVE_MESSAGE)


class FailingSwitch(SimulatedTelephony):
    """A switch whose disk is full: every recording fails."""

    def record(self, call_id: str, *, name: str, max_s: float, beep: bool) -> RecordResult:
        failed = RecordingFailed(call_id=call_id, name=name, cause="disk full")
        self.log.append(failed)
        return failed


@dataclass
class World:
    demo: DemoBank
    sim: SimulatedTelephony
    engine: Engine
    shell: IvrShell
    results: list[CallResult]

    def call(self, call_id: str, *moves: Move, caller: str = CALLER) -> CallResult:
        call = ScriptedCall(
            call_id=call_id, dialled_number="95588", caller_number=caller, script=moves
        )
        arrived = self.sim.ring(call)
        result = self.shell.run_call(arrived, context=CLOSED)
        self.results.append(result)
        return result

    def said(self, call_id: str) -> list[str]:
        return [p.prompt_id for p in self.sim.played(call_id)]


def _build(sim: SimulatedTelephony | None = None, **mailboxes: Mailbox) -> World:
    demo = demo_bank(random.Random(20260302), customers=40, vip_share=0.1, opened_at=OPENED)
    sim = sim or SimulatedTelephony(start=START)
    engine = engine_with("general", "vip", "messages", now=START.timestamp())
    shell = IvrShell(
        telephony=sim,
        registry=shipped_registry(),
        bank=IvrBank(demo.bank, SandboxDirectory(demo.bank)),
        engine=engine,
        clock=sim.now,
        estimate_wait=lambda workflow: 30.0,
        mailboxes=mailboxes,
    )
    return World(demo=demo, sim=sim, engine=engine, shell=shell, results=[])


def _no_secrets(w: World) -> None:
    state = w.demo.bank.state
    secrets = {c.pin for c in w.demo.credentials} | {c.pan for c in state.cards.values()}
    records = [*map(repr, w.sim.log), *map(str, w.sim.log)]
    for result in w.results:
        records += [repr(e) for e in result.ivr_events]
        records += [repr(e) for e in result.engine_events]
        records.append(repr(result.voicemail))
    for record in records:
        leaked = [s for s in secrets if s in record]
        assert not leaked, f"secret leaked into {record[:80]}"


@pytest.fixture
def world() -> Iterator[World]:
    w = _build()
    yield w
    _no_secrets(w)


def queued(result: CallResult) -> list[ContactQueued]:
    return [e for e in result.engine_events if isinstance(e, ContactQueued)]


def recordings(w: World, call_id: str) -> list[RecordingFinished]:
    return [e for e in w.sim.log if isinstance(e, RecordingFinished) and e.call_id == call_id]


def test_a_twelve_second_message_is_a_callback_contact_in_the_mailboxs_queue(
    world: World,
) -> None:
    r = world.call("vm1", *TO_VOICEMAIL, Speak(seconds=12))
    assert r.outcome == "voicemail"
    said = world.said("vm1")
    assert said[-2:] == ["closed", "leave_message"]  # the greeting, then the recording
    [rec] = recordings(world, "vm1")
    # 3 prompts said and 3 keys (2 s each) before it; the name holds the time it began.
    prompts_s = sum(max(1, len(p.text) // 10) for p in world.sim.played("vm1"))
    began = START + timedelta(seconds=prompts_s + 3 * 2)
    assert rec.name == recording_name("general", "vm1", began)
    assert (rec.duration_s, rec.hung_up) == (12.0, False)
    assert world.sim.now() == began + timedelta(seconds=12)
    [q] = queued(r)
    assert (q.contact_id, q.channel) == ("vm1", "callback")
    assert (q.workflow, q.queue) == ("general", "general")
    assert q.attributes["caller_number"] == CALLER
    assert q.attributes["voicemail"] == rec.name
    assert q.attributes["voicemail_s"] == 12.0
    assert q.attributes["mailbox"] == "general" and q.attributes["language"] == "en"
    # The caller is off the line once the message is taken: nobody waits on it.
    assert world.sim.log[-1] == CallHungUp(call_id="vm1", by="system")
    assert r.voicemail is not None and r.voicemail.outcome == "left"
    assert world.shell.voicemails.report() == {"left": 1, "empty": 0, "abandoned": 0, "failed": 0}


def test_an_agent_gets_the_message_and_the_caller_is_not_bridged(world: World) -> None:
    now = START.timestamp()
    profile = AgentProfile(
        agent_id="a1", site="beijing", skills={"general": 5}, languages=frozenset({"en"}),
        auto_accept=True,
    )  # fmt: skip
    world.engine.handle(RegisterAgent(profile=profile), now)
    world.engine.handle(LogIn(agent_id="a1", ready=True), now)
    r = world.call("vm2", *TO_VOICEMAIL, Speak(seconds=30, hang_up=True))
    [connected] = [e for e in r.engine_events if isinstance(e, ContactConnected)]
    assert (connected.agent_id, connected.channel) == ("a1", "callback")
    assert not [e for e in world.sim.log if isinstance(e, CallBridged)]
    # Hanging up is how most callers end a message: it is kept, and not hung up twice.
    assert recordings(world, "vm2")[0].hung_up
    assert [e for e in world.sim.log if isinstance(e, CallHungUp)] == [
        CallHungUp(call_id="vm2", by="caller")
    ]


def test_an_authenticated_caller_s_message_carries_who_they_are_and_no_secret(
    world: World,
) -> None:
    c = next(c for c in world.demo.credentials if c.segment is Segment.MASS)
    r = world.call(
        "vm3", ENGLISH, Press(keys="1"), Press(keys=f"{c.pan}#"), Press(keys=c.pin),
        AGENT, LEAVE_MESSAGE, Speak(seconds=20),
    )  # fmt: skip
    [q] = queued(r)
    assert q.attributes["customer_id"] == c.customer_id
    assert q.attributes["authenticated"] == "true" and q.attributes["intent"] == "balance"
    assert c.pin not in str(q.attributes["voicemail"]) and c.pan not in str(q.attributes)


def test_hang_up_during_the_greeting_records_nothing_and_is_counted(world: World) -> None:
    r = world.call("vm4", *TO_VOICEMAIL, Leave())
    assert world.said("vm4")[-1] == "leave_message"
    assert not recordings(world, "vm4") and not queued(r)
    assert r.voicemail is not None and r.voicemail.outcome == "abandoned"
    assert world.sim.log[-1] == CallHungUp(call_id="vm4", by="caller")
    assert world.shell.voicemails.counts["abandoned"] == 1


def test_an_empty_message_makes_no_work_but_is_counted(world: World) -> None:
    world.call("vm5", *TO_VOICEMAIL, Speak(seconds=0.6, hang_up=True))
    world.call("vm6", *TO_VOICEMAIL, Press(keys="#"))  # the terminator at once
    world.call("vm7", *TO_VOICEMAIL, Speak(seconds=1))  # one second is a message
    assert [len(queued(r)) for r in world.results] == [0, 0, 1]
    assert [r.voicemail.duration_s for r in world.results if r.voicemail] == [0.6, 0.0, 1.0]
    assert world.shell.voicemails.report() == {"left": 1, "empty": 2, "abandoned": 0, "failed": 0}
    assert world.shell.voicemails.by_mailbox["general"]["empty"] == 2


def test_a_mailbox_names_its_workflow_limit_and_priority() -> None:
    w = _build(general=Mailbox(workflow="messages", max_s=30, priority=3))
    r = w.call("vm8", *TO_VOICEMAIL, Speak(seconds=45))
    [rec] = recordings(w, "vm8")
    assert (rec.duration_s, rec.hung_up) == (30.0, False)  # cut at the limit, caller still on
    [q] = queued(r)
    assert (q.workflow, q.queue, q.priority, q.attributes["voicemail_s"]) == (
        "messages", "messages", 3, 30.0,
    )  # fmt: skip
    assert w.sim.log[-1] == CallHungUp(call_id="vm8", by="system")
    _no_secrets(w)


def test_silence_records_to_the_limit() -> None:
    w = _build(general=Mailbox(workflow="general", max_s=60))
    w.call("vm9", *TO_VOICEMAIL, Silent())
    assert recordings(w, "vm9")[0].duration_s == 60.0


def test_a_failed_recording_hangs_up_makes_no_work_and_is_counted() -> None:
    w = _build(FailingSwitch(start=START))
    r = w.call("vm10", *TO_VOICEMAIL, Speak(seconds=12))
    assert not queued(r)
    assert r.voicemail is not None and (r.voicemail.outcome, r.voicemail.cause) == (
        "failed", "disk full",
    )  # fmt: skip
    assert w.sim.log[-1] == CallHungUp(call_id="vm10", by="system")
    assert w.shell.voicemails.counts["failed"] == 1


def test_bad_mailboxes_and_scripts_are_refused_with_the_field() -> None:
    with pytest.raises(ChannelError, match=r"mailbox general max_s: must be at least 1\.0 s"):
        Mailbox(workflow="general", max_s=0)
    with pytest.raises(ChannelError, match="mailbox workflow: is empty"):
        Mailbox(workflow="")
    sim = SimulatedTelephony(start=START)
    with pytest.raises(ValueError, match="call x: script: a message needs seconds >= 0"):
        sim.ring(ScriptedCall(call_id="x", dialled_number="95588", script=(Speak(seconds=-1),)))


def test_speaking_at_a_menu_keys_nothing() -> None:
    sim = SimulatedTelephony(start=START)
    sim.ring(ScriptedCall(call_id="s", dialled_number="95588", script=(Speak(seconds=9),)))
    sim.answer("s")
    got = sim.collect("s", max_digits=1, min_digits=1, terminator="#", timeout_s=5, secret=False)
    assert got == CollectTimedOut(call_id="s") and sim.now() == START + timedelta(seconds=5)
