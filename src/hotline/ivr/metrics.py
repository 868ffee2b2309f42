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
