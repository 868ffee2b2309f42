"""The ARI adapter's state: its configuration, the requests and steps it hands the shell, what
it keeps per call, and the bookkeeping both halves of `ari_adapter.AriCore` share (ids, which
calls commands reach, a caller leaving). No I/O; see `ari_adapter` for the semantics.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from hotline.channels.errors import CallNotLive, NotAnswered
from hotline.channels.telephony import CallHungUp, CollectResult, TelephonyEvent

AGENT_ARG, OUTBOUND_ARG = "agent", "outbound"
#: Statuses of a channel request that mean "that channel is not there any more".
CHANNEL_GONE = frozenset({404, 409})


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
    #: Asterisk's music-on-hold class a caller hears while waiting for an agent ("" for none).
    moh_class: str = "default"
    #: The caller id a callback shows the customer ("": the trunk's default).
    caller_id: str = ""
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
class Out:
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
class Collect:
    spec: CollectSpec
    digits: str = ""
    deadline: datetime | None = None


@dataclass(kw_only=True, slots=True)
class Dial:
    """A channel this adapter dialled (an outbound call or an agent leg)."""

    channel_id: str
    deadline: datetime
    dialstatus: str = ""
    outcome: str = ""  # "" while ringing; answered | busy | no_answer | failed


@dataclass(kw_only=True, slots=True)
class AgentLeg:
    agent_id: str
    dial: Dial
    bridge_id: str = ""
    entered: set[str] = field(default_factory=set)
    bridged: bool = False


@dataclass(kw_only=True, slots=True)
class AriCall:
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
    collect: Collect | None = None
    result: CollectResult | None = None
    dial: Dial | None = None
    agent: AgentLeg | None = None
    failure: NotAnswered | None = None
    moh: bool = False  # music on hold is playing


def text_at(data: object, *keys: str) -> str:
    for key in keys:
        if not isinstance(data, dict):
            return ""
        data = data.get(key)
    return data if isinstance(data, str) else ""


def int_at(data: Mapping[str, object], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) else 0


class AriState:
    """The calls on one ARI application and the helpers every command and event uses."""

    def __init__(self, config: AriConfig | None = None) -> None:
        self.config = config or AriConfig()
        self._calls: dict[str, AriCall] = {}
        self._legs: dict[str, str] = {}  # agent channel id -> call id
        self._playbacks: dict[str, str] = {}  # playback id -> call id
        self._ids: dict[str, Iterator[int]] = {}

    def _id(self, kind: str) -> str:
        number = next(self._ids.setdefault(kind, itertools.count(1)))
        return f"{self.config.id_prefix}-{kind}-{number}"

    def _live(self, call_id: str, *, answered: bool = True) -> AriCall | None:
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

    def _channel(self, call: AriCall, verb: str, *params: tuple[str, str]) -> AriRequest:
        return AriRequest(
            method="POST",
            path=f"/channels/{call.call_id}/{verb}",
            params=params,
            call_id=call.call_id,
            gone_on=CHANNEL_GONE,
        )

    def _caller_left(self, call: AriCall, by: str, out: Out) -> None:
        if call.closed:
            return
        call.closed = True
        call.hung_up = CallHungUp(call_id=call.call_id, by=by)
        out.events.append(call.hung_up)
        if call.state == "live":
            call.state = "gone"
        call.playbacks.clear()
        call.moh = False  # it went with the channel
        if call.collect is not None:
            call.collect, call.result = None, call.hung_up
        out.requests.extend(self._release_agent(call))

    def _release_agent(self, call: AriCall) -> list[AriRequest]:
        agent, call.agent = call.agent, None
        if agent is None:
            return []
        released = [cleanup("DELETE", f"/channels/{agent.dial.channel_id}")]
        if agent.bridge_id:
            released.append(cleanup("DELETE", f"/bridges/{agent.bridge_id}"))
        return released


def then(request: AriRequest, event: TelephonyEvent) -> AriRequest:
    """``request``, emitting ``event`` once it succeeded."""
    return AriRequest(
        method=request.method,
        path=request.path,
        params=request.params,
        call_id=request.call_id,
        gone_on=request.gone_on,
        then=(event,),
    )


def cleanup(method: str, path: str) -> AriRequest:
    """A request that releases something; "not found" means it is already gone."""
    return AriRequest(method=method, path=path, cleanup=True)
