"""Sample sizes: Cochran's formula and its finite population correction against published figures."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.errors import CxcertError
from cxcert.quality.sampling import (
    achieved_margin,
    check_month_sample,
    cochran_sample_size,
    per_agent_sample_sizes,
    sampling_defaults,
    z_value,
)


def test_israel_1992_worked_examples() -> None:
    """Israel, G. D. (1992) "Determining Sample Size", University of Florida IFAS, PEOD-6: a large population at
    95 % confidence, +/-5 % and p = .5 gives n0 = 385; Cochran's correction for a population of 2,000 gives 323.
    (The same figures are printed by the R package cochranSize's vignette.) Cochran (1977) section 4.4 gives the
    formula; with z = 1.96, n0 = 384.16, with the exact z 384.146."""
    large = cochran_sample_size(0.95, 0.05, 0.5)
    assert large.n0 == pytest.approx(1.96**2 * 0.25 / 0.05**2, abs=0.02)  # 384.16
    assert large.required == 385
    assert cochran_sample_size(0.95, 0.05, 0.5, population=2000).required == 323


@pytest.mark.parametrize(
    ("population", "table_value"),
    [(10, 10), (50, 44), (100, 80), (220, 140), (500, 217), (1200, 291), (1500, 306), (9000, 368)],
)
def test_krejcie_morgan_1970_table(population: int, table_value: int) -> None:
    """Krejcie & Morgan (1970) "Determining sample size for research activities", Educ. Psychol. Meas. 30,
    607-610, Table 1 (95 %, d = .05, P = .50): their formula X^2 N P(1-P) / (d^2 (N-1) + X^2 P(1-P)) is algebraically
    Cochran's corrected n; the table rounds to the nearest integer (we round up, for the guaranteed margin)."""
    size = cochran_sample_size(0.95, 0.05, 0.5, population)
    assert round(size.n) == table_value
    assert size.required == min(population, math.ceil(size.n))


def test_p_other_than_one_half() -> None:
    """p = .75, +/-5 %, 95 %: n0 = 1.96^2 x .75 x .25 / .05^2 = 288.1 -> 289 (Cochran's formula, as in the R
    package RSamplingz's documented example Cochran(1.96, 0.75, 0.05) = 289)."""
    assert cochran_sample_size(0.95, 0.05, 0.75).required == 289


def test_z_values() -> None:
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.99) == pytest.approx(2.575829, abs=1e-6)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=5000),
    extra=st.integers(min_value=1, max_value=100_000),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    p=st.floats(min_value=0.05, max_value=0.95),
)
def test_achieved_margin_inverts_the_corrected_formula(n: int, extra: int, confidence: float, p: float) -> None:
    """Invariant: the sample size that achieves margin e(n) is n again (the FPC formula inverted exactly)."""
    population = n + extra
    margin = achieved_margin(n, population, confidence, p)
    size = cochran_sample_size(confidence, margin, p, population)
    assert size.n == pytest.approx(n, rel=1e-9)


def test_month_check() -> None:
    """180 of 2,000 at 95 %: e = 1.96 x sqrt(.25/180) x sqrt(1820/1999) = 0.0697 > 0.05 -> too small (323 needed)."""
    check = check_month_sample(180, 2000, 0.05, 0.95, 0.5)
    assert not check.adequate and check.required_n == 323
    assert check.achieved_margin == pytest.approx(1.959964 * math.sqrt(0.25 / 180) * math.sqrt(1820 / 1999), rel=1e-6)
    good = check_month_sample(323, 2000, 0.05, 0.95, 0.5)
    assert good.adequate and good.achieved_margin is not None and good.achieved_margin <= 0.05
    assert not check_month_sample(322, 2000, 0.05, 0.95, 0.5).adequate
    census = check_month_sample(40, 40, 0.05, 0.95)
    assert census.adequate and census.achieved_margin == 0.0
    nothing = check_month_sample(0, 40, 0.05, 0.95)
    assert not nothing.adequate and nothing.achieved_margin is None


def test_per_agent_sizes_use_each_agents_contacts() -> None:
    sizes = per_agent_sample_sizes({"a1": 300, "a2": 50, "a3": 0}, 0.95, 0.10)
    assert set(sizes.per_agent) == {"a1", "a2"}
    # hand: n0 = 96.04 at +/-10 %; 96.04 / (1 + 95.04/300) = 72.9 -> 73; 96.04 / (1 + 95.04/50) = 33.1 -> 34
    assert sizes.per_agent["a1"].required == 73 and sizes.per_agent["a2"].required == 34
    assert sizes.total_required == 107


def test_defaults_come_from_yaml() -> None:
    defaults = sampling_defaults()
    assert (defaults.confidence, defaults.precision, defaults.p) == (0.95, 0.05, 0.5)
    assert "Cochran" in defaults.source


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 1.5, "precision": 0.05}, "confidence"),
        ({"confidence": 0.95, "precision": 5.0}, "precision"),
        ({"confidence": 0.95, "precision": 0.05, "p": 0.0}, "proportion"),
        ({"confidence": 0.95, "precision": 0.05, "population": 0}, "population"),
    ],
)
def test_bad_inputs_are_user_errors(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(CxcertError, match=message):
        cochran_sample_size(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(CxcertError, match="cannot exceed"):
        check_month_sample(30, 20, 0.05, 0.95)


@pytest.mark.parametrize(
    ("confidence", "precision", "p"),
    [(0.95, 0.05, 0.5), (0.99, 0.03, 0.5), (0.90, 0.02, 0.2), (0.95, 0.10, 0.5), (0.80, 0.04, 0.9), (0.999, 0.01, 0.5)],
)
def test_cochran_n0_matches_statsmodels(confidence: float, precision: float, p: float) -> None:
    """statsmodels' samplesize_confint_proportion (normal method) is Cochran's n0 for a large population:
    (0.5, 0.05) -> 384.1459, so 385 evaluations; the required size is its ceiling."""
    from statsmodels.stats.proportion import samplesize_confint_proportion

    reference = samplesize_confint_proportion(p, precision, alpha=1 - confidence)
    size = cochran_sample_size(confidence, precision, p)
    assert size.n0 == pytest.approx(reference, rel=1e-9)
    assert size.required == math.ceil(reference)
    if (confidence, precision, p) == (0.95, 0.05, 0.5):
        assert (round(reference, 4), size.required) == (384.1459, 385)
