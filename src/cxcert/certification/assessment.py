"""Application answers and assessments: what the coordinator wrote and what the assessors found."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

# The kinds live with the rule set, which says what deciding each kind produces; re-exported here.
from cxcert.standards.rule_set import AssessmentKind as AssessmentKind
from cxcert.standards.rule_set import FindingLevel
from cxcert.standards.schema import Frozen


class ApplicationAnswer(Frozen):
    """The coordinator's answer to one requirement of one item of the application."""

    item: str
    requirement_id: str | None = None
    answer: str
    hours_spent: float = Field(default=0.0, ge=0)
    completion: float = Field(default=0.0, ge=0, le=1)
    answered_by: str | None = None
    answered_on: dt.date | None = None


class Finding(Frozen):
    """The assessors' finding on one item."""

    item: str
    level: FindingLevel
    note: str = ""
    source: str = Field(default="typed", description="'typed' by an assessor, or 'computed' from KPI evidence")


class Assessment(Frozen):
    id: str
    entity_id: str
    kind: AssessmentKind
    started_on: dt.date
    ended_on: dt.date | None = None
    assessors: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    management_commitment: bool = Field(
        default=False, description="senior management formally committed to full certification within 12 months"
    )
    scope_items: tuple[str, ...] | None = Field(
        default=None, description="for a process certification: the declared subset of items; None = all"
    )

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Assessment:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError(f"ended on {self.ended_on} is before started on {self.started_on}")
        return self

    def finding(self, item: str) -> Finding | None:
        for f in self.findings:
            if f.item == item:
                return f
        return None
