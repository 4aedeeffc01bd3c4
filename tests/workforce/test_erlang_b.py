"""Erlang B against published tables (each test names the table, its rows and where it was read), the plain
recursion at large sizes, and its defining properties.

The often-quoted two-decimal rows (10 trunks at 1 % = 4.46 Erlangs and the like) are not pinned: no copy of a
table printing them could be read for this suite, so only tables that were read are.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from cxcert.errors import CxcertError
from cxcert.workforce.erlang_b import erlang_b, erlang_b_direct, trunks_required


def _capacity(servers: int, blocking: float) -> float:
    """The largest load ``servers`` carry at ``blocking`` (the quantity Erlang B tables list)."""
    return float(brentq(lambda a: float(erlang_b(servers, a)) - blocking, 1e-12, 10.0 * servers + 10, xtol=1e-13))


def test_erlang_com_calculator_example() -> None:
    """Westbay Erlang B calculator manual ("How much traffic can a trunk group handle?", erlang.com): 15 lines at
    1 % blocking carry 8.108 Erlangs."""
    assert _capacity(15, 0.01) == pytest.approx(8.108, abs=5e-4)


# "Carrier Grade Voice Over IP", Second Edition, Appendix A, "Table of Erlang B", as printed at
# https://www.globalspec.com/reference/55139/203279/appendix-a-table-of-erlang-b: the largest load (Erlangs, one
# decimal) each number of channels carries at each blocking probability. Rows 1-9, all 16 columns, as read there.
_CARRIER_GRADE_COLUMNS = (0.0001, 0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01,
                          0.02, 0.03, 0.04, 0.05)  # fmt: skip
_CARRIER_GRADE_ROWS = {
    1: (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1),
    2: (0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4),
    3: (0.1, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.4, 0.4, 0.4, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    4: (0.2, 0.4, 0.4, 0.5, 0.6, 0.7, 0.7, 0.7, 0.8, 0.8, 0.8, 0.9, 1.1, 1.3, 1.4, 1.5),
    5: (0.5, 0.6, 0.8, 0.9, 1.0, 1.1, 1.1, 1.2, 1.2, 1.3, 1.3, 1.4, 1.7, 1.9, 2.1, 2.2),
    6: (0.7, 1.0, 1.1, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.8, 1.9, 1.9, 2.3, 2.5, 2.8, 3.0),
    7: (1.1, 1.4, 1.6, 1.8, 1.9, 2.1, 2.2, 2.2, 2.3, 2.4, 2.4, 2.5, 2.9, 3.2, 3.5, 3.7),
    8: (1.4, 1.8, 2.1, 2.3, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0, 3.1, 3.1, 3.6, 4.0, 4.3, 4.5),
    9: (1.8, 2.3, 2.6, 2.9, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 3.7, 3.8, 4.3, 4.7, 5.1, 5.4),
}


@pytest.mark.parametrize("servers", sorted(_CARRIER_GRADE_ROWS))
def test_carrier_grade_voip_table(servers: int) -> None:
    """Every cell of rows 1-9 of the published one-decimal table (source above) is our capacity, rounded."""
    ours = [round(_capacity(servers, b), 1) for b in _CARRIER_GRADE_COLUMNS]
    assert ours == list(_CARRIER_GRADE_ROWS[servers])


@pytest.mark.parametrize(
    ("ports", "ccs", "erlangs"),
    [(4, 31, 0.86), (8, 112, 3.11), (12, 211, 5.86), (16, 319, 8.86), (20, 433, 12.03), (24, 550, 15.28),
     (28, 671, 18.64), (32, 793, 22.03), (36, 918, 25.50), (40, 1044, 29.00), (44, 1171, 32.53), (48, 1299, 36.08),
     (52, 1429, 39.69), (56, 1559, 43.31), (60, 1690, 46.94), (64, 1821, 50.58), (68, 1953, 54.25),
     (72, 2086, 57.94)],
)  # fmt: skip
def test_lucent_octel_grade_of_service_table(ports: int, ccs: int, erlangs: float) -> None:
    """Lucent Technologies, "Octel Unified Messenger Concepts & Planning Guide" 101-1620-005, Appendix B, Table B-1
    "Maximum busy hour traffic supported for a GOS of P.01" (page B-2, read at
    https://manualsbrain.com/en/manuals/1051150/?page=102). The table prints whole CCS (hundred call-seconds,
    36 CCS = 1 Erlang), rounded down so that the ports do meet P.01, and Erlangs = CCS / 36 to two decimals."""
    capacity = _capacity(ports, 0.01)
    assert math.floor(capacity * 36) == ccs
    assert round(ccs / 36, 2) == erlangs


def test_westbay_forum_answer() -> None:
    """erlang.com forum thread "Trunk Engineering", reply 33696 by the Webmaster (5 December 2001, read in a public
    copy of the thread): 33.333 Erlangs at 1 % blocking need 45 lines (the Westbay Erlang B calculator's answer)."""
    assert int(trunks_required(1200 / 36, 0.01)) == 45


def test_small_cases_by_hand() -> None:
    """B(1, A) = A/(1+A); B(2, A) = (A²/2)/(1 + A + A²/2): the definition written out."""
    a = np.array([0.5, 1.0, 3.0])
    assert np.allclose(erlang_b(1, a), a / (1 + a))
    assert np.allclose(erlang_b(2, a), (a**2 / 2) / (1 + a + a**2 / 2))
    assert float(erlang_b(0, 2.0)) == 1.0
    assert float(erlang_b(3, 0.0)) == 0.0


def test_vectorised_matches_scalar_and_direct() -> None:
    """The masked vector recursion equals one-by-one evaluation; the log-space direct form agrees."""
    n = np.array([1, 5, 17, 60, 300])
    a = np.array([0.3, 4.0, 12.5, 70.0, 280.0])
    vec = erlang_b(n, a)
    one = np.array([float(erlang_b(int(k), float(x))) for k, x in zip(n, a, strict=True)])
    assert np.allclose(vec, one, rtol=1e-13)
    assert np.allclose(erlang_b_direct(n, a), vec, rtol=1e-10)


def test_large_values_do_not_overflow() -> None:
    """5,000 trunks at 4,900 Erlangs: A^n and n! overflow doubles; the recursion does not."""
    b = float(erlang_b(5000, 4900.0))
    assert 0 < b < 0.05
    assert float(erlang_b_direct(5000, 4900.0)) == pytest.approx(b, rel=1e-9)


def _b_by_recursion(n: int, a: float) -> float:
    """B(n, A) by the recursion in plain Python floats: the oracle for the closed form at large n."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


@pytest.mark.parametrize(
    ("n", "a"),
    [
        (200_000, 199_500.0),  # just above the load: the staffing solver's region
        (200_000, 230_000.0),  # below the load, distribution function representable
        (150_000, 200_000.0),  # far below: the distribution function underflows, the inverse-B series is used
        (3_000, 2_000_000.0),  # a few servers facing a huge load
        (20_000, 19_800.0),  # past RECURSION_LIMIT: erlang_b itself switches to the closed form
    ],
)
def test_closed_form_matches_the_recursion_at_large_sizes(n: int, a: float) -> None:
    """The log-space Poisson ratio (Loader's saddle-point form) and the inverse-B series agree with the
    plain recursion to 1e-11, where the textbook n·log A − log n! form would lose about 6 digits."""
    want = _b_by_recursion(n, a)
    assert float(erlang_b_direct(n, a)) == pytest.approx(want, rel=1e-11)
    assert float(erlang_b(n, a)) == pytest.approx(want, rel=1e-11)


def test_trunks_required() -> None:
    """Inverse of the erlang.com example: 8.108 Erlangs at 1 % need 15 lines, 8.2 Erlangs need 16."""
    assert trunks_required([8.108, 8.2], 0.01).tolist() == [15, 16]


def test_trunks_for_a_huge_load() -> None:
    """10⁸ Erlangs at 1 %: B(n) >= 1 − n/A puts the answer just above 0.99·A; found by galloping, not by
    10⁸ steps. By definition B(n) <= 1 % < B(n − 1)."""
    n = int(trunks_required(1e8, 0.01))
    assert 99_000_000 < n < 99_001_000
    assert float(erlang_b_direct(n, 1e8)) <= 0.01 < float(erlang_b_direct(n - 1, 1e8))


def test_bad_input_is_a_user_error() -> None:
    with pytest.raises(CxcertError):
        erlang_b(-1, 2.0)
    with pytest.raises(CxcertError):
        erlang_b(2.5, 2.0)
    with pytest.raises(CxcertError):
        erlang_b(2, -1.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200), st.floats(0.01, 300.0))
def test_blocking_falls_as_servers_grow(n: int, a: float) -> None:
    """Invariant: 0 < B(n+1) < B(n) <= 1 (B may underflow to 0 when n is far above A)."""
    b0, b1 = float(erlang_b(n, a)), float(erlang_b(n + 1, a))
    assert 0 <= b1 <= b0 <= 1
    if b1 > 1e-300:
        assert b1 < b0
