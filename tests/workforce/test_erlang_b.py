"""Erlang B against published tables and its defining properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from cxcert.errors import CxcertError
from cxcert.workforce.erlang_b import erlang_b, erlang_b_direct, trunks_required


def _capacity(servers: int, blocking: float) -> float:
    """The largest load ``servers`` carry at ``blocking`` (the quantity Erlang B tables list)."""
    return float(brentq(lambda a: float(erlang_b(servers, a)) - blocking, 1e-9, 10.0 * servers + 10))


def test_erlang_com_calculator_example() -> None:
    """Westbay Erlang B calculator manual ("How much traffic can a trunk group handle?", erlang.com): 15 lines at
    1 % blocking carry 8.108 Erlangs."""
    assert _capacity(15, 0.01) == pytest.approx(8.108, abs=5e-4)


@pytest.mark.parametrize(
    ("servers", "blocking", "table_load"),
    [(5, 0.01, 1.4), (5, 0.02, 1.7), (5, 0.05, 2.2), (8, 0.01, 3.1), (9, 0.01, 3.8), (9, 0.05, 5.4)],
)
def test_published_table_one_decimal(servers: int, blocking: float, table_load: float) -> None:
    """Erlang B table, "Carrier Grade Voice Over IP" 2nd ed., Appendix A (globalspec.com reference 55139),
    which prints loads to one decimal."""
    assert round(_capacity(servers, blocking), 1) == table_load


@pytest.mark.parametrize(
    ("servers", "blocking", "table_load"),
    [(5, 0.01, 1.36), (10, 0.01, 4.46), (20, 0.01, 12.03), (10, 0.02, 5.08)],
)
def test_classic_table_two_decimals(servers: int, blocking: float, table_load: float) -> None:
    """The classic two-decimal Erlang B table rows (reprinted in teletraffic textbooks); we could not open a
    copy of those rows here, so they are cross-checked by the exact formula: B at the table load is within
    0.03 percentage points of the column's blocking."""
    assert round(_capacity(servers, blocking), 2) == table_load
    assert float(erlang_b(servers, table_load)) == pytest.approx(blocking, abs=3e-4)


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
