"""The Asterisk ARI adapter's core: ARI events and port commands in, ARI requests and port
events out. No I/O: `telephony_ari.AriTelephony` sends the requests and feeds back replies.
Calls, prompts and keys are here; dialling, bridges, transfers, originate and the resync are
in `ari_dial.AriDial`, recordings (voicemail) in `ari_record.AriRecord`, which this core
extends; the state types are in `ari_state`.

Semantics (matching `telephony_sim`, which the IVR shell was written against):

- A call is an ARI channel in the ``Stasis(hotline)`` application; its ``call_id`` is the
  channel id. Outbound calls and agent legs get ids made here (``hotline-out-1``).
- ``play`` queues a playback (Asterisk queues playbacks per channel) and reports
  `PromptPlayed` once Asterisk accepted it. ``collect``'s timeout starts when the queued
  prompts have finished; a key stops the prompts still queued (barge-in) and restarts the
  timeout, so it runs from the last key. A terminator ends the entry; ``max_digits`` keys end
  it; too few keys at the terminator or the timeout give `CollectTimedOut`.
- Keys left over from the previous entry (keyed after it ended, before the next prompt began)
  are dropped, and so is a terminator right after an entry that ``max_digits`` ended (as the
  simulator reads ``Press("<card>#")``); keys typed ahead during a prompt count for the next
  collect. Keys outside
  ``0-9*#`` (the DTMF A-D) are ignored. No key value ever reaches a note.
- A caller hanging up emits ``CallHungUp(by="caller")`` at once; until the shell has been told
  (a collect returned it, or `AriTelephony.poll` handed it over) commands on that call are
  dropped with a note, since the shell could not have known; afterwards they raise
  `CallNotLive` like the simulator. A request on a channel that Asterisk no longer has (404 or
  409) counts as the same hang-up: the two race, and the shell must not crash on either.
- ``bridge`` dials the agent's endpoint into the application, then puts both channels in a
  mixing bridge; `CallBridged` comes when both entered it. ``transfer`` sends the channel on to
  the dialplan (``continue`` into the transfer context). ``originate`` dials into the
  application and is settled when the callee answers (StasisStart) or the channel is destroyed
  (busy, no answer, failed: `NotAnswered`).
- After the event stream reconnects, the live channels are listed; calls whose channel is gone
  end (``by="system"``), the others are subscribed again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from hotline.channels.ari_record import AriRecord
from hotline.channels.ari_state import (
    AGENT_ARG,
    CHANNEL_GONE,
    OUTBOUND_ARG,
    AriCall,
    AriRequest,
    Collect,
    CollectSpec,
    Out,
    Step,
    cleanup,
    text_at,
    then,
)
from hotline.channels.telephony import (
    CallAnswered,
    CallArrived,
    CallHungUp,
    CollectResult,
    CollectTimedOut,
    DigitsCollected,
    PromptPlayed,
)

KEYS = frozenset("0123456789*#")
# Events that carry nothing the port needs; ignored without a note.
_QUIET = frozenset(
    {
        "ChannelStateChange", "ChannelVarset", "ChannelDialplan", "ChannelCreated",
        "ChannelConnectedLine", "ChannelCallerId", "ChannelLeftBridge", "BridgeCreated",
        "BridgeDestroyed", "ChannelTalkingStarted", "ChannelTalkingFinished", "ChannelHold",
        "ChannelUnhold", "DeviceStateChanged", "EndpointStateChange", "ChannelToneDetected",
    }
)  # fmt: skip
#: Ended calls kept for their "is over" errors before the oldest are forgotten.
KEEP_ENDED = 1000


class AriCore(AriRecord):
    """Every call on one ARI application. Commands check first and raise before changing
    anything; every method returns the `Step` to carry out."""

    # -- what the shell asks ---------------------------------------------------------------
    def ended(self, call_id: str) -> bool:
        call = self._calls.get(call_id)
        return call is not None and call.state != "live"

    def deadline(self) -> datetime | None:
        """The earliest moment `tick` has something to do."""
        times = [
            c.collect.deadline for c in self._calls.values() if c.collect and c.collect.deadline
        ]
        times += [c.dial.deadline for c in self._calls.values() if c.dial and not c.dial.outcome]
        times += [
            c.agent.dial.deadline
            for c in self._calls.values()
            if c.agent and not c.agent.dial.outcome
        ]
        times += self._recording_deadlines()
        return min(times, default=None)

    def playing(self, call_id: str) -> bool:
        """Prompts are still queued on a call that commands reach."""
        call = self._calls.get(call_id)
        return call is not None and call.state == "live" and bool(call.playbacks)

    def take_result(self, call_id: str) -> CollectResult | None:
        """The collect's result once there is one; a hang-up handed over counts as told."""
        call = self._calls[call_id]
        result, call.result = call.result, None
        if isinstance(result, CallHungUp):
            self.told(call_id)
        return result

    def told(self, call_id: str) -> None:
        """The shell now knows the call is over."""
        call = self._calls.get(call_id)
        if call is not None and call.state == "gone":
            call.state = "over"

    # -- commands ----------------------------------------------------------------------------
    def answer(self, call_id: str) -> Step:
        call = self._live(call_id, answered=False)
        if call is None:
            return self._dropped(call_id, "answer")
        call.answered = True
        request = self._channel(call, "answer")
        return Step(requests=(then(request, CallAnswered(call_id=call_id)),))

    def play(
        self, call_id: str, *, prompt_id: str, text: str, language: str, media: str | None = None
    ) -> Step:
        """Queue a prompt: ``media`` when the shell has a rendering, else ``config.media``."""
        call = self._live(call_id)
        if call is None:
            return self._dropped(call_id, f"prompt {prompt_id}")
        playback = self._id("pb")
        self._playbacks[playback] = call_id
        call.playbacks.append(playback)
        if call.flush:
            call.flush, call.barrier, call.typeahead = False, playback, ""
        media = media or self.config.media(prompt_id, text, language)
        request = self._channel(
            call, "play", ("media", media), ("lang", language), ("playbackId", playback)
        )
        said = PromptPlayed(call_id=call_id, prompt_id=prompt_id, text=text, language=language)
        return Step(requests=(then(request, said),))

    def collect(self, call_id: str, spec: CollectSpec, now: datetime) -> Step:
        call = self._live(call_id)
        if call is None:
            self._calls[call_id].result = self._calls[call_id].hung_up
            return Step()
        out = Out()
        call.collect = Collect(spec=spec)
        if not call.playbacks:
            call.collect.deadline = now + timedelta(seconds=spec.timeout_s)
        keys, call.typeahead = call.typeahead, ""
        for key in keys:
            if call.collect is not None:
                self._key(call, key, now, out)
        return out.step()

    def hang_up(self, call_id: str) -> Step:
        call = self._live(call_id, answered=False)
        if call is None:
            return self._dropped(call_id, "hang-up")
        call.state = "over"
        request = AriRequest(
            method="DELETE",
            path=f"/channels/{call_id}",
            params=(("reason", "normal"),),
            call_id=call_id,
            gone_on=CHANNEL_GONE,
            then=(CallHungUp(call_id=call_id, by="system"),),
        )
        return Step(requests=(request, *self._release_agent(call)))

    # -- events ------------------------------------------------------------------------------
    def reconnected(self, now: datetime) -> Step:
        """The event stream came back; playback and key events of the gap are lost."""
        for call in self._calls.values():
            call.playbacks.clear()
            call.barrier = ""
            if call.collect is not None and call.collect.deadline is None:
                call.collect.deadline = now + timedelta(seconds=call.collect.spec.timeout_s)
        request = AriRequest(method="GET", path="/channels", resync=True)
        return Step(requests=(request,), notes=("ARI event stream reconnected: resyncing",))

    def event(self, message: Mapping[str, object], now: datetime) -> Step:
        kind = message.get("type")
        if not isinstance(kind, str):
            return Step(notes=("ignored an ARI message without a type",))
        handler = _HANDLERS.get(kind)
        if handler is None:
            return Step() if kind in _QUIET else Step(notes=(f"ignored ARI event {kind}",))
        out = Out()
        handler(self, message, now, out)
        return out.step()

    def tick(self, now: datetime) -> Step:
        """Time passed: collects, dials and recordings past their deadline end."""
        out = Out()
        self._recording_tick(now, out)
        for call in list(self._calls.values()):
            if call.collect and call.collect.deadline and call.collect.deadline <= now:
                digits, spec = call.collect.digits, call.collect.spec
                ok = bool(digits) and len(digits) >= spec.min_digits
                self._finish(call, digits if ok else None, out)
            if call.dial and not call.dial.outcome and call.dial.deadline <= now:
                self._dial_failed(call, call.dial, "no_answer", 0, out, hang_up=True)
            if call.agent and not call.agent.dial.outcome and call.agent.dial.deadline <= now:
                self._dial_failed(call, call.agent.dial, "no_answer", 0, out, hang_up=True)
        return out.step()

    def _on_stasis_start(self, message: Mapping[str, object], now: datetime, out: Out) -> None:
        channel = message.get("channel")
        cid = text_at(channel, "id")
        if not cid:
            out.notes.append("ignored a StasisStart without a channel id")
            return
        if cid in self._legs:
            self._agent_answered(self._calls[self._legs[cid]], out)
            return
        call = self._calls.get(cid)
        if call is not None:
            if call.dial is not None and not call.dial.outcome:
                call.dial.outcome, call.answered = "answered", True
            return
        args = message.get("args")
        if isinstance(args, list) and args and args[0] in {AGENT_ARG, OUTBOUND_ARG}:
            # A leg this adapter dialled before it restarted: nobody waits for it any more.
            out.notes.append(f"hung up stray {args[0]} channel {cid}")
            out.requests.append(cleanup("DELETE", f"/channels/{cid}"))
            return
        number = text_at(channel, "caller", "number")
        self._prune()
        self._calls[cid] = AriCall(call_id=cid, number=number)
        dialled = text_at(channel, "dialplan", "exten")
        out.events.append(CallArrived(call_id=cid, dialled_number=dialled, caller_number=number))

    def _prune(self) -> None:
        """Forget the oldest ended calls past `KEEP_ENDED` (a long-running switch would
        otherwise keep every call); a command on a forgotten call reads "never rang"."""
        ended = [c.call_id for c in self._calls.values() if c.state == "over"]
        if len(ended) <= KEEP_ENDED:
            return
        forget = set(ended[: len(ended) - KEEP_ENDED // 2])
        for call_id in forget:
            del self._calls[call_id]
        self._legs = {leg: c for leg, c in self._legs.items() if c not in forget}
        self._playbacks = {pb: c for pb, c in self._playbacks.items() if c not in forget}

    def _on_dtmf(self, message: Mapping[str, object], now: datetime, out: Out) -> None:
        cid = text_at(message.get("channel"), "id")
        call = self._calls.get(cid)
        if call is None or call.state != "live":
            return  # an agent's keys, or a call already over
        key = text_at(message, "digit")
        swallow, call.swallow = call.swallow, ""
        if key not in KEYS or len(key) != 1:
            out.notes.append(f"call {cid}: ignored a key outside 0-9*#")
        elif key == swallow:
            # Card number then # with max_digits the card's length: the # belongs to it.
            out.notes.append(f"call {cid}: dropped the terminator after a full entry")
        elif call.barrier:
            out.notes.append(f"call {cid}: dropped a key left over from the last entry")
        elif call.collect is None:
            call.typeahead += key
        else:
            self._key(call, key, now, out)

    def _key(self, call: AriCall, key: str, now: datetime, out: Out) -> None:
        collect = call.collect
        assert collect is not None
        spec = collect.spec
        if spec.terminator and key == spec.terminator:
            ok = len(collect.digits) >= spec.min_digits
            self._finish(call, collect.digits if ok else None, out)
            return
        collect.digits += key
        # Barge-in: the caller knows what to key, stop the prompts still queued.
        for playback in call.playbacks:
            out.requests.append(cleanup("DELETE", f"/playbacks/{playback}"))
        call.playbacks.clear()
        if len(collect.digits) >= spec.max_digits:
            self._finish(call, collect.digits, out)
            call.swallow = spec.terminator
        else:
            collect.deadline = now + timedelta(seconds=spec.timeout_s)

    def _finish(self, call: AriCall, digits: str | None, out: Out) -> None:
        call.collect, call.flush = None, True
        call.result = (
            CollectTimedOut(call_id=call.call_id)
            if digits is None
            else DigitsCollected(call_id=call.call_id, digits=digits)
        )
        out.events.append(call.result)

    def _on_playback(self, message: Mapping[str, object], now: datetime, out: Out) -> None:
        playback = text_at(message.get("playback"), "id")
        call = self._calls.get(self._playbacks.get(playback, ""))
        if call is None:
            return
        if call.barrier == playback:
            call.barrier = ""
        if message.get("type") == "PlaybackFinished":
            self._playbacks.pop(playback, None)
            if playback in call.playbacks:
                call.playbacks.remove(playback)
            collect = call.collect
            if collect is not None and not call.playbacks and collect.deadline is None:
                collect.deadline = now + timedelta(seconds=collect.spec.timeout_s)


_Handler = Callable[[AriCore, Mapping[str, object], datetime, Out], None]
_HANDLERS: dict[str, _Handler] = {
    "StasisStart": AriCore._on_stasis_start,
    "StasisEnd": AriCore._on_leaving,
    "ChannelHangupRequest": AriCore._on_leaving,
    "ChannelDestroyed": AriCore._on_leaving,
    "ChannelDtmfReceived": AriCore._on_dtmf,
    "PlaybackStarted": AriCore._on_playback,
    "PlaybackFinished": AriCore._on_playback,
    "ChannelEnteredBridge": AriCore._on_entered_bridge,
    "Dial": AriCore._on_dial,
    "RecordingStarted": AriCore._on_recording,
    "RecordingFinished": AriCore._on_recording,
    "RecordingFailed": AriCore._on_recording,
}
