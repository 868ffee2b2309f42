"""The IVR in the live server: each call walks the real flows on the centre's clock.

`IvrRunner.ring` answers a call and runs it through the IVR shell's `CallRun` (the pure
interpreter, the flows of a `FlowRegistry`, the bank through `IvrBank`); ``Enqueue`` and
``OfferCallback`` become ``OfferContact`` / ``RequestCallback`` on the `LiveCentre` through
`CentreRouting` (or the demo's routing, which maps the flows' workflows to the scenario's), so
they are logged and streamed like any other contact. Nothing blocks the event loop: at each
``Collect`` the call's `Answerer` (the simulated caller) says what it keys and how long it takes,
and the runner feeds that in after the prompts' time plus the caller's, scaled by ``scale``
(the demo's speed), on ``timers``. When an agent ends a call that came from the IVR, the
caller who is still on the line gets the flow's survey, and the answer goes to the shell's
``surveys`` sink (`hotline.live.surveys.Surveys.answer`).

Every finished IVR part (and survey leg) is counted in `IvrToday`: today's containment, the
drop-out funnel per node, authentication successes and lockouts (`hotline.ivr.metrics`).
Calls on a real switch (Asterisk) run through `hotline.live.ivr_ari` with the same shell.
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from hotline.channels.errors import ChannelError
from hotline.channels.ivr_session import CallResult, CallRun, IvrShell
from hotline.channels.telephony import (
    CallArrived,
    CollectResult,
    RecordingFinished,
    RecordResult,
)
from hotline.channels.telephony_sim import SimulatedTelephony
from hotline.core import events as ev
from hotline.core.commands import OfferContact, RequestCallback
from hotline.core.errors import CoreError
from hotline.ivr.actions import Collect, Play
from hotline.live.centre import Batch, LiveCentre
from hotline.live.demo_time import Timers
from hotline.live.ivr_today import IvrToday

log = logging.getLogger(__name__)
#: Seconds from the agent's hang-up to the survey's first prompt.
SURVEY_AFTER_S = 2.0
#: Calls handed to agents, remembered for their survey leg (the oldest go first).
KEEP_FOR_SURVEY = 20_000


Attributes = Mapping[str, str | int | float | bool]


class CentreRouting:
    """The IVR shell's routing on the live centre: the events are persisted and streamed.
    ``enrich`` adds what the desk shows beside the flow's attributes (a masked card)."""

    def __init__(self, centre: LiveCentre,
                 enrich: Callable[[Mapping[str, str]], Attributes] | None = None) -> None:
        self.centre = centre
        self.enrich = enrich

    def handle(self, command: OfferContact | RequestCallback, now: float) -> list[ev.Event]:
        # The centre runs every command at its own clock's now; ``now`` is the shell's.
        if isinstance(command, OfferContact) and self.enrich is not None:
            given = {k: v for k, v in command.attributes.items() if isinstance(v, str)}
            command = replace(command, attributes={**command.attributes, **self.enrich(given)})
        return [e for _, e in self.centre.execute(command)]


class NullLine(SimulatedTelephony):
    """The switch of callers who exist only in the demo: prompts go nowhere and nothing is
    kept (the simulated switch's log would grow with every call); keys come from the caller's
    `Answerer`, never from here."""

    def __init__(self, rng: random.Random | None = None) -> None:
        super().__init__(start=datetime(2026, 1, 1, tzinfo=UTC))
        self.rng = rng or random.Random(0)

    def record(self, call_id: str, *, name: str, max_s: float, beep: bool) -> RecordResult:
        """A demo caller at the voicemail tone says 6–45 s (up to the limit) and hangs up."""
        seconds = min(max_s, self.rng.uniform(6.0, 45.0))
        return RecordingFinished(call_id=call_id, name=name, duration_s=seconds, hung_up=True)

    def answer(self, call_id: str) -> None:
        return None

    def play(self, call_id: str, *, prompt_id: str, text: str, language: str) -> None:
        return None

    def bridge(self, call_id: str, *, agent_id: str) -> None:
        return None

    def transfer(self, call_id: str, *, number: str) -> None:
        return None

    def hang_up(self, call_id: str) -> None:
        return None


class Answerer(Protocol):
    """The caller's side of one simulated call."""

    def keys(self, run: CallRun, collect: Collect) -> tuple[CollectResult, float]:
        """What the caller does at ``collect`` and the seconds it takes them (thinking and
        keying, or the silence until the timeout)."""
        ...


class ScriptedAnswerer:
    """A caller scripted on a `SimulatedTelephony` (``ring`` it first): its moves, timed by
    the switch's virtual clock."""

    def __init__(self, switch: SimulatedTelephony) -> None:
        self.switch = switch

    def keys(self, run: CallRun, collect: Collect) -> tuple[CollectResult, float]:
        before = self.switch.now()
        got = self.switch.collect(
            run.call_id, max_digits=collect.max_digits, min_digits=collect.min_digits,
            terminator=collect.terminator, timeout_s=collect.timeout_s, secret=collect.secret)
        return got, (self.switch.now() - before).total_seconds()


def speaking_time(said: list[Play], rates: Mapping[str, float]) -> float:
    """Seconds the prompts take: characters at the language's rate (10 a second by default,
    as on the simulated switch), at least a second each."""
    return sum(max(1.0, len(p.text) / rates.get(p.language, 10.0)) for p in said)


@dataclass(kw_only=True, slots=True)
class _Live:
    key: str
    run: CallRun
    answerer: Answerer
    survey: bool = False
    token: int | None = None


class IvrRunner:
    """Runs simulated callers' calls through the IVR shell on the centre's clock."""

    def __init__(self, shell: IvrShell, centre: LiveCentre, *, today: IvrToday,
                 timers: Timers | None = None, scale: Callable[[float], float] = float,
                 rates: Mapping[str, float] | None = None,
                 ended: Callable[[CallResult, Answerer], object] | None = None,
                 opening: Callable[[CallArrived], Mapping[str, str]] | None = None) -> None:
        self.shell = shell
        self.centre = centre
        self.today = today
        self.timers = timers if timers is not None else Timers(centre.clock)
        self.scale = scale
        self.rates = dict(rates or {})
        self.ended = ended
        self.opening = opening
        self.live: dict[str, _Live] = {}
        # Calls handed to agents, with their answerer, for the survey leg.
        self._handed: dict[str, tuple[CallResult, Answerer]] = {}
        self.failed = 0
        self._unsubscribe = centre.subscribe(self._heard)

    def close(self) -> None:
        self._unsubscribe()
        self.drop_calls()

    def drop_calls(self) -> None:
        """Forget the calls in the IVR (the demo floor stopped: its callers are gone)."""
        for call in self.live.values():
            self.timers.cancel(call.token)
        self.live.clear()

    def ring(self, arrived: CallArrived, answerer: Answerer, *,
             context: Mapping[str, str] | None = None, segment: str = "") -> CallRun:
        """A call comes in: answer it and run it to its first wait, now. ``opening`` (the
        centre's hours at this moment) overrides what ``context`` says of them."""
        known = dict(context or {})
        if self.opening is not None:
            known.update(self.opening(arrived))
        run = CallRun.new(self.shell, arrived, context=known, segment=segment)
        call = _Live(key=arrived.call_id, run=run, answerer=answerer)
        self.live[call.key] = call
        self._go(call, run.start)
        return run

    def _go(self, call: _Live, move: Callable[[], Collect | None]) -> None:
        run = call.run
        try:
            collect = move()
        except (ChannelError, CoreError) as exc:
            # A workflow the flow names but the centre lacks, a switch that lost the call:
            # the call ends here, the server goes on.
            self.failed += 1
            log.warning("IVR call %s ended on an error: %s", run.call_id, exc)
            self.live.pop(call.key, None)
            with contextlib.suppress(ChannelError):  # the line may be gone already
                self.shell.telephony.hang_up(run.call_id)
            return
        if collect is None:
            self._done(call)
            return
        got, seconds = call.answerer.keys(run, collect)
        delay = self.scale(speaking_time(run.said, self.rates) + seconds)
        call.token = self.timers.after(delay, lambda: self._go(call, lambda: run.feed(
            run.heard(got))), "ivr input")

    def _done(self, call: _Live) -> None:
        run = call.run
        self.live.pop(call.key, None)
        self.today.add(run.result, survey=call.survey)
        if call.survey:
            return
        if self.ended is not None:
            self.ended(run.result, call.answerer)
        if run.result.outcome == "enqueued":
            if len(self._handed) >= KEEP_FOR_SURVEY:
                del self._handed[next(iter(self._handed))]
            self._handed[run.call_id] = (run.result, call.answerer)

    # --- the survey after the agent ----------------------------------------------------------
    def _heard(self, batch: Batch) -> None:
        for _, e in batch:
            te = type(e)
            if te is ev.ContactEnded:
                handed = self._handed.pop(e.contact_id, None)  # type: ignore[attr-defined]
                if handed is not None:
                    self._ask_survey(*handed)
            elif te in ev.TERMINAL:
                self._handed.pop(e.contact_id, None)  # type: ignore[attr-defined]

    def _ask_survey(self, result: CallResult, answerer: Answerer) -> None:
        self.timers.after(self.scale(SURVEY_AFTER_S), lambda: self._survey(result, answerer),
                          "survey")

    def _survey(self, result: CallResult, answerer: Answerer) -> None:
        try:
            run = CallRun.survey(self.shell, result)
        except ChannelError as exc:
            log.warning("survey of call %s not asked: %s", result.call_id, exc)
            return
        if run is None:
            return
        call = _Live(key=f"{result.call_id}/survey", run=run, answerer=answerer, survey=True)
        self.live[call.key] = call
        self._go(call, lambda: run.waiting)

    def stats(self) -> dict[str, int]:
        return {"in_ivr": len(self.live), "failed": self.failed}


def shell_clock(centre: LiveCentre) -> Callable[[], datetime]:
    """The shell's clock: the centre's, as an aware datetime."""
    return lambda: datetime.fromtimestamp(centre.clock.now(), UTC)
