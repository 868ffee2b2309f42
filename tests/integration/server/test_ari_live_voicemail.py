"""The ARI line runs one caller's voicemail and another caller's menus at the same time.

Two calls out of hours (tests/fixtures/ari/voicemail_beside_menu.jsonl): call A leaves a 31 s
message; while it records, call B arrives and keys through the menus to the goodbye; A's
recording ends during B's goodbye. The replay fails on any request out of its recorded order,
so the worker must answer B, play its prompts and take its keys while A records (a worker held
by the recording would leave B unanswered until it ended), and hang A up and offer its message
while B's goodbye is still playing. The message becomes a callback contact on the live centre;
no PIN or card number reaches a log line or an adapter event.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hotline.banking.demo import demo_bank
from hotline.channels.ari_client import Frame, ReplayTransport
from hotline.channels.ivr_bank import IvrBank, SandboxDirectory
from hotline.channels.telephony import (
    CallAnswered,
    CallArrived,
    CallHungUp,
    DigitsCollected,
    PromptPlayed,
    RecordingFinished,
    TelephonyEvent,
)
from hotline.channels.telephony_ari import AriTelephony
from hotline.core import events as ev
from hotline.core.commands import DefineQueue, DefineWorkflow
from hotline.core.definitions import QueueSpec, Workflow, WorkflowStep
from hotline.ivr.library import shipped_registry
from hotline.live.centre import LiveCentre
from hotline.live.ivr_ari import AriLine
from hotline.live.ivr_runner import CentreRouting
from hotline.live.ivr_today import IvrToday
from hotline.store.eventlog_memory import InMemoryEventLog

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ari" / "voicemail_beside_menu.jsonl"
A, B = "1772456400.141", "1772456432.150"
CLOSED: Mapping[str, str] = {"business_hours": "false", "holiday": "false"}
PAN, PIN = "6222020200112233446", "480213"  # the keys of the other recordings: never here


class Paced:
    """The replay, waiting a little real time whenever nothing is due, so that recorded time
    does not race past the test while the worker waits for the event loop."""

    def __init__(self, replay: ReplayTransport) -> None:
        self.replay = replay

    def request(self, method: str, path: str, params: Mapping[str, str]) -> object:
        return self.replay.request(method, path, params)

    def receive(self, timeout_s: float) -> Frame | None:
        frame = self.replay.receive(timeout_s)
        if frame is None:
            time.sleep(0.005)
        return frame


class ReplayClock:
    """The centre's clock reads the recording's time; no timer is due within these calls."""

    def __init__(self, replay: ReplayTransport) -> None:
        self.replay = replay

    def now(self) -> float:
        return self.replay.now().timestamp()

    def call_at(self, due: float, callback: Callable[[], None]) -> threading.Timer:
        return threading.Timer(0, callback)  # never started: the test ends first


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(5)
    running.close()


def wait_for(line: AriLine, what: str, check: Callable[[], bool], timeout_s: float = 30.0
             ) -> None:
    end = time.monotonic() + timeout_s
    while not check():
        assert line.failed == 0 and line.running, f"the ARI line failed before {what}"
        if time.monotonic() > end:
            raise AssertionError(f"waited {timeout_s} s for {what}")
        time.sleep(0.02)


def test_one_callers_message_does_not_hold_up_another_callers_menus(
        loop: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    replay = ReplayTransport.load(FIXTURE)
    tel = AriTelephony(Paced(replay), clock=replay.now, wait_s=0.2)
    centre = LiveCentre(log=InMemoryEventLog(), clock=ReplayClock(replay))
    centre.execute(DefineQueue(queue=QueueSpec(name="general", expression="skills.cards >= 1")))
    centre.execute(DefineWorkflow(workflow=Workflow(
        name="general", steps=(WorkflowStep(queue="general", timeout_s=None),))))
    demo = demo_bank(random.Random(20260302), customers=20, vip_share=0.1,
                     opened_at=datetime(2026, 3, 1, tzinfo=timezone(timedelta(hours=8))))
    today = IvrToday(ZoneInfo("Asia/Shanghai"), centre.clock.now)
    line = AriLine(tel, centre, registry=shipped_registry(),
                   bank=IvrBank(demo.bank, SandboxDirectory(demo.bank)),
                   routing=CentreRouting(centre), today=today, loop=loop, context=CLOSED)
    line.start()
    try:
        wait_for(line, "both calls' ends", lambda: tel.ended(A) and tel.ended(B) and not line.runs)
        wait_for(line, "today's figures", lambda: today.report().entered == 2)
    finally:
        close = asyncio.run_coroutine_threadsafe(asyncio.to_thread(line.close), loop)
        close.result(15)
    assert not line.running and line.failed == 0
    replay.finish()  # every recorded request was made, in the recorded order

    log: list[TelephonyEvent] = list(tel.log)

    def at(event: TelephonyEvent) -> int:
        return log.index(event)

    [finished] = [e for e in log if isinstance(e, RecordingFinished)]
    assert (finished.call_id, finished.duration_s, finished.hung_up) == (A, 31.0, False)
    b_keys = [e for e in log if isinstance(e, DigitsCollected) and e.call_id == B]
    assert [e.digits for e in b_keys] == ["2", "0", "3"]
    goodbye = PromptPlayed(call_id=B, prompt_id="goodbye", text="Thank you for calling. Goodbye.",
                           language="en")
    # B arrived, was answered, keyed through the menus and heard its goodbye while A recorded...
    b_seen = [at(CallArrived(call_id=B, dialled_number="95588", caller_number="13800138000")),
              at(CallAnswered(call_id=B)), *map(at, b_keys), at(goodbye)]
    assert b_seen == sorted(b_seen) and b_seen[-1] < at(finished)
    # ... and A was hung up when its message ended, before B's goodbye was over.
    a_down, b_down = at(CallHungUp(call_id=A, by="system")), at(CallHungUp(call_id=B, by="system"))
    assert at(finished) < a_down < b_down

    queued = [e for _, e in centre.log.read() if isinstance(e, ev.ContactQueued)]
    assert [(q.contact_id, q.channel, q.workflow) for q in queued] == [(A, "callback", "general")]
    assert queued[0].attributes["voicemail"] == finished.name
    assert queued[0].attributes["voicemail_s"] == 31.0
    report = today.report()
    assert dict(report.outcomes) == {"voicemail": 1, "completed": 1}

    records = [r.getMessage() for r in caplog.records]
    records += [*map(repr, log), *map(str, log)]
    assert not [r for r in records if "ARI line stopped" in r]
    assert not [r for r in records if PAN in r or PIN in r], "a secret reached a log or an event"
