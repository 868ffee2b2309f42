"""From a daily shift plan back to a scenario: which agent group works each planned shift.

The plan is cut for the centre's total requirement; the scenario's agent groups (skills ×
site) each serve a *home* queue group: of the queue groups whose expression admits the group's
agents, the one admitted to by the fewest groups (general agents → retail, credit agents →
credit, VIP agents → vip). A queue group's requirement is shared among its home groups in
proportion to their size in the scenario, so the scenario's skills and sites split is kept.
Planned agents are then dealt to the groups in proportion to their requirements over each
agent's hours on the phones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotline.core.expressions import AgentView, compile_expression
from hotline.sim.scenario import AgentGroup, Scenario, parse_scenario
from hotline.wfm.plan_shifts import DayPlan
from hotline.wfm.schedule_problem import spread
from hotline.wfm.shifts import MINUTES_PER_DAY, BreakRule, ShiftTemplate

FloatArray = NDArray[np.float64]
DEFAULT_HOURS = 8.0


@dataclass(frozen=True, kw_only=True, slots=True)
class PlannedAgent:
    """One agent of the plan: template, start and break starts (minutes from midnight)."""

    template: str
    start: int
    length: int
    breaks: tuple[tuple[int, int], ...]  # (start offset from shift start, minutes)

    def on_phones(self, interval_minutes: int, n: int) -> FloatArray:
        out = np.zeros(n)
        for i, f in spread(self.start, self.start + self.length, interval_minutes, n).items():
            out[i] += f
        for offset, minutes in self.breaks:
            begin = self.start + offset
            for i, f in spread(begin, begin + minutes, interval_minutes, n).items():
                out[i] -= f
        return out


def shift_templates(scenario: Scenario) -> tuple[ShiftTemplate, ...]:
    """One template per distinct shift shape of the scenario (length and breaks), starting at
    any interval of the day; an 8-hour shift without breaks when the scenario has no shifts."""
    step = scenario.interval_minutes
    latest = MINUTES_PER_DAY - step
    seen: dict[tuple[Any, ...], ShiftTemplate] = {}
    for s in scenario.shifts:
        shape = (s.hours, tuple((b.after_minutes, b.minutes, b.window_minutes) for b in s.breaks))
        if shape in seen:
            continue
        rules = tuple(
            BreakRule(name=f"break{j + 1}", minutes=round(b.minutes),
                      earliest=round(b.after_minutes),
                      latest=round(b.after_minutes + b.window_minutes))
            for j, b in enumerate(s.breaks)
        )
        seen[shape] = ShiftTemplate(name=s.name, earliest_start=0, latest_start=latest,
                                    start_step=step, length=round(s.hours * 60), breaks=rules,
                                    break_step=15)
    if not seen:
        return (ShiftTemplate(name="shift", earliest_start=0, latest_start=latest,
                              start_step=step, length=round(DEFAULT_HOURS * 60)),)
    return tuple(seen.values())


def group_size(group: AgentGroup) -> int:
    return (group.count or 0) + sum(group.shifts.values())


def eligible_queues(scenario: Scenario) -> dict[str, list[str]]:
    """For each agent group, the queues whose expression admits its agents."""
    tests = {q.name: compile_expression(q.expression) for q in scenario.queues}
    out: dict[str, list[str]] = {}
    for g in scenario.agents:
        view = AgentView(id=g.group, site=g.site, skills=g.skills,
                         languages=frozenset(g.languages), channels=frozenset(g.capacity),
                         attributes={})
        out[g.group] = [name for name, test in tests.items() if test(view)]
    return out


def home_queues(scenario: Scenario, queues: list[str]) -> dict[str, str | None]:
    """Each agent group's home queue group among ``queues`` (None if it serves none)."""
    eligible = eligible_queues(scenario)
    admitted = {q: sum(q in qs for qs in eligible.values()) for q in queues}
    return {
        g: min((q for q in qs if q in admitted), key=lambda q: (admitted[q], queues.index(q)),
               default=None)
        for g, qs in eligible.items()
    }


def group_shares(scenario: Scenario, queues: list[str]) -> dict[str, dict[str, float]]:
    """``shares[queue][group]``: the part of a queue group's requirement each group covers."""
    homes = home_queues(scenario, queues)
    eligible = eligible_queues(scenario)
    sizes = {g.group: max(group_size(g), 1) for g in scenario.agents}
    shares: dict[str, dict[str, float]] = {}
    for q in queues:
        members = [g for g, h in homes.items() if h == q] or [
            g for g, qs in eligible.items() if q in qs]
        total = sum(sizes[g] for g in members)
        shares[q] = {g: sizes[g] / total for g in members}
    return shares


def planned_agents(plan: DayPlan) -> list[PlannedAgent]:
    """Every agent of the plan, breaks dealt earliest first as the weekly roster does."""
    by_name = {t.name: t for t in plan.templates}
    agents: list[PlannedAgent] = []
    for s in plan.shifts:
        t = by_name[s.template]
        rules = {b.name: b.minutes for b in t.breaks}
        per_break = [
            sorted(b.offset for b in s.breaks if b.name == rule.name for _ in range(b.agents))
            for rule in t.breaks
        ]
        for i in range(s.agents):
            placed = tuple((offsets[i], rules[rule.name])
                           for rule, offsets in zip(t.breaks, per_break, strict=True)
                           if i < len(offsets))
            agents.append(PlannedAgent(template=s.template, start=s.start, length=t.length,
                                       breaks=placed))
    return agents


def deal(agents: list[PlannedAgent], requirement: dict[str, FloatArray], interval_minutes: int
         ) -> dict[str, list[PlannedAgent]]:
    """Give each planned agent to a group, in proportion to the groups' requirements.

    Each agent earns every group a credit equal to that group's share of the requirement over
    the agent's hours on the phones; the agent goes to the group with the most credit, which
    then spends one. A small group's shares add up across shifts, so it gets its agents too
    (dealing by the largest absolute shortfall instead starves the small groups).
    """
    groups = list(requirement)
    out: dict[str, list[PlannedAgent]] = {g: [] for g in groups}
    if not groups:
        return out
    n = next(iter(requirement.values())).size
    need = np.array([requirement[g] for g in groups], dtype=np.float64)
    credit = np.zeros(len(groups))
    for a in sorted(agents, key=lambda a: (a.start, -a.length, a.breaks)):
        weight = need @ a.on_phones(interval_minutes, n)
        total = float(weight.sum())
        credit += weight / total if total > 0 else 1.0 / len(groups)
        best = int(np.argmax(credit))
        credit[best] -= 1.0
        out[groups[best]].append(a)
    return out


def roster_scenario(scenario: Scenario, dealt: dict[str, list[PlannedAgent]],
                    *, days: float, source: str) -> Scenario:
    """The scenario with its roster replaced by the dealt plan (one shift per variant)."""
    data = scenario.model_dump()
    shifts: dict[tuple[Any, ...], str] = {}
    shift_rows: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    for g in data["agents"]:
        counts: dict[str, int] = {}
        for a in dealt.get(g["group"], []):
            key = (a.template, a.start, a.length, a.breaks)
            name = shifts.get(key)
            if name is None:
                name = shifts[key] = f"p{len(shifts) + 1:03d}-{a.template}-{a.start // 60:02d}" \
                                     f"{a.start % 60:02d}"
                shift_rows.append({
                    "name": name, "start": time(a.start // 60, a.start % 60),
                    "hours": a.length / 60,
                    "breaks": [{"after_minutes": o, "minutes": m, "window_minutes": 0}
                               for o, m in a.breaks],
                })
            counts[name] = counts.get(name, 0) + 1
        groups.append({**g, "shifts": counts, "count": None if counts else 0})
    data.update(agents=groups, shifts=shift_rows, days=days)
    return parse_scenario(data, source)
