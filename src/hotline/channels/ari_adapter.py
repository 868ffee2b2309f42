"""The Asterisk ARI adapter's core: ARI events and port commands in, ARI requests and port
events out. No I/O: `telephony_ari.AriTelephony` sends the requests and feeds back replies.

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

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hotline.channels.errors import CallNotLive, ChannelError
from hotline.channels.telephony import (
    CallAnswered,
    CallArrived,
    CallBridged,
    CallHungUp,
    CallOriginated,
    CallTransferred,
    CollectResult,
    CollectTimedOut,
    DigitsCollected,
    PromptPlayed,
    TelephonyEvent,
)

KEYS = frozenset("0123456789*#")
AGENT_ARG, OUTBOUND_ARG = "agent", "outbound"
#: Statuses of a channel request that mean "that channel is not there any more".
CHANNEL_GONE = frozenset({404, 409})
#: A subscription names a channel that does not exist.
SOURCE_GONE = frozenset({422})
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
_BUSY_CAUSES, _NO_ANSWER_CAUSES = frozenset({17, 21}), frozenset({18, 19})


class NotAnswered(ChannelError):
    """A dialled party did not take the call; ``outcome`` is busy, no_answer or failed."""

    def __init__(self, item: str, reason: str, outcome: str) -> None:
        super().__init__(item, reason)
        self.outcome = outcome


def default_media(prompt_id: str, text: str, language: str) -> str:
    """A prompt is a sound file named after it (``sound:hotline/main_menu``); Asterisk picks
    the language's recording through ``lang``. Text with figures needs a TTS renderer."""
    return f"sound:hotline/{prompt_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class AriConfig:
    """Where calls go. ``{agent_id}`` and ``{number}`` are filled in."""

    app: str = "hotline"
    agent_endpoint: str = "PJSIP/{agent_id}"
    outbound_endpoint: str = "PJSIP/{number}@trunk"
    transfer_context: str = "hotline-transfer"
    dial_timeout_s: int = 30
    #: Ids this adapter gives channels, playbacks and bridges start with this.
    id_prefix: str = "hotline"
    media: Callable[[str, str, str], str] = default_media


@dataclass(frozen=True, kw_only=True, slots=True)
class AriRequest:
    """One REST request. ``path`` is below ``/ari``; ``then`` is emitted once it succeeded;
    a status in ``gone_on`` means call ``call_id``'s channel is gone; ``cleanup`` requests
    ignore any "not found"."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    call_id: str = ""
    gone_on: frozenset[int] = frozenset()
    cleanup: bool = False
    then: tuple[TelephonyEvent, ...] = ()
    resync: bool = False

    def describe(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    """What one input produced: requests to send (in order), events, notes for the log."""

    requests: tuple[AriRequest, ...] = ()
    events: tuple[TelephonyEvent, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(kw_only=True, slots=True)
class _Out:
    requests: list[AriRequest] = field(default_factory=list)
    events: list[TelephonyEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def step(self) -> Step:
        return Step(
            requests=tuple(self.requests), events=tuple(self.events), notes=tuple(self.notes)
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class CollectSpec:
    max_digits: int
    min_digits: int
    terminator: str
    timeout_s: float


@dataclass(kw_only=True, slots=True)
class _Collect:
    spec: CollectSpec
    digits: str = ""
    deadline: datetime | None = None


@dataclass(kw_only=True, slots=True)
class _Dial:
    """A channel this adapter dialled (an outbound call or an agent leg)."""

    channel_id: str
    deadline: datetime
    dialstatus: str = ""
    outcome: str = ""  # "" while ringing; answered | busy | no_answer | failed


@dataclass(kw_only=True, slots=True)
class _Agent:
    agent_id: str
    dial: _Dial
    bridge_id: str = ""
    entered: set[str] = field(default_factory=set)
    bridged: bool = False


@dataclass(kw_only=True, slots=True)
class _Call:
    call_id: str
    number: str  # the far party
    answered: bool = False
    state: str = "live"  # live | gone (the caller left, the shell not told yet) | over
    hung_up: CallHungUp | None = None
    closed: bool = False  # an end event for the call was emitted here
    playbacks: list[str] = field(default_factory=list)
    barrier: str = ""  # keys before this playback starts are left over from the last entry
    flush: bool = False  # an entry ended: the next prompt becomes the barrier
    swallow: str = ""  # the terminator, right after an entry that max_digits ended
    typeahead: str = ""
    collect: _Collect | None = None
    result: CollectResult | None = None
    dial: _Dial | None = None
    agent: _Agent | None = None
    failure: NotAnswered | None = None


def _text(data: object, *keys: str) -> str:
    for key in keys:
        if not isinstance(data, dict):
            return ""
        data = data.get(key)
    return data if isinstance(data, str) else ""


def _int(data: Mapping[str, object], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) else 0


class AriCore:
    """Every call on one ARI application. Commands check first and raise before changing
    anything; every method returns the `Step` to carry out."""

    def __init__(self, config: AriConfig | None = None) -> None:
        self.config = config or AriConfig()
        self._calls: dict[str, _Call] = {}
        self._legs: dict[str, str] = {}  # agent channel id -> call id
        self._playbacks: dict[str, str] = {}  # playback id -> call id
        self._ids: dict[str, Iterator[int]] = {}

    def _id(self, kind: str) -> str:
        number = next(self._ids.setdefault(kind, itertools.count(1)))
        return f"{self.config.id_prefix}-{kind}-{number}"

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

    def dial_outcome(self, call_id: str) -> str | NotAnswered:
        """``""`` while ringing, ``answered``, or the failure."""
        call = self._calls[call_id]
        assert call.dial is not None
        if call.failure is not None:
            return call.failure
        return call.dial.outcome

    def bridge_outcome(self, call_id: str) -> str | NotAnswered:
        """``""`` while the agent rings or joins, ``bridged``, ``gone`` (the caller left),
        ``released``, or the failure."""
        call = self._calls[call_id]
        if call.failure is not None:
            failure, call.failure = call.failure, None
            return failure
        if call.state != "live":
            return "gone"
        if call.agent is None:
            return "released"
        return "bridged" if call.agent.bridged else ""

    # -- commands ----------------------------------------------------------------------------
    def _live(self, call_id: str, *, answered: bool = True) -> _Call | None:
        """The call if commands reach it; None if the caller left and the shell was not told."""
        call = self._calls.get(call_id)
        if call is None:
            raise CallNotLive(f"call {call_id}", "never rang")
        if call.state == "over":
            raise CallNotLive(f"call {call_id}", "is over")
        if call.state == "gone":
            return None
        if answered and not call.answered:
            raise CallNotLive(f"call {call_id}", "is not answered")
        return call

    def _dropped(self, call_id: str, what: str) -> Step:
        return Step(notes=(f"call {call_id}: {what} dropped, the caller hung up",))

    def _channel(self, call: _Call, verb: str, *params: tuple[str, str]) -> AriRequest:
        return AriRequest(
            method="POST",
            path=f"/channels/{call.call_id}/{verb}",
            params=params,
            call_id=call.call_id,
            gone_on=CHANNEL_GONE,
        )

    def answer(self, call_id: str) -> Step:
        call = self._live(call_id, answered=False)
        if call is None:
            return self._dropped(call_id, "answer")
        call.answered = True
        request = self._channel(call, "answer")
        return Step(requests=(_then(request, CallAnswered(call_id=call_id)),))

    def play(self, call_id: str, *, prompt_id: str, text: str, language: str) -> Step:
        call = self._live(call_id)
        if call is None:
            return self._dropped(call_id, f"prompt {prompt_id}")
        playback = self._id("pb")
        self._playbacks[playback] = call_id
        call.playbacks.append(playback)
        if call.flush:
            call.flush, call.barrier, call.typeahead = False, playback, ""
        media = self.config.media(prompt_id, text, language)
        request = self._channel(
            call, "play", ("media", media), ("lang", language), ("playbackId", playback)
        )
        said = PromptPlayed(call_id=call_id, prompt_id=prompt_id, text=text, language=language)
        return Step(requests=(_then(request, said),))

    def collect(self, call_id: str, spec: CollectSpec, now: datetime) -> Step:
        call = self._live(call_id)
        if call is None:
            self._calls[call_id].result = self._calls[call_id].hung_up
            return Step()
        out = _Out()
        call.collect = _Collect(spec=spec)
        if not call.playbacks:
            call.collect.deadline = now + timedelta(seconds=spec.timeout_s)
        keys, call.typeahead = call.typeahead, ""
        for key in keys:
            if call.collect is not None:
                self._key(call, key, now, out)
        return out.step()

    def bridge(self, call_id: str, *, agent_id: str, now: datetime) -> Step:
        call = self._live(call_id)
        if call is None:
            return self._dropped(call_id, f"bridge to agent {agent_id}")
        if call.agent is not None:
            raise ChannelError(
                f"call {call_id}", f"is already bridged to agent {call.agent.agent_id}"
            )
        leg = self._id("agent")
        deadline = now + timedelta(seconds=self.config.dial_timeout_s + 15)
        call.agent = _Agent(agent_id=agent_id, dial=_Dial(channel_id=leg, deadline=deadline))
        self._legs[leg] = call_id
        endpoint = self.config.agent_endpoint.format(agent_id=agent_id)
        return Step(
            requests=(self._originate(leg, endpoint, f"{AGENT_ARG},{call_id}", call.number),)
        )

    def _originate(self, channel_id: str, endpoint: str, args: str, caller_id: str) -> AriRequest:
        params = [("endpoint", endpoint), ("app", self.config.app), ("appArgs", args)]
        if caller_id:
            params.append(("callerId", caller_id))
        params += [("timeout", str(self.config.dial_timeout_s)), ("channelId", channel_id)]
        return AriRequest(method="POST", path="/channels", params=tuple(params))

    def transfer(self, call_id: str, *, number: str) -> Step:
        call = self._live(call_id)
        if call is None:
            return self._dropped(call_id, "transfer")
        call.state = "over"
        request = self._channel(
            call,
            "continue",
            ("context", self.config.transfer_context),
            ("extension", number),
            ("priority", "1"),
        )
        done = _then(request, CallTransferred(call_id=call_id, number=number))
        return Step(requests=(done, *self._release_agent(call)))

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

    def originate(self, *, number: str, caller_id: str, now: datetime) -> tuple[str, Step]:
        call_id = self._id("out")
        deadline = now + timedelta(seconds=self.config.dial_timeout_s + 15)
        call = _Call(
            call_id=call_id, number=number, dial=_Dial(channel_id=call_id, deadline=deadline)
        )
        self._calls[call_id] = call
        endpoint = self.config.outbound_endpoint.format(number=number)
        request = self._originate(call_id, endpoint, OUTBOUND_ARG, caller_id)
        return call_id, Step(
            requests=(_then(request, CallOriginated(call_id=call_id, number=number)),)
        )

    # -- replies -----------------------------------------------------------------------------
    def refused(self, request: AriRequest) -> None:
        """Asterisk refused an originate outright: nothing rings, nobody waits for it."""
        if request.path != "/channels":
            return
        channel_id = dict(request.params).get("channelId", "")
        call = self._calls.get(self._legs.pop(channel_id, channel_id))
        if call is None:
            return
        if call.call_id == channel_id:
            del self._calls[channel_id]
        elif call.agent is not None and call.agent.dial.channel_id == channel_id:
            call.agent = None

    def gone(self, request: AriRequest) -> Step:
        """Asterisk answered ``request`` with a status in its ``gone_on``."""
        out = _Out(notes=[f"call {request.call_id}: {request.describe()} found no channel"])
        call = self._calls.get(request.call_id)
        if call is not None:
            self._caller_left(call, "caller", out)
        return out.step()

    def channels_listed(self, body: object) -> Step:
        """The reply to the resync's ``GET /channels``."""
        alive = {_text(c, "id") for c in body} if isinstance(body, list) else set()
        out = _Out()
        for call in list(self._calls.values()):
            if call.state != "live" and not (call.dial and not call.dial.outcome):
                continue
            if call.call_id not in alive:
                self._channel_lost(call.call_id, 0, out, by="system")
                continue
            if call.agent and call.agent.dial.channel_id not in alive:
                self._channel_lost(call.agent.dial.channel_id, 0, out, by="system")
            if call.state != "live":
                continue
            out.requests.append(
                AriRequest(
                    method="POST",
                    path=f"/applications/{self.config.app}/subscription",
                    params=(("eventSource", f"channel:{call.call_id}"),),
                    call_id=call.call_id,
                    gone_on=SOURCE_GONE,
                )
            )
        return out.step()

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
        out = _Out()
        handler(self, message, now, out)
        return out.step()

    def tick(self, now: datetime) -> Step:
        """Time passed: collects and dials past their deadline end."""
        out = _Out()
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

    def _on_stasis_start(self, message: Mapping[str, object], now: datetime, out: _Out) -> None:
        channel = message.get("channel")
        cid = _text(channel, "id")
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
            out.requests.append(_cleanup("DELETE", f"/channels/{cid}"))
            return
        number = _text(channel, "caller", "number")
        self._prune()
        self._calls[cid] = _Call(call_id=cid, number=number)
        dialled = _text(channel, "dialplan", "exten")
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

    def _agent_answered(self, call: _Call, out: _Out) -> None:
        agent = call.agent
        if agent is None or agent.dial.outcome:
            return
        agent.dial.outcome = "answered"
        if call.state != "live":
            out.requests.append(_cleanup("DELETE", f"/channels/{agent.dial.channel_id}"))
            return
        agent.bridge_id = self._id("bridge")
        out.requests.append(
            AriRequest(
                method="POST",
                path="/bridges",
                params=(("type", "mixing"), ("bridgeId", agent.bridge_id), ("name", call.call_id)),
            )
        )
        out.requests.append(
            AriRequest(
                method="POST",
                path=f"/bridges/{agent.bridge_id}/addChannel",
                params=(("channel", f"{call.call_id},{agent.dial.channel_id}"),),
            )
        )

    def _on_leaving(self, message: Mapping[str, object], now: datetime, out: _Out) -> None:
        cid = _text(message.get("channel"), "id")
        if not cid:
            out.notes.append(f"ignored a {message.get('type')} without a channel id")
            return
        self._channel_lost(cid, _int(message, "cause"), out, by="caller")

    def _channel_lost(self, cid: str, cause: int, out: _Out, *, by: str) -> None:
        if cid in self._legs:
            self._leg_lost(self._calls[self._legs[cid]], cid, cause, out)
            return
        call = self._calls.get(cid)
        if call is None:
            return
        if call.dial is not None and not call.dial.outcome:
            self._dial_failed(call, call.dial, "", cause, out, hang_up=False)
        elif call.state == "live":
            self._caller_left(call, by, out)

    def _leg_lost(self, call: _Call, cid: str, cause: int, out: _Out) -> None:
        agent = call.agent
        if agent is None or agent.dial.channel_id != cid:
            return  # a leg already released
        if not agent.dial.outcome:
            self._dial_failed(call, agent.dial, "", cause, out, hang_up=False)
        elif agent.bridged and call.state == "live":
            # The agent hung up: the conversation is over for the caller too.
            out.notes.append(f"call {call.call_id}: agent {agent.agent_id} hung up")
            call.state, call.closed = "over", True
            out.requests.append(_cleanup("DELETE", f"/channels/{call.call_id}"))
            out.requests.extend(self._release_agent(call))
            out.events.append(CallHungUp(call_id=call.call_id, by="system"))

    def _caller_left(self, call: _Call, by: str, out: _Out) -> None:
        if call.closed:
            return
        call.closed = True
        call.hung_up = CallHungUp(call_id=call.call_id, by=by)
        out.events.append(call.hung_up)
        if call.state == "live":
            call.state = "gone"
        call.playbacks.clear()
        if call.collect is not None:
            call.collect, call.result = None, call.hung_up
        out.requests.extend(self._release_agent(call))

    def _release_agent(self, call: _Call) -> list[AriRequest]:
        agent, call.agent = call.agent, None
        if agent is None:
            return []
        released = [_cleanup("DELETE", f"/channels/{agent.dial.channel_id}")]
        if agent.bridge_id:
            released.append(_cleanup("DELETE", f"/bridges/{agent.bridge_id}"))
        return released

    def _dial_failed(
        self, call: _Call, dial: _Dial, outcome: str, cause: int, out: _Out, *, hang_up: bool
    ) -> None:
        status = dial.dialstatus
        if not outcome:
            if status == "BUSY" or cause in _BUSY_CAUSES:
                outcome = "busy"
            elif status == "NOANSWER" or cause in _NO_ANSWER_CAUSES:
                outcome = "no_answer"
            else:
                outcome = "failed"
        dial.outcome = outcome
        if hang_up:
            out.requests.append(_cleanup("DELETE", f"/channels/{dial.channel_id}"))
        why = {"busy": "was busy", "no_answer": "did not answer"}.get(
            outcome, "could not be reached"
        )
        detail = f" (cause {cause})" if cause else ""
        if dial is call.dial:
            call.state, call.closed = "over", True
            call.failure = NotAnswered(
                f"call {call.call_id}", f"{call.number} {why}{detail}", outcome
            )
            by = "caller" if outcome == "busy" else "system"
            out.events.append(CallHungUp(call_id=call.call_id, by=by))
        elif call.agent is not None:
            agent_id = call.agent.agent_id
            call.agent = None
            call.failure = NotAnswered(
                f"call {call.call_id}", f"agent {agent_id} {why}{detail}", outcome
            )
        out.notes.append(f"call {call.call_id}: dialled party {why}{detail}")

    def _on_dial(self, message: Mapping[str, object], now: datetime, out: _Out) -> None:
        cid = _text(message.get("peer"), "id")
        call = self._calls.get(self._legs.get(cid, cid))
        status = _text(message, "dialstatus")
        if call is None or not status:
            return
        dial = call.agent.dial if call.agent and call.agent.dial.channel_id == cid else call.dial
        if dial is not None and dial.channel_id == cid:
            dial.dialstatus = status

    def _on_dtmf(self, message: Mapping[str, object], now: datetime, out: _Out) -> None:
        cid = _text(message.get("channel"), "id")
        call = self._calls.get(cid)
        if call is None or call.state != "live":
            return  # an agent's keys, or a call already over
        key = _text(message, "digit")
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

    def _key(self, call: _Call, key: str, now: datetime, out: _Out) -> None:
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
            out.requests.append(_cleanup("DELETE", f"/playbacks/{playback}"))
        call.playbacks.clear()
        if len(collect.digits) >= spec.max_digits:
            self._finish(call, collect.digits, out)
            call.swallow = spec.terminator
        else:
            collect.deadline = now + timedelta(seconds=spec.timeout_s)

    def _finish(self, call: _Call, digits: str | None, out: _Out) -> None:
        call.collect, call.flush = None, True
        call.result = (
            CollectTimedOut(call_id=call.call_id)
            if digits is None
            else DigitsCollected(call_id=call.call_id, digits=digits)
        )
        out.events.append(call.result)

    def _on_playback(self, message: Mapping[str, object], now: datetime, out: _Out) -> None:
        playback = _text(message.get("playback"), "id")
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

    def _on_entered_bridge(self, message: Mapping[str, object], now: datetime, out: _Out) -> None:
        bridge = _text(message.get("bridge"), "id")
        cid = _text(message.get("channel"), "id")
        call = next(
            (c for c in self._calls.values() if c.agent and c.agent.bridge_id == bridge), None
        )
        if call is None or call.agent is None:
            return
        agent = call.agent
        agent.entered.add(cid)
        if not agent.bridged and {call.call_id, agent.dial.channel_id} <= agent.entered:
            agent.bridged = True
            out.events.append(CallBridged(call_id=call.call_id, agent_id=agent.agent_id))


def _then(request: AriRequest, event: TelephonyEvent) -> AriRequest:
    return AriRequest(
        method=request.method,
        path=request.path,
        params=request.params,
        call_id=request.call_id,
        gone_on=request.gone_on,
        then=(event,),
    )


def _cleanup(method: str, path: str) -> AriRequest:
    return AriRequest(method=method, path=path, cleanup=True)


_Handler = Callable[[AriCore, Mapping[str, object], datetime, _Out], None]
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
}
