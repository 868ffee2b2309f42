"""What the weekly scheduler returns: the shift plan, its coverage, and how good it is."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.wfm.shifts_tours import Tour


@dataclass(frozen=True, kw_only=True, slots=True)
class TourCount:
    """``agents`` agents of contract group ``group`` work ``tour``."""

    tour: Tour
    group: int
    agents: int


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakCount:
    """``agents`` agents take break ``name`` starting ``offset`` minutes after the shift starts."""

    name: str
    offset: int
    agents: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ShiftCount:
    """On ``day`` (0 = Monday), ``agents`` agents work ``template`` from ``start`` (minutes),
    with their breaks placed as ``breaks``."""

    day: int
    template: str
    start: int
    agents: int
    breaks: tuple[BreakCount, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Unassignable:
    """An agent no tour can use, and why."""

    agent: str
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ScheduleSolution:
    """The shift plan and its quality.

    ``coverage``/``under``/``over`` are per interval (agents); ``*_hours`` are their sums in
    agent-hours. ``objective`` = ``paid_cost`` + weighted under/over-staffing, recomputed from the
    rounded plan. ``lp_bound`` is the LP relaxation's optimum, a lower bound on any plan;
    ``gap`` = (objective − lp_bound) / objective. ``mip_bound``/``mip_gap`` are HiGHS's own.
    ``groups`` lists the agent names of each contract group (``None`` = unlimited hiring).
    """

    tours: tuple[TourCount, ...]
    shifts: tuple[ShiftCount, ...]
    requirement: tuple[float, ...]
    coverage: tuple[float, ...]
    under: tuple[float, ...]
    over: tuple[float, ...]
    interval_minutes: int
    paid_cost: float
    paid_hours: float
    objective: float
    lp_bound: float
    mip_bound: float
    mip_gap: float
    status: str
    solve_seconds: float
    groups: tuple[tuple[str, ...], ...] | None
    unassignable: tuple[Unassignable, ...]

    @property
    def agents(self) -> int:
        return sum(t.agents for t in self.tours)

    @property
    def under_hours(self) -> float:
        return sum(self.under) * self.interval_minutes / 60

    @property
    def over_hours(self) -> float:
        return sum(self.over) * self.interval_minutes / 60

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.lp_bound) / self.objective)
