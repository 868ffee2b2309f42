"""The Asterisk ARI adapter of the telephony port: a drop-in for `telephony_sim`.

`AriTelephony` is the thin shell around the pure `ari_adapter.AriCore`: it sends the core's
requests through an `ari_client.AriTransport`, feeds back the replies that matter (a channel
gone, the channel list after a reconnect) and pumps event frames while a command waits
(``collect`` for keys, ``bridge`` for the agent, ``originate`` for the callee). Calls arrive
through `poll`. One adapter serves one event stream from one thread: the port's blocking
methods run one call at a time (events of other calls are kept for later), and
``begin_collect`` / ``collected``, ``begin_bridge`` / ``bridge_outcome``, ``begin_record`` /
``recorded`` and ``begin_hang_up`` (``begin_transfer``) let that thread run many calls at once
(`hotline.live.ivr_ari`, the live server): a recording, a hang-up or a transfer asked while the
call's prompts are still queued is sent when the last one finished, as the stream brings it.

>>> tel = AriTelephony(HttpAriTransport.from_env(os.environ))           # doctest: +SKIP
>>> for event in tel.poll(timeout_s=1.0):                                # doctest: +SKIP
...     if isinstance(event, CallArrived):
...         shell.run_call(event)

Every event goes to ``log`` (keyed digits masked in its repr, as the port requires); the
module logger gets notes and never a keyed digit. See docs/asterisk.md for the Asterisk side.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta

from hotline.channels.ari_adapter import AriCore
from hotline.channels.ari_client import (
    AriRequestFailed,
    AriTransport,
    Frame,
    HttpAriTransport,
    Reconnected,
)
from hotline.channels.ari_state import AriConfig, AriRequest, CollectSpec, Step
from hotline.channels.errors import ChannelError, LineStopped, NotAnswered
from hotline.channels.prompt_audio import PromptAudio, prompt_audio_from_env
from hotline.channels.telephony import (
    CallHungUp,
    CollectResult,
    PromptPlayed,
    RecordResult,
    TelephonyEvent,
)

_LOG = logging.getLogger("hotline.channels.telephony_ari")


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def config_from_env(env: Mapping[str, str]) -> AriConfig:
    """``HOTLINE_ARI_APP``, ``HOTLINE_ARI_AGENT_ENDPOINT`` (``PJSIP/{agent_id}``),
    ``HOTLINE_ARI_OUTBOUND_ENDPOINT`` (``PJSIP/{number}@trunk``, callbacks dial it),
    ``HOTLINE_ARI_TRANSFER_CONTEXT``, ``HOTLINE_ARI_MOH_CLASS`` (``default``; ``none`` for
    silence) and ``HOTLINE_ARI_CALLER_ID`` (what a callback shows); unset ones keep their
    defaults."""
    base = AriConfig()
    moh = env.get("HOTLINE_ARI_MOH_CLASS", "")
    return AriConfig(
        # Ids unique to this run: a restarted Hotline must not reuse a live channel's id.
        id_prefix=f"hotline-{secrets.token_hex(4)}",
        app=env.get("HOTLINE_ARI_APP") or base.app,
        agent_endpoint=env.get("HOTLINE_ARI_AGENT_ENDPOINT") or base.agent_endpoint,
        outbound_endpoint=env.get("HOTLINE_ARI_OUTBOUND_ENDPOINT") or base.outbound_endpoint,
        transfer_context=env.get("HOTLINE_ARI_TRANSFER_CONTEXT") or base.transfer_context,
        moh_class="" if moh == "none" else moh or base.moh_class,
        caller_id=env.get("HOTLINE_ARI_CALLER_ID") or base.caller_id,
    )


class AriTelephony:
    """A `TelephonyPort` over Asterisk ARI; ``log`` records every event, digits masked."""

    def __init__(
        self,
        transport: AriTransport,
        *,
        config: AriConfig | None = None,
        clock: Callable[[], datetime] = _wall_clock,
        wait_s: float = 1.0,
        prompts: PromptAudio | None = None,
    ) -> None:
        self._transport = transport
        #: Rendered prompt audio: a prompt with a rendering plays as its file.
        self._prompts = prompts
        self._core = AriCore(config)
        self._clock = clock
        self._wait_s = wait_s
        self.log: list[TelephonyEvent] = []
        self._polled = 0
        self._stopped = False
        # Commands that wait for their call's queued prompts (a goodbye, a greeting): call id
        # -> what to send once they are said. Results of recordings that never started here.
        self._after_prompts: dict[str, Callable[[], None]] = {}
        self._records: dict[str, RecordResult] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> AriTelephony:
        """Connect as docs/asterisk.md says (``HOTLINE_ARI_URL`` and friends)."""
        return cls(
            HttpAriTransport.from_env(env),
            config=config_from_env(env),
            prompts=prompt_audio_from_env(env),
        )

    def now(self) -> datetime:
        return self._clock()

    @property
    def config(self) -> AriConfig:
        return self._core.config

    # -- the port ------------------------------------------------------------------------------
    def answer(self, call_id: str) -> None:
        self._run(self._core.answer(call_id))

    def play(self, call_id: str, *, prompt_id: str, text: str, language: str) -> None:
        # Rendered here, not in the core: a per-call text may run espeak-ng (I/O).
        media = self._prompts.media(prompt_id, text, language) if self._prompts else None
        self._run(
            self._core.play(call_id, prompt_id=prompt_id, text=text, language=language, media=media)
        )

    def collect(
        self,
        call_id: str,
        *,
        max_digits: int,
        min_digits: int,
        terminator: str,
        timeout_s: float,
        secret: bool,
    ) -> CollectResult:
        # ``secret`` needs nothing more here: no key is ever logged, secret or not.
        self.begin_collect(
            call_id,
            max_digits=max_digits,
            min_digits=min_digits,
            terminator=terminator,
            timeout_s=timeout_s,
        )
        while (result := self.collected(call_id)) is None:
            self._pump()
        return result

    def record(self, call_id: str, *, name: str, max_s: float, beep: bool) -> RecordResult:
        """Record after the queued prompts (the greeting) were said; see `ari_record`."""
        self._drain(call_id)
        try:
            self._run(self._core.record(call_id, name=name, max_s=max_s, beep=beep, now=self.now()))
        except AriRequestFailed as refused:
            return self._core.record_refused(call_id, refused.status)
        while (result := self._core.take_recording(call_id)) is None:
            self._pump()
        return result

    def bridge(self, call_id: str, *, agent_id: str) -> None:
        """Ring the agent and bridge; raises `NotAnswered` if the agent does not answer."""
        self._drain(call_id)
        self.begin_bridge(call_id, agent_id=agent_id)
        while not (outcome := self.bridge_outcome(call_id)):
            self._pump()
        if isinstance(outcome, NotAnswered):
            raise outcome

    def transfer(self, call_id: str, *, number: str) -> None:
        self._drain(call_id)
        self._run(self._core.transfer(call_id, number=number))

    def hang_up(self, call_id: str) -> None:
        self._drain(call_id)
        self._run(self._core.hang_up(call_id))

    def originate(self, *, number: str, caller_id: str) -> str:
        """Dial ``number`` and wait for the answer; raises `NotAnswered` (``outcome`` busy,
        no_answer or failed) when the callee does not take the call."""
        call_id = self.begin_originate(number=number, caller_id=caller_id)
        while not (outcome := self._core.dial_outcome(call_id)):
            self._pump()
        if isinstance(outcome, NotAnswered):
            raise outcome
        return call_id

    # -- the same without blocking: many calls on one thread (hotline.live.ivr_ari) ------------
    def begin_collect(
        self, call_id: str, *, max_digits: int, min_digits: int, terminator: str, timeout_s: float
    ) -> None:
        """Start waiting for keys; `collected` has the result once `poll` brought it."""
        spec = CollectSpec(
            max_digits=max_digits, min_digits=min_digits, terminator=terminator, timeout_s=timeout_s
        )
        self._run(self._core.collect(call_id, spec, self.now()))

    def collected(self, call_id: str) -> CollectResult | None:
        """The result of ``call_id``'s collect, once (None while the caller is keying)."""
        return self._core.take_result(call_id)

    def begin_originate(self, *, number: str, caller_id: str) -> str:
        """Dial ``number``; `dial_outcome` says when the callee answered or why not."""
        call_id, step = self._core.originate(number=number, caller_id=caller_id, now=self.now())
        self._run(step)
        return call_id

    def dial_outcome(self, call_id: str) -> str | NotAnswered:
        """``""`` while the callee's phone rings, ``answered``, or the failure."""
        return self._core.dial_outcome(call_id)

    def hold_music(self, call_id: str, *, on: bool) -> None:
        """Start or stop music on hold (``config.moh_class``); bridging an agent stops it."""
        self._run(self._core.hold_music(call_id, on=on))

    def on_hold(self, call_id: str) -> bool:
        """Music on hold is playing on the call."""
        return self._core.on_hold(call_id)

    def playing(self, call_id: str) -> bool:
        """Prompts are still queued on the call."""
        return self._core.playing(call_id)

    def begin_bridge(self, call_id: str, *, agent_id: str) -> None:
        """Ring the agent; `bridge_outcome` says when both are in the bridge or why not."""
        self._run(self._core.bridge(call_id, agent_id=agent_id, now=self.now()))

    def bridge_outcome(self, call_id: str) -> str | NotAnswered:
        """``""`` while the agent rings, ``bridged``, ``gone``, ``released`` or the failure."""
        return self._core.bridge_outcome(call_id)

    def release(self, call_id: str) -> None:
        """Hang up the agent's leg and drop the bridge; the caller stays on the line."""
        self._run(self._core.release(call_id))

    def begin_record(self, call_id: str, *, name: str, max_s: float, beep: bool) -> None:
        """Record once the queued prompts (the greeting) were said; `recorded` has the result."""
        self._after(call_id, lambda: self._start_record(call_id, name, max_s, beep))

    def recorded(self, call_id: str) -> RecordResult | None:
        """The result of ``call_id``'s recording, once (None while the caller speaks)."""
        if call_id in self._after_prompts:
            return None
        if call_id in self._records:
            return self._records.pop(call_id)
        return self._core.take_recording(call_id)

    def begin_hang_up(self, call_id: str) -> None:
        """Hang up once the queued prompts (a goodbye) were said; a call already over, or
        hanging up, is left as it is."""
        if not self._core.ended(call_id):
            self._after(call_id, lambda: self._unless_ended(call_id, self._core.hang_up))

    def begin_transfer(self, call_id: str, *, number: str) -> None:
        """Transfer once the queued prompts were said."""
        self._after(call_id, lambda: self._unless_ended(
            call_id, lambda c: self._core.transfer(c, number=number)))

    def _after(self, call_id: str, send: Callable[[], None]) -> None:
        if call_id in self._after_prompts:
            return  # one command waits per call: the shell asks nothing after an ending
        if self._core.playing(call_id):
            self._after_prompts[call_id] = send
        else:
            send()

    def _after_prompts_said(self) -> None:
        for call_id in [c for c in self._after_prompts if not self._core.playing(c)]:
            send = self._after_prompts.pop(call_id)
            try:
                send()
            except LineStopped:
                raise
            except ChannelError as exc:  # one call's failure, not the stream's
                _LOG.warning("call %s: the command after its prompts failed: %s", call_id, exc)

    def _unless_ended(self, call_id: str, command: Callable[[str], Step]) -> None:
        # The caller may have hung up during the prompts: nothing is left to act on then.
        if not self._core.ended(call_id):
            self._run(command(call_id))

    def _start_record(self, call_id: str, name: str, max_s: float, beep: bool) -> None:
        if self._core.ended(call_id):  # gone during the greeting, and perhaps already told
            self._records[call_id] = CallHungUp(call_id=call_id, by="caller")
            return
        try:
            self._run(self._core.record(call_id, name=name, max_s=max_s, beep=beep, now=self.now()))
        except AriRequestFailed as refused:
            self._records[call_id] = self._core.record_refused(call_id, refused.status)

    def close(self) -> None:
        """Close the transport (the event stream) if it can be closed."""
        close = getattr(self._transport, "close", None)
        if callable(close):
            close()

    def _drain(self, call_id: str) -> None:
        """Let queued prompts finish first: a goodbye is said before the line drops, as on the
        simulator, where a prompt is said whole."""
        while self._core.playing(call_id):
            self._pump()

    # -- the event stream ----------------------------------------------------------------------
    def poll(self, timeout_s: float) -> list[TelephonyEvent]:
        """Process ARI events until something new is logged or ``timeout_s`` passed; return
        the events logged since the last poll (a `CallArrived` is a call to run)."""
        end = self.now() + timedelta(seconds=timeout_s)
        while len(self.log) == self._polled and self.now() < end:
            self._pump(until=end)
        new = self.log[self._polled :]
        self._polled = len(self.log)
        for event in new:
            if isinstance(event, CallHungUp):
                self._core.told(event.call_id)
        return new

    def stop(self) -> None:
        """Make every wait on the event stream (a collect, a bridge, a poll) raise
        `LineStopped` at its next frame or time-out; safe from another thread."""
        self._stopped = True

    def _pump(self, until: datetime | None = None) -> None:
        """Wait for one frame, at most until the next deadline; then let time act."""
        if self._stopped:
            raise LineStopped("ARI event stream", "the adapter was stopped")
        now = self.now()
        limits = [t for t in (until, self._core.deadline()) if t is not None]
        # Never longer than ``wait_s``: a `stop` from another thread is seen that soon.
        wait = min([(t - now).total_seconds() for t in limits] + [self._wait_s])
        frame = self._transport.receive(max(wait, 0.0))
        if frame is not None:
            self._frame(frame)
        self._run(self._core.tick(self.now()))
        if self._after_prompts:
            self._after_prompts_said()

    def _frame(self, frame: Frame) -> None:
        if isinstance(frame, Reconnected):
            self._run(self._core.reconnected(self.now()))
            return
        try:
            message = json.loads(frame)
        except ValueError:
            # Never the frame itself: it might hold a keyed digit.
            _LOG.warning("ignored an ARI frame that is not JSON (%d characters)", len(frame))
            return
        if not isinstance(message, dict):
            _LOG.warning("ignored an ARI frame that is not a JSON object")
            return
        self._run(self._core.event(message, self.now()))

    def _run(self, step: Step) -> None:
        for note in step.notes:
            _LOG.info("%s", note)
        self._emit(step.events)
        gone: set[str] = set()
        for request in step.requests:
            if request.call_id and request.call_id in gone:
                continue  # the channel is gone: the rest of this step's requests would fail too
            try:
                body = self._send(request)
            except AriRequestFailed as failure:
                if request.cleanup:
                    _LOG.info("%s: nothing to clean up (%s)", request.describe(), failure.status)
                    continue
                if failure.status in request.gone_on:
                    gone.add(request.call_id)
                    self._run(self._core.gone(request))
                    continue
                self._core.refused(request)
                raise
            self._emit(request.then)
            if request.resync:
                self._run(self._core.channels_listed(body))

    def _send(self, request: AriRequest) -> object:
        _LOG.debug("ARI %s", request.describe())
        return self._transport.request(request.method, request.path, dict(request.params))

    def _emit(self, events: Iterable[TelephonyEvent]) -> None:
        self.log.extend(events)

    # -- what the tests look at ----------------------------------------------------------------
    def played(self, call_id: str) -> list[PromptPlayed]:
        return [e for e in self.log if isinstance(e, PromptPlayed) and e.call_id == call_id]

    def ended(self, call_id: str) -> bool:
        return self._core.ended(call_id)
