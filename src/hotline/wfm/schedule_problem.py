"""The weekly scheduling problem: requirement per interval, shifts, tour rules, contracts.

Intervals are integer indices over one week, Monday 00:00 first; the week repeats, so a shift
that starts late on Sunday covers the first intervals of Monday. Aware datetimes are mapped to
indices at the edges (see :mod:`hotline.wfm.schedule_week`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hotline.wfm.errors import RequirementError, ShiftTemplateError
from hotline.wfm.roster_contracts import AgentContract
from hotline.wfm.shifts import MINUTES_PER_DAY, ShiftTemplate, hhmm
from hotline.wfm.shifts_tours import DAY_NAMES, DAYS, TourRules

WEEK_MINUTES = DAYS * MINUTES_PER_DAY


@dataclass(frozen=True, kw_only=True, slots=True)
class ScheduleWeights:
    """Prices of staffing off the requirement, per agent-hour, in the unit of shift cost
    (a paid hour at ``cost_per_paid_hour = 1`` costs 1)."""

    under_per_hour: float = 4.0
    over_per_hour: float = 0.25


@dataclass(frozen=True, kw_only=True, slots=True)
class ScheduleProblem:
    """Everything the weekly scheduler needs.

    ``requirement[t]`` is agents needed in interval ``t``. ``agents=None`` means any number of
    agents can be hired (the plan alone is wanted); otherwise only these contracts are used.
    """

    requirement: tuple[float, ...]
    templates: tuple[ShiftTemplate, ...]
    interval_minutes: int = 30
    rules: TourRules = field(default_factory=TourRules)
    agents: tuple[AgentContract, ...] | None = None
    skill: str | None = None
    weights: ScheduleWeights = field(default_factory=ScheduleWeights)
    time_limit_s: float = 30.0
    mip_rel_gap: float = 0.01

    def __post_init__(self) -> None:
        check_requirement(self.requirement, self.interval_minutes)
        if not self.templates:
            raise ShiftTemplateError("shifts: no shift template given")
        seen: set[str] = set()
        for t in self.templates:
            if t.name in seen:
                raise ShiftTemplateError(f"shift {t.name!r}: name is used twice")
            seen.add(t.name)
        if self.weights.under_per_hour < 0 or self.weights.over_per_hour < 0:
            raise RequirementError("weights: under_per_hour and over_per_hour must be >= 0")
        if self.agents is not None:
            names = [a.agent for a in self.agents]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise RequirementError(f"agents: name {dup[0]!r} is used twice")

    @property
    def intervals_per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes


def interval_label(index: int, interval_minutes: int) -> str:
    """``Mon 6:30`` for an interval index."""
    minute = index * interval_minutes
    return f"{DAY_NAMES[minute // MINUTES_PER_DAY]} {hhmm(minute % MINUTES_PER_DAY)}"


def check_requirement(requirement: tuple[float, ...], interval_minutes: int) -> None:
    """Raise :class:`RequirementError` unless ``requirement`` is one week of non-negative
    numbers at ``interval_minutes``."""
    if interval_minutes <= 0 or MINUTES_PER_DAY % interval_minutes:
        raise RequirementError(
            f"requirement: interval of {interval_minutes} min does not divide a day"
        )
    expected = WEEK_MINUTES // interval_minutes
    if len(requirement) != expected:
        raise RequirementError(
            f"requirement: {len(requirement)} intervals given, a week of {interval_minutes}-min "
            f"intervals has {expected}"
        )
    for i, r in enumerate(requirement):
        if not math.isfinite(r):
            raise RequirementError(
                f"requirement: interval {i} ({interval_label(i, interval_minutes)}) is {r}, "
                "not a finite number"
            )
        if r < 0:
            raise RequirementError(
                f"requirement: interval {i} ({interval_label(i, interval_minutes)}) is {r:g} "
                "agents, which is negative"
            )


def spread(start: int, end: int, interval_minutes: int, intervals: int) -> dict[int, float]:
    """Share of each interval covered by minutes ``[start, end)`` of a cyclic week.

    >>> spread(15, 75, 30, 336)
    {0: 0.5, 1: 1.0, 2: 0.5}
    """
    out: dict[int, float] = {}
    minute = start
    while minute < end:
        index = minute // interval_minutes
        upto = min(end, (index + 1) * interval_minutes)
        key = index % intervals
        out[key] = out.get(key, 0.0) + (upto - minute) / interval_minutes
        minute = upto
    return out
