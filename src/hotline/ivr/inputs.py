"""What the shell tells a call's interpreter: the caller, the bank and the queue speak.

All inputs are frozen keyword-only dataclasses. Digits are masked in `repr`/`str` because
the interpreter cannot know, from the input alone, whether they are a PIN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, kw_only=True, slots=True)
class CallStarted:
    """A call reached the IVR.

    ``context`` carries what the shell knows before the caller speaks: business hours
    (``"business_hours": "true"``), holidays, a segment recognised from the caller number,
    the province. Values are strings; flows branch on them.
    """

    dialled_number: str
    caller_number: str = ""
    context: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, kw_only=True, slots=True, repr=False)
class DigitsEntered:
    """The caller keyed ``digits`` (terminator already stripped)."""

    digits: str

    def __repr__(self) -> str:
        return f"DigitsEntered(digits=<{len(self.digits)} masked>)"


@dataclass(frozen=True, kw_only=True, slots=True)
class InputTimedOut:
    """The caller keyed nothing (or not enough) before the `Collect` timeout."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PromptFinished:
    """A `Play` finished. Accepted and ignored: prompts never block the flow."""

    prompt_id: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class BankReplied:
    """The bank answered the call's pending `BankRequest`.

    ``ok`` with ``data`` (and ``items`` for lists such as transactions), or a failure
    ``code`` such as ``wrong_pin``, ``locked``, ``insufficient_funds``, ``limit_exceeded``,
    ``card_frozen``.
    """

    ok: bool
    code: str = ""
    data: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    items: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class EstimatedWait:
    """Answer to `AskEstimatedWait`: the expected wait in the workflow, in seconds."""

    seconds: float


@dataclass(frozen=True, kw_only=True, slots=True)
class CallerHungUp:
    """The caller left while in the IVR."""


Input = (
    CallStarted
    | DigitsEntered
    | InputTimedOut
    | PromptFinished
    | BankReplied
    | EstimatedWait
    | CallerHungUp
)
