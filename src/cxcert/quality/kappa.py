"""Chance-corrected agreement between evaluators: Cohen's kappa (two raters; unweighted, linear or quadratic
weights) and Fleiss' kappa (any fixed number of ratings per item).

    kappa = (p_o - p_e) / (1 - p_e)

Cohen (1960) takes p_e from each rater's own marginals; weighted kappa (Cohen 1968) is
1 - sum(w o) / sum(w e) with disagreement weights w_ij = |i - j| / (k - 1) (linear) or (i - j)^2 / (k - 1)^2
(quadratic) over the ordered categories. Fleiss (1971) pools the marginals of all ratings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real

import numpy as np
import pandas as pd

from cxcert.errors import CxcertError
from cxcert.explain import Explanation


class KappaWeights(StrEnum):
    NONE = "none"
    LINEAR = "linear"
    QUADRATIC = "quadratic"


@dataclass(frozen=True)
class Agreement:
    """An agreement coefficient; ``value`` is None when undefined (no variation to agree on).

    ``observed`` and ``expected`` are agreement proportions for the kappas and mean disagreements (D_o / n,
    D_e / n) for Krippendorff's alpha: ``basis`` says which.
    """

    method: str
    value: float | None
    observed: float
    expected: float
    items: int
    raters: int
    categories: tuple[str, ...]
    explanation: Explanation
    basis: str = "agreement"


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def ordered_categories(values: Sequence[object]) -> list[object]:
    """Distinct non-missing values in their natural order (numbers numerically, else as text)."""
    distinct = {v for v in values if not _is_missing(v)}
    try:
        return sorted(distinct)  # type: ignore[type-var]
    except TypeError:
        return sorted(distinct, key=str)


def require_order(values: Sequence[object], what: str) -> None:
    """A scale whose order matters (weighted kappa, ordinal alpha) needs numbers, or the caller's explicit order:
    sorting mixed or text labels (e.g. '1' < 'yes', 'fair' < 'good' < 'poor') would invent one."""
    labels = sorted({str(v) for v in values if not (isinstance(v, Real) and not isinstance(v, bool))})
    if labels:
        shown = ", ".join(repr(v) for v in labels[:5]) + (" ..." if len(labels) > 5 else "")
        raise CxcertError(
            f"{what} needs ordered numeric ratings or an explicit order of the categories; found {shown}"
        )


def weight_matrix(k: int, weights: KappaWeights) -> np.ndarray:
    """Disagreement weights between ordered categories 0..k-1 (0 on the diagonal)."""
    i, j = np.indices((k, k))
    if weights is KappaWeights.NONE:
        return np.asarray(i != j, dtype=float)
    distance = np.asarray(np.abs(i - j), dtype=float) / max(k - 1, 1)
    return distance if weights is KappaWeights.LINEAR else np.asarray(distance**2, dtype=float)


def cohen_kappa_table(
    table: np.ndarray | Sequence[Sequence[float]], weights: KappaWeights = KappaWeights.NONE
) -> float | None:
    """Cohen's kappa from a k x k contingency table (rows rater A, columns rater B, categories ordered)."""
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise CxcertError(f"a kappa table must be square, got shape {t.shape}")
    total = t.sum()
    if total <= 0:
        raise CxcertError("the kappa table is empty")
    observed = t / total
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    w = weight_matrix(t.shape[0], weights)
    disagreement_expected = float((w * expected).sum())
    if disagreement_expected == 0:
        return None
    return 1 - float((w * observed).sum()) / disagreement_expected


def cohen_kappa(
    rater_a: Sequence[object],
    rater_b: Sequence[object],
    weights: KappaWeights = KappaWeights.NONE,
    categories: Sequence[object] | None = None,
) -> Agreement:
    """Cohen's kappa between two raters' ratings of the same items; items either rater left blank are dropped.

    ``categories`` fixes the ordered scale (it matters for weighted kappa when a level goes unused); without it a
    weighted kappa needs numeric ratings.
    """
    if len(rater_a) != len(rater_b):
        raise CxcertError(f"the two raters rated different numbers of items ({len(rater_a)} vs {len(rater_b)})")
    pairs = [(a, b) for a, b in zip(rater_a, rater_b, strict=True) if not _is_missing(a) and not _is_missing(b)]
    if not pairs:
        raise CxcertError("no item was rated by both raters")
    if weights is not KappaWeights.NONE and categories is None:
        require_order([v for p in pairs for v in p], f"{weights}-weighted kappa")
    scale = list(categories) if categories is not None else ordered_categories([v for p in pairs for v in p])
    index = {v: i for i, v in enumerate(scale)}
    unknown = sorted({str(v) for p in pairs for v in p if v not in index})
    if unknown:
        raise CxcertError(f"rating(s) not on the given scale: {', '.join(unknown)}")
    table = np.zeros((len(scale), len(scale)))
    for a, b in pairs:
        table[index[a], index[b]] += 1
    value = cohen_kappa_table(table, weights)
    n = table.sum()
    p_o = float(np.trace(table)) / n
    p_e = float((table.sum(axis=1) * table.sum(axis=0)).sum()) / (n * n)
    method = "cohen" if weights is KappaWeights.NONE else f"cohen-{weights}"
    shown = "undefined (a single category: no variation to agree on)" if value is None else f"{value:.4f}"
    explanation = Explanation(f"Cohen's kappa ({weights} weights) = {shown} over {int(n)} items").with_step(
        "cohen_kappa",
        "kappa = 1 - sum(w o) / sum(w e); e from each rater's marginals",
        observed_agreement=round(p_o, 6),
        chance_agreement=round(p_e, 6),
        dropped_items=len(rater_a) - len(pairs),
    )
    return Agreement(method, value, p_o, p_e, int(n), 2, tuple(map(str, scale)), explanation)


def fleiss_kappa_counts(counts: np.ndarray | Sequence[Sequence[float]]) -> Agreement:
    """Fleiss' kappa from an items x categories table of how many raters chose each category."""
    t = np.asarray(counts, dtype=float)
    if t.ndim != 2 or t.shape[0] < 1:
        raise CxcertError("Fleiss' kappa needs an items x categories table")
    per_item = t.sum(axis=1)
    m = per_item[0]
    if m < 2 or not np.allclose(per_item, m):
        raise CxcertError("Fleiss' kappa needs the same number (>= 2) of ratings for every item")
    n_items = t.shape[0]
    p_i = ((t * t).sum(axis=1) - m) / (m * (m - 1))
    p_bar = float(p_i.mean())
    p_j = t.sum(axis=0) / (n_items * m)
    p_e = float((p_j * p_j).sum())
    value = None if p_e == 1 else (p_bar - p_e) / (1 - p_e)
    shown = "undefined (every rating in one category)" if value is None else f"{value:.4f}"
    explanation = Explanation(f"Fleiss' kappa = {shown} over {n_items} items, {int(m)} ratings each").with_step(
        "fleiss_kappa",
        "kappa = (P_bar - P_e) / (1 - P_e); P_e from the pooled category shares",
        observed_agreement=round(p_bar, 6),
        chance_agreement=round(p_e, 6),
    )
    return Agreement("fleiss", value, p_bar, p_e, n_items, int(m), (), explanation)


def fleiss_kappa(ratings: Sequence[Sequence[object]]) -> Agreement:
    """Fleiss' kappa from an items x raters matrix of category labels (no blanks: each item rated m times)."""
    rows = [list(r) for r in ratings]
    if not rows:
        raise CxcertError("no items to compute Fleiss' kappa on")
    flat = [v for r in rows for v in r]
    if any(_is_missing(v) for v in flat):
        raise CxcertError("Fleiss' kappa needs every item rated by the same number of raters: blanks found "
                          "(use Krippendorff's alpha for incomplete data)")  # fmt: skip
    scale = ordered_categories(flat)
    index = {v: i for i, v in enumerate(scale)}
    counts = np.zeros((len(rows), len(scale)))
    for i, row in enumerate(rows):
        for v in row:
            counts[i, index[v]] += 1
    result = fleiss_kappa_counts(counts)
    return Agreement(
        result.method, result.value, result.observed, result.expected, result.items, result.raters,
        tuple(map(str, scale)), result.explanation,
    )  # fmt: skip
