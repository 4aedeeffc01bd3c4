"""Inter-rater agreement: published worked examples, cross-checks against statsmodels and krippendorff."""

from __future__ import annotations

import math
from typing import Any

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from cxcert.errors import CxcertError
from cxcert.quality.alpha import MeasurementLevel, krippendorff_alpha
from cxcert.quality.kappa import KappaWeights, cohen_kappa, cohen_kappa_table, fleiss_kappa, fleiss_kappa_counts

# Fleiss (1971) "Measuring nominal scale agreement among many raters", Psychological Bulletin 76, 378-382:
# 30 patients, 6 psychiatrists each, 5 diagnoses (1 depression, 2 personality disorder, 3 schizophrenia,
# 4 neurosis, 5 other). Raw ratings as the R package irr ships them (dataset `diagnoses`).
DIAGNOSES = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip

# Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories (counts per category).
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip

# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", section C: 4 observers, 12 units, values 1-5,
# blanks missing. Published: nominal .743, ordinal .815, interval .849, ratio .797.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# Wikipedia "Krippendorff's alpha", computational example: 3 coders, 15 units (nominal .691, interval .811).
WIKIPEDIA_ALPHA = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]
# R irr `anxiety` (20 subjects, ratings 1-6 by 3 raters); kappa2 on raters 2 and 3.
ANXIETY_R2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
ANXIETY_R3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]


def items_by_raters(raters_by_items: list[list[int | None]]) -> list[list[int | None]]:
    return [list(unit) for unit in zip(*raters_by_items, strict=True)]


def test_fleiss_1971_psychiatric_diagnoses() -> None:
    """Fleiss (1971): kappa = .430 (R irr kappam.fleiss(diagnoses) = 0.4302445)."""
    result = fleiss_kappa(DIAGNOSES)
    assert result.value == pytest.approx(0.4302445, abs=1e-7)
    assert (result.items, result.raters) == (30, 6)


def test_wikipedia_fleiss_example() -> None:
    """Wikipedia "Fleiss' kappa": P_bar = 0.378, P_e = 0.213, kappa = 0.210."""
    result = fleiss_kappa_counts(WIKIPEDIA_FLEISS)
    assert result.value == pytest.approx(0.210, abs=5e-4)
    assert result.observed == pytest.approx(0.378, abs=5e-4) and result.expected == pytest.approx(0.213, abs=5e-4)


def test_wikipedia_cohen_example() -> None:
    """Wikipedia "Cohen's kappa": 50 proposals, yes/yes 20, A yes/B no 5, A no/B yes 10, no/no 15:
    p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    result = cohen_kappa(a, b)
    assert result.value == pytest.approx(0.4)
    assert result.observed == pytest.approx(0.7) and result.expected == pytest.approx(0.5)


def test_sas_weighted_kappa_example() -> None:
    """SAS PROC FREQ example as pinned in statsmodels' tests: table [[0,4,1],[0,8,0],[0,1,5]] gives simple
    kappa 0.4842 and (Cicchetti-Allison, i.e. linear) weighted kappa 0.4701."""
    table = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
    assert cohen_kappa_table(table) == pytest.approx(0.4842, abs=5e-5)
    assert cohen_kappa_table(table, KappaWeights.LINEAR) == pytest.approx(0.4701, abs=5e-5)


@pytest.mark.parametrize(
    ("weights", "expected"),
    [(KappaWeights.NONE, -0.006289308), (KappaWeights.LINEAR, 0.1459075), (KappaWeights.QUADRATIC, 0.2520325)],
)
def test_r_irr_kappa2_anxiety(weights: KappaWeights, expected: float) -> None:
    """R irr: kappa2(anxiety[, 2:3]) unweighted / "equal" / "squared" (values as pinned in statsmodels' tests)."""
    assert cohen_kappa(ANXIETY_R2, ANXIETY_R3, weights).value == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (MeasurementLevel.NOMINAL, 0.743),
        (MeasurementLevel.ORDINAL, 0.815),
        (MeasurementLevel.INTERVAL, 0.849),
        (MeasurementLevel.RATIO, 0.797),
    ],
)
def test_krippendorff_2011_worked_example(level: MeasurementLevel, expected: float) -> None:
    result = krippendorff_alpha(items_by_raters(KRIPPENDORFF_2011), level)
    assert result.value == pytest.approx(expected, abs=5e-4)
    assert result.items == 11  # unit 12 has a single value: not pairable


def test_wikipedia_krippendorff_example() -> None:
    units = items_by_raters(WIKIPEDIA_ALPHA)
    assert krippendorff_alpha(units, MeasurementLevel.NOMINAL).value == pytest.approx(0.691, abs=5e-4)
    assert krippendorff_alpha(units, MeasurementLevel.INTERVAL).value == pytest.approx(0.811, abs=5e-4)


def test_ordinal_labels_follow_the_given_order() -> None:
    labels = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    named = [[None if v is None else labels[v] for v in row] for row in items_by_raters(KRIPPENDORFF_2011)]
    order = list(labels.values())
    assert krippendorff_alpha(named, MeasurementLevel.ORDINAL, order).value == pytest.approx(0.815, abs=5e-4)


ratings_matrix = st.integers(2, 5).flatmap(
    lambda raters: st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=raters, max_size=raters), min_size=2, max_size=25
    )
)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # krippendorff on 0/0
@settings(max_examples=150, deadline=None)
@given(ratings_matrix, st.sampled_from(list(MeasurementLevel)))
def test_alpha_matches_the_krippendorff_package(units: list[list[int | None]], level: MeasurementLevel) -> None:
    data = np.array([[np.nan if v is None else v for v in unit] for unit in units], dtype=float).T
    pairable = sum(1 for unit in units if sum(v is not None for v in unit) >= 2)
    assume(pairable >= 1 and len({v for unit in units for v in unit if v is not None}) >= 2)
    ours = krippendorff_alpha(units, level).value
    measure: Any = str(level)  # the package types this as a Literal
    theirs = float(krippendorff.alpha(reliability_data=data, level_of_measurement=measure))
    if ours is None:
        assert math.isnan(theirs) or theirs == pytest.approx(1.0)
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=60),
    st.sampled_from(list(KappaWeights)),
)
def test_cohen_matches_statsmodels(pairs: list[tuple[int, int]], weights: KappaWeights) -> None:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    scale = sorted(set(a) | set(b))
    assume(len(scale) >= 2)
    table = np.zeros((len(scale), len(scale)))
    for x, y in pairs:
        table[scale.index(x), scale.index(y)] += 1
    ours = cohen_kappa(a, b, weights).value
    wt = None if weights is KappaWeights.NONE else str(weights)
    if ours is None:
        return
    assert ours == pytest.approx(cohens_kappa(table, wt=wt, return_results=False), abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda m: st.lists(st.lists(st.integers(1, 4), min_size=m, max_size=m), min_size=2, max_size=30)
    )
)
def test_fleiss_matches_statsmodels(rows: list[list[int]]) -> None:
    assume(len({v for r in rows for v in r}) >= 2)
    counts, _ = aggregate_raters(np.array(rows))
    result = fleiss_kappa(rows).value
    assert result is not None
    assert result == pytest.approx(sm_fleiss_kappa(counts), abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=3, max_size=30), st.integers(2, 5))
def test_perfect_agreement_is_one_and_rater_order_does_not_matter(truth: list[int], raters: int) -> None:
    assume(len(set(truth)) >= 2)
    perfect = [[v] * raters for v in truth]
    assert fleiss_kappa(perfect).value == pytest.approx(1.0)
    for level in MeasurementLevel:
        assert krippendorff_alpha(perfect, level).value == pytest.approx(1.0)
    assert cohen_kappa(truth, truth, KappaWeights.QUADRATIC).value == pytest.approx(1.0)
    noisy = [[v if (i + j) % 3 else (v % 4) + 1 for j in range(raters)] for i, v in enumerate(truth)]
    reversed_raters = [list(reversed(row)) for row in noisy]
    for level in MeasurementLevel:
        first, second = krippendorff_alpha(noisy, level).value, krippendorff_alpha(reversed_raters, level).value
        assert (first is None and second is None) or first == pytest.approx(second)
    a, b = [r[0] for r in noisy], [r[1] for r in noisy]
    first_k, second_k = cohen_kappa(a, b).value, cohen_kappa(b, a).value
    assert (first_k is None and second_k is None) or first_k == pytest.approx(second_k)


def test_fleiss_refuses_blanks_and_cohen_two_different_lengths() -> None:
    with pytest.raises(CxcertError, match="Krippendorff"):
        fleiss_kappa([[1, 2], [1, None]])
    with pytest.raises(CxcertError, match="different numbers of items"):
        cohen_kappa([1, 2, 3], [1, 2])
    assert fleiss_kappa([[1, 1], [1, 1]]).value is None  # one category only: undefined, not a number
