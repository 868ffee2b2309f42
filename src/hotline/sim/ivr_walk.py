"""Simulated callers walk the real IVR flows through the real interpreter.

`Caller.walk` runs one caller through a flow with `hotline.ivr.step`: at each node that waits for
keys the caller chooses as the scenario's ``ivr.choices`` say, a `WalkBank` answers the flow's
bank requests (a PIN is right with probability ``authenticate_ok``), and the time is the
prompts' length at the language's speaking rate, plus think times, plus collect timeouts, plus
``bank_s`` per bank request. The walk ends in the IVR (``completed``, ``abandoned``) or hands the
caller on, with the attributes the flow gathered (intent, language, authenticated, segment).

Walks are drawn before the run into pools (`hotline.sim.ivr_pools`), so they do not depend on
the engine's state (the callback offer hears a wait of 0 s, so it never offers), hence the same
seed gives the same run.
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
_CALLER_NUMBER = "13800000000"


@dataclass(frozen=True, kw_only=True, slots=True)
class Walk:
    """One caller's way through the IVR.

    ``outcome`` as in `IvrEnded`; ``offered``: enqueued to agents with ``attributes``;
    ``events``: the call's IVR events; ``path`` indexes the distinct event sequences of a pool.
    """

    flow: str
    outcome: str
    seconds: float
    offered: bool
    contained: bool
    attributes: Mapping[str, str]
    events: tuple[Event, ...]
    path: int = -1


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
                 segment: str, memo: bool = True) -> None:
        self.flow = flow
        self.rng = rng
        self.settings = settings
        self.memo = memo
        self.think: Sampler = sampler(settings.think_s, rng)
        self.bank = WalkBank(settings, segment)
        self.bank_s = settings.bank_s
        self.segment = segment
        self.rates = dict(settings.chars_per_s)
        self.started = CallStarted(dialled_number=min(flow.numbers) if flow.numbers else "",
                                   caller_number=_CALLER_NUMBER,
                                   context=MappingProxyType(dict(settings.context)))
        self.mixes: dict[str, Mix] = {}
        for name, node in flow.nodes.items():
            if answers(node) is None:
                continue
            given = settings.choices.get(f"{flow.name}.{name}")
            self.mixes[name] = Mix.of(given if given else {default_choice(flow, node): 1.0})
        self.root = self._first()

    def _first(self) -> Turn:
        state, outputs = step(self.flow, new_call(self.flow), self.started, _START)
        return Turn(state, outputs, self.rates, ())

    def choose(self, turn: Turn) -> str:
        """The caller's choice at a turn waiting for keys (a reason digit: ``reason:1``)."""
        node = self.flow.nodes[turn.node]
        if isinstance(node, SurveyStep) and turn.phase == 1:  # the reason for a low score
            reasons = sorted(node.reasons) or ["1"]
            return "reason:" + reasons[int(self.rng.random() * len(reasons))]
        mix = self.mixes.get(turn.node)
        return mix.draw(self.rng) if mix is not None else "timeout"

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
        """Walk one call from its start to the end of its IVR part."""
        turn = self.root if self.memo else self._first()
        seconds = 0.0
        inputs = 0
        while True:
            seconds += turn.play_s
            if turn.ended:
                break
            reply: BankReplied | None = None
            if turn.collect is not None:
                inputs += 1
                label = "hangup" if inputs > MAX_INPUTS else self.choose(turn)
                seconds += turn.collect.timeout_s if label == "timeout" else self.think()
            elif turn.bank is not None:
                reply = self.bank.answer(turn.bank, self.rng)
                label = reply.code or "ok"
                seconds += self.bank_s
            elif turn.estimate:
                label = "estimate"
            else:  # the interpreter always waits on something it asked for
                raise AssertionError(f"nothing to answer at node {turn.node!r}")
            child = turn.children.get(label)
            if child is None:
                answer: Input = reply if reply is not None else \
                    EstimatedWait(seconds=0.0) if turn.estimate else self.keys(turn, label)
                state, outputs = step(self.flow, turn.state, answer,
                                      _START + timedelta(seconds=seconds))
                child = Turn(state, outputs, self.rates, turn.trail)
                if self.memo:
                    turn.children[label] = child
            turn = child
        outcome = turn.state.outcome
        offered = outcome == "enqueued"
        return Walk(flow=self.flow.name, outcome=outcome, seconds=seconds, offered=offered,
                    contained=outcome in IN_IVR,
                    attributes=self._for_agents(turn.attributes) if offered else _NO_ATTRIBUTES,
                    events=turn.trail)

    def _for_agents(self, gathered: Mapping[str, str] | None) -> Mapping[str, str]:
        gathered = gathered or {}
        out = {name: value for name in AGENT_ATTRIBUTES if (value := gathered.get(name, ""))}
        intent = out.get("intent")
        if intent is not None:
            out["intent"] = self.settings.intents.get(intent, intent)
        out.setdefault("segment", self.segment)
        return MappingProxyType(out)


_NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})
