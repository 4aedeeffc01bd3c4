"""Each evaluator's drift from the calibration anchor (the expert whose scores define "right").

In a calibration session every evaluator scores the same items (contacts, or contact x parameter). Per
evaluator, over the items both they and the anchor scored:

- mean difference (evaluator - anchor): the sign says lenient (+) or harsh (-);
- mean absolute difference;
- agreement rate: share of items scored within ``tolerance`` of the anchor;
- missed critical share: of the items where the anchor called a critical error, the share the evaluator did not.

Thresholds for flagging an evaluator live in ``data/calibration_defaults.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd
from pydantic import Field

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.quality.packaged import load_packaged
from cxcert.standards.schema import Frozen


class CalibrationThresholds(Frozen):
    min_agreement_rate: float = Field(ge=0, le=1)
    max_mean_abs_difference: float = Field(ge=0)
    max_missed_critical_share: float = Field(ge=0, le=1)
    source: str


@cache
def calibration_thresholds() -> CalibrationThresholds:
    """The packaged thresholds (``data/calibration_defaults.yaml``)."""
    return load_packaged("calibration_defaults.yaml", CalibrationThresholds)


@dataclass(frozen=True)
class EvaluatorDrift:
    evaluator_id: str
    items: int
    mean_difference: float | None  # None on a categorical scale (pass/fail, labels)
    mean_abs_difference: float | None
    agreement_rate: float
    anchor_critical_calls: int
    missed_critical: int
    missed_critical_share: float | None  # None when the anchor called no critical error
    extra_critical: int  # critical errors the evaluator called that the anchor did not
    needs_recalibration: bool
    explanation: Explanation


@dataclass(frozen=True)
class DriftReport:
    anchor_id: str
    evaluators: tuple[EvaluatorDrift, ...]
    explanation: Explanation

    def of(self, evaluator_id: str) -> EvaluatorDrift:
        for drift in self.evaluators:
            if drift.evaluator_id == evaluator_id:
                return drift
        raise KeyError(evaluator_id)


def evaluator_drift(
    ratings: pd.DataFrame,
    anchor_id: str,
    *,
    tolerance: float = 0.0,
    thresholds: CalibrationThresholds | None = None,
) -> DriftReport:
    """Drift of every evaluator from ``anchor_id``.

    ``ratings`` is long: columns ``item_id``, ``evaluator_id``, ``score`` (numeric) and optionally
    ``critical`` (bool: the rater called a critical error on the item). Scores may be categorical (pass/fail):
    then only agreement and critical calls are compared.
    """
    limits = thresholds or calibration_thresholds()
    if tolerance < 0:
        raise CxcertError(f"the agreement tolerance must be zero or more score points, got {tolerance:g}")
    missing = {"item_id", "evaluator_id", "score"} - set(ratings.columns)
    if missing:
        raise CxcertError(f"calibration ratings lack column(s): {', '.join(sorted(missing))}")
    frame = ratings.copy()
    frame["evaluator_id"] = frame["evaluator_id"].astype(str)
    frame["item_id"] = frame["item_id"].astype(str)
    if frame.duplicated(["item_id", "evaluator_id"]).any():
        first = frame[frame.duplicated(["item_id", "evaluator_id"])].iloc[0]
        raise CxcertError(f"evaluator {first.evaluator_id} scored item {first.item_id} more than once")
    has_critical = "critical" in frame.columns
    if not has_critical:
        frame["critical"] = False
    frame["critical"] = frame["critical"].fillna(False).astype(bool)
    anchor = frame[frame["evaluator_id"] == anchor_id].set_index("item_id")
    if anchor.empty:
        raise CxcertError(f"the anchor '{anchor_id}' scored nothing in this session")
    rows: list[EvaluatorDrift] = []
    for evaluator, own in sorted(frame[frame["evaluator_id"] != anchor_id].groupby("evaluator_id")):
        joined = own.merge(anchor[["score", "critical"]].reset_index(), on="item_id", suffixes=("", "_anchor"))
        joined = joined.dropna(subset=["score", "score_anchor"])
        if joined.empty:
            continue
        own_scores = pd.to_numeric(joined["score"], errors="coerce")
        anchor_scores = pd.to_numeric(joined["score_anchor"], errors="coerce")
        numeric = not (own_scores.isna().any() or anchor_scores.isna().any())
        if numeric:
            diff = own_scores.astype(float) - anchor_scores.astype(float)
            agreement = float((diff.abs() <= tolerance + 1e-12).mean())
            mean_difference: float | None = float(diff.mean())
            mean_abs: float | None = float(diff.abs().mean())
        else:  # a categorical scale: agreement is equality, differences have no meaning
            agreement = float((joined["score"].astype(str) == joined["score_anchor"].astype(str)).mean())
            mean_difference = mean_abs = None
        anchor_calls = joined["critical_anchor"].astype(bool)
        own_calls = joined["critical"].astype(bool)
        missed = int((anchor_calls & ~own_calls).sum())
        calls = int(anchor_calls.sum())
        missed_share = missed / calls if calls else None
        reasons = []
        if agreement < limits.min_agreement_rate:
            reasons.append(f"agreement {agreement:.0%} < {limits.min_agreement_rate:.0%}")
        if mean_abs is not None and mean_abs > limits.max_mean_abs_difference:
            reasons.append(f"mean |difference| {mean_abs:.2f} > {limits.max_mean_abs_difference}")
        if missed_share is not None and missed_share > limits.max_missed_critical_share:
            reasons.append(f"missed {missed} of {calls} critical calls")
        verdict = "needs recalibration: " + "; ".join(reasons) if reasons else "within calibration limits"
        explanation = Explanation(f"evaluator {evaluator} vs anchor {anchor_id}: {verdict}").with_step(
            "drift",
            "differences are evaluator - anchor over the items both scored",
            items=len(joined),
            mean_difference=None if mean_difference is None else round(mean_difference, 6),
            agreement_rate=round(agreement, 6),
            missed_critical=missed,
        )
        rows.append(
            EvaluatorDrift(
                evaluator_id=str(evaluator),
                items=len(joined),
                mean_difference=mean_difference,
                mean_abs_difference=mean_abs,
                agreement_rate=agreement,
                anchor_critical_calls=calls,
                missed_critical=missed,
                missed_critical_share=missed_share,
                extra_critical=int((own_calls & ~anchor_calls).sum()),
                needs_recalibration=bool(reasons),
                explanation=explanation,
            )
        )
    flagged = [r.evaluator_id for r in rows if r.needs_recalibration]
    summary = f"{len(rows)} evaluators compared with anchor {anchor_id}; " + (
        f"recalibrate: {', '.join(flagged)}" if flagged else "all within limits"
    )
    explanation = Explanation(summary).with_step(
        "calibration_limits",
        "limits from calibration_defaults.yaml",
        min_agreement_rate=limits.min_agreement_rate,
        max_mean_abs_difference=limits.max_mean_abs_difference,
        max_missed_critical_share=limits.max_missed_critical_share,
        critical_calls_given=has_critical,
    )
    return DriftReport(anchor_id, tuple(rows), explanation)
