"""IVR metrics from the interpreter's outputs: containment, the funnel, authentication, CSAT.

Feed each finished call's outputs (everything `step` returned, in order) to
`IvrTally.add_call`; `report()` gives the figures. Pure and streaming: a tally keeps
counters, not calls.

Containment (design §5): calls finished in the IVR ÷ calls entering the IVR, where
finished in the IVR means the call ended there (``completed`` or ``abandoned``) instead of
going on to agents, a callback, voicemail or an outside number. ``served_containment``
counts only ``completed`` calls, for centres that exclude hang-ups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hotline.ivr.actions import (
    AuthenticationFailed,
    AuthenticationSucceeded,
    IvrEnded,
    IvrEntered,
    LockedOut,
    NodeEntered,
    Output,
    SurveyAnswered,
)

IN_IVR = frozenset({"completed", "abandoned"})


@dataclass(frozen=True, kw_only=True, slots=True)
class FunnelStep:
    """Calls that reached ``node`` and how many of them the caller hung up there."""

    node: str
    entered: int
    dropped: int

    @property
    def drop_rate(self) -> float:
        return self.dropped / self.entered if self.entered else 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class IvrReport:
    entered: int
    outcomes: Mapping[str, int]
    containment: float
    served_containment: float
    funnel: tuple[FunnelStep, ...]  # by calls entered, most first
    auth_calls: int  # calls that got a PIN checked
    auth_succeeded: int
    wrong_pins: int
    lockouts: int
    auth_success_rate: float
    lockout_rate: float
    survey_answers: int
    csat: float  # top-two-box (4 or 5) ÷ answers


def _count(data: Mapping[str, Any], name: str, field: str = "") -> int:
    if name not in data:
        raise ValueError(f"{field or name}: is missing")
    value = data[name]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{field or name}: must be a count, got {value!r}")
    return value


def _counts(data: Mapping[str, Any], name: str) -> dict[str, int]:
    found = data.get(name)
    if not isinstance(found, Mapping):
        raise ValueError(f"{name}: must map names to counts, got {found!r}")
    return {str(k): _count(found, k, f"{name}.{k}") for k in found}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class IvrTally:
    """Counts over finished calls."""

    def __init__(self) -> None:
        self.entered = 0
        self.outcomes: Counter[str] = Counter()
        self.reached: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self.auth_calls = self.auth_succeeded = self.wrong_pins = self.lockouts = 0
        self.scores: Counter[int] = Counter()

    def add_call(self, outputs: Iterable[Output]) -> None:
        """Count one call from its outputs; nodes count once per call however often visited."""
        nodes: set[str] = set()
        checked = succeeded = locked = False
        for out in outputs:
            if isinstance(out, NodeEntered):
                nodes.add(out.node)
            elif isinstance(out, IvrEntered):
                self.entered += 1
            elif isinstance(out, IvrEnded):
                self.outcomes[out.outcome] += 1
                if out.outcome == "abandoned":
                    self.dropped[out.node] += 1
            elif isinstance(out, AuthenticationSucceeded):
                checked = succeeded = True
            elif isinstance(out, AuthenticationFailed):
                checked = True
                self.wrong_pins += out.code == "wrong_pin"
            elif isinstance(out, LockedOut):
                locked = True
            elif isinstance(out, SurveyAnswered):
                self.scores[out.score] += 1
        self.reached.update(nodes)
        self.auth_calls += checked
        self.auth_succeeded += succeeded
        self.lockouts += locked

    def to_json(self) -> dict[str, Any]:
        """The counts as JSON, so a day's figures outlive a restart (`from_json` reads it)."""
        return {"entered": self.entered, "outcomes": dict(self.outcomes),
                "reached": dict(self.reached), "dropped": dict(self.dropped),
                "auth_calls": self.auth_calls, "auth_succeeded": self.auth_succeeded,
                "wrong_pins": self.wrong_pins, "lockouts": self.lockouts,
                "scores": {str(k): v for k, v in self.scores.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IvrTally:
        """The tally `to_json` wrote; ``ValueError`` naming the field if it is not one."""
        tally = cls()
        tally.entered = _count(data, "entered")
        tally.auth_calls = _count(data, "auth_calls")
        tally.auth_succeeded = _count(data, "auth_succeeded")
        tally.wrong_pins = _count(data, "wrong_pins")
        tally.lockouts = _count(data, "lockouts")
        tally.outcomes = Counter(_counts(data, "outcomes"))
        tally.reached = Counter(_counts(data, "reached"))
        tally.dropped = Counter(_counts(data, "dropped"))
        scores = _counts(data, "scores")
        if any(k not in {"1", "2", "3", "4", "5"} for k in scores):
            raise ValueError(f"scores: keys must be 1–5, got {sorted(scores)}")
        tally.scores = Counter({int(k): v for k, v in scores.items()})
        return tally

    def report(self) -> IvrReport:
        ended_in_ivr = sum(self.outcomes[o] for o in IN_IVR)
        answers = sum(self.scores.values())
        funnel = tuple(
            FunnelStep(node=node, entered=count, dropped=self.dropped[node])
            for node, count in sorted(self.reached.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        return IvrReport(
            entered=self.entered,
            outcomes=dict(self.outcomes),
            containment=_ratio(ended_in_ivr, self.entered),
            served_containment=_ratio(self.outcomes["completed"], self.entered),
            funnel=funnel,
            auth_calls=self.auth_calls,
            auth_succeeded=self.auth_succeeded,
            wrong_pins=self.wrong_pins,
            lockouts=self.lockouts,
            auth_success_rate=_ratio(self.auth_succeeded, self.auth_calls),
            lockout_rate=_ratio(self.lockouts, self.auth_calls),
            survey_answers=answers,
            csat=_ratio(self.scores[4] + self.scores[5], answers),
        )


def ivr_report(calls: Iterable[Iterable[Output]]) -> IvrReport:
    """The report over finished calls, each given as its outputs in order."""
    tally = IvrTally()
    for outputs in calls:
        tally.add_call(outputs)
    return tally.report()
