"""The telephony port: what the IVR shell asks of a switch, and what the switch reports.

Calls are named by ``call_id``. `collect` blocks until the caller keyed enough digits, went
silent past the timeout, or hung up, and returns the event that ended it; `record` blocks
until the caller's message ended (``#``, the time limit or a hang-up), failed, or never
began. Every event is a frozen keyword-only dataclass; keyed digits are masked in
``repr``/``str`` because a PIN or a card number may be among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, kw_only=True, slots=True)
class CallArrived:
    """An inbound call rang: ``dialled_number`` (the hotline) from ``caller_number``."""

    call_id: str
    dialled_number: str
    caller_number: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class CallAnswered:
    call_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class PromptPlayed:
    """A prompt was said to the caller (text as rendered, before text-to-speech)."""

    call_id: str
    prompt_id: str
    text: str
    language: str


@dataclass(frozen=True, kw_only=True, slots=True, repr=False)
class DigitsCollected:
    """The caller keyed ``digits`` (terminator stripped)."""

    call_id: str
    digits: str

    def __repr__(self) -> str:
        return f"DigitsCollected(call_id={self.call_id!r}, digits=<{len(self.digits)} masked>)"

    def __str__(self) -> str:
        return repr(self)


@dataclass(frozen=True, kw_only=True, slots=True)
class CollectTimedOut:
    """Not enough digits before the timeout."""

    call_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CallHungUp:
    """The call ended; ``by`` is ``"caller"`` or ``"system"``."""

    call_id: str
    by: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CallBridged:
    """The caller is connected to agent ``agent_id``."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CallTransferred:
    """The call left for an outside ``number``."""

    call_id: str
    number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CallOriginated:
    """An outbound call (a callback, a dialer call) to ``number`` was placed."""

    call_id: str
    number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordingFinished:
    """A message was recorded as ``name`` (the switch's file, without its format): the caller
    keyed ``#``, reached the time limit, or hung up (``hung_up``: the call is over then)."""

    call_id: str
    name: str
    duration_s: float
    hung_up: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordingFailed:
    """The switch could not record ``name``; ``cause`` says why. The call is still live."""

    call_id: str
    name: str
    cause: str


TelephonyEvent = (
    CallArrived
    | CallAnswered
    | PromptPlayed
    | DigitsCollected
    | CollectTimedOut
    | CallHungUp
    | CallBridged
    | CallTransferred
    | CallOriginated
    | RecordingFinished
    | RecordingFailed
)
CollectResult = DigitsCollected | CollectTimedOut | CallHungUp
#: A hang-up here means the caller left before the recording began (during the greeting).
RecordResult = RecordingFinished | RecordingFailed | CallHungUp


class TelephonyPort(Protocol):
    """A switch, seen from the IVR shell. The simulated adapter is `telephony_sim`."""

    def answer(self, call_id: str) -> None: ...

    def play(self, call_id: str, *, prompt_id: str, text: str, language: str) -> None: ...

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
        """Wait for keys; ``secret`` keys (a PIN) are never echoed or logged in clear."""
        ...

    def record(self, call_id: str, *, name: str, max_s: float, beep: bool) -> RecordResult:
        """Record the caller's message as ``name`` (after a beep if ``beep``) until ``#``,
        ``max_s`` seconds or a hang-up; queued prompts are said first."""
        ...

    def bridge(self, call_id: str, *, agent_id: str) -> None: ...

    def transfer(self, call_id: str, *, number: str) -> None: ...

    def hang_up(self, call_id: str) -> None: ...

    def originate(self, *, number: str, caller_id: str) -> str:
        """Place an outbound call; return its ``call_id``."""
        ...
