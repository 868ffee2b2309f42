"""Thousands of agents and loads up to 2,000 Erlangs: no overflow, full precision.

References are computed independently with Python's `decimal` at 60 significant digits:
the Erlang B recurrence ``1/B(k) = 1 + (k/A)·1/B(k−1)`` and the defining series of
``S(a, z) = Σ z^j / ((a+1)…(a+j))``; Erlang A is checked against its birth–death chain.
"""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np
import pytest

from hotline.wfm.erlang import queue_kpis
from hotline.wfm.erlang_a import erlang_a
from hotline.wfm.erlang_b import erlang_b
from hotline.wfm.erlang_c import erlang_c, erlang_c_service_level
from hotline.wfm.erlang_gamma import log_s

getcontext().prec = 60


def decimal_erlang_b(n: int, load: str) -> Decimal:
    a = Decimal(load)
    inv = Decimal(1)
    for k in range(1, n + 1):
        inv = 1 + Decimal(k) / a * inv
    return 1 / inv


def decimal_log_s(a: int, z: int) -> float:
    total, term, j = Decimal(1), Decimal(1), 0
    while True:
        j += 1
        term = term * Decimal(z) / Decimal(a + j)
        total += term
        if term < total * Decimal("1e-40"):
            return float(total.ln())


@pytest.mark.parametrize(
    ("n", "load"),
    [(1600, "1500"), (1520, "1500"), (3000, "2000"), (2050, "2000"), (100, "2000"), (1, "2000")],
)
def test_erlang_b_large(n: int, load: str) -> None:
    assert float(erlang_b(n, float(load))) == pytest.approx(
        float(decimal_erlang_b(n, load)), rel=1e-9
    )


def test_erlang_c_1500_erlangs_1600_agents() -> None:
    n, a = 1600, Decimal(1500)
    b = decimal_erlang_b(n, "1500")
    c = n * b / (n - a * (1 - b))
    assert float(erlang_c(n, 1500.0)) == pytest.approx(float(c), rel=1e-9)
    sl = 1 - c * (-(n - a) * Decimal(20) / Decimal(240)).exp()
    assert float(erlang_c_service_level(n, 1500.0, 240.0, 20.0)) == pytest.approx(
        float(sl), rel=1e-12
    )


@pytest.mark.parametrize(
    ("a", "z"), [(2400, 1000), (1600, 1500), (1500, 1600), (100, 2000), (0, 700), (5000, 4990)]
)
def test_log_s_far_and_near_the_load(a: int, z: int) -> None:
    # (2400, 1000) underflows the incomplete gamma and takes the direct series.
    got = float(log_s(np.array(float(a)), np.array(float(z))))
    assert got == pytest.approx(decimal_log_s(a, z), rel=1e-11, abs=1e-11)


def test_erlang_a_1600_agents_matches_the_chain() -> None:
    n, load, aht, patience = 1600, 1500.0, 240.0, 180.0
    lam, mu, theta = load / aht, 1 / aht, 1 / patience
    k_states = np.arange(n + 3000 + 1)
    death = np.minimum(k_states, n) * mu + np.maximum(k_states - n, 0) * theta
    log_p = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death[1:]))])
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    queue = np.maximum(k_states - n, 0)
    kpis = erlang_a(n, load, aht_s=aht, patience_s=patience)
    assert float(kpis.p_wait) == pytest.approx(p[n:].sum(), rel=1e-9)
    assert float(kpis.p_abandon) == pytest.approx(theta * (queue * p).sum() / lam, rel=1e-8)


def test_a_week_of_extreme_intervals_has_no_nan_or_overflow() -> None:
    load = np.array([0.0, 0.01, 1.0, 300.0, 1500.0, 2000.0, 2000.0, 2000.0])
    agents = np.array([0, 1, 2, 250, 1600, 1000, 2100, 5000])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        for patience in (None, 30.0, 600.0):
            k = queue_kpis(agents, load, aht_s=240.0, patience_s=patience)
            for values in (k.p_wait, k.service_level, k.p_abandon, k.occupancy):
                assert np.isfinite(values).all()
                assert ((values >= 0) & (values <= 1)).all()
            assert not np.isnan(k.asa_s).any()
