"""The closed planning loop on small scenarios: exact single queue, and a multi-skill pool."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from hotline.sim.plan_loop import PlanSettings, run_plan
from hotline.sim.plan_traffic import demand
from hotline.sim.scenario import Scenario, load_scenario, parse_scenario


def small_mmc() -> Scenario:
    """The built-in M/M/c+M scenario at a twentieth of its traffic (15 Erlangs)."""
    data = load_scenario("mmc").model_dump()
    data["traffic"][0]["arrivals"] = {"rate_per_s": 0.1}
    return parse_scenario(data, "small-mmc")


def two_skills() -> Scenario:
    """Queue b is served only by agents who also take queue a: Erlang sees two pools, the
    engine one shared pool in which b's calls wait behind a's."""
    data: dict[str, Any] = {
        "name": "two-skills", "start": "2026-01-05", "timezone": "UTC", "days": 0.25,
        "warmup_s": 900, "interval_minutes": 30,
        "kpi": {"service_level_s": 20, "short_abandon_s": 5},
        "queues": [{"name": "qa", "expression": "skills.a >= 1"},
                   {"name": "qb", "expression": "skills.b >= 1"}],
        "workflows": [{"name": "wa", "steps": [{"queue": "qa"}]},
                      {"name": "wb", "steps": [{"queue": "qb"}]}],
        "traffic": [{
            "name": "calls", "arrivals": {"rate_per_s": 0.06},
            "attributes": {"intent": {"a": 75, "b": 25}},
            "routing": [{"when": {"intent": "b"}, "workflow": "wb"}, {"workflow": "wa"}],
            "handle_time": {"kind": "exponential", "mean": 180},
            "patience": {"kind": "exponential", "mean": 240},
        }],
        "agents": [
            {"group": "ga", "site": "x", "skills": {"a": 5}, "count": 10},
            {"group": "gb", "site": "x", "skills": {"a": 5, "b": 5}, "count": 4},
        ],
    }
    return parse_scenario(data, "two-skills")


def test_demand_splits_traffic_by_routing_shares_and_adds_wrap_up() -> None:
    groups = demand(two_skills(), 1)
    assert set(groups) == {"qa", "qb"}
    # 0.06 calls/s × 1800 s = 108 calls per interval, 75 % to qa and 25 % to qb.
    assert groups["qa"].calls[0, 0] == pytest.approx(81.0)
    assert groups["qb"].calls[0, 0] == pytest.approx(27.0)
    assert groups["qa"].aht_s == pytest.approx(180.0)  # no wrap-up in these workflows
    assert groups["qa"].patience_s == pytest.approx(240.0)


def test_single_queue_converges_fast_and_the_twin_agrees_with_erlang() -> None:
    scenario = small_mmc()
    result = run_plan(scenario, PlanSettings(days=0.25, max_rounds=3, time_limit_s=5))
    assert result.converged
    assert len(result.rounds) <= 2
    last = result.rounds[-1]
    q = last.queues["main"]
    seen = [t for t, v in enumerate(q.twin_by_interval) if v is not None and
            q.offered_by_interval[t] > 0]
    weights = np.array([q.offered_by_interval[t] for t in seen], dtype=float)
    erlang = float(np.average(q.erlang_by_interval[seen], weights=weights))
    assert q.twin_sl is not None
    assert abs(q.twin_sl - erlang) < 0.04, (q.twin_sl, erlang)
    assert q.twin_sl >= result.target_sl - 0.03
    # The plan staffs a constant load with whole shifts: about what Erlang asks for.
    assert last.coverage.min() >= last.requirement.min() - 1


def test_multi_skill_pool_gets_staff_where_the_twin_missed() -> None:
    result = run_plan(two_skills(), PlanSettings(days=0.25, max_rounds=2, time_limit_s=5))
    first = result.rounds[0]
    missed = first.queues["qb"].missed
    assert missed.any(), "queue b should miss the target with a shared pool"
    assert len(result.rounds) == 2
    second = result.rounds[1]
    grew = second.requirement[missed] - first.requirement[missed]
    assert np.all(grew > 0)
    assert second.group_agents["gb"] > first.group_agents["gb"]
    b1, b2 = first.queues["qb"].twin_sl, second.queues["qb"].twin_sl
    assert b1 is not None and b2 is not None and b2 > b1
