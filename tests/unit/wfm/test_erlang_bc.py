"""Erlang B and Erlang C against published examples and the textbook formulas."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.wfm.erlang import offered_load, queue_kpis
from hotline.wfm.erlang_b import erlang_b, erlang_b_load
from hotline.wfm.erlang_c import (
    erlang_c,
    erlang_c_asa,
    erlang_c_occupancy,
    erlang_c_service_level,
)
from hotline.wfm.errors import QueueInputError


def textbook_erlang_b(n: int, a: float) -> float:
    """The classic recurrence B(k) = A·B(k−1) / (k + A·B(k−1)), B(0) = 1 (independent check)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


# Source of the example: P. Prevos, "Call Centre Workforce Planning Using Erlang C in R"
# (lucidmanager.org, 2019) and the README of pyworkforce 0.5 (github.com/rodrigo-arenas/
# pyworkforce): 100 calls per 30 min, AHT 180 s, 80 % within 20 s, 30 % shrinkage →
# 14 raw, 20 scheduled agents, P(wait) 0.1741, SL 0.8884, occupancy 0.7143. The 6-decimal
# figures below are recomputed from C = nB/(n − A(1 − B)), SL = 1 − C·e^(−(n−A)T/AHT).
A_EXAMPLE = offered_load(100, aht_s=180, interval_s=1800)


def test_offered_load_of_the_example_is_ten_erlangs() -> None:
    assert float(A_EXAMPLE) == pytest.approx(10.0)


def test_erlang_c_fourteen_agents() -> None:
    assert float(erlang_c(14, A_EXAMPLE)) == pytest.approx(0.174132, abs=5e-7)
    assert float(erlang_c_service_level(14, A_EXAMPLE, 180, 20)) == pytest.approx(
        0.888350, abs=5e-7
    )
    assert float(erlang_c_asa(14, A_EXAMPLE, 180)) == pytest.approx(7.836, abs=5e-4)
    assert float(erlang_c_occupancy(14, A_EXAMPLE)) == pytest.approx(0.714286, abs=5e-7)


def test_erlang_c_eleven_agents() -> None:
    assert float(erlang_c(11, A_EXAMPLE)) == pytest.approx(0.682118, abs=5e-7)
    assert float(erlang_c_service_level(11, A_EXAMPLE, 180, 20)) == pytest.approx(
        0.389614, abs=5e-7
    )


def test_erlang_c_matches_the_recurrence_formula_for_many_counts() -> None:
    for n in range(11, 40):
        b = textbook_erlang_b(n, 10.0)
        c = n * b / (n - 10.0 * (1 - b))
        assert float(erlang_c(n, 10.0)) == pytest.approx(c, rel=1e-12)


def test_erlang_c_without_enough_agents_always_waits() -> None:
    assert float(erlang_c(10, 10.0)) == 1.0
    assert float(erlang_c_service_level(9, 10.0, 180, 20)) == 0.0
    assert float(erlang_c_asa(10, 10.0, 180)) == np.inf


# Erlang B tables (e.g. ITU-D "Teletraffic Engineering Handbook", Iversen 2005, and the
# classic tables reprinted in every telephony text): 17 lines, 10 E → 1.29 % blocking;
# 20 lines at 2 % blocking carry 13.18 E offered. More decimals from the recurrence.
def test_erlang_b_published_values() -> None:
    assert float(erlang_b(17, 10.0)) == pytest.approx(0.012949, abs=5e-7)
    assert float(erlang_b(17, 10.0)) == pytest.approx(textbook_erlang_b(17, 10.0), rel=1e-12)
    assert float(erlang_b_load(20, 0.02)) == pytest.approx(13.1815, abs=5e-5)
    assert textbook_erlang_b(20, float(erlang_b_load(20, 0.02))) == pytest.approx(0.02, rel=1e-9)


def test_erlang_b_is_vectorised_over_intervals() -> None:
    n = np.array([0, 1, 5, 17, 40])
    a = np.array([3.0, 0.5, 4.0, 10.0, 0.0])
    pairs = zip(n, a, strict=True)
    expected = [textbook_erlang_b(int(k), float(x)) if x > 0 else 0.0 for k, x in pairs]
    expected[0] = 1.0  # no lines: every call is blocked
    assert erlang_b(n, a) == pytest.approx(expected, rel=1e-12)


def test_zero_call_intervals_give_no_wait_and_no_nan() -> None:
    k = queue_kpis(np.array([0, 3]), np.array([0.0, 0.0]), aht_s=180)
    for values in (k.p_wait, k.service_level, k.asa_s, k.occupancy):
        assert not np.isnan(values).any()
    assert k.p_wait.tolist() == [0.0, 0.0]
    assert k.service_level.tolist() == [1.0, 1.0]
    assert k.asa_s.tolist() == [0.0, 0.0]


def test_bad_inputs_name_the_field_and_interval() -> None:
    with pytest.raises(QueueInputError, match=r"interval 1: calls must be zero or more \(got -5"):
        offered_load([10, -5], aht_s=180, interval_s=1800)
    with pytest.raises(QueueInputError, match=r"interval 2: calls is missing"):
        offered_load([10, 3, float("nan")], aht_s=180, interval_s=1800)
    with pytest.raises(QueueInputError, match=r"interval 0: aht_s must be more than 0"):
        offered_load([10, 3], aht_s=[0, 180], interval_s=1800)
    with pytest.raises(QueueInputError, match=r"agents must be a whole number \(got 2.5\)"):
        erlang_b(2.5, 1.0)
    with pytest.raises(QueueInputError, match=r"blocking must lie strictly between 0 and 1"):
        erlang_b_load(20, 1.0)
