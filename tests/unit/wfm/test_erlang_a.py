"""Erlang A (M/M/n+M) against a truncated birth–death chain solved by plain linear algebra.

The reference never touches the incomplete-gamma closed forms: it builds the chain's stationary
law state by state, and follows one tagged caller through the queue with a matrix exponential
(answered or abandoned by time t) and a linear solve (mean wait of answered calls).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from scipy import linalg

from hotline.wfm.erlang import queue_kpis
from hotline.wfm.erlang_a import erlang_a
from hotline.wfm.errors import QueueInputError
from hotline.wfm.service_level import ServiceLevelDefinition


@dataclass(frozen=True)
class Reference:
    p_wait: float
    p_abandon: float
    answered_within: float
    abandoned_within: float
    asa: float


def chain_reference(
    n: int, lam: float, mu: float, theta: float, t_sl: float, t_ab: float, queue_cap: int
) -> Reference:
    """M/M/n+M truncated at ``n + queue_cap`` callers (cap chosen so the tail is negligible)."""
    k = np.arange(n + queue_cap + 1)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0) * theta
    log_p = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death[1:]))])
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    waiting = p[n:]  # arrivals (PASTA) finding j = 0, 1, … callers already in the queue
    # A tagged caller with i callers ahead: ahead leave at n·mu + i·theta, it abandons at theta,
    # and from i = 0 it is answered at n·mu. States 0..cap transient, cap+1 answered, cap+2 gone.
    m = queue_cap + 1
    q = np.zeros((m + 2, m + 2))
    for i in range(m):
        if i > 0:
            q[i, i - 1] = n * mu + i * theta
        else:
            q[i, m] = n * mu
        q[i, m + 1] = theta
        q[i, i] = -q[i].sum()
    start = waiting[:m]
    at_sl = start @ linalg.expm(q * t_sl)[:m]
    at_ab = start @ linalg.expm(q * t_ab)[:m]
    sub = -q[:m, :m]
    p_ans_from = linalg.solve(sub, q[:m, m])
    time_ans_from = linalg.solve(sub, p_ans_from)
    p_wait = waiting.sum()
    p_answered = (1 - p_wait) + start @ p_ans_from
    return Reference(
        p_wait=p_wait,
        p_abandon=start @ (1 - p_ans_from),
        answered_within=(1 - p_wait) + at_sl[m],
        abandoned_within=at_ab[m + 1],
        asa=(start @ time_ans_from) / p_answered,
    )


def assert_matches(n: int, load: float, aht: float, patience: float, cap: int) -> None:
    k = erlang_a(n, load, aht_s=aht, patience_s=patience, threshold_s=20, short_abandon_s=5)
    ref = chain_reference(n, load / aht, 1 / aht, 1 / patience, 20.0, 5.0, cap)
    assert float(k.p_wait) == pytest.approx(ref.p_wait, rel=1e-9)
    assert float(k.p_abandon) == pytest.approx(ref.p_abandon, rel=1e-8)
    assert float(k.p_answered_within) == pytest.approx(ref.answered_within, rel=1e-8)
    assert float(k.p_abandon_within) == pytest.approx(ref.abandoned_within, rel=1e-7, abs=1e-14)
    assert float(k.asa_s) == pytest.approx(ref.asa, rel=1e-8)


# Garnett, Mandelbaum & Reiman, "Designing a call center with impatient customers",
# Manufacturing & Service Operations Management 4(3), 2002 (the Erlang A formulas); the
# figures are recomputed from them for λ = 100/30 per min, AHT 3 min, mean patience 5 min.
def test_erlang_a_fourteen_agents() -> None:
    k = erlang_a(14, 10.0, aht_s=180.0, patience_s=300.0, threshold_s=20.0)
    assert float(k.p_wait) == pytest.approx(0.145260, abs=5e-7)
    assert float(k.p_abandon) == pytest.approx(0.013984, abs=5e-7)
    assert float(k.occupancy) == pytest.approx(0.704297, abs=5e-7)
    assert float(k.p_answered_within) == pytest.approx(0.916792, abs=5e-7)
    # 4.195 s is the mean wait of *all* offered calls, abandoned ones included: by Little's
    # law on the queue it is P(abandon) × mean patience. The design's ASA (§5: mean wait of
    # answered calls) is smaller, 3.878 s, because impatient callers leave the long waits.
    assert float(k.mean_wait_s) == pytest.approx(4.195, abs=5e-4)
    assert float(k.asa_s) == pytest.approx(3.878, abs=5e-4)


def test_erlang_a_fourteen_agents_matches_the_chain() -> None:
    assert_matches(14, 10.0, 180.0, 300.0, cap=200)


def test_patience_equal_to_handle_time_makes_the_system_poisson() -> None:
    # With θ = μ every caller in the system leaves at rate μ, so the number present is
    # Poisson(R) like M/M/∞ (Garnett et al. 2002, §3). R = 10, N = 12:
    # P(wait) = P(X ≥ 12), P(abandon) = E[(X − 12)+] / R.
    k = erlang_a(12, 10.0, aht_s=180.0, patience_s=180.0)
    assert float(k.p_wait) == pytest.approx(0.303224, abs=5e-7)
    assert float(k.p_abandon) == pytest.approx(0.053092, abs=5e-7)
    x = np.arange(0, 200)
    log_pmf = x * np.log(10.0) - 10.0 - np.array([np.sum(np.log(np.arange(1, v + 1))) for v in x])
    pmf = np.exp(log_pmf)
    assert float(k.p_wait) == pytest.approx(pmf[12:].sum(), rel=1e-12)
    assert float(k.p_abandon) == pytest.approx((pmf * np.maximum(x - 12, 0)).sum() / 10, rel=1e-10)


@pytest.mark.parametrize(
    ("n", "load", "aht", "patience", "cap"),
    [
        (1, 0.4, 240.0, 60.0, 60),  # one agent, light load
        (8, 12.0, 240.0, 120.0, 400),  # overloaded: many abandon
        (30, 28.0, 300.0, 900.0, 600),  # patient callers, near Erlang C
        (50, 40.0, 180.0, 20.0, 200),  # very impatient callers
    ],
)
def test_erlang_a_matches_the_chain(n: int, load: float, aht: float, patience: float,
                                    cap: int) -> None:
    assert_matches(n, load, aht, patience, cap)


def test_no_agents_means_every_caller_abandons() -> None:
    k = erlang_a(0, 2.0, aht_s=180.0, patience_s=60.0, short_abandon_s=5.0)
    assert float(k.p_wait) == 1.0
    assert float(k.p_abandon) == pytest.approx(1.0)
    assert float(k.p_abandon_within) == pytest.approx(1 - np.exp(-5 / 60))
    assert float(k.asa_s) == np.inf


def test_service_level_variants_of_design_section_5() -> None:
    kw = {"aht_s": 180.0, "patience_s": 300.0, "threshold_s": 20.0, "short_abandon_s": 5.0}
    a = erlang_a(14, 10.0, **kw)
    offered = queue_kpis(14, 10.0, definition=ServiceLevelDefinition.OFFERED, **kw)
    answered = queue_kpis(14, 10.0, definition=ServiceLevelDefinition.ANSWERED, **kw)
    short = queue_kpis(14, 10.0, **kw)  # design default: offered less short abandons
    within = float(a.p_answered_within)
    assert float(offered.service_level) == pytest.approx(within)
    assert float(answered.service_level) == pytest.approx(within / (1 - float(a.p_abandon)))
    assert float(short.service_level) == pytest.approx(within / (1 - float(a.p_abandon_within)))
    assert float(offered.service_level) < float(short.service_level) < float(
        answered.service_level
    )


def test_long_patience_tends_to_erlang_c() -> None:
    c = queue_kpis(14, 10.0, aht_s=180.0)
    a = queue_kpis(14, 10.0, aht_s=180.0, patience_s=1e9)
    assert float(a.p_wait) == pytest.approx(float(c.p_wait), rel=1e-6)
    assert float(a.service_level) == pytest.approx(float(c.service_level), rel=1e-6)
    assert float(a.asa_s) == pytest.approx(float(c.asa_s), rel=1e-5)


def test_vectorised_equals_one_by_one() -> None:
    n = np.array([0, 3, 14, 20, 9])
    load = np.array([0.0, 2.5, 10.0, 10.0, 12.0])
    many = erlang_a(n, load, aht_s=240.0, patience_s=120.0)
    for i in range(n.size):
        one = erlang_a(int(n[i]), float(load[i]), aht_s=240.0, patience_s=120.0)
        assert float(many.p_abandon[i]) == pytest.approx(float(one.p_abandon), rel=1e-12)
        assert float(many.asa_s[i]) == pytest.approx(float(one.asa_s), rel=1e-12)
    assert many.p_wait[0] == 0.0 and many.asa_s[0] == 0.0  # zero calls, no NaN


def test_bad_patience_is_named() -> None:
    with pytest.raises(QueueInputError, match=r"patience_s must be more than 0 \(got 0.0\)"):
        erlang_a(3, 1.0, aht_s=180.0, patience_s=0.0)
