"""Weekly tour scheduling MIP: known optima, breaks, days off, bounds, bad input."""

from __future__ import annotations

import pytest

from hotline.wfm.errors import RequirementError, ShiftTemplateError
from hotline.wfm.schedule_model import solve_schedule
from hotline.wfm.schedule_problem import ScheduleProblem, ScheduleWeights
from hotline.wfm.shifts import BreakRule, ShiftTemplate
from hotline.wfm.shifts_tours import TourRules

WEEK = 336  # 30-min intervals


def office_hours(agents: float, days: int = 5, start_h: int = 9, end_h: int = 17) -> tuple[
    float, ...
]:
    return tuple(
        agents if i // 48 < days and start_h * 2 <= i % 48 < end_h * 2 else 0.0
        for i in range(WEEK)
    )


def test_flat_office_requirement_needs_exactly_that_many_mon_fri_tours() -> None:
    # By hand: 10 agents 9-17 Mon-Fri, one 8-h shift at 9:00 -> 10 Mon-Fri tours, 400 paid h.
    day = ShiftTemplate(name="day", earliest_start=480, latest_start=600, length=480)
    sol = solve_schedule(ScheduleProblem(requirement=office_hours(10), templates=(day,)))
    assert [(t.tour.label, t.agents) for t in sol.tours] == [("Mon-Fri day 9:00", 10)]
    assert sol.under_hours == 0 and sol.over_hours == 0
    assert sol.paid_hours == pytest.approx(400)
    assert sol.objective == pytest.approx(400)
    assert sol.lp_bound == pytest.approx(400)
    assert sol.gap == pytest.approx(0)


def test_round_the_clock_flat_requirement_needs_21_agents_on_three_shifts() -> None:
    # 5 agents every interval, 8-h shifts at 0/8/16h, 5-on-2-off tours: each start needs
    # 5 agents x 7 days = 35 shifts = 7 tours of 5 days, so 3 x 7 = 21 agents and no slack.
    t = ShiftTemplate(name="t", earliest_start=0, latest_start=960, start_step=480, length=480)
    sol = solve_schedule(ScheduleProblem(requirement=(5.0,) * WEEK, templates=(t,)))
    assert sol.agents == 21
    assert max(sol.under) == 0 and max(sol.over) == 0
    assert sol.coverage == (5.0,) * WEEK


def test_breaks_land_inside_their_windows_and_add_up_to_the_agents_on_shift() -> None:
    coffee = BreakRule(name="coffee", minutes=15, earliest=60, latest=120)
    lunch = BreakRule(name="lunch", minutes=60, earliest=180, latest=300, paid=False)
    day = ShiftTemplate(name="day", earliest_start=420, latest_start=600, length=540,
                        breaks=(coffee, lunch))
    req = tuple(r + (4.0 if 11 * 2 <= i % 48 < 14 * 2 else 0.0) for i, r in
                enumerate(office_hours(12, days=7, start_h=8, end_h=18)))
    sol = solve_schedule(ScheduleProblem(requirement=req, templates=(day,), mip_rel_gap=0.05,
                                         time_limit_s=5))
    assert sol.shifts
    windows = {b.name: b for b in day.breaks}
    for s in sol.shifts:
        for rule in day.breaks:
            placed = [b for b in s.breaks if b.name == rule.name]
            assert sum(b.agents for b in placed) == s.agents
            for b in placed:
                assert windows[b.name].earliest <= b.offset <= windows[b.name].latest
                assert b.offset + rule.minutes <= day.length


def test_breaks_are_staggered_when_one_slot_would_leave_a_hole() -> None:
    # 8 agents needed 9-12 and 14-17, 4 needed 12-14; lunch (1 h) starts at 12:00 or 13:00.
    # By hand: 8 agents with lunches split 4/4 cover everything; any other split leaves a hole.
    lunch = BreakRule(name="lunch", minutes=60, earliest=180, latest=240, paid=True)
    day = ShiftTemplate(name="day", earliest_start=540, latest_start=540, length=480,
                        breaks=(lunch,), break_step=60)
    req = tuple(
        (4.0 if 24 <= i % 48 < 28 else 8.0) if r else 0.0 for i, r in enumerate(office_hours(1))
    )
    sol = solve_schedule(ScheduleProblem(requirement=req, templates=(day,)))
    assert sol.agents == 8
    for s in sol.shifts:
        assert sorted((b.offset, b.agents) for b in s.breaks) == [(180, 4), (240, 4)]
    assert sol.under_hours == 0 and sol.over_hours == 0


def test_every_tour_obeys_the_days_off_rules() -> None:
    rules = TourRules(days_per_week=(4, 5), consecutive_days_off=True,
                      max_consecutive_work_days=4)
    day = ShiftTemplate(name="day", earliest_start=480, latest_start=600, length=480)
    req = tuple((8.0 if i // 48 in (0, 4) else 5.0) if 18 <= i % 48 < 34 else 0.0
                for i in range(WEEK))
    sol = solve_schedule(ScheduleProblem(requirement=req, templates=(day,), rules=rules))
    assert sol.tours
    for t in sol.tours:
        assert rules.allows(t.tour.pattern)
        assert sum(t.tour.pattern) in (4, 5)


def test_lp_bound_never_exceeds_objective_and_gap_is_within_target() -> None:
    coffee = BreakRule(name="coffee", minutes=15, earliest=90, latest=150)
    day = ShiftTemplate(name="day", earliest_start=420, latest_start=720, length=480,
                        breaks=(coffee,))
    req = tuple(float((i * 7) % 11) if 16 <= i % 48 < 40 else 0.0 for i in range(WEEK))
    sol = solve_schedule(ScheduleProblem(requirement=req, templates=(day,), mip_rel_gap=0.01))
    assert sol.lp_bound <= sol.objective + 1e-6
    assert sol.mip_bound <= sol.objective + 1e-6
    assert sol.gap <= 0.05
    # The objective is recomputed from the rounded plan, not copied from the solver.
    w = ScheduleWeights()
    assert sol.objective == pytest.approx(
        sol.paid_cost + w.under_per_hour * sol.under_hours + w.over_per_hour * sol.over_hours
    )


def test_overnight_shift_on_sunday_covers_monday_morning() -> None:
    night = ShiftTemplate(name="night", earliest_start=1320, latest_start=1320, length=480)
    req = tuple(3.0 if (i % 48 >= 44 or i % 48 < 12) else 0.0 for i in range(WEEK))
    sol = solve_schedule(ScheduleProblem(requirement=req, templates=(night,),
                                         rules=TourRules(days_per_week=(7,),
                                                         max_consecutive_work_days=7)))
    assert sol.agents == 3
    assert sol.coverage[0] == 3.0 and sol.coverage[WEEK - 1] == 3.0
    assert sol.under_hours == 0


def test_negative_requirement_is_rejected_naming_the_interval() -> None:
    req = list(office_hours(3))
    req[50] = -2.0
    day = ShiftTemplate(name="day", earliest_start=480, latest_start=480, length=480)
    with pytest.raises(RequirementError) as err:
        ScheduleProblem(requirement=tuple(req), templates=(day,))
    assert str(err.value) == "requirement: interval 50 (Tue 1:00) is -2 agents, which is negative"


def test_requirement_of_the_wrong_length_is_rejected() -> None:
    day = ShiftTemplate(name="day", earliest_start=480, latest_start=480, length=480)
    with pytest.raises(RequirementError, match="requirement: 335 intervals given, a week of "
                       "30-min intervals has 336"):
        ScheduleProblem(requirement=(1.0,) * 335, templates=(day,))


def test_duplicate_template_names_are_rejected() -> None:
    day = ShiftTemplate(name="day", earliest_start=480, latest_start=480, length=480)
    with pytest.raises(ShiftTemplateError, match="shift 'day': name is used twice"):
        ScheduleProblem(requirement=(1.0,) * WEEK, templates=(day, day))
