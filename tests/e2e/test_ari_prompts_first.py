"""The ARI adapter's commands that wait for a call's queued prompts without blocking the thread
(``begin_record`` / ``recorded``, ``begin_hang_up``), as the live server's worker uses them:
the request goes once the stream brought the last prompt's end, never before, and not at all
when the caller left meanwhile. Recorded sequences written inline from the ARI reference.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hotline.channels.ari_client import ReplayTransport
from hotline.channels.telephony import CallArrived, CallHungUp, RecordingFailed
from hotline.channels.telephony_ari import AriTelephony
from hotline.channels.voicemail import recording_name

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ari"
CID = "1772456800.160"


def _line(*lines: dict[str, object]) -> tuple[AriTelephony, ReplayTransport]:
    start = {"in": {"type": "StasisStart", "timestamp": "2026-03-02T21:06:40.000+0800",
                    "args": [], "channel": {"id": CID, "caller": {"number": "13912345678"},
                                            "dialplan": {"exten": "95588"}}}}  # fmt: skip
    answer = {"out": {"method": "POST", "path": f"/ari/channels/{CID}/answer", "params": {}},
              "status": 204, "body": None}  # fmt: skip
    replay = ReplayTransport([start, answer, *lines])
    tel = AriTelephony(replay, clock=replay.now)
    assert any(isinstance(e, CallArrived) for e in tel.poll(timeout_s=60))
    tel.answer(CID)
    return tel, replay


def _goodbye(status: str, at: str) -> dict[str, object]:
    kind = "PlaybackStarted" if status == "playing" else "PlaybackFinished"
    return {"in": {"type": kind, "timestamp": f"2026-03-02T21:06:{at}+0800",
                   "playback": {"id": "hotline-pb-1", "target_uri": f"channel:{CID}",
                                "media_uri": "sound:hotline/goodbye",
                                "state": status}}}  # fmt: skip


PLAY = {"out": {"method": "POST", "path": f"/ari/channels/{CID}/play",
                "params": {"media": "sound:hotline/goodbye", "lang": "en",
                           "playbackId": "hotline-pb-1"}},
        "status": 201, "body": {"id": "hotline-pb-1", "state": "queued"}}  # fmt: skip
DELETE = {"out": {"method": "DELETE", "path": f"/ari/channels/{CID}",
                  "params": {"reason": "normal"}}, "status": 204, "body": None}  # fmt: skip
GOODBYE = {"prompt_id": "goodbye", "text": "Thank you for calling. Goodbye.", "language": "en"}


def test_a_hang_up_asked_during_the_goodbye_goes_when_it_was_said() -> None:
    tel, replay = _line(PLAY, _goodbye("playing", "41.000"), _goodbye("done", "43.500"), DELETE)
    tel.play(CID, **GOODBYE)
    tel.begin_hang_up(CID)  # returns at once: the goodbye is still queued
    tel.begin_hang_up(CID)  # asked again (the shell, then the line): one request
    assert not tel.ended(CID)
    assert CallHungUp(call_id=CID, by="system") not in tel.log
    while not tel.ended(CID):
        tel.poll(timeout_s=60)
    assert CallHungUp(call_id=CID, by="system") in tel.log
    assert str(tel.now()) >= "2026-03-02 21:06:43.500000+08:00"  # after the goodbye's end
    replay.finish()


def test_a_caller_gone_during_the_goodbye_is_not_hung_up_again(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    left = {"in": {"type": "ChannelHangupRequest", "timestamp": "2026-03-02T21:06:42.000+0800",
                   "channel": {"id": CID}}}  # fmt: skip
    tel, replay = _line(PLAY, _goodbye("playing", "41.000"), left)
    tel.play(CID, **GOODBYE)
    tel.begin_hang_up(CID)
    events = tel.poll(timeout_s=60)
    events += tel.poll(timeout_s=5)
    assert CallHungUp(call_id=CID, by="caller") in events
    assert CallHungUp(call_id=CID, by="system") not in tel.log
    replay.finish()  # and no DELETE was made: the sequence holds none
    assert not caplog.records


def test_begin_record_after_a_caller_gone_during_the_greeting_reports_the_hang_up() -> None:
    replay = ReplayTransport.load(FIXTURES / "voicemail_hangup_greeting.jsonl")
    tel = AriTelephony(replay, clock=replay.now)
    cid = next(e for e in tel.poll(timeout_s=600) if isinstance(e, CallArrived)).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="leave_message", text="Please leave your message.", language="en")
    tel.begin_record(cid, name=recording_name("general", cid, tel.now()), max_s=120, beep=True)
    assert tel.recorded(cid) is None  # the greeting is still queued
    got = None
    for _ in range(20):
        tel.poll(timeout_s=600)  # hands the hang-up over: the call is over for the shell
        if (got := tel.recorded(cid)) is not None:
            break
    assert got == CallHungUp(call_id=cid, by="caller")
    tel.poll(timeout_s=600)
    replay.finish()  # no POST /record: the sequence holds none


def test_begin_record_refused_by_asterisk_reports_the_failure() -> None:
    name = "vm-general-z"
    params = {"name": name, "format": "wav", "maxDurationSeconds": "30", "beep": "false",
              "terminateOn": "#", "ifExists": "fail"}  # fmt: skip
    refused = {"out": {"method": "POST", "path": f"/ari/channels/{CID}/record", "params": params},
               "status": 422, "body": {"message": "Format not recognized"}}  # fmt: skip
    tel, replay = _line(refused)
    tel.begin_record(CID, name=name, max_s=30, beep=False)  # nothing queued: sent at once
    assert tel.recorded(CID) == RecordingFailed(
        call_id=CID, name=name, cause="Asterisk refused it (422)")
    replay.finish()
