"""Smoke tests of the speed benchmarks (issue 2, Speed b and c), at tiny sizes, so they keep
running as the engine changes. They check that the figures are sane, not how fast they are."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def month() -> ModuleType:
    return _load("month")


@pytest.fixture(scope="module")
def routing_cost() -> ModuleType:
    return _load("routing_cost")


def test_month_runs_a_short_slice_and_reports_sane_figures(month: ModuleType,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    figures = month.main(["--days", "0.25", "--seed", "3"])
    out = capsys.readouterr().out
    assert figures.days == 0.25 and figures.seed == 3
    # A quarter day from midnight: the night's calls, a tenth or so of them to agents.
    assert 1_000 < figures.ivr_calls < 60_000
    assert 0 < figures.offered < figures.ivr_calls * 0.2
    assert figures.answered <= figures.offered
    assert figures.events > figures.offered * 4  # queued, reserved, connected, ended, ...
    assert figures.wall_s > 0 and figures.cpu_s > 0 and figures.peak_rss_mib > 10
    for kpi in (figures.answer_rate, figures.service_level, figures.utilisation):
        assert kpi is not None and 0.0 < kpi <= 1.0
    assert figures.goal_ratio == pytest.approx(figures.wall_s / 120.0)
    assert f"{figures.ivr_calls:,}" in out and "IVR calls" in out
    # The 120 s goal is for 30 days; a quarter day gets its share.
    assert "budget 1 s" in out and ("meets" in out or "MISSES" in out)


def test_month_rejects_a_bad_day_count(month: ModuleType) -> None:
    from hotline.sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match="days"):
        month.month_scenario(0)


def test_routing_cost_runs_both_decisions_at_two_sizes(routing_cost: ModuleType,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    results = routing_cost.main(["--sizes", "20", "60", "--decisions", "300", "--rounds", "2"])
    out = capsys.readouterr().out
    assert [r.agents for r in results] == [20, 60]
    for res in results:
        assert 4 <= res.mean_queues_per_agent <= 8  # 4 skills, 1 or 2 languages
        assert set(res.batches) == {"offer", "pick", "release"}
        for batches in res.batches.values():
            assert len(batches) == 2
            for b in batches:
                assert 0 < b.p50_ns <= b.p99_ns
                assert b.mean_ns > 0 and b.cpu_mean_ns > 0
        # Half the agents stay busy; every queue keeps its 5 waiting contacts.
        contact, agent = res.heaps["contact"], res.heaps["agent"]
        assert contact["idle_live"] >= res.agents // 2
        # Idle heaps stay within a small multiple of their members (stale entries compacted).
        assert 0 < contact["worst"] <= 2.0
        assert agent["waiting_live"] == 5 * 200
    assert "offer · mean" in out and "pick · p99" in out and "60 ÷ 20" in out


def test_routing_centre_has_200_queues_and_memberships_follow_expressions(
        routing_cost: ModuleType) -> None:
    centre = routing_cost.build_centre(40, seed=7)
    engine = centre.engine
    shared = [q for name, q in engine.queues.items() if not name.startswith("@")]
    assert len(shared) == 200
    for agent_id, names in centre.queues_of.items():
        actual = {q.name for q in engine.agents[agent_id].queues if not q.name.startswith("@")}
        assert actual == set(names)
        assert engine.agents[agent_id].presence == "ready"


def test_idle_agents_pick_add_remove(routing_cost: ModuleType) -> None:
    import random

    idle = routing_cost.IdleAgents(["a", "b", "c"])
    idle.remove("a")
    idle.add("d")
    idle.remove("c")
    assert sorted(idle.ids) == ["b", "d"]
    assert {idle.pick(random.Random(s)) for s in range(20)} == {"b", "d"}
