"""QA monitoring forms as versioned data: sections, parameters with points and weights, error classes, fatal rules.

A form is identified by ``(id, version)``. While ``draft`` it may change; once ``published`` it is frozen: its
content hash is pinned in a file checked at every load (:mod:`.form_pins`), the registry refuses a different
content under a published key, and every evaluation pins the ``(form_id, form_version)`` it was scored against,
so re-weighting a form means publishing a new version.

Auditors ask for the monitoring grid with points per parameter and *why* an error is classed fatal
(docs/domain.md section 3), so every critical or fatal parameter must carry a ``rationale``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field

from cxcert.canonical import ERROR_CLASSES
from cxcert.standards.schema import Frozen


class ErrorClass(StrEnum):
    """The class of error a failed parameter counts as (canonical.ERROR_CLASSES)."""

    CUSTOMER_CRITICAL = "customer_critical"
    BUSINESS_CRITICAL = "business_critical"
    COMPLIANCE_CRITICAL = "compliance_critical"
    NON_CRITICAL = "non_critical"

    @property
    def critical(self) -> bool:
        return self is not ErrorClass.NON_CRITICAL


if tuple(ErrorClass) != ERROR_CLASSES:  # the warehouse and the forms must speak the same classes
    raise RuntimeError("ErrorClass must follow canonical.ERROR_CLASSES")


class FatalRule(StrEnum):
    """What a failed parameter does beyond losing its own points."""

    NONE = "none"
    ZERO_SECTION = "zero_section"
    ZERO_EVALUATION = "zero_evaluation"


class FormStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Section(Frozen):
    id: str = Field(min_length=1)
    title: str
    weight: float = Field(default=1.0, gt=0, description="share of the overall score, relative to other sections")


class Parameter(Frozen):
    id: str = Field(min_length=1)
    section: str = Field(description="id of the section the parameter belongs to")
    text: str = Field(min_length=1, description="what the evaluator checks")
    points: float = Field(gt=0, description="points earned when the parameter passes")
    weight: float = Field(default=1.0, ge=0, description="multiplies the points inside the section")
    error_class: ErrorClass
    fatal: FatalRule = FatalRule.NONE
    rationale: str = Field(default="", description="why this classification (auditors ask why an error is fatal)")

    @property
    def weighted_points(self) -> float:
        return self.points * self.weight


class QaForm(Frozen):
    """One version of a monitoring form."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: int = Field(ge=1)
    title: str
    status: FormStatus = FormStatus.DRAFT
    published_on: dt.date | None = None
    channel: str | None = Field(default=None, description="voice, email, chat ... (canonical.CHANNELS)")
    description: str = ""
    sections: tuple[Section, ...] = Field(min_length=1)
    parameters: tuple[Parameter, ...] = Field(min_length=1)

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def parameter(self, parameter_id: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.id == parameter_id:
                return parameter
        raise KeyError(parameter_id)

    def parameters_in(self, section_id: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.section == section_id)

    def content_hash(self) -> str:
        """SHA-256 of the form's canonical JSON: equal hashes mean the same form, field for field."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class FormProblem:
    """A semantic problem in a form; ``path`` is the field path as pydantic would report it."""

    path: tuple[str | int, ...]
    message: str


def form_problems(form: QaForm) -> list[FormProblem]:
    """Every semantic problem of a form (references, duplicates, missing rationales, publication date)."""
    problems: list[FormProblem] = []
    section_ids = [s.id for s in form.sections]
    for sid, count in Counter(section_ids).items():
        if count > 1:
            index = len(section_ids) - 1 - section_ids[::-1].index(sid)
            problems.append(FormProblem(("sections", index, "id"), f"duplicate section id '{sid}'"))
    seen: set[str] = set()
    for index, parameter in enumerate(form.parameters):
        where: tuple[str | int, ...] = ("parameters", index)
        if parameter.id in seen:
            problems.append(FormProblem((*where, "id"), f"duplicate parameter id '{parameter.id}'"))
        seen.add(parameter.id)
        if parameter.section not in section_ids:
            known = ", ".join(section_ids)
            problems.append(
                FormProblem((*where, "section"), f"unknown section '{parameter.section}' (sections: {known})")
            )
        if parameter.fatal is not FatalRule.NONE and not parameter.error_class.critical:
            problems.append(
                FormProblem((*where, "fatal"), "a fatal parameter must be classed critical, not non_critical")
            )
        if (
            parameter.error_class.critical or parameter.fatal is not FatalRule.NONE
        ) and not parameter.rationale.strip():
            problems.append(
                FormProblem(
                    (*where, "rationale"),
                    f"parameter '{parameter.id}' is {parameter.error_class} (fatal: {parameter.fatal}) "
                    "and needs a rationale for its classification",
                )
            )
    for index, section in enumerate(form.sections):
        if section.id in section_ids and not form.parameters_in(section.id):
            problems.append(FormProblem(("sections", index), f"section '{section.id}' has no parameters"))
    if form.status is FormStatus.PUBLISHED and form.published_on is None:
        problems.append(FormProblem(("published_on",), "a published form needs published_on"))
    if form.status is FormStatus.DRAFT and form.published_on is not None:
        problems.append(FormProblem(("status",), "published_on is set but status is draft"))
    return problems
