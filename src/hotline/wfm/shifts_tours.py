"""Weekly tours: which days of the week a shift is worked.

A tour is a day-on pattern (Monday first) plus a shift template and start time worked on every
day on. Patterns repeat week after week, so runs of days are counted cyclically: Sunday and the
following Monday are consecutive.

    >>> rules = TourRules(days_per_week=(5,), consecutive_days_off=True)
    >>> [pattern_label(p) for p in rules.patterns()][:2]
    ['Mon-Fri', 'Tue-Sat']
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.wfm.errors import TourRuleError
from hotline.wfm.shifts import ShiftTemplate, hhmm

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAYS = 7

Pattern = tuple[bool, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class TourRules:
    """Days-off rules every tour obeys.

    ``days_per_week``: allowed counts of working days; ``consecutive_days_off``: the days off
    form one block; ``max_consecutive_work_days``: longest run of working days (cyclic).
    """

    days_per_week: tuple[int, ...] = (5,)
    consecutive_days_off: bool = True
    max_consecutive_work_days: int = 6

    def __post_init__(self) -> None:
        if not self.days_per_week:
            raise TourRuleError("tour rules: days_per_week is empty")
        for n in self.days_per_week:
            if not 1 <= n <= DAYS:
                raise TourRuleError(f"tour rules: days_per_week {n} is not between 1 and 7")
        if not 1 <= self.max_consecutive_work_days <= DAYS:
            raise TourRuleError(
                "tour rules: max_consecutive_work_days "
                f"{self.max_consecutive_work_days} is not between 1 and 7"
            )
        if not self.patterns():
            raise TourRuleError(
                f"tour rules: no weekly pattern has {self.days_per_week} working days with at "
                f"most {self.max_consecutive_work_days} consecutive working days"
                + (" and the days off together" if self.consecutive_days_off else "")
            )

    def allows(self, pattern: Pattern) -> bool:
        """Whether ``pattern`` obeys these rules."""
        worked = sum(pattern)
        if worked not in self.days_per_week:
            return False
        if worked < DAYS and longest_cyclic_run(pattern, True) > self.max_consecutive_work_days:
            return False
        if worked == DAYS and self.max_consecutive_work_days < DAYS:
            return False
        return not (self.consecutive_days_off and worked < DAYS and _off_blocks(pattern) > 1)

    def patterns(self) -> tuple[Pattern, ...]:
        """Every pattern allowed, in a fixed order (fewest days first, then Monday-first)."""
        found = []
        for mask in range(1 << DAYS):
            pattern = tuple(bool(mask >> (DAYS - 1 - d) & 1) for d in range(DAYS))
            if self.allows(pattern):
                found.append(pattern)
        return tuple(sorted(found, key=lambda p: (sum(p), [not x for x in p])))


def longest_cyclic_run(pattern: Pattern, value: bool) -> int:
    """Longest run of ``value`` in ``pattern`` read as a cycle."""
    if all(x == value for x in pattern):
        return len(pattern)
    best = run = 0
    for x in pattern + pattern:
        run = run + 1 if x == value else 0
        best = max(best, run)
    return min(best, len(pattern))


def _off_blocks(pattern: Pattern) -> int:
    return sum(1 for d in range(DAYS) if not pattern[d] and pattern[d - 1])


def pattern_label(pattern: Pattern) -> str:
    """``Mon-Fri`` for one block of working days, else the days joined by ``+``."""
    on = [d for d in range(DAYS) if pattern[d]]
    if len(on) == DAYS:
        return "Mon-Sun"
    starts = [d for d in on if not pattern[d - 1]]
    if len(starts) == 1:
        first = starts[0]
        last = (first + len(on) - 1) % DAYS
        return DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]}-{DAY_NAMES[last]}"
    return "+".join(DAY_NAMES[d] for d in on)


@dataclass(frozen=True, kw_only=True, slots=True)
class Tour:
    """A weekly tour: ``template`` started at ``start`` (minutes) on every day on in ``pattern``."""

    pattern: Pattern
    template: ShiftTemplate
    start: int

    @property
    def days(self) -> tuple[int, ...]:
        return tuple(d for d in range(DAYS) if self.pattern[d])

    @property
    def paid_hours(self) -> float:
        return len(self.days) * self.template.paid_minutes / 60

    @property
    def cost(self) -> float:
        return self.paid_hours * self.template.cost_per_paid_hour

    @property
    def label(self) -> str:
        return f"{pattern_label(self.pattern)} {self.template.name} {hhmm(self.start)}"


def all_tours(templates: tuple[ShiftTemplate, ...], rules: TourRules) -> tuple[Tour, ...]:
    """Every (pattern, template, start) combination, in a fixed order."""
    return tuple(
        Tour(pattern=p, template=t, start=s)
        for t in templates
        for s in t.starts()
        for p in rules.patterns()
    )
