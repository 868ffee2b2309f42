"""The simulated switch: scripted callers that press keys, stay silent, speak or hang up.

Used by the end-to-end tests, the demo and the twin. Time is virtual: each prompt takes a
second per 10 characters (at least one), each key entry two seconds, each silence the
collect timeout and each message the seconds spoken, so a call's clock advances without
sleeping. A collect and a record each take the caller's next move.

>>> sim = SimulatedTelephony(start=datetime(2026, 3, 2, 9, tzinfo=UTC))     # doctest: +SKIP
>>> sim.ring(ScriptedCall(call_id="c1", dialled_number="95588",
...                       script=(Press("1"), Silent(), Leave())))          # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline.channels.errors import CallNotLive
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
    RecordingFinished,
    RecordResult,
    TelephonyEvent,
)

KEYS = frozenset("0123456789*#")


@dataclass(frozen=True, kw_only=True, slots=True, repr=False)
class Press:
    """The caller keys ``keys`` (a terminator such as ``#`` included if they press it)."""

    keys: str

    def __repr__(self) -> str:
        return f"Press(<{len(self.keys)} keys>)"


@dataclass(frozen=True, kw_only=True, slots=True)
class Silent:
    """The caller keys nothing until the collect times out."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Leave:
    """The caller hangs up (at a record: before the beep, e.g. during the greeting)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Speak:
    """The caller talks for ``seconds``, then keys ``#`` or, if ``hang_up``, hangs up. At a
    record that is the message (cut at its time limit); at a collect it keys nothing."""

    seconds: float
    hang_up: bool = False


Move = Press | Silent | Leave | Speak


@dataclass(frozen=True, kw_only=True, slots=True)
class ScriptedCall:
    """One caller: what they dial and what they do at each collect, in order. A caller whose
    script runs out hangs up at the next collect."""

    call_id: str
    dialled_number: str
    caller_number: str = ""
    script: tuple[Move, ...] = ()


class SimulatedTelephony:
    """An in-memory `TelephonyPort`; ``log`` records every event, digits masked in repr."""

    def __init__(self, *, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError(f"start: {start.isoformat()} has no time zone")
        self._now = start
        self.log: list[TelephonyEvent] = []
        self._scripts: dict[str, list[Move]] = {}
        self._answered: set[str] = set()
        self._ended: set[str] = set()
        self._outbound = itertools.count(1)

    def now(self) -> datetime:
        """The switch's virtual clock (aware)."""
        return self._now

    def ring(self, call: ScriptedCall) -> CallArrived:
        """A scripted caller dials in."""
        if call.call_id in self._scripts:
            raise CallNotLive(f"call {call.call_id}", "already rang")
        for move in call.script:
            if isinstance(move, Speak) and not move.seconds >= 0:
                raise ValueError(f"call {call.call_id}: script: a message needs seconds >= 0")
            if isinstance(move, Press) and not (move.keys and KEYS.issuperset(move.keys)):
                raise ValueError(f"call {call.call_id}: script: a press needs keys from 0-9*#")
        self._scripts[call.call_id] = list(call.script)
        arrived = CallArrived(
            call_id=call.call_id,
            dialled_number=call.dialled_number,
            caller_number=call.caller_number,
        )
        self.log.append(arrived)
        return arrived

    def _live(self, call_id: str, *, answered: bool = True) -> None:
        if call_id not in self._scripts:
            raise CallNotLive(f"call {call_id}", "never rang")
        if call_id in self._ended:
            raise CallNotLive(f"call {call_id}", "is over")
        if answered and call_id not in self._answered:
            raise CallNotLive(f"call {call_id}", "is not answered")

    def answer(self, call_id: str) -> None:
        self._live(call_id, answered=False)
        self._answered.add(call_id)
        self.log.append(CallAnswered(call_id=call_id))

    def play(self, call_id: str, *, prompt_id: str, text: str, language: str) -> None:
        self._live(call_id)
        self._now += timedelta(seconds=max(1, len(text) // 10))
        self.log.append(
            PromptPlayed(call_id=call_id, prompt_id=prompt_id, text=text, language=language)
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
        self._live(call_id)
        script = self._scripts[call_id]
        move: Move = script.pop(0) if script else Leave()
        result: CollectResult
        if isinstance(move, Leave):
            self._ended.add(call_id)
            result = CallHungUp(call_id=call_id, by="caller")
        elif isinstance(move, Silent | Speak):
            self._now += timedelta(seconds=timeout_s)
            result = CollectTimedOut(call_id=call_id)
        else:
            self._now += timedelta(seconds=2)
            keys = move.keys
            ended = bool(terminator) and terminator in keys
            digits = keys.split(terminator)[0] if ended else keys[:max_digits]
            # Without the terminator the switch waits out the timeout for the missing keys.
            if not ended and len(digits) < max_digits:
                self._now += timedelta(seconds=timeout_s)
            short = len(digits) < min_digits
            result = (
                CollectTimedOut(call_id=call_id)
                if short
                else DigitsCollected(call_id=call_id, digits=digits)
            )
        self.log.append(result)
        return result

    def record(self, call_id: str, *, name: str, max_s: float, beep: bool) -> RecordResult:
        self._live(call_id)
        script = self._scripts[call_id]
        move: Move = script.pop(0) if script else Leave()
        if isinstance(move, Leave):
            self._ended.add(call_id)
            gone = CallHungUp(call_id=call_id, by="caller")
            self.log.append(gone)
            return gone
        # The switch detects no silence, and only "#" ends a recording: silence or other keys
        # record up to the limit, as the caller who says nothing would on Asterisk.
        seconds, hung_up = max_s, False
        if isinstance(move, Speak):
            seconds, hung_up = move.seconds, move.hang_up and move.seconds <= max_s
        elif isinstance(move, Press) and "#" in move.keys:
            seconds = 0.0
        duration = float(min(seconds, max_s))
        self._now += timedelta(seconds=duration)
        result = RecordingFinished(call_id=call_id, name=name, duration_s=duration, hung_up=hung_up)
        self.log.append(result)
        if hung_up:  # the message is kept, then the line drops, as Asterisk reports it
            self._ended.add(call_id)
            self.log.append(CallHungUp(call_id=call_id, by="caller"))
        return result

    def bridge(self, call_id: str, *, agent_id: str) -> None:
        self._live(call_id)
        self.log.append(CallBridged(call_id=call_id, agent_id=agent_id))

    def transfer(self, call_id: str, *, number: str) -> None:
        self._live(call_id)
        self._ended.add(call_id)
        self.log.append(CallTransferred(call_id=call_id, number=number))

    def hang_up(self, call_id: str) -> None:
        self._live(call_id, answered=False)
        self._ended.add(call_id)
        self.log.append(CallHungUp(call_id=call_id, by="system"))

    def originate(self, *, number: str, caller_id: str) -> str:
        call_id = f"out-{next(self._outbound)}"
        self._scripts[call_id] = []
        self._answered.add(call_id)
        self.log.append(CallOriginated(call_id=call_id, number=number))
        return call_id

    # -- what the tests look at ---------------------------------------------------------------
    def played(self, call_id: str) -> list[PromptPlayed]:
        return [e for e in self.log if isinstance(e, PromptPlayed) and e.call_id == call_id]

    def ended(self, call_id: str) -> bool:
        return call_id in self._ended

    def left(self, call_id: str) -> int:
        """Script moves the caller has not made yet."""
        return len(self._scripts.get(call_id, ()))
