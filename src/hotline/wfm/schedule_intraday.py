"""Intraday break re-optimisation: move today's breaks within their windows to cut shortfall.

Given each agent's shift and placed breaks, the current time and a new requirement for the rest
of the day, choose new starts for the breaks that have not begun. A break never moves into the
past and never leaves its window; breaks already started stay. Each agent's breaks never
overlap. Objective: least shortfall (agent-hours below the requirement from the current
interval on), then least total movement, so an unhelpful move is never made.

    >>> # see tests/unit/wfm/test_schedule_intraday.py for a worked case
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hotline.wfm.errors import BreakReoptimisationError
from hotline.wfm.schedule_highs import INF, ColumnModel

Column = tuple[int, int, datetime, int]  # (column, agent index, new start, break index)


@dataclass(frozen=True, kw_only=True, slots=True)
class DayBreak:
    """A placed break: starts at ``start`` for ``minutes``; may start from ``earliest`` to
    ``latest`` (both inclusive)."""

    name: str
    start: datetime
    minutes: int
    earliest: datetime
    latest: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentDay:
    """One agent's shift today, with its breaks."""

    agent: str
    shift_start: datetime
    shift_end: datetime
    breaks: tuple[DayBreak, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakMove:
    agent: str
    name: str
    before: datetime
    after: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakReoptimisation:
    """New placement, the moves made, and shortfall (agent-hours) before and after."""

    agents: tuple[AgentDay, ...]
    moves: tuple[BreakMove, ...]
    shortfall_before: float
    shortfall_after: float
    coverage_before: tuple[float, ...]
    coverage_after: tuple[float, ...]


def reoptimise_breaks(
    agents: Sequence[AgentDay],
    *,
    requirement: Sequence[float],
    requirement_start: datetime,
    interval_minutes: int,
    now: datetime,
    step_minutes: int = 5,
    time_limit_s: float = 10.0,
) -> BreakReoptimisation:
    """Re-place breaks that have not started; see the module docstring.

    ``requirement[i]`` is agents needed in ``[requirement_start + i·interval, + interval)``.
    Candidate starts are ``earliest + k·step_minutes`` (and the current start), from ``now`` on.
    """
    for value, label in ((requirement_start, "requirement_start"), (now, "now")):
        _aware(value, label)
    if interval_minutes <= 0 or step_minutes <= 0:
        raise BreakReoptimisationError("interval_minutes and step_minutes must be positive")
    for i, r in enumerate(requirement):
        if r < 0:
            raise BreakReoptimisationError(f"requirement: interval {i} is {r:g}, negative")
    for a in agents:
        _check_agent(a)

    def minute(t: datetime) -> float:
        return (t - requirement_start).total_seconds() / 60

    n = len(requirement)
    first = max(0, int(minute(now) // interval_minutes))  # the current interval counts
    judged = range(first, n)

    def shares(begin: float, end: float) -> dict[int, float]:
        out: dict[int, float] = {}
        for t in judged:
            lo, hi = t * interval_minutes, (t + 1) * interval_minutes
            overlap = min(end, hi) - max(begin, lo)
            if overlap > 0:
                out[t] = overlap / interval_minutes
        return out

    base = [0.0] * n
    for a in agents:
        for t, f in shares(minute(a.shift_start), minute(a.shift_end)).items():
            base[t] += f
    fixed = list(base)
    movable: list[tuple[int, int, list[datetime]]] = []  # (agent idx, break idx, candidates)
    for ai, a in enumerate(agents):
        for bi, b in enumerate(a.breaks):
            if b.start < now:
                for t, f in shares(minute(b.start), minute(b.start) + b.minutes).items():
                    fixed[t] -= f
                continue
            movable.append((ai, bi, _candidates(a, bi, now, step_minutes)))
    points: dict[int, set[float]] = {}
    for ai, _, candidates in movable:
        points.setdefault(ai, set()).update(minute(c) for c in candidates)

    hours = interval_minutes / 60

    def solve(shortfall_cap: float | None) -> tuple[tuple[float, ...], list[Column]]:
        """Least shortfall (no cap), or least movement with shortfall at most the cap."""
        m = ColumnModel()
        cap_row = m.add_row(-INF, shortfall_cap) if shortfall_cap is not None else None
        cover_rows = {t: m.add_row(requirement[t] - fixed[t], INF) for t in judged}
        for t in judged:
            coefficients = {cover_rows[t]: 1.0}  # shortfall in interval t
            if cap_row is not None:
                coefficients[cap_row] = hours
            m.add_col(hours if cap_row is None else 0.0, coefficients)
        overlap_rows = {
            (ai, p): m.add_row(0.0, 1.0) for ai in sorted(points) for p in sorted(points[ai])
        }
        columns: list[Column] = []
        for ai, bi, candidates in movable:
            b = agents[ai].breaks[bi]
            pick = m.add_row(1.0, 1.0)
            for c in candidates:
                coefficients = {pick: 1.0}
                start = minute(c)
                for t, f in shares(start, start + b.minutes).items():
                    coefficients[cover_rows[t]] = -f
                # Two breaks overlap iff one starts inside the other: one row per candidate
                # start point of the agent keeps its breaks apart.
                for point in points[ai]:
                    if start <= point < start + b.minutes:
                        coefficients[overlap_rows[(ai, point)]] = 1.0
                moved = abs((c - b.start).total_seconds()) / 60 if cap_row is not None else 0.0
                col = m.add_col(moved, coefficients, upper=1.0, integer=True)
                columns.append((col, ai, c, bi))
        outcome = m.solve(time_limit_s=time_limit_s, mip_rel_gap=0.0, relaxation_first=False)
        if outcome.values is None:
            raise BreakReoptimisationError(
                f"break re-optimisation: HiGHS found no placement (status {outcome.status!r})"
            )
        return outcome.values, columns

    # Two passes, so that moving breaks is only ever a tie-break after shortfall.
    values, columns = solve(None)
    best = sum(values[: len(judged)]) * hours
    values, columns = solve(best + 1e-6)
    new_start: dict[tuple[int, int], datetime] = {}
    for col, ai, c, bi in columns:
        if values[col] > 0.5:
            new_start[(ai, bi)] = c
    placed = tuple(
        replace(
            a,
            breaks=tuple(
                replace(b, start=new_start.get((ai, bi), b.start)) for bi, b in enumerate(a.breaks)
            ),
        )
        for ai, a in enumerate(agents)
    )
    moves = tuple(
        BreakMove(agent=a.agent, name=b.name, before=b.start, after=nb.start)
        for a, na in zip(agents, placed, strict=True)
        for b, nb in zip(a.breaks, na.breaks, strict=True)
        if nb.start != b.start
    )
    before = _coverage(agents, base, shares, minute)
    after = _coverage(placed, base, shares, minute)
    return BreakReoptimisation(
        agents=placed,
        moves=moves,
        shortfall_before=_shortfall(before, requirement, judged, hours),
        shortfall_after=_shortfall(after, requirement, judged, hours),
        coverage_before=tuple(before),
        coverage_after=tuple(after),
    )


def _aware(value: datetime, label: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise BreakReoptimisationError(f"{label}: {value.isoformat()} has no time zone")


def _check_agent(a: AgentDay) -> None:
    where = f"agent {a.agent!r}"
    _aware(a.shift_start, f"{where} shift_start")
    _aware(a.shift_end, f"{where} shift_end")
    if a.shift_end <= a.shift_start:
        raise BreakReoptimisationError(f"{where}: shift ends before it starts")
    for b in a.breaks:
        at = f"{where} break {b.name!r}"
        for value, label in ((b.start, "start"), (b.earliest, "earliest"), (b.latest, "latest")):
            _aware(value, f"{at} {label}")
        if b.minutes <= 0:
            raise BreakReoptimisationError(f"{at}: minutes must be positive, got {b.minutes}")
        if not b.earliest <= b.start <= b.latest:
            raise BreakReoptimisationError(
                f"{at}: starts {b.start:%H:%M}, outside its window "
                f"{b.earliest:%H:%M}-{b.latest:%H:%M}"
            )
        if b.earliest < a.shift_start or b.latest + timedelta(minutes=b.minutes) > a.shift_end:
            raise BreakReoptimisationError(
                f"{at}: window {b.earliest:%H:%M}-{b.latest:%H:%M} (+{b.minutes} min) is "
                f"outside the shift {a.shift_start:%H:%M}-{a.shift_end:%H:%M}"
            )


def _candidates(a: AgentDay, bi: int, now: datetime, step_minutes: int) -> list[datetime]:
    """Starts from ``now`` on, inside the window, clear of the agent's started breaks."""
    b = a.breaks[bi]
    started = [
        (o.start, o.start + timedelta(minutes=o.minutes)) for o in a.breaks if o.start < now
    ]
    found = {b.start}
    t = b.earliest
    while t <= b.latest:
        if t >= now:
            found.add(t)
        t += timedelta(minutes=step_minutes)
    end = timedelta(minutes=b.minutes)
    return sorted(
        c for c in found if all(c + end <= s or c >= e for s, e in started) or c == b.start
    )


def _coverage(
    agents: Sequence[AgentDay],
    base: list[float],
    shares: Callable[[float, float], dict[int, float]],
    minute: Callable[[datetime], float],
) -> list[float]:
    cover = list(base)
    for a in agents:
        for b in a.breaks:
            for t, f in shares(minute(b.start), minute(b.start) + b.minutes).items():
                cover[t] -= f
    return cover


def _shortfall(
    cover: list[float], requirement: Sequence[float], judged: range, hours: float
) -> float:
    return sum(max(0.0, requirement[t] - cover[t]) for t in judged) * hours
