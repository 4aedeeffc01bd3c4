"""Erlang C against published worked examples (each test names its source and where it was read), pyworkforce,
and its defining formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from cxcert.workforce.erlang_b import erlang_b
from cxcert.workforce.erlang_c import erlang_c, erlang_c_metrics
from cxcert.workforce.staffing import StaffingTarget, solve_staffing


def _c_by_definition(n: int, a: float) -> float:
    """C(n, A) written out with factorials (fine for small n)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_definition_small_cases() -> None:
    for n, a in [(2, 1.0), (3, 2.0), (5, 4.2), (12, 10.0)]:
        assert float(erlang_c(n, a)) == pytest.approx(_c_by_definition(n, a), rel=1e-12)


def test_worked_example_100_calls_half_hour() -> None:
    """pyworkforce's own tests (github.com/rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py,
    read there): 100 calls per 30 min, AHT 3 min (A = 10 Erlangs), answer time 0.33 min = 19.8 s; 14 agents give
    service level 0.888, occupancy 0.714, probability of waiting 0.174; 15 agents 0.941, 0.667, 0.102."""
    m = erlang_c_metrics([14, 15], 10.0, 180.0, 19.8)
    assert [round(float(x), 3) for x in m.p_wait] == [0.174, 0.102]
    assert [round(float(x), 3) for x in m.service_level] == [0.888, 0.941]
    assert [round(float(x), 3) for x in m.occupancy] == [0.714, 0.667]


def test_r_erlangc_package_example() -> None:
    """R package ErlangC 0.1.0 README (rdocumentation.org/packages/ErlangC/versions/0.1.0, read there): 100 calls
    per 30 min, AHT 180 s, 20 s answer time, 14 agents: wait probability 0.1741319, service level 0.88835, ASA
    7.83593701177724 s, occupancy 0.7142857; the first row of its agent search (11 agents, the smallest stable
    count) has wait probability 0.6821182."""
    m = erlang_c_metrics([11, 14], 10.0, 180.0, 20.0)
    assert round(float(m.p_wait[0]), 7) == 0.6821182
    assert round(float(m.p_wait[1]), 7) == 0.1741319
    assert round(float(m.service_level[1]), 5) == 0.88835
    assert float(m.asa_s[1]) == pytest.approx(7.83593701177724, rel=1e-12)
    assert round(float(m.occupancy[1]), 7) == 0.7142857


def test_tetra_book_erlang_c_table_example() -> None:
    """Dunlop, Girma & Irvine, "Digital Mobile Communications and the TETRA System", Appendix A.4 "Erlang C table
    (for blocked-calls-queued)", worked example (p. 424, read in the copy at scribd.com/document/325651828): 8
    channels with 5 % of calls delayed carry A = 3.87 Erlangs; 10 channels at 1 % carry A = 4.08 (the table's
    nearest safe value); the share of delayed calls waiting beyond one mean holding time, e^(−(C − A)) at
    A = 3.87, is 0.016 with 8 channels and 0.0022 with 10."""

    def capacity(channels: int, p_delay: float) -> float:
        return float(brentq(lambda a: float(erlang_c(channels, a)) - p_delay, 1e-9, channels - 1e-9))

    assert round(capacity(8, 0.05), 2) == 3.87
    assert round(capacity(10, 0.01), 2) == 4.08
    # Delayed callers wait an exponential time of rate (C − A)/T (the Erlang C waiting-time law used for SL).
    for channels, want in [(8, 0.016), (10, 0.0022)]:
        m = erlang_c_metrics(channels, 3.87, 1.0, 1.0)
        beyond_given_delayed = (1 - float(m.service_level)) / float(m.p_wait)
        assert round(beyond_given_delayed, 4 if want < 0.01 else 3) == want


def test_uplift_example_28_advisors() -> None:
    """jonesthenet.com "Erlang uplift" (www.jonesthenet.com/budgeting/service-levels-erlang/erlang-uplift/, read
    there): 250 calls in an hour with AHT 330 s (22.9 Erlangs) need 28 advisors for 80 % in 30 s. By the
    formulas: 27 give 78.2 %, 28 give 85.7 %."""
    assert int(solve_staffing(250, 330, 3600, StaffingTarget(0.8, 30.0)).agents_on_phone) == 28
    sl = erlang_c_metrics([27, 28], 250 * 330 / 3600, 330.0, 30.0).service_level
    assert float(sl[0]) < 0.8 <= float(sl[1])


def test_wolfram_support_centre_application() -> None:
    """The question of the Wolfram Language ErlangC documentation, Applications (reference.wolfram.com/language/ref/
    ErlangC.html): 30 calls per hour, 5-minute mean service (A = 2.5), the fewest employees giving a 90 % chance
    of no delay. Its answer is rendered output we could not read, so the oracle is the hand calculation:
    C(5, 2.5) = 0.130 > 0.10 and C(6, 2.5) = 0.047 <= 0.10, so 6."""
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
