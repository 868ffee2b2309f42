"""CSAT from post-call survey answers (design §5): top-two-box answers ÷ answers.

A caller scores the call 1–5 and may key a reason digit 0–9 (the flows ask one for low
scores). ``CsatCounter`` counts answers by queue, agent, site and interval; a contact is
surveyed once, so a second answer for it is refused. Answers without a queue, agent or site
(say a survey of a call no agent took) count in the totals only.

>>> from datetime import UTC, datetime
>>> at = datetime(2026, 3, 2, 9, 10, tzinfo=UTC)
>>> counter = CsatCounter(origin=datetime(2026, 3, 2, tzinfo=UTC))
>>> for n, score in enumerate((5, 4, 2)):
...     counter.add(SurveyAnswer(contact_id=f"c{n}", score=score, at=at, queue="cards"))
>>> counter.total.csat, counter.total.mean_score, counter.by_queue["cards"].answers
(0.6666666666666666, 3.6666666666666665, 3)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

SCORES = (1, 2, 3, 4, 5)
TOP_TWO = frozenset({4, 5})
REASONS = frozenset("0123456789")


class SurveyError(ValueError):
    """A survey answer is refused; names the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class AlreadySurveyed(SurveyError):
    """The contact has answered the survey already: a contact is surveyed once."""

    def __init__(self, contact_id: str) -> None:
        super().__init__("contact_id", f"contact {contact_id!r} has answered the survey already")
        self.contact_id = contact_id


def check_score(score: object) -> int:
    """The score as given if it is a whole number 1–5 (``True`` is not a number here)."""
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise SurveyError("score", f"must be a whole number from 1 to 5, got {score!r}")
    return score


def check_reason(reason: object) -> str | None:
    """``None`` (no reason keyed) or one digit ``"0"``–``"9"``."""
    if reason is None:
        return None
    if not isinstance(reason, str) or len(reason) != 1 or reason not in REASONS:
        raise SurveyError("reason", f"must be one digit 0–9 or nothing, got {reason!r}")
    return reason


def check_at(at: object) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise SurveyError("at", f"must be an aware datetime, got {at!r}")
    return at


@dataclass(frozen=True, kw_only=True, slots=True)
class SurveyAnswer:
    """One caller's answer about contact ``contact_id``, with who and where handled it."""

    contact_id: str
    score: int
    at: datetime
    reason: str | None = None
    queue: str | None = None
    agent_id: str | None = None
    site: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.contact_id, str) or not self.contact_id:
            raise SurveyError("contact_id", f"must be a non-empty text, got {self.contact_id!r}")
        check_score(self.score)
        check_reason(self.reason)
        check_at(self.at)


@dataclass(kw_only=True, slots=True)
class CsatCounts:
    """Answers of one slice (a queue, an agent, a site, an interval, or all)."""

    answers: int = 0
    top_two: int = 0
    score_sum: int = 0
    scores: list[int] = field(default_factory=lambda: [0] * len(SCORES))

    def add(self, score: int) -> None:
        self.answers += 1
        self.score_sum += score
        self.scores[score - 1] += 1
        if score in TOP_TWO:
            self.top_two += 1

    @property
    def csat(self) -> float | None:
        """Top-two-box share; ``None`` without answers (no data is not 0 %)."""
        return self.top_two / self.answers if self.answers else None

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.answers if self.answers else None

    def to_dict(self) -> dict[str, Any]:
        return {"answers": self.answers, "top_two": self.top_two, "csat": self.csat,
                "mean_score": self.mean_score,
                "scores": {str(s): n for s, n in zip(SCORES, self.scores, strict=True)}}


class CsatCounter:
    """Survey answers counted by queue, agent, site and interval (``interval_minutes`` from
    ``origin``, as the KPI accumulator's intervals), with a histogram of reason digits."""

    def __init__(self, *, origin: datetime, interval_minutes: int = 30) -> None:
        self.origin = check_at(origin)
        if isinstance(interval_minutes, bool) or interval_minutes not in (15, 30, 60):
            raise SurveyError("interval_minutes", f"must be 15, 30 or 60, got {interval_minutes!r}")
        self.interval_s = interval_minutes * 60
        self.total = CsatCounts()
        self.by_queue: dict[str, CsatCounts] = {}
        self.by_agent: dict[str, CsatCounts] = {}
        self.by_site: dict[str, CsatCounts] = {}
        self.by_interval: dict[int, CsatCounts] = {}
        self.reasons: Counter[str] = Counter()
        self.contacts: set[str] = set()

    def add(self, answer: SurveyAnswer) -> None:
        """Count one answer; raises ``AlreadySurveyed`` (counting nothing) for a contact that
        has answered already."""
        if answer.contact_id in self.contacts:
            raise AlreadySurveyed(answer.contact_id)
        self.contacts.add(answer.contact_id)
        score = answer.score
        self.total.add(score)
        for key, slices in ((answer.queue, self.by_queue), (answer.agent_id, self.by_agent),
                            (answer.site, self.by_site)):
            if key is not None:
                slices.setdefault(key, CsatCounts()).add(score)
        index = int((answer.at - self.origin).total_seconds() // self.interval_s)
        self.by_interval.setdefault(index, CsatCounts()).add(score)
        if answer.reason is not None:
            self.reasons[answer.reason] += 1

    def interval_start(self, index: int) -> datetime:
        return (self.origin + timedelta(seconds=index * self.interval_s)).astimezone(UTC)

    def report(self) -> dict[str, Any]:
        """Totals, slices and intervals as plain data (JSON-ready)."""
        def sliced(slices: dict[str, CsatCounts]) -> dict[str, dict[str, Any]]:
            return {k: slices[k].to_dict() for k in sorted(slices)}

        return {
            **self.total.to_dict(),
            "reasons": {r: self.reasons[r] for r in sorted(self.reasons)},
            "by_queue": sliced(self.by_queue), "by_agent": sliced(self.by_agent),
            "by_site": sliced(self.by_site),
            "intervals": [{"start": self.interval_start(i).isoformat(),
                           **self.by_interval[i].to_dict()} for i in sorted(self.by_interval)],
        }
