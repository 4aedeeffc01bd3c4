"""Krippendorff's alpha: agreement for any number of evaluators, missing ratings allowed, at the level of
measurement of the scale (nominal, ordinal, interval, ratio).

    alpha = 1 - D_o / D_e = 1 - (n - 1) sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck

with the coincidence matrix o_ck = sum over units u of (number of ordered c-k pairs of values in u) / (m_u - 1),
n_c its margins and n their total; units with fewer than two values are not pairable and drop out
(Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"). Difference functions d2_ck:
nominal 0/1; ordinal (sum of n_g for g from c to k - (n_c + n_k) / 2)^2; interval (c - k)^2;
ratio ((c - k) / (c + k))^2.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import numpy as np

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.quality.kappa import Agreement, _is_missing, ordered_categories, require_order


class MeasurementLevel(StrEnum):
    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"
    RATIO = "ratio"


def _differences(values: Sequence[object], margins: np.ndarray, level: MeasurementLevel) -> np.ndarray:
    k = len(values)
    if level is MeasurementLevel.NOMINAL:
        return 1.0 - np.eye(k)
    if level is MeasurementLevel.ORDINAL:
        cumulative = np.concatenate([[0.0], np.cumsum(margins)])
        i, j = np.indices((k, k))
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        between = cumulative[hi + 1] - cumulative[lo]
        return np.asarray((between - (margins[i] + margins[j]) / 2) ** 2, dtype=float)
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CxcertError(f"{level} alpha needs numeric ratings") from exc
    if level is MeasurementLevel.INTERVAL:
        return np.asarray((x[:, None] - x[None, :]) ** 2, dtype=float)
    if (x < 0).any():
        raise CxcertError("ratio alpha needs non-negative ratings")
    total = x[:, None] + x[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(total == 0, 0.0, ((x[:, None] - x[None, :]) / total) ** 2)
    return np.asarray(ratio, dtype=float)


def krippendorff_alpha(
    ratings: Sequence[Sequence[object]],
    level: MeasurementLevel = MeasurementLevel.NOMINAL,
    value_order: Sequence[object] | None = None,
) -> Agreement:
    """Krippendorff's alpha of an items x raters matrix; None / NaN are missing ratings.

    ``value_order`` orders non-numeric ordinal labels (e.g. poor < fair < good), which ordinal alpha then needs;
    numbers order themselves.
    """
    rows = [list(r) for r in ratings]
    if not rows:
        raise CxcertError("no items to compute Krippendorff's alpha on")
    flat = [v for r in rows for v in r if not _is_missing(v)]
    if level is MeasurementLevel.ORDINAL and value_order is None:
        require_order(flat, "ordinal alpha")
    values = list(value_order) if value_order is not None else ordered_categories(flat)
    index = {v: i for i, v in enumerate(values)}
    unknown = sorted({str(v) for v in flat if v not in index})
    if unknown:
        raise CxcertError(f"rating(s) not in the value order: {', '.join(unknown)}")
    counts = np.zeros((len(rows), len(values)))
    for u, row in enumerate(rows):
        for v in row:
            if not _is_missing(v):
                counts[u, index[v]] += 1
    m_u = counts.sum(axis=1)
    pairable = m_u >= 2
    counts, m_u = counts[pairable], m_u[pairable]
    raters = max((len(r) for r in rows), default=0)
    if counts.shape[0] == 0:
        raise CxcertError("no item has two or more ratings: nothing to agree on")
    scaled = counts / (m_u - 1)[:, None]
    coincidence = counts.T @ scaled - np.diag(scaled.sum(axis=0))
    margins = coincidence.sum(axis=1)
    n = float(margins.sum())
    delta = _differences(values, margins, level)
    observed_d = float((coincidence * delta).sum())
    expected_d = float((np.outer(margins, margins) * delta).sum()) / (n - 1)
    value = None if expected_d == 0 else 1 - observed_d / expected_d
    shown = "undefined (no variation in the ratings)" if value is None else f"{value:.4f}"
    explanation = Explanation(
        f"Krippendorff's alpha ({level}) = {shown} over {counts.shape[0]} pairable items"
    ).with_step(
        "krippendorff_alpha",
        "alpha = 1 - D_o / D_e from the coincidence matrix; items with fewer than 2 ratings dropped",
        pairable_values=round(n, 6),
        dropped_items=int((~pairable).sum()),
        observed_disagreement=round(observed_d / n, 6),
        expected_disagreement=round(expected_d / n, 6),
    )
    return Agreement(
        f"alpha-{level}",
        value,
        observed_d / n,
        expected_d / n,
        int(counts.shape[0]),
        raters,
        tuple(map(str, values)),
        explanation,
        basis="disagreement",
    )
