"""From the shift plan to named agents: who works which tour, and when each takes a break.

Agents of one contract group are interchangeable, so the plan's per-group tour counts are dealt
out in order (agents as listed, tours in plan order). Breaks of each day's shift are dealt out
the same way, earliest offset to the first agent on that shift. Without contracts the plan is
staffed by placeholder agents ``agent-001``, ``agent-002``, …
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hotline.wfm.roster_contracts import AgentContract
from hotline.wfm.schedule_solution import ScheduleSolution, Unassignable
from hotline.wfm.shifts import ShiftTemplate
from hotline.wfm.shifts_tours import Tour


@dataclass(frozen=True, kw_only=True, slots=True)
class PlacedBreak:
    """A break of ``minutes`` starting ``start`` minutes after the day's midnight."""

    name: str
    start: int
    minutes: int
    paid: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class RosterShift:
    """One agent's shift on one day; times are minutes from that day's midnight."""

    agent: str
    site: str
    day: int
    template: str
    start: int
    end: int
    breaks: tuple[PlacedBreak, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Roster:
    """Named shifts, each agent's weekly paid hours, and the agents left out (and why)."""

    shifts: tuple[RosterShift, ...]
    weekly_hours: tuple[tuple[str, float], ...]
    not_needed: tuple[str, ...]
    unassignable: tuple[Unassignable, ...]


def build_roster(
    solution: ScheduleSolution,
    templates: tuple[ShiftTemplate, ...],
    agents: tuple[AgentContract, ...] | None,
) -> Roster:
    """Assign the plan in ``solution`` to named agents; see the module docstring."""
    by_name = {a.agent: a for a in agents or ()}
    assigned: list[tuple[str, Tour]] = []
    if solution.groups is None:
        serial = 0
        for tc in solution.tours:
            for _ in range(tc.agents):
                serial += 1
                assigned.append((f"agent-{serial:03d}", tc.tour))
        not_needed: list[str] = []
    else:
        queues = [list(g) for g in solution.groups]
        for tc in solution.tours:
            for _ in range(tc.agents):
                assigned.append((queues[tc.group].pop(0), tc.tour))
        not_needed = [name for q in queues for name in q]

    template_by_name = {t.name: t for t in templates}
    on_shift: dict[tuple[int, str, int], list[str]] = defaultdict(list)
    for agent, tour in assigned:
        for d in tour.days:
            on_shift[(d, tour.template.name, tour.start)].append(agent)
    breaks_of: dict[tuple[str, int], list[PlacedBreak]] = defaultdict(list)
    for sc in solution.shifts:
        names = on_shift[(sc.day, sc.template, sc.start)]
        rules = {b.name: b for b in template_by_name[sc.template].breaks}
        for rule_name, rule in rules.items():
            offsets = [b.offset for b in sc.breaks if b.name == rule_name for _ in range(b.agents)]
            for agent, offset in zip(names, sorted(offsets), strict=False):
                breaks_of[(agent, sc.day)].append(
                    PlacedBreak(
                        name=rule_name,
                        start=sc.start + offset,
                        minutes=rule.minutes,
                        paid=rule.paid,
                    )
                )
    shifts = tuple(
        RosterShift(
            agent=agent,
            site=by_name[agent].site if agent in by_name else "",
            day=d,
            template=tour.template.name,
            start=tour.start,
            end=tour.start + tour.template.length,
            breaks=tuple(sorted(breaks_of[(agent, d)], key=lambda b: b.start)),
        )
        for agent, tour in assigned
        for d in tour.days
    )
    hours = tuple((agent, tour.paid_hours) for agent, tour in assigned)
    return Roster(
        shifts=tuple(sorted(shifts, key=lambda s: (s.agent, s.day))),
        weekly_hours=hours,
        not_needed=tuple(not_needed),
        unassignable=solution.unassignable,
    )
