"""Scoring an evaluation against the form version it pinned.

The rules, in order (docs/domain.md section 5; docs/quality.md):

1. A parameter's weighted points are ``points x weight``. A pass earns them; a fail earns 0; ``na`` (and a
   parameter left unanswered) leaves both numerator and denominator.
2. A section's score is earned / possible over its applicable parameters (None when none applies).
3. A failed ``zero_section`` parameter zeroes its section's earned points and score.
4. The evaluation score is the section-weighted mean of the applicable sections' scores, a fraction 0..1.
5. A failed ``zero_evaluation`` parameter zeroes the whole evaluation (score and earned points).
6. Every error class with at least one failed parameter is flagged: these flags feed critical error accuracy.

The class of an error is the form's classification, never the one typed in an export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxcert.errors import ValidationFailed
from cxcert.explain import Explanation
from cxcert.quality.evaluation import Evaluation, ItemResult, plain
from cxcert.quality.form import ErrorClass, FatalRule, QaForm
from cxcert.quality.form_registry import FormRegistry


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    weight: float
    earned: float
    possible: float
    score: float | None
    zeroed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvaluationScore:
    """The score of one evaluation with the reasons for it."""

    evaluation_id: str
    form_id: str
    form_version: int
    earned: float
    possible: float
    score: float | None
    sections: tuple[SectionScore, ...]
    errors: frozenset[ErrorClass]
    fatal_failures: tuple[str, ...]
    explanation: Explanation

    def has_error(self, error_class: ErrorClass) -> bool:
        return error_class in self.errors

    @property
    def fatal(self) -> bool:
        return bool(self.fatal_failures)


def score_evaluation(
    form: QaForm, results: Mapping[str, ItemResult | str], evaluation_id: str = "(evaluation)"
) -> EvaluationScore:
    """Score one evaluation's results (parameter id -> pass/fail/na) on ``form``."""
    unknown = [pid for pid in results if pid not in {p.id for p in form.parameters}]
    if unknown:
        raise ValidationFailed(
            [f"parameter '{pid}' is not on form {form.label}" for pid in unknown], where=evaluation_id
        )
    parsed = {pid: ItemResult.parse(value) for pid, value in results.items()}
    explanation = Explanation(f"evaluation {evaluation_id} scored on form {form.label}")
    unanswered = [p.id for p in form.parameters if p.id not in parsed]
    if unanswered:
        explanation = explanation.with_step(
            "unanswered_is_na", f"unanswered parameters count as not applicable: {', '.join(unanswered)}"
        )
    sections: list[SectionScore] = []
    errors: set[ErrorClass] = set()
    fatal_failures: list[str] = []
    zero_evaluation: list[str] = []
    for section in form.sections:
        earned = possible = 0.0
        zeroed_by: list[str] = []
        for parameter in form.parameters_in(section.id):
            result = parsed.get(parameter.id, ItemResult.NA)
            if result is ItemResult.NA:
                continue
            possible += parameter.weighted_points
            if result is ItemResult.PASS:
                earned += parameter.weighted_points
                continue
            errors.add(parameter.error_class)
            explanation = explanation.with_step(
                "failed_parameter",
                f"'{parameter.id}' failed: {parameter.error_class} error",
                parameter=parameter.id,
                points_lost=parameter.weighted_points,
                fatal=str(parameter.fatal),
            )
            if parameter.fatal is FatalRule.ZERO_SECTION:
                zeroed_by.append(parameter.id)
            elif parameter.fatal is FatalRule.ZERO_EVALUATION:
                zero_evaluation.append(parameter.id)
        if zeroed_by:
            fatal_failures.extend(zeroed_by)
            explanation = explanation.with_step(
                "fatal_zero_section", f"section '{section.id}' zeroed by {', '.join(zeroed_by)}", section=section.id
            )
            earned = 0.0
        score = earned / possible if possible > 0 else None
        sections.append(SectionScore(section.id, section.weight, earned, possible, score, tuple(zeroed_by)))
    applied = [s for s in sections if s.score is not None]
    weight = sum(s.weight for s in applied)
    total: float | None = sum(s.weight * (s.score or 0.0) for s in applied) / weight if weight > 0 else None
    earned_total = sum(s.earned for s in sections)
    possible_total = sum(s.possible for s in sections)
    explanation = explanation.with_step(
        "section_weighted_mean",
        "score = sum(section weight x section score) / sum(weights of applicable sections)",
        earned=earned_total,
        possible=possible_total,
        score=None if total is None else round(total, 6),
    )
    if zero_evaluation:
        fatal_failures.extend(zero_evaluation)
        total, earned_total = 0.0, 0.0
        explanation = explanation.with_step(
            "fatal_zero_evaluation", f"evaluation zeroed by {', '.join(zero_evaluation)}", score=0.0
        )
    shown = "no applicable parameter" if total is None else f"{total:.1%}"
    summary = f"evaluation {evaluation_id} on {form.label}: {shown}" + (
        f", errors: {', '.join(sorted(errors))}" if errors else ", no errors"
    )
    return EvaluationScore(
        evaluation_id=evaluation_id,
        form_id=form.id,
        form_version=form.version,
        earned=earned_total,
        possible=possible_total,
        score=total,
        sections=tuple(sections),
        errors=frozenset(errors),
        fatal_failures=tuple(fatal_failures),
        explanation=Explanation(summary, explanation.steps),
    )


def score(evaluation: Evaluation, forms: FormRegistry) -> EvaluationScore:
    """Score an entered evaluation on the form version it pinned."""
    form = forms.get(evaluation.form_id, evaluation.form_version)
    return score_evaluation(form, evaluation.results, evaluation.evaluation_id)


def error_column(error_class: ErrorClass) -> str:
    """The batch result's flag column for an error class, e.g. ``error_customer_critical``."""
    return f"error_{error_class}"


@dataclass(frozen=True)
class BatchScores:
    """Scores of many evaluations: one row per evaluation.

    Columns: evaluation_id, form_id, form_version, any columns of the evaluations table passed through
    (agent_id, evaluator_id, evaluated_at ...), earned, possible, score (NaN when nothing applied), fatal, and one
    boolean ``error_<class>`` column per error class.
    """

    frame: pd.DataFrame
    explanation: Explanation


_RESULT_ALIASES = {
    "pass": "pass", "yes": "pass", "y": "pass", "1": "pass", "true": "pass", "met": "pass",
    "fail": "fail", "no": "fail", "n": "fail", "0": "fail", "false": "fail", "not met": "fail",
    "na": "na", "n/a": "na", "n.a.": "na", "not applicable": "na",
}  # fmt: skip


def _parameter_table(forms: FormRegistry, keys: set[tuple[str, int]]) -> pd.DataFrame:
    rows = []
    for form_id, version in sorted(keys):
        form = forms.get(form_id, version)
        for p in form.parameters:
            rows.append(
                (form.id, form.version, p.id, p.section, p.weighted_points, str(p.error_class), str(p.fatal),
                 form.section(p.section).weight)
            )  # fmt: skip
    columns = ["form_id", "form_version", "parameter_id", "section", "wpoints", "error_class", "fatal", "sweight"]
    return pd.DataFrame(rows, columns=columns)


def score_batch(items: pd.DataFrame, forms: FormRegistry, evaluations: pd.DataFrame | None = None) -> BatchScores:
    """Score many evaluations at once (vectorised; the same rules as :func:`score_evaluation`).

    ``items`` holds evaluation_items rows (evaluation_id, parameter_id, result); form_id and form_version come
    from ``items`` itself or from ``evaluations`` (joined on evaluation_id, whose other columns pass through).
    A bad row is named by its index label, after the index's name ('line 11' for a file read by the CLI).
    """
    needed = {"evaluation_id", "parameter_id", "result"}
    missing = needed - set(items.columns)
    if missing:
        raise ValidationFailed([f"evaluation items lack column(s): {', '.join(sorted(missing))}"])
    frame = items[[c for c in ("evaluation_id", "parameter_id", "result", "form_id", "form_version") if c in items]]
    passthrough: pd.DataFrame | None = None
    if evaluations is not None:
        if "evaluation_id" not in evaluations.columns:
            raise ValidationFailed(["evaluations lack column: evaluation_id"])
        passthrough = evaluations.drop_duplicates("evaluation_id")
        pins = passthrough[["evaluation_id", "form_id", "form_version"]]
        frame = frame.drop(columns=[c for c in ("form_id", "form_version") if c in frame]).merge(
            pins, on="evaluation_id", how="left"
        )
    if not {"form_id", "form_version"} <= set(frame.columns):
        raise ValidationFailed(["form_id and form_version are needed (in the items or the evaluations)"])
    frame = frame.astype({"evaluation_id": str, "parameter_id": str, "form_id": str})
    if frame["form_version"].isna().any():
        unpinned = frame.loc[frame["form_version"].isna(), "evaluation_id"].iloc[0]
        raise ValidationFailed([f"evaluation {unpinned} has no form version pinned"])
    frame["form_version"] = frame["form_version"].astype("int64")
    raw = frame["result"].astype(str).str.strip().str.lower()
    frame["result"] = raw.map(_RESULT_ALIASES)
    bad = frame["result"].isna()
    if bad.any():
        row = frame.index[bad][0]
        where = f"{items.index.name or 'row'} {row}"
        shown = f"{where}: result {plain(items.loc[row, 'result'])!r} is not one of pass, fail, na"
        raise ValidationFailed([f"{shown} ({int(bad.sum())} such rows)"])
    duplicated = frame.duplicated(["evaluation_id", "parameter_id"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise ValidationFailed([f"evaluation {first.evaluation_id} answers '{first.parameter_id}' more than once"])
    keys = set(zip(frame["form_id"], frame["form_version"], strict=True))
    params = _parameter_table(forms, {(str(f), int(v)) for f, v in keys})
    merged = frame.merge(params, on=["form_id", "form_version", "parameter_id"], how="left")
    unknown = merged["section"].isna()
    if unknown.any():
        first = merged[unknown].iloc[0]
        raise ValidationFailed(
            [
                f"evaluation {first.evaluation_id}: parameter '{first.parameter_id}' is not on form "
                f"{first.form_id} v{first.form_version} ({int(unknown.sum())} such rows)"
            ]
        )
    passed = merged["result"] == "pass"
    failed = merged["result"] == "fail"
    merged["earned"] = np.where(passed, merged["wpoints"], 0.0)
    merged["possible"] = np.where(merged["result"] != "na", merged["wpoints"], 0.0)
    merged["zero_sec"] = failed & (merged["fatal"] == str(FatalRule.ZERO_SECTION))
    merged["zero_eval"] = failed & (merged["fatal"] == str(FatalRule.ZERO_EVALUATION))
    merged["failed"] = failed

    sections = merged.groupby(["evaluation_id", "section"], sort=False).agg(
        earned=("earned", "sum"),
        possible=("possible", "sum"),
        zero_sec=("zero_sec", "any"),
        sweight=("sweight", "first"),
    )
    sections["earned"] = sections["earned"].where(~sections["zero_sec"], 0.0)
    applicable = sections["possible"] > 0
    section_score = (sections["earned"] / sections["possible"].where(applicable)).fillna(0.0)
    sections["wscore"] = section_score * sections["sweight"].where(applicable, 0.0)
    sections["wapplied"] = sections["sweight"].where(applicable, 0.0)
    per_eval = sections.groupby(level="evaluation_id", sort=False).agg(
        earned=("earned", "sum"),
        possible=("possible", "sum"),
        wscore=("wscore", "sum"),
        wapplied=("wapplied", "sum"),
        zero_sec=("zero_sec", "any"),
    )
    flags = merged.groupby("evaluation_id", sort=False).agg(
        form_id=("form_id", "first"), form_version=("form_version", "first"), zero_eval=("zero_eval", "any")
    )
    out = flags.join(per_eval)
    out["score"] = out["wscore"] / out["wapplied"].where(out["wapplied"] > 0)
    out.loc[out["zero_eval"], ["score", "earned"]] = 0.0
    out["fatal"] = out["zero_eval"] | out["zero_sec"]
    failures = merged[failed].groupby(["evaluation_id", "error_class"]).size().unstack(fill_value=0)
    for error_class in ErrorClass:
        column = failures[str(error_class)] if str(error_class) in failures else pd.Series(dtype="int64")
        out[error_column(error_class)] = column.reindex(out.index, fill_value=0).gt(0)
    out = out.drop(columns=["wscore", "wapplied", "zero_sec", "zero_eval"]).reset_index()
    if passthrough is not None:
        extra = [c for c in passthrough.columns if c not in out.columns or c == "evaluation_id"]
        extra = [c for c in extra if c not in ("form_id", "form_version")]
        out = out.merge(passthrough[extra], on="evaluation_id", how="left")
    leading = ["evaluation_id", "form_id", "form_version"]
    out = out[leading + [c for c in out.columns if c not in leading]]
    explanation = Explanation(
        f"{len(out)} evaluations scored on {len(keys)} form version(s)",
        (),
    ).with_step(
        "batch_scoring",
        "section-weighted score; fatal rules zero the section or the evaluation; na leaves the denominator",
        evaluations=len(out),
        items=len(merged),
        fatal=int(out["fatal"].sum()),
    )
    return BatchScores(out, explanation)
