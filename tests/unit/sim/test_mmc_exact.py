"""Exactness: the twin on M/M/c+M lands on the exact Erlang-A values (design §6, issue 2).

λ = 2/s, mean service 150 s, mean patience 120 s, c = 300: P(abandon), P(wait > 0) and mean
wait each lie within the 95 % confidence interval (batch means) of a modest run. The benchmark
``benchmarks/twin_vs_simpy.py`` does the same with 600,000 callers.
"""

from __future__ import annotations

import pytest

from hotline.sim.mmc import ErlangA, mmc_scenario, run_mmc

EXACT = ErlangA(rate=2.0, service=150.0, patience=120.0, agents=300)


def test_exact_values_of_the_birth_death_chain() -> None:
    # Independent check of the reference: at c = 300 the chain must agree with Little's law
    # (abandon flow θ·E[Q] = λ·P(abandon)) and give a plausible heavy-traffic picture.
    assert EXACT.p_abandon == pytest.approx(EXACT.mean_wait / 120.0)
    assert 0.45 < EXACT.p_wait < 0.51
    assert 0.02 < EXACT.p_abandon < 0.03


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    scenario = mmc_scenario(rate=2.0, service=150.0, patience=120.0, agents=300,
                            callers=120_000, warmup_callers=7_200, seed=11)
    return run_mmc(scenario, batches=30)


@pytest.mark.parametrize("measure, exact", [
    ("P(abandon)", EXACT.p_abandon),
    ("P(wait > 0)", EXACT.p_wait),
    ("mean wait (s)", EXACT.mean_wait),
])
def test_twin_is_within_the_confidence_interval(run, measure: str, exact: float  # type: ignore[no-untyped-def]
                                                ) -> None:
    estimate, half_width = run.estimate(measure)
    assert len(run.batches) >= 25
    assert abs(estimate - exact) <= half_width, (measure, estimate, half_width, exact)
    # The interval must be narrow enough to mean something.
    assert half_width < 0.25 * exact


def test_a_wrong_model_falls_outside_the_interval(run) -> None:  # type: ignore[no-untyped-def]
    """The check can fail: with 290 agents the exact answer moves out of the interval."""
    wrong = ErlangA(rate=2.0, service=150.0, patience=120.0, agents=290)
    estimate, half_width = run.estimate("P(abandon)")
    assert abs(estimate - wrong.p_abandon) > half_width
