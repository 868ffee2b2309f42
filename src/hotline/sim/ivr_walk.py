"""Simulated callers walk the real IVR flows through the real interpreter.

`Caller.walk` runs one caller through a flow with `hotline.ivr.step`: at each node that waits for
keys the caller chooses as the scenario's ``ivr.choices`` say, a `WalkBank` answers the flow's
bank requests (a PIN is right with probability ``authenticate_ok``), and the time is the
prompts' length at the language's speaking rate, plus think times, plus collect timeouts, plus
``bank_s`` per bank request. The walk ends in the IVR (``completed``, ``abandoned``) or hands the
caller on, with the attributes the flow gathered (intent, language, authenticated, segment).

A month has about 7 M IVR calls and a walk costs a few hundred microseconds, so the twin does
not walk every call: `build_pools` draws ``pool`` walks of the main flow (``vip_pool`` of the
VIP flow) once, before the run, from a ``random.Random`` seeded with the twin's seed, and each
arrival picks one of them with the twin's own rng (`WalkPools.draw`). Walks do not depend on
the engine's state (the callback offer hears a wait of 0 s, so it never offers), hence the same
seed gives the same run. The pool freezes its sampling noise into the run: containment is the
pool's, within about ±0.2 points of the probabilities' at 20,000 walks.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

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
from hotline.ivr.metrics import IN_IVR, IvrReport, IvrTally
from hotline.ivr.operations import OPERATIONS, VERIFY_PIN
from hotline.ivr.state import CallState
from hotline.ivr.steps_dialogue import SurveyStep
from hotline.sim.distributions import sampler
from hotline.sim.ivr_section import ENTER, IvrSettings, answers, check_ivr, default_choice, junk_key
from hotline.sim.sampling import Sampler

#: What the twin hands to agents of what the flow gathered (a customer id would be one key
#: per caller in the routing cache, and routing rules do not use it).
AGENT_ATTRIBUTES = ("intent", "language", "authenticated", "segment")
#: A caller still keying after this many inputs hangs up (a menu looping on '*' for ever).
MAX_INPUTS = 200
_START = datetime(2007, 1, 1, tzinfo=UTC)
_CALLER_NUMBER = "13800000000"
_SAMPLE_DATA = {"balance": "12345.67", "currency": "CNY", "reference": "T0000001",
                "outstanding": "2345.00", "customer_id": "C000001", "account": "C000001-CUR",
                "card": "C000001-DC"}
_SAMPLE_ITEM = MappingProxyType({"date": "2007-06-01", "amount": "-200.00",
                                 "description": "ATM取款"})


@dataclass(frozen=True, slots=True)
class Mix:
    """Keys with probabilities, drawn with one ``rng.random()``."""

    keys: tuple[str, ...]
    cum: tuple[float, ...]

    @classmethod
    def of(cls, probabilities: Mapping[str, float]) -> Mix:
        keys = tuple(k for k, p in probabilities.items() if p > 0)
        return cls(keys, tuple(itertools.accumulate(probabilities[k] for k in keys)))

    def draw(self, rng: random.Random) -> str:
        if len(self.keys) == 1:
            return self.keys[0]
        i = bisect.bisect_right(self.cum, rng.random() * self.cum[-1])
        return self.keys[min(i, len(self.keys) - 1)]


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


class WalkBank:
    """Answers a flow's bank requests as the scenario says: PINs right with
    ``authenticate_ok``, other operations by their ``bank`` mix (default: all succeed)."""

    def __init__(self, settings: IvrSettings, segment: str) -> None:
        self.authenticate_ok = settings.authenticate_ok
        self.mixes = {op: Mix.of(mix) for op, mix in settings.bank.items()}
        self.verified = MappingProxyType({**{k: _SAMPLE_DATA[k] for k in
                                             ("customer_id", "account", "card")},
                                          "segment": segment})

    def answer(self, request: BankRequest, rng: random.Random) -> BankReplied:
        if request.operation == VERIFY_PIN:
            if rng.random() < self.authenticate_ok:
                return BankReplied(ok=True, data=self.verified)
            return BankReplied(ok=False, code="wrong_pin")
        mix = self.mixes.get(request.operation)
        code = mix.draw(rng) if mix is not None else "ok"
        if code != "ok":
            return BankReplied(ok=False, code=code)
        operation = OPERATIONS[request.operation]
        data = {name: _SAMPLE_DATA.get(name, "1") for name in operation.outputs}
        items: tuple[Mapping[str, str], ...] = ()
        if operation.item_fields:
            count = request.arguments.get("count", "")
            items = (_SAMPLE_ITEM,) * (int(count) if count.isdigit() else 5)
            data["count"] = str(len(items))
        return BankReplied(ok=True, data=MappingProxyType(data), items=items)


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


class Pool:
    """``size`` walks of one flow and their distinct event sequences (paths)."""

    def __init__(self, caller: Caller, size: int) -> None:
        self.flow = caller.flow.name
        paths: dict[tuple[Event, ...], int] = {}
        # Walks that end on the same turn share its events: look them up by identity first
        # (hashing a tuple of events costs more than the walk).
        known: dict[int, int] = {}
        walks: list[Walk] = []
        for _ in range(size):
            w = caller.walk()
            path = known.get(id(w.events))
            if path is None:
                path = known[id(w.events)] = paths.setdefault(w.events, len(paths))
            walks.append(replace(w, path=path))
        self.walks = walks
        self.paths = list(paths)

    def report(self, hits: list[int] | None = None) -> IvrReport:
        """The IVR report over the pool's walks, each once or drawn ``hits[i]`` times."""
        weights = [0] * len(self.paths)
        for i, walk in enumerate(self.walks):
            weights[walk.path] += hits[i] if hits is not None else 1
        return weighted_report(self.paths, weights)


def weighted_report(paths: list[tuple[Event, ...]], weights: list[int]) -> IvrReport:
    """`IvrTally`'s report as if each path's events were added ``weight`` times."""
    total = IvrTally()
    for events, n in zip(paths, weights, strict=True):
        if n == 0:
            continue
        one = IvrTally()
        one.add_call(events)
        total.entered += one.entered * n
        for mine, theirs in ((total.outcomes, one.outcomes), (total.reached, one.reached),
                             (total.dropped, one.dropped)):
            for key, count in theirs.items():
                mine[key] += count * n
        for score, count in one.scores.items():
            total.scores[score] += count * n
        total.auth_calls += one.auth_calls * n
        total.auth_succeeded += one.auth_succeeded * n
        total.wrong_pins += one.wrong_pins * n
        total.lockouts += one.lockouts * n
    return total.report()


def build_pools(settings: IvrSettings, *, seed: int,
                source: str = "scenario") -> tuple[Pool, Pool | None]:
    """The main flow's pool and the VIP flow's (None without VIP callers).

    Each pool draws from its own ``random.Random`` seeded by the seed and the flow's name, so
    the same seed gives the same walks, and resizing one pool leaves the other as it was.
    """
    flows = list(check_ivr(settings, source).values())

    def pool(flow: Flow, size: int, segment: str) -> Pool:
        rng = random.Random(f"ivr-walks/{seed}/{flow.name}")
        return Pool(Caller(flow, settings, rng, segment=segment), size)

    main = pool(flows[0], settings.pool, settings.segment)
    vip = pool(flows[1], settings.vip_pool, "vip") \
        if len(flows) > 1 and settings.vip_share > 0 else None
    return main, vip


_CACHE: dict[str, tuple[Pool, Pool | None]] = {}
_CACHE_SIZE = 4


def cached_pools(settings: IvrSettings, *, seed: int,
                 source: str = "scenario") -> tuple[Pool, Pool | None]:
    """`build_pools`, kept for the next run of the same settings and seed in this process
    (the planning loop runs the same scenario round after round). Walks are immutable."""
    key = f"{seed}|{settings.model_dump_json()}"
    found = _CACHE.get(key)
    if found is None:
        found = build_pools(settings, seed=seed, source=source)
        if len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = found
    return found


class WalkPools:
    """One run's draws from the pools.

    ``draw(u)`` maps one uniform draw of the twin's rng to a walk: below ``vip_share`` a VIP
    walk, else a main one; it counts the draws per walk for `reports`. It is a closure over
    locals: it runs once per arrival, millions of times a month.
    """

    def __init__(self, main: Pool, vip: Pool | None, vip_share: float) -> None:
        self.main = main
        self.vip = vip
        self.vip_share = vip_share if vip is not None else 0.0
        self.main_hits = [0] * len(main.walks)
        self.vip_hits = [0] * (len(vip.walks) if vip is not None else 0)
        self.draw: Callable[[float], Walk] = self._drawer()

    @classmethod
    def for_run(cls, settings: IvrSettings, *, seed: int, source: str = "scenario",
                cache: bool = True) -> WalkPools:
        make = cached_pools if cache else build_pools
        main, vip = make(settings, seed=seed, source=source)
        return cls(main, vip, settings.vip_share)

    def _drawer(self) -> Callable[[float], Walk]:
        share = self.vip_share
        main_walks, main_hits = self.main.walks, self.main_hits
        vip_walks = self.vip.walks if self.vip is not None else []
        vip_hits = self.vip_hits
        # u < 1, so an index reaches the length only by rounding: clamp it to the last walk.
        main_scale, main_last = len(main_walks) / (1.0 - share), len(main_walks) - 1
        vip_scale = len(vip_walks) / share if share > 0 else 0.0
        vip_last = len(vip_walks) - 1

        def draw(u: float) -> Walk:
            if u < share:
                i = int(u * vip_scale)
                if i > vip_last:
                    i = vip_last
                vip_hits[i] += 1
                return vip_walks[i]
            i = int((u - share) * main_scale)
            if i > main_last:
                i = main_last
            main_hits[i] += 1
            return main_walks[i]

        return draw

    def reports(self) -> dict[str, IvrReport]:
        """The IVR report per flow over the walks drawn so far."""
        out = {self.main.flow: self.main.report(self.main_hits)}
        if self.vip is not None:
            out[self.vip.flow] = self.vip.report(self.vip_hits)
        return out


def summary(report: IvrReport, *, top: int | None = None) -> dict[str, Any]:
    """A JSON-ready digest of an IVR report: outcomes, containment, the funnel (``top`` nodes)."""
    return {
        "entered": report.entered,
        "outcomes": dict(report.outcomes),
        "containment": report.containment,
        "served_containment": report.served_containment,
        "auth_success_rate": report.auth_success_rate,
        "lockouts": report.lockouts,
        "survey_answers": report.survey_answers,
        "csat": report.csat,
        "funnel": [{"node": s.node, "entered": s.entered, "dropped": s.dropped}
                   for s in report.funnel[:top]],
    }
