"""`CallState`: where one call stands in its flow. Immutable; `step` returns a new one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from types import MappingProxyType

from hotline.ivr.secret import Secret

Value = str | Secret
"""A call variable: plain text, or a `Secret` that only the bank request may carry."""

_NO_VARIABLES: Mapping[str, Value] = MappingProxyType({})


class Wait(Enum):
    """What the call waits for next."""

    START = "start"  # a `CallStarted`
    DIGITS = "digits"  # `DigitsEntered` or `InputTimedOut`
    BANK = "bank"  # `BankReplied`
    ESTIMATE = "estimate"  # `EstimatedWait`
    ENDED = "ended"  # nothing: the IVR part of the call is over
    NONE = "none"  # only inside a step, while the call moves between nodes


@dataclass(frozen=True, kw_only=True, slots=True)
class CallState:
    """One call in a flow, pinned to the flow's ``name`` and ``version``.

    ``phase`` is the step inside a multi-step node (authenticate: 0 number, 1 PIN,
    2 bank); ``tries`` counts junk keys and timeouts in that phase; ``attempts`` counts
    PINs refused by the bank at the current authenticate node.
    """

    flow: str
    version: int
    wait: Wait = Wait.START
    node: str = ""
    phase: int = 0
    tries: int = 0
    attempts: int = 0
    language: str = ""
    variables: Mapping[str, Value] = field(default_factory=lambda: _NO_VARIABLES)
    authenticated: bool = False
    handoff: str = ""
    started_at: datetime | None = None
    outcome: str = ""

    @property
    def ended(self) -> bool:
        """True once the IVR part of the call is over."""
        return self.wait is Wait.ENDED
