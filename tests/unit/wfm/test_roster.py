"""Contracts, the roster of named agents, and under-staffing when contracts run out."""

from __future__ import annotations

import pytest

from hotline.wfm.errors import ContractError
from hotline.wfm.roster import build_roster
from hotline.wfm.roster_contracts import AgentContract, why_no_tour
from hotline.wfm.schedule_model import solve_schedule
from hotline.wfm.schedule_problem import ScheduleProblem
from hotline.wfm.shifts import BreakRule, ShiftTemplate
from hotline.wfm.shifts_tours import TourRules, all_tours

WEEK = 336
LUNCH = BreakRule(name="lunch", minutes=60, earliest=180, latest=300, paid=False)
DAY = ShiftTemplate(name="day", earliest_start=420, latest_start=660, length=540, breaks=(LUNCH,))
HALF = ShiftTemplate(name="half", earliest_start=540, latest_start=840, length=240)
FULL_TIME = dict(min_weekly_hours=35.0, max_weekly_hours=40.0)


def office(agents: float) -> tuple[float, ...]:
    return tuple(agents if 16 <= i % 48 < 40 and i // 48 < 6 else 0.0 for i in range(WEEK))


def weekday_window(start: int, end: int, days: range = range(7)) -> tuple[
    tuple[int, int] | None, ...
]:
    return tuple((start, end) if d in days else None for d in range(7))


def test_roster_respects_contract_hours_and_availability() -> None:
    agents = tuple(
        [AgentContract(agent=f"full{i:02d}", site="beijing", **FULL_TIME) for i in range(8)]
        + [
            AgentContract(agent=f"part{i:02d}", site="shanghai", min_weekly_hours=15,
                          max_weekly_hours=20, availability=weekday_window(600, 900))
            for i in range(6)
        ]
    )
    problem = ScheduleProblem(requirement=office(9), templates=(DAY, HALF), agents=agents,
                              mip_rel_gap=0.02, time_limit_s=10)
    sol = solve_schedule(problem)
    roster = build_roster(sol, problem.templates, agents)
    contracts = {a.agent: a for a in agents}
    hours = dict(roster.weekly_hours)
    assert set(hours) | set(roster.not_needed) == set(contracts)
    for name, h in hours.items():
        c = contracts[name]
        assert c.min_weekly_hours <= h <= c.max_weekly_hours, name
    for s in roster.shifts:
        window = contracts[s.agent].availability[s.day]
        assert window is not None and window[0] <= s.start and s.end <= window[1], s
        assert s.site == contracts[s.agent].site
    # Full-timers have minimum hours, so all of them are rostered.
    assert all(name in hours for name in contracts if name.startswith("full"))


def test_roster_breaks_sit_inside_shift_and_window_and_never_overlap() -> None:
    coffee = BreakRule(name="coffee", minutes=15, earliest=60, latest=120)
    day = ShiftTemplate(name="day", earliest_start=420, latest_start=600, length=540,
                        breaks=(coffee, LUNCH))
    problem = ScheduleProblem(requirement=office(6), templates=(day,), mip_rel_gap=0.05,
                              time_limit_s=5)
    sol = solve_schedule(problem)
    roster = build_roster(sol, problem.templates, None)
    assert roster.shifts
    rules = {b.name: b for b in day.breaks}
    for s in roster.shifts:
        assert [b.name for b in s.breaks] == ["coffee", "lunch"]
        for b in s.breaks:
            rule = rules[b.name]
            assert s.start + rule.earliest <= b.start <= s.start + rule.latest
            assert b.start + b.minutes <= s.end
        assert s.breaks[0].start + s.breaks[0].minutes <= s.breaks[1].start
    # Every placed break in the plan went to exactly one named agent.
    placed = sum(b.agents for sc in sol.shifts for b in sc.breaks)
    assert placed == sum(len(s.breaks) for s in roster.shifts)


def test_under_staffing_is_reported_when_contracts_cannot_cover_the_requirement() -> None:
    # Five full-timers against 12 needed: at most 5 on shift, lunches make it worse.
    agents = tuple(AgentContract(agent=f"a{i}", **FULL_TIME) for i in range(5))
    problem = ScheduleProblem(requirement=office(12), templates=(DAY,), agents=agents,
                              mip_rel_gap=0.0, time_limit_s=10)
    sol = solve_schedule(problem)
    assert sol.agents == 5
    needed_hours = sum(office(12)) / 2
    assert sol.under_hours >= needed_hours - 5 * 40 - 1e-9
    for t, (r, c, u) in enumerate(zip(sol.requirement, sol.coverage, sol.under, strict=True)):
        assert u == pytest.approx(max(0.0, r - c)), t
    assert max(sol.under) >= 7.0


def test_contract_no_tour_satisfies_is_reported_with_the_reason() -> None:
    agents = (
        AgentContract(agent="li.wei", **FULL_TIME),
        AgentContract(agent="wang.fang", min_weekly_hours=0, max_weekly_hours=10),
        AgentContract(agent="zhao.lei", availability=weekday_window(0, 1440, range(5, 7))),
        AgentContract(agent="sun.li", availability=weekday_window(1200, 1440)),
    )
    problem = ScheduleProblem(requirement=office(2), templates=(DAY,), agents=agents)
    sol = solve_schedule(problem)
    reasons = {u.agent: u.reason for u in sol.unassignable}
    assert reasons == {
        "wang.fang": "contract allows 0-10 h/week but every tour pays between 40 and 40 h/week",
        "zhao.lei": "no tour within the contract hours fits the availability (Sat 0:00-24:00, "
        "Sun 0:00-24:00; 2 day(s) available, tours need [5] day(s))",
        "sun.li": "no tour within the contract hours fits the availability (Mon 20:00-24:00, "
        "Tue 20:00-24:00, Wed 20:00-24:00, Thu 20:00-24:00, Fri 20:00-24:00, "
        "Sat 20:00-24:00, Sun 20:00-24:00; 7 day(s) available, tours need [5] day(s))",
    }
    roster = build_roster(sol, problem.templates, agents)
    assert {s.agent for s in roster.shifts} <= {"li.wei"}
    assert [u.agent for u in roster.unassignable] == ["wang.fang", "zhao.lei", "sun.li"]


def test_missing_skill_makes_an_agent_unassignable() -> None:
    tours = all_tours((DAY,), TourRules())
    agent = AgentContract(agent="li.wei", skills=frozenset({"loans"}))
    assert why_no_tour(agent, tours, "cards") == "lacks skill 'cards'"
    assert why_no_tour(agent, tours, "loans") is None


def test_inconsistent_contracts_are_rejected_by_name() -> None:
    with pytest.raises(ContractError, match="agent 'x': max_weekly_hours 10 is below "
                       "min_weekly_hours 20"):
        AgentContract(agent="x", min_weekly_hours=20, max_weekly_hours=10)
    with pytest.raises(ContractError, match="agent 'y': availability on Tue 18:00-9:00 is empty"):
        AgentContract(agent="y", availability=((0, 1440), (1080, 540), *([(0, 1440)] * 5)))
