"""Simulated callers walk the real IVR flows through the real interpreter.

`Caller.walk` runs one caller through a flow with `hotline.ivr.step`: at each node that waits for
keys the caller chooses as the scenario's ``ivr.choices`` say, a `WalkBank` answers the flow's
bank requests (a PIN is right with probability ``authenticate_ok``), and the time is the
prompts' length at the language's speaking rate, plus think times, plus collect timeouts, plus
``bank_s`` per bank request. The walk ends in the IVR (``completed``, ``abandoned``) or hands the
caller on, with the attributes the flow gathered (intent, language, authenticated, segment).

Walks are drawn before the run into pools (`hotline.sim.ivr_pools`), but the wait a callback
offer asks for is the engine's at that moment. So a walk forks where the flow first asks the
wait: it goes on as if the wait were short (no offer), and also, with a random stream of its
own (``fork_rng``), as if it were long (``Walk.long``: the offer, the caller's choice at it, and
whatever follows). The twin asks its engine when the caller gets there and takes one branch.
A later estimate in the same walk hears what the first one heard.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from hotline.ivr.actions import (
    AskEstimatedWait,
    BankRequest,
    Collect,
    Enqueue,
    Event,
    IvrEnded,
    OfferCallback,
    Output,
    Play,
    StartVoicemail,
)
from hotline.ivr.flow import Flow
from hotline.ivr.inputs import (
    BankReplied,
    CallerHungUp,
    CallStarted,
    DigitsEntered,
    EstimatedWait,
    Input,
    InputTimedOut,
)
from hotline.ivr.interpreter import new_call, step
from hotline.ivr.metrics import IN_IVR
from hotline.ivr.state import CallState
from hotline.ivr.steps_dialogue import SurveyStep
from hotline.ivr.steps_flow import CallbackStep
from hotline.sim.distributions import sampler
from hotline.sim.ivr_answers import Mix, WalkBank
from hotline.sim.ivr_section import ENTER, IvrSettings, answers, default_choice, junk_key
from hotline.sim.sampling import Sampler

#: What the twin hands to agents of what the flow gathered (a customer id would be one key
#: per caller in the routing cache, and routing rules do not use it).
AGENT_ATTRIBUTES = ("intent", "language", "authenticated", "segment")
#: A caller still keying after this many inputs hangs up (a menu looping on '*' for ever).
MAX_INPUTS = 200
_START = datetime(2007, 1, 1, tzinfo=UTC)
#: The number every simulated caller calls from (the twin books callbacks to it).
CALLER_NUMBER = "13800000000"
# Labels of a wait estimate's answers in the kept turns: below every threshold, or at one.
SHORT, LONG = "estimate", "estimate:long"


@dataclass(frozen=True, kw_only=True, slots=True)
class Walk:
    """One caller's way through the IVR.

    ``outcome`` as in `IvrEnded`; ``offered``: handed to agents with ``attributes``, enqueued
    or, with ``callback``, to be called back; ``events``: the call's IVR events; ``path``
    indexes the distinct event sequences of a pool. A walk that asked the wait heard a short
    one; it asked ``asks_s`` into the call, and ``long`` is the walk had the wait been
    ``threshold_s`` or more.
    """

    flow: str
    outcome: str
    seconds: float
    offered: bool
    contained: bool
    attributes: Mapping[str, str]
    events: tuple[Event, ...]
    path: int = -1
    callback: bool = False
    asks_s: float = -1.0
    threshold_s: float = 0.0
    long: Walk | None = None


class Turn:
    """The flow's answer to one input: the call's state after it, the seconds of prompts said,
    what the call waits for next (keys, the bank, a wait estimate, or nothing: it ended), and
    the IVR events of the call so far. Children by the label of the next input."""

    __slots__ = ("attributes", "bank", "children", "collect", "ended", "estimate", "node",
                 "phase", "play_s", "state", "trail")

    def __init__(self, state: CallState, outputs: tuple[Output, ...], rates: Mapping[str, float],
                 trail: tuple[Event, ...]) -> None:
        self.state = state
        self.node, self.phase, self.ended = state.node, state.phase, state.ended
        self.play_s = 0.0
        self.collect: Collect | None = None
        self.bank: BankRequest | None = None
        self.estimate = False
        self.attributes: Mapping[str, str] | None = None
        events: list[Event] = []
        for out in outputs:
            if isinstance(out, Play):
                self.play_s += len(out.text) / rates[out.language]
            elif isinstance(out, Collect):
                self.collect = out
            elif isinstance(out, BankRequest):
                self.bank = out
            elif isinstance(out, AskEstimatedWait):
                self.estimate = True
            elif isinstance(out, Enqueue | OfferCallback | StartVoicemail):
                self.attributes = out.attributes
            elif isinstance(out, IvrEnded):
                events.append(replace(out, seconds=0.0))  # the walk keeps the time apart
            elif isinstance(out, Event):
                events.append(out)
        self.trail = trail + tuple(events)
        self.children: dict[str, Turn] = {}


class Caller:
    """A simulated caller of one flow: the scenario's choices, think times and bank.

    The interpreter is deterministic in its inputs, so the turns it gave are kept in a tree
    keyed by the inputs (``memo``): a walk that repeats an earlier caller's keys reuses the
    interpreter's answers instead of stepping again, and draws exactly what it would have
    drawn otherwise (its choices, think times and bank answers), so the walks are the same.
    """

    def __init__(self, flow: Flow, settings: IvrSettings, rng: random.Random, *,
                 segment: str, memo: bool = True,
                 fork_rng: random.Random | None = None) -> None:
        self.flow = flow
        self.rng = rng
        # The long-wait branches draw from a stream of their own, so forking leaves the short
        # walks (and every later walk of a pool) as they were drawn before there were forks.
        self.fork_rng = fork_rng or random.Random(f"long-waits/{flow.name}")
        self.fork_think: Sampler = sampler(settings.think_s, self.fork_rng)
        self.settings = settings
        self.memo = memo
        self.think: Sampler = sampler(settings.think_s, rng)
        self.bank = WalkBank(settings, segment)
        self.bank_s = settings.bank_s
        self.segment = segment
        self.rates = dict(settings.chars_per_s)
        self.started = CallStarted(dialled_number=min(flow.numbers) if flow.numbers else "",
                                   caller_number=CALLER_NUMBER,
                                   context=MappingProxyType(dict(settings.context)))
        self.mixes: dict[str, Mix] = {}
        for name, node in flow.nodes.items():
            if answers(node) is None:
                continue
            given = settings.choices.get(f"{flow.name}.{name}")
            self.mixes[name] = Mix.of(given if given else {default_choice(flow, node): 1.0})
        # The wait that makes each callback offer speak up (the answer a long branch hears).
        self.thresholds = {name: node.threshold_s for name, node in flow.nodes.items()
                           if isinstance(node, CallbackStep)}
        self.root = self._first()

    def _first(self) -> Turn:
        state, outputs = step(self.flow, new_call(self.flow), self.started, _START)
        return Turn(state, outputs, self.rates, ())

    def choose(self, turn: Turn, rng: random.Random | None = None) -> str:
        """The caller's choice at a turn waiting for keys (a reason digit: ``reason:1``)."""
        rng = rng or self.rng
        node = self.flow.nodes[turn.node]
        if isinstance(node, SurveyStep) and turn.phase == 1:  # the reason for a low score
            reasons = sorted(node.reasons) or ["1"]
            return "reason:" + reasons[int(rng.random() * len(reasons))]
        mix = self.mixes.get(turn.node)
        return mix.draw(rng) if mix is not None else "timeout"

    def keys(self, turn: Turn, choice: str) -> Input:
        """The input a choice makes at ``turn``."""
        collect = turn.collect
        assert collect is not None
        if choice == "timeout":
            return InputTimedOut()
        if choice == "hangup":
            return CallerHungUp()
        if choice == ENTER:
            return DigitsEntered(digits="8" * max(collect.min_digits,
                                                  min(collect.max_digits, 6)))
        if choice == "junk":
            return DigitsEntered(digits=junk_key(self.flow.nodes[turn.node]) or "#")
        return DigitsEntered(digits=choice.removeprefix("reason:"))

    def walk(self) -> Walk:
        """Walk one call from its start to the end of its IVR part (and its long-wait branch)."""
        return self._walk(self.root if self.memo else self._first(), 0.0, 0, long=False)

    def _walk(self, turn: Turn, seconds: float, inputs: int, *, long: bool) -> Walk:
        rng, think = (self.fork_rng, self.fork_think) if long else (self.rng, self.think)
        asks_s, threshold_s, heard_long = -1.0, 0.0, None
        while True:
            seconds += turn.play_s
            if turn.ended:
                break
            reply: BankReplied | None = None
            if turn.collect is not None:
                inputs += 1
                label = "hangup" if inputs > MAX_INPUTS else self.choose(turn, rng)
                seconds += turn.collect.timeout_s if label == "timeout" else think()
            elif turn.bank is not None:
                reply = self.bank.answer(turn.bank, rng)
                label = reply.code or "ok"
                seconds += self.bank_s
            elif turn.estimate:
                label = LONG if long else SHORT
                if not long and heard_long is None:
                    asks_s, threshold_s = seconds, self.thresholds[turn.node]
                    heard_long = self._walk(self._next(turn, LONG, None, seconds), seconds,
                                            inputs, long=True)
            else:  # the interpreter always waits on something it asked for
                raise AssertionError(f"nothing to answer at node {turn.node!r}")
            turn = self._next(turn, label, reply, seconds)
        outcome = turn.state.outcome
        callback = outcome == "callback"
        offered = callback or outcome == "enqueued"
        return Walk(flow=self.flow.name, outcome=outcome, seconds=seconds, offered=offered,
                    contained=outcome in IN_IVR,
                    attributes=self._for_agents(turn.attributes) if offered else _NO_ATTRIBUTES,
                    events=turn.trail, callback=callback, asks_s=asks_s,
                    threshold_s=threshold_s, long=heard_long)

    def _next(self, turn: Turn, label: str, reply: BankReplied | None, seconds: float) -> Turn:
        """The turn after answering ``turn`` with ``label`` (kept, or stepped afresh)."""
        child = turn.children.get(label)
        if child is None:
            answer: Input
            if reply is not None:
                answer = reply
            elif turn.estimate:
                answer = EstimatedWait(seconds=self.thresholds[turn.node] if label == LONG
                                       else 0.0)
            else:
                answer = self.keys(turn, label)
            state, outputs = step(self.flow, turn.state, answer,
                                  _START + timedelta(seconds=seconds))
            child = Turn(state, outputs, self.rates, turn.trail)
            if self.memo:
                turn.children[label] = child
        return child

    def _for_agents(self, gathered: Mapping[str, str] | None) -> Mapping[str, str]:
        gathered = gathered or {}
        out = {name: value for name in AGENT_ATTRIBUTES if (value := gathered.get(name, ""))}
        intent = out.get("intent")
        if intent is not None:
            out["intent"] = self.settings.intents.get(intent, intent)
        out.setdefault("segment", self.segment)
        return MappingProxyType(out)


_NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})
