"""Agent contracts: weekly hours, availability per day, skills and site; which tours fit.

Availability is one window per weekday in minutes from that day's midnight; the end may pass
1440 for work that runs past midnight. A day without a window is not available.

    >>> c = AgentContract(agent="li.wei", min_weekly_hours=20, max_weekly_hours=25)
    >>> c.available(0, 480, 540)
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.wfm.errors import ContractError
from hotline.wfm.shifts import MINUTES_PER_DAY, hhmm
from hotline.wfm.shifts_tours import DAY_NAMES, DAYS, Tour

Window = tuple[int, int]
ALWAYS: Window = (0, 2 * MINUTES_PER_DAY)


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentContract:
    """One named agent's contract. ``availability[d]`` is Monday-first; ``None`` = day off."""

    agent: str
    site: str = ""
    skills: frozenset[str] = frozenset()
    min_weekly_hours: float = 0.0
    max_weekly_hours: float = 168.0
    availability: tuple[Window | None, ...] = (ALWAYS,) * DAYS

    def __post_init__(self) -> None:
        where = f"agent {self.agent!r}"
        if not self.agent:
            raise ContractError("agent: name is empty")
        if self.min_weekly_hours < 0:
            raise ContractError(f"{where}: min_weekly_hours {self.min_weekly_hours} is negative")
        if self.max_weekly_hours < self.min_weekly_hours:
            raise ContractError(
                f"{where}: max_weekly_hours {self.max_weekly_hours} is below "
                f"min_weekly_hours {self.min_weekly_hours}"
            )
        if len(self.availability) != DAYS:
            raise ContractError(
                f"{where}: availability has {len(self.availability)} days, expected 7"
            )
        for d, w in enumerate(self.availability):
            if w is not None and not 0 <= w[0] < w[1] <= 2 * MINUTES_PER_DAY:
                raise ContractError(
                    f"{where}: availability on {DAY_NAMES[d]} {hhmm(w[0])}-{hhmm(w[1])} "
                    "is empty or outside 0:00-48:00"
                )

    def available(self, day: int, start: int, length: int) -> bool:
        """Whether work from ``start`` for ``length`` minutes on ``day`` is inside availability."""
        w = self.availability[day]
        return w is not None and w[0] <= start and start + length <= w[1]

    def hours_fit(self, tour: Tour) -> bool:
        return self.min_weekly_hours - 1e-9 <= tour.paid_hours <= self.max_weekly_hours + 1e-9

    def fits(self, tour: Tour) -> bool:
        """Whether this agent may work ``tour``."""
        return self.hours_fit(tour) and all(
            self.available(d, tour.start, tour.template.length) for d in tour.days
        )

    @property
    def group_key(self) -> tuple[object, ...]:
        """Agents with equal keys can take exactly the same tours."""
        return (self.site, self.min_weekly_hours, self.max_weekly_hours, self.availability)


def why_no_tour(contract: AgentContract, tours: tuple[Tour, ...], skill: str | None) -> str | None:
    """Why ``contract`` can take none of ``tours``, or ``None`` if one fits."""
    if skill is not None and skill not in contract.skills:
        return f"lacks skill {skill!r}"
    if any(contract.fits(t) for t in tours):
        return None
    if not tours:
        return "there are no tours"
    by_hours = [t for t in tours if contract.hours_fit(t)]
    if not by_hours:
        lo = min(t.paid_hours for t in tours)
        hi = max(t.paid_hours for t in tours)
        return (
            f"contract allows {contract.min_weekly_hours:g}-{contract.max_weekly_hours:g} h/week "
            f"but every tour pays between {lo:g} and {hi:g} h/week"
        )
    free = [DAY_NAMES[d] for d, w in enumerate(contract.availability) if w is not None]
    windows = ", ".join(
        f"{DAY_NAMES[d]} {hhmm(w[0])}-{hhmm(w[1])}"
        for d, w in enumerate(contract.availability)
        if w is not None
    )
    return (
        "no tour within the contract hours fits the availability "
        f"({windows or 'no day available'}; {len(free)} day(s) available, tours need "
        f"{sorted({len(t.days) for t in by_hours})} day(s))"
    )
