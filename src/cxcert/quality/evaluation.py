"""An evaluation: one monitored transaction scored on a pinned form version (canonical ``evaluations`` and
``evaluation_items``), entered by hand or ingested.

Manual entry is checked against the pinned form: every parameter answered exactly once, pass/fail/na only,
no parameter the form does not have, and the error class taken from the form (not typed by the evaluator).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum

from pydantic import Field, field_validator

from cxcert.errors import ValidationFailed
from cxcert.quality.form import ErrorClass, FormStatus, QaForm
from cxcert.standards.schema import Frozen


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, so a message shows ``-2``, not ``np.int64(-2)``."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value


class ItemResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NA = "na"

    @classmethod
    def parse(cls, value: object) -> ItemResult:
        """Accept the spellings found in exports: pass/fail/na, yes/no, y/n, n/a, 1/0, true/false."""
        text = str(value).strip().lower()
        aliases = {
            "pass": cls.PASS, "yes": cls.PASS, "y": cls.PASS, "1": cls.PASS, "true": cls.PASS, "met": cls.PASS,
            "fail": cls.FAIL, "no": cls.FAIL, "n": cls.FAIL, "0": cls.FAIL, "false": cls.FAIL, "not met": cls.FAIL,
            "na": cls.NA, "n/a": cls.NA, "n.a.": cls.NA, "not applicable": cls.NA,
        }  # fmt: skip
        if text not in aliases:
            raise ValueError(f"result {plain(value)!r} is not one of pass, fail, na")
        return aliases[text]


class EvaluationItem(Frozen):
    parameter_id: str
    result: ItemResult
    error_class: ErrorClass
    points: float | None = Field(default=None, description="points earned as recorded (None when not recorded)")


class Evaluation(Frozen):
    """One evaluation and its items; ``(form_id, form_version)`` pins the grid it is scored against."""

    evaluation_id: str = Field(min_length=1)
    contact_id: str | None = None
    agent_id: str = Field(min_length=1)
    evaluator_id: str = Field(min_length=1)
    evaluated_at: dt.datetime
    form_id: str
    form_version: int = Field(ge=1)
    items: tuple[EvaluationItem, ...]

    @field_validator("evaluated_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("evaluated_at must carry a time zone (canonical times are UTC)")
        return value.astimezone(dt.UTC)

    @property
    def results(self) -> dict[str, ItemResult]:
        return {item.parameter_id: item.result for item in self.items}


def enter_evaluation(
    form: QaForm,
    *,
    evaluation_id: str,
    agent_id: str,
    evaluator_id: str,
    evaluated_at: dt.datetime,
    results: Mapping[str, ItemResult | str],
    contact_id: str | None = None,
) -> Evaluation:
    """Manual entry: build an evaluation pinned to ``form``, checking every parameter is answered once.

    Raises :class:`ValidationFailed` listing every problem (unknown or unanswered parameters, bad results,
    a draft form, an evaluation dated before the form version was published: the date as written, in its own
    offset).
    """
    issues: list[str] = []
    if form.status is not FormStatus.PUBLISHED:
        issues.append(f"form {form.label} is a draft: evaluations use published forms only")
    elif form.published_on is not None and evaluated_at.date() < form.published_on:
        issues.append(
            f"evaluated on {evaluated_at.date()}, before form {form.label} was published ({form.published_on}): "
            "use the version in force on that day"
        )
    known = {p.id for p in form.parameters}
    for parameter_id in results:
        if parameter_id not in known:
            issues.append(f"parameter '{parameter_id}' is not on form {form.label}")
    missing = [p.id for p in form.parameters if p.id not in results]
    if missing:
        issues.append(f"unanswered parameters (use na when not applicable): {', '.join(missing)}")
    items: list[EvaluationItem] = []
    for parameter in form.parameters:
        if parameter.id not in results:
            continue
        try:
            result = ItemResult.parse(results[parameter.id])
        except ValueError as exc:
            issues.append(f"parameter '{parameter.id}': {exc}")
            continue
        points = (
            parameter.weighted_points if result is ItemResult.PASS else (0.0 if result is ItemResult.FAIL else None)
        )
        items.append(
            EvaluationItem(parameter_id=parameter.id, result=result, error_class=parameter.error_class, points=points)
        )
    if issues:
        raise ValidationFailed(issues, where=f"evaluation {evaluation_id}")
    return Evaluation(
        evaluation_id=evaluation_id,
        contact_id=contact_id,
        agent_id=agent_id,
        evaluator_id=evaluator_id,
        evaluated_at=evaluated_at,
        form_id=form.id,
        form_version=form.version,
        items=tuple(items),
    )
