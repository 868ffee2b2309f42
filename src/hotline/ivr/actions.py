"""What a call's interpreter asks the shell to do (imperative) and what happened (events).

The shell performs the actions in order: it plays the prompts one after another, then
collects digits or waits for the bank. Events are for the log and the IVR metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hotline.ivr.secret import Secret

# -- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Play:
    """Say prompt ``prompt_id`` (already rendered to ``text``) in ``language``."""

    prompt_id: str
    text: str
    language: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Collect:
    """Collect up to ``max_digits`` keys, ending early on ``terminator``; answer with
    `DigitsEntered` or, after ``timeout_s`` without enough keys, `InputTimedOut`.
    ``secret`` digits (a PIN) must not be logged or echoed."""

    max_digits: int
    min_digits: int = 1
    terminator: str = ""
    timeout_s: float
    secret: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class BankRequest:
    """Ask the bank for ``operation`` with ``arguments``; answer with `BankReplied`.

    The PIN, if any, travels only in ``secret`` and shows masked.
    """

    operation: str
    arguments: Mapping[str, str]
    secret: Secret | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AskEstimatedWait:
    """Ask the routing engine how long ``workflow`` would keep the caller; answer with
    `EstimatedWait`."""

    workflow: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Enqueue:
    """Hand the caller to agents through ``workflow``; the IVR part of the call ends."""

    workflow: str
    attributes: Mapping[str, str]
    priority: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class OfferCallback:
    """Put a callback contact to ``number`` into ``workflow``, keeping the caller's place."""

    workflow: str
    number: str
    attributes: Mapping[str, str]
    priority: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class StartVoicemail:
    """Record a message into ``mailbox``; the IVR part of the call ends."""

    mailbox: str
    attributes: Mapping[str, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class TransferOut:
    """Transfer the call to an outside ``number``; the IVR part of the call ends."""

    number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HangUp:
    """End the call."""


Action = (
    Play
    | Collect
    | BankRequest
    | AskEstimatedWait
    | Enqueue
    | OfferCallback
    | StartVoicemail
    | TransferOut
    | HangUp
)

# -- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class IvrEntered:
    """A call started on flow ``flow`` version ``version``."""

    flow: str
    version: int
    dialled_number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class NodeEntered:
    """The call reached node ``node`` (the IVR funnel counts these)."""

    node: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AuthenticationSucceeded:
    """The caller proved who they are at ``node`` on attempt ``attempt``."""

    node: str
    attempt: int


@dataclass(frozen=True, kw_only=True, slots=True)
class AuthenticationFailed:
    """The bank refused attempt ``attempt`` at ``node`` with ``code`` (``wrong_pin`` …)."""

    node: str
    attempt: int
    code: str


@dataclass(frozen=True, kw_only=True, slots=True)
class LockedOut:
    """Too many wrong PINs at ``node``, or the bank reports the PIN locked."""

    node: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SurveyAnswered:
    """A satisfaction answer: ``score`` 1–5 and an optional ``reason`` code."""

    node: str
    score: int
    reason: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class IvrEnded:
    """The IVR part of the call ended at ``node`` with ``outcome``.

    Outcomes: ``completed`` (the flow hung up), ``abandoned`` (the caller hung up),
    ``enqueued``, ``callback``, ``voicemail``, ``transferred``.
    """

    outcome: str
    node: str
    seconds: float


Event = (
    IvrEntered
    | NodeEntered
    | AuthenticationSucceeded
    | AuthenticationFailed
    | LockedOut
    | SurveyAnswered
    | IvrEnded
)
Output = Action | Event

OUTCOMES = ("completed", "abandoned", "enqueued", "callback", "voicemail", "transferred")
"""Every `IvrEnded.outcome`; the first two end inside the IVR (containment)."""
