"""Voicemail over Asterisk ARI, against recorded sequences (tests/fixtures/ari/voicemail_*).

The IVR shell records a message out of hours as it does on the simulated switch; the adapter
records after the greeting, waits for Asterisk's report of a message the caller ended by hanging
up, ends the wait when the caller left during the greeting, and reports failures. No PIN or
card number reaches a log line or an event (the calls key none; the check is the guard).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from hotline.banking.demo import demo_bank
from hotline.channels.ari_adapter import AriCore
from hotline.channels.ari_client import ReplayTransport
from hotline.channels.ari_record import LATE_S, LEFT_GRACE_S
from hotline.channels.errors import CallNotLive, ChannelError
from hotline.channels.ivr_bank import IvrBank, SandboxDirectory
from hotline.channels.ivr_session import IvrShell
from hotline.channels.telephony import (
    CallArrived,
    CallHungUp,
    RecordingFailed,
    RecordingFinished,
    TelephonyEvent,
    TelephonyPort,
)
from hotline.channels.telephony_ari import AriTelephony
from hotline.channels.telephony_sim import Press, ScriptedCall, SimulatedTelephony, Speak
from hotline.channels.voicemail import recording_name
from hotline.core.events import ContactQueued
from hotline.ivr.library import shipped_registry
from tests.e2e.engines import engine_with

# The adapters opened on recordings, and the check that no PIN or card number reached a log.
from tests.e2e.test_telephony_ari import Recorded
from tests.e2e.test_telephony_ari import recorded as recorded

CST = timezone(timedelta(hours=8))
CLOSED = {"business_hours": "false", "holiday": "false"}


def arrived(tel: AriTelephony) -> CallArrived:
    for _ in range(20):
        got = [e for e in tel.poll(timeout_s=600) if isinstance(e, CallArrived)]
        if got:
            return got[0]
    raise AssertionError("no call arrived")


def drain(tel: AriTelephony, replay: ReplayTransport) -> list[TelephonyEvent]:
    events = tel.poll(timeout_s=600)
    events += tel.poll(timeout_s=600)
    replay.finish()
    return events


def _shell(telephony: TelephonyPort, clock: Callable[[], datetime]) -> IvrShell:
    opened = datetime(2026, 3, 1, tzinfo=CST)
    demo = demo_bank(random.Random(20260302), customers=20, vip_share=0.1, opened_at=opened)
    engine = engine_with("general")
    return IvrShell(
        telephony=telephony,
        registry=shipped_registry(),
        bank=IvrBank(demo.bank, SandboxDirectory(demo.bank)),
        engine=engine,
        clock=clock,
        estimate_wait=lambda workflow: 30.0,
    )


def test_the_ivr_shell_takes_a_message_over_ari_as_over_the_simulator(recorded: Recorded) -> None:
    tel, replay = recorded.open("voicemail_message")
    shell = _shell(tel, tel.now)
    call = arrived(tel)
    result = shell.run_call(call, context=CLOSED)
    drain(tel, replay)
    assert result.outcome == "voicemail"
    [finished] = [e for e in tel.log if isinstance(e, RecordingFinished)]
    assert finished.name == f"vm-general-20260302T130028Z-{call.call_id}"
    assert (finished.duration_s, finished.hung_up) == (12.0, False)
    [q] = [e for e in result.engine_events if isinstance(e, ContactQueued)]
    assert (q.channel, q.workflow) == ("callback", "general")
    assert q.attributes["voicemail"] == finished.name and q.attributes["voicemail_s"] == 12.0
    assert q.attributes["caller_number"] == call.caller_number
    assert tel.ended(call.call_id)
    # The same caller on the simulated switch: the same events, but for the recording's time.
    sim = SimulatedTelephony(start=tel.now())
    moves = (Press(keys="2"), Press(keys="0"), Press(keys="1"), Speak(seconds=12))
    sim_call = sim.ring(
        ScriptedCall(
            call_id=call.call_id,
            dialled_number="95588",
            caller_number=call.caller_number,
            script=moves,
        )
    )
    sim_result = _shell(sim, sim.now).run_call(sim_call, context=CLOSED)

    def same(log: list[TelephonyEvent]) -> list[object]:
        return [(type(e), getattr(e, "duration_s", None)) for e in log]

    assert same(tel.log) == same(sim.log)
    assert [e for e in tel.log if not isinstance(e, RecordingFinished)] == [
        e for e in sim.log if not isinstance(e, RecordingFinished)
    ]
    assert sim_result.voicemail is not None and result.voicemail is not None
    assert sim_result.voicemail.outcome == result.voicemail.outcome == "left"


def test_a_caller_gone_during_the_greeting_is_never_recorded(recorded: Recorded) -> None:
    tel, replay = recorded.open("voicemail_hangup_greeting")
    cid = arrived(tel).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="leave_message", text="Please leave your message.", language="en")
    got = tel.record(cid, name=recording_name("general", cid, tel.now()), max_s=120, beep=True)
    assert got == CallHungUp(call_id=cid, by="caller")
    drain(tel, replay)  # and no POST /record was made: the replay holds none
    with pytest.raises(CallNotLive, match="is over"):
        tel.hang_up(cid)  # the shell was told, as after a collect


def test_hanging_up_ends_the_message_and_asterisk_keeps_it(recorded: Recorded) -> None:
    tel, replay = recorded.open("voicemail_hangup_recording")
    cid = arrived(tel).call_id
    name = recording_name("general", cid, tel.now())
    tel.answer(cid)
    tel.play(cid, prompt_id="leave_message", text="Please leave your message.", language="en")
    got = tel.record(cid, name=name, max_s=120, beep=True)
    assert got == RecordingFinished(call_id=cid, name=name, duration_s=7.0, hung_up=True)
    assert CallHungUp(call_id=cid, by="caller") in tel.log
    drain(tel, replay)
    assert tel.ended(cid)


def test_a_recording_asterisk_cannot_write_fails_with_its_cause(recorded: Recorded) -> None:
    tel, replay = recorded.open("voicemail_failed")
    cid = arrived(tel).call_id
    name = recording_name("general", cid, tel.now())
    tel.answer(cid)
    got = tel.record(cid, name=name, max_s=120, beep=True)
    assert got == RecordingFailed(call_id=cid, name=name, cause="Failed to write file")
    tel.hang_up(cid)
    drain(tel, replay)


def _inline(*lines: dict[str, object]) -> tuple[AriTelephony, ReplayTransport, str]:
    cid = "1772456700.150"
    start = {
        "in": {
            "type": "StasisStart",
            "timestamp": "2026-03-02T21:05:00.000+0800",
            "args": [],
            "channel": {"id": cid, "caller": {"number": "13912345678"},
                        "dialplan": {"exten": "95588"}},
        }
    }  # fmt: skip
    answer = {"out": {"method": "POST", "path": f"/ari/channels/{cid}/answer", "params": {}},
              "status": 204, "body": None}  # fmt: skip
    replay = ReplayTransport([start, answer, *lines])
    tel = AriTelephony(replay, clock=replay.now)
    assert arrived(tel).call_id == cid
    tel.answer(cid)
    return tel, replay, cid


def _record_request(cid: str, name: str, status: int, body: object) -> dict[str, object]:
    params = {"name": name, "format": "wav", "maxDurationSeconds": "30", "beep": "false",
              "terminateOn": "#", "ifExists": "fail"}  # fmt: skip
    return {"out": {"method": "POST", "path": f"/ari/channels/{cid}/record", "params": params},
            "status": status, "body": body}  # fmt: skip


def test_a_refused_record_request_and_a_recording_never_reported_fail() -> None:
    cid, name = "1772456700.150", "vm-general-x"
    refused = _record_request(cid, name, 422, {"message": "Format not recognized"})
    silent = _record_request(cid, name, 201, {"name": name, "state": "queued"})
    tel, replay, _ = _inline(refused, silent)
    got = tel.record(cid, name=name, max_s=29.5, beep=False)  # whole seconds, rounded up
    assert got == RecordingFailed(call_id=cid, name=name, cause="Asterisk refused it (422)")
    began = tel.now()
    got = tel.record(cid, name=name, max_s=30, beep=False)
    assert isinstance(got, RecordingFailed) and "no word from Asterisk" in got.cause
    assert tel.now() - began == timedelta(seconds=30 + LATE_S)
    replay.finish()


def test_a_hang_up_mid_message_that_asterisk_never_reports_fails_after_a_grace() -> None:
    cid, name = "1772456700.150", "vm-general-y"
    ok = _record_request(cid, name, 201, {"name": name, "state": "queued"})
    rec = {"target_uri": f"channel:{cid}", "name": name, "format": "wav"}
    started = {"in": {"type": "RecordingStarted", "timestamp": "2026-03-02T21:05:01.000+0800",
                      "recording": {**rec, "state": "recording"}}}  # fmt: skip
    left = {"in": {"type": "ChannelHangupRequest", "timestamp": "2026-03-02T21:05:04.000+0800",
                   "channel": {"id": cid}}}  # fmt: skip
    tel, replay, _ = _inline(ok, started, left)
    got = tel.record(cid, name=name, max_s=30, beep=False)
    assert got == RecordingFailed(
        call_id=cid, name=name, cause="the caller hung up and Asterisk reported no recording"
    )
    assert tel.now() == datetime(2026, 3, 2, 21, 5, 4, tzinfo=CST) + timedelta(
        seconds=LEFT_GRACE_S
    )
    replay.finish()


def test_one_recording_at_a_time_and_a_name_is_needed() -> None:
    core = AriCore()
    now = datetime(2026, 3, 2, 21, 5, tzinfo=CST)
    core.event({"type": "StasisStart", "channel": {"id": "c1"}}, now)
    core.answer("c1")
    with pytest.raises(ChannelError, match="call c1: a recording needs a name"):
        core.record("c1", name="", max_s=30, beep=True, now=now)
    assert core.record("c1", name="vm-1", max_s=30, beep=True, now=now).requests
    with pytest.raises(ChannelError, match="call c1: is already recording"):
        core.record("c1", name="vm-2", max_s=30, beep=True, now=now)
    with pytest.raises(ChannelError, match="call c2: is not recording"):
        core.take_recording("c2")
