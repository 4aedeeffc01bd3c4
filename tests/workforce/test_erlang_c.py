"""Erlang C against published worked examples, pyworkforce, and its defining formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxcert.workforce.erlang_b import erlang_b
from cxcert.workforce.erlang_c import erlang_c, erlang_c_metrics


def _c_by_definition(n: int, a: float) -> float:
    """C(n, A) written out with factorials (fine for small n)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_definition_small_cases() -> None:
    for n, a in [(2, 1.0), (3, 2.0), (5, 4.2), (12, 10.0)]:
        assert float(erlang_c(n, a)) == pytest.approx(_c_by_definition(n, a), rel=1e-12)


def test_worked_example_100_calls_half_hour() -> None:
    """The worked example pyworkforce pins in its tests (queuing/tests/test_erlang.py, after the Call Centre
    Helper "Erlang C formula made simple" example): 100 calls per 30 min, AHT 3 min, so A = 10 Erlangs; with 14
    agents the probability of waiting is 0.174, service level (0.33 min = 19.8 s) 0.888, occupancy 0.714; with
    15 agents 0.102, 0.941, 0.667. The same example gives 0.682 for 11 agents."""
    m = erlang_c_metrics([11, 14, 15], 10.0, 180.0, 19.8)
    assert round(float(m.p_wait[0]), 3) == 0.682
    assert [round(float(x), 3) for x in m.p_wait[1:]] == [0.174, 0.102]
    assert [round(float(x), 3) for x in m.service_level[1:]] == [0.888, 0.941]
    assert [round(float(x), 3) for x in m.occupancy[1:]] == [0.714, 0.667]


def test_wolfram_support_centre_application() -> None:
    """Wolfram Language ErlangC documentation, Applications: 30 calls per hour, 5-minute mean service (A = 2.5):
    the fewest employees giving a 90 % chance of no delay. By hand: C(5, 2.5) = 0.130 > 0.10 and
    C(6, 2.5) = 0.047 <= 0.10, so 6."""
    c = erlang_c([5, 6], 2.5)
    assert float(c[0]) == pytest.approx(0.1304, abs=5e-4)
    assert float(c[1]) == pytest.approx(0.0474, abs=5e-4)


def test_c_from_b_identity_and_asa() -> None:
    """C = nB/(n − A(1 − B)); ASA = C·AHT/(n − A); SL = 1 − C·e^(−(n−A)T/AHT)."""
    n, a, aht, t = 55, 48.0, 240.0, 15.0  # 360 calls per half hour, 4 minutes, 55 agents, 15 s
    b = float(erlang_b(n, a))
    c = n * b / (n - a * (1 - b))
    m = erlang_c_metrics(n, a, aht, t)
    assert float(m.p_wait) == pytest.approx(c, rel=1e-12)
    assert float(m.asa_s) == pytest.approx(c * aht / (n - a), rel=1e-12)
    assert float(m.service_level) == pytest.approx(1 - c * math.exp(-(n - a) * t / aht), rel=1e-12)
    assert float(m.occupancy) == pytest.approx(a / n)


def test_unstable_and_empty_intervals() -> None:
    """n <= A: everyone waits, SL 0, ASA infinite, occupancy 1. No calls: SL 1, ASA 0."""
    m = erlang_c_metrics([10, 8, 3], [10.0, 12.0, 0.0], 180.0, 20.0)
    assert m.p_wait.tolist()[:2] == [1.0, 1.0]
    assert m.service_level.tolist() == [0.0, 0.0, 1.0]
    assert math.isinf(float(m.asa_s[0])) and float(m.asa_s[2]) == 0.0
    assert m.occupancy.tolist() == [1.0, 1.0, 0.0]


def test_agrees_with_pyworkforce_on_a_grid() -> None:
    """pyworkforce (the peer library) computes the same measures for the same staffing."""
    pytest.importorskip("pyworkforce")
    from pyworkforce.queuing import ErlangC

    rng = np.random.default_rng(7)
    for _ in range(60):
        calls, aht, t = float(rng.uniform(5, 500)), float(rng.uniform(60, 600)), float(rng.choice([10, 20, 30]))
        a = calls * aht / 1800
        n = int(a) + int(rng.integers(1, 12))
        ref = ErlangC(transactions=calls, aht=aht / 60, asa=t / 60, interval=30)
        m = erlang_c_metrics(n, a, aht, t)
        assert float(m.p_wait) == pytest.approx(ref.waiting_probability(n), rel=1e-9)
        assert float(m.service_level) == pytest.approx(ref.service_level(n), rel=1e-9, abs=1e-12)
        assert float(m.occupancy) == pytest.approx(ref.achieved_occupancy(n), rel=1e-12)
