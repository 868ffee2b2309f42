"""The recording part of the ARI adapter's core: a caller's message (voicemail). No I/O.

`record` asks Asterisk to record the caller's channel (``POST /channels/{id}/record``: wav,
``maxDurationSeconds``, a beep, ``#`` ends it, ``ifExists=fail`` so that no message is ever
overwritten); ``RecordingFinished`` and ``RecordingFailed`` settle it, found by the channel in
their ``target_uri``. Asterisk's durations are whole seconds.

A caller who hangs up after the recording began has left a message: Asterisk ends the
recording, keeps the file and reports it, so the adapter waits for that report (at most
`LEFT_GRACE_S` after the hang-up) and it comes with ``hung_up``. A caller gone before the
recording began (during the greeting) is the port's `CallHungUp`. A recording that nobody
reports on past its limit (its events lost while the event stream was down) fails with a
cause, and so does one Asterisk refuses outright.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline.channels.ari_dial import AriDial
from hotline.channels.ari_state import AriConfig, Out, Step, int_at, text_at
from hotline.channels.errors import ChannelError
from hotline.channels.telephony import (
    CallHungUp,
    RecordingFailed,
    RecordingFinished,
    RecordResult,
)

#: How long after the caller hung up Asterisk may take to report the recording it ended.
LEFT_GRACE_S = 5.0
#: How long past its limit a recording may go unreported before it counts as failed.
LATE_S = 10.0


@dataclass(kw_only=True, slots=True)
class Recording:
    name: str
    deadline: datetime
    started: bool = False
    left_at: datetime | None = None
    result: RecordResult | None = None


class AriRecord(AriDial):
    """Recordings in progress, one at most per call."""

    def __init__(self, config: AriConfig | None = None) -> None:
        super().__init__(config)
        self._recordings: dict[str, Recording] = {}  # call id -> its recording

    # -- what the shell asks ---------------------------------------------------------------
    def record(self, call_id: str, *, name: str, max_s: float, beep: bool, now: datetime) -> Step:
        if call_id in self._recordings:
            raise ChannelError(f"call {call_id}", "is already recording")
        if not name:
            raise ChannelError(f"call {call_id}", "a recording needs a name")
        call = self._live(call_id)
        limit = max(1, math.ceil(max_s))
        recording = Recording(name=name, deadline=now + timedelta(seconds=limit + LATE_S))
        self._recordings[call_id] = recording
        if call is None:
            return Step()  # the caller already left: `take_recording` says so
        request = self._channel(
            call,
            "record",
            ("name", name),
            ("format", "wav"),
            ("maxDurationSeconds", str(limit)),
            ("beep", "true" if beep else "false"),
            ("terminateOn", "#"),
            ("ifExists", "fail"),
        )
        return Step(requests=(request,))

    def take_recording(self, call_id: str) -> RecordResult | None:
        """The recording's result once there is one; a hang-up handed over counts as told."""
        recording = self._recordings.get(call_id)
        if recording is None:
            raise ChannelError(f"call {call_id}", "is not recording")
        call = self._calls[call_id]
        if recording.result is None and not recording.started and call.state != "live":
            recording.result = call.hung_up or CallHungUp(call_id=call_id, by="caller")
        result = recording.result
        if result is None:
            return None
        del self._recordings[call_id]
        hung_up = isinstance(result, CallHungUp) or (
            isinstance(result, RecordingFinished) and result.hung_up
        )
        if hung_up and call.state == "gone":
            call.state = "over"  # the shell knows now
        return result

    def record_refused(self, call_id: str, status: int) -> RecordResult:
        """Asterisk refused the record request (a bad name, a file that exists)."""
        recording = self._recordings.pop(call_id)
        return RecordingFailed(
            call_id=call_id, name=recording.name, cause=f"Asterisk refused it ({status})"
        )

    # -- time and events ---------------------------------------------------------------------
    def _recording_deadlines(self) -> list[datetime]:
        times = [r.deadline for r in self._recordings.values() if r.result is None]
        times += [
            r.left_at + timedelta(seconds=LEFT_GRACE_S)
            for r in self._recordings.values()
            if r.result is None and r.left_at is not None
        ]
        return times

    def _recording_tick(self, now: datetime, out: Out) -> None:
        for call_id, recording in self._recordings.items():
            if recording.result is not None:
                continue
            call = self._calls.get(call_id)
            if recording.left_at is None and (call is None or call.state != "live"):
                recording.left_at = now
            if recording.left_at and now >= recording.left_at + timedelta(seconds=LEFT_GRACE_S):
                cause = "the caller hung up and Asterisk reported no recording"
            elif now >= recording.deadline:
                cause = f"no word from Asterisk {LATE_S:g} s past the limit"
            else:
                continue
            recording.result = RecordingFailed(call_id=call_id, name=recording.name, cause=cause)
            out.events.append(recording.result)

    def _on_recording(self, message: Mapping[str, object], now: datetime, out: Out) -> None:
        data = message.get("recording")
        target, name = text_at(data, "target_uri"), text_at(data, "name")
        call_id = target.removeprefix("channel:")
        recording = self._recordings.get(call_id)
        if recording is None or recording.name != name or recording.result is not None:
            return  # a recording this adapter no longer waits for
        kind = message.get("type")
        if kind == "RecordingStarted":
            recording.started = True
            return
        call = self._calls.get(call_id)
        if kind == "RecordingFinished":
            duration = int_at(data, "duration") if isinstance(data, dict) else 0
            recording.result = RecordingFinished(
                call_id=call_id,
                name=name,
                duration_s=float(duration),
                hung_up=call is None or call.state != "live",
            )
        else:
            cause = text_at(data, "cause") or "Asterisk gave no cause"
            recording.result = RecordingFailed(call_id=call_id, name=name, cause=cause)
        out.events.append(recording.result)
