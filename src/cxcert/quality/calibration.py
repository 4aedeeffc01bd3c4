"""A calibration session: several evaluators score the same contacts; how well do they agree, and who drifts?

Takes the session's ratings in long form (one row per item and evaluator) and returns the agreement of the
whole panel (Krippendorff's alpha at the scale's level; Fleiss' kappa too when every item was rated by every
evaluator and the scale is categorical) and each evaluator's drift from the anchor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.quality.alpha import MeasurementLevel, krippendorff_alpha
from cxcert.quality.drift import CalibrationThresholds, DriftReport, evaluator_drift
from cxcert.quality.kappa import Agreement, fleiss_kappa


@dataclass(frozen=True)
class CalibrationResult:
    session_id: str
    held_on: dt.date
    anchor_id: str
    evaluators: tuple[str, ...]
    items: int
    alpha: Agreement
    fleiss: Agreement | None  # None when some evaluator skipped an item, or the scale is interval
    drift: DriftReport
    explanation: Explanation


def ratings_matrix(ratings: pd.DataFrame) -> tuple[list[str], list[str], list[list[object]]]:
    """Long ratings (item_id, evaluator_id, score) -> (items, evaluators, items x evaluators matrix, None = blank)."""
    wide = ratings.pivot(index="item_id", columns="evaluator_id", values="score")
    wide = wide.sort_index().sort_index(axis=1)
    matrix = [[None if pd.isna(v) else v for v in row] for row in wide.itertuples(index=False)]
    return [str(i) for i in wide.index], [str(c) for c in wide.columns], matrix


def calibrate(
    ratings: pd.DataFrame,
    *,
    session_id: str,
    held_on: dt.date,
    anchor_id: str,
    level: MeasurementLevel = MeasurementLevel.INTERVAL,
    tolerance: float = 0.0,
    thresholds: CalibrationThresholds | None = None,
) -> CalibrationResult:
    """Agreement and drift for one calibration session (columns item_id, evaluator_id, score[, critical])."""
    missing = {"item_id", "evaluator_id", "score"} - set(ratings.columns)
    if missing:
        raise CxcertError(f"calibration ratings lack column(s): {', '.join(sorted(missing))}")
    if ratings.duplicated(["item_id", "evaluator_id"]).any():
        raise CxcertError("an evaluator scored the same item twice in this session")
    items, evaluators, matrix = ratings_matrix(ratings)
    if len(evaluators) < 2:
        raise CxcertError("a calibration session needs at least two evaluators")
    alpha = krippendorff_alpha(matrix, level)
    complete = all(v is not None for row in matrix for v in row)
    fleiss = fleiss_kappa(matrix) if complete and level is not MeasurementLevel.INTERVAL else None
    drift = evaluator_drift(ratings, anchor_id, tolerance=tolerance, thresholds=thresholds)
    shown = "undefined" if alpha.value is None else f"{alpha.value:.3f}"
    explanation = Explanation(
        f"calibration {session_id} on {held_on}: {len(evaluators)} evaluators, {len(items)} items, "
        f"alpha ({level}) {shown}; {drift.explanation.summary}",
        (*alpha.explanation.steps, *drift.explanation.steps),
    )
    return CalibrationResult(
        session_id, held_on, anchor_id, tuple(evaluators), len(items), alpha, fleiss, drift, explanation
    )
