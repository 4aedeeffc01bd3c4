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
    computed_level: FindingLevel | None = Field(
        default=None, description="for a typed finding that replaced a computed one: the level the evidence gave"
    )
    reason: str = Field(default="", description="why a typed finding departs from the computed evidence")

    @property
    def evidence_level(self) -> FindingLevel | None:
        """What the computed evidence says of the item: this finding's level when computed, else the computed level
        it replaced (None: no computed evidence recorded for it)."""
        return self.level if self.source == "computed" else self.computed_level

    @property
    def departs_from_evidence(self) -> bool:
        """A typed finding whose level is not the one the computed evidence gave."""
        return self.source != "computed" and self.computed_level is not None and self.level is not self.computed_level

    @property
    def needs_a_reason(self) -> bool:
        """A typed finding that contradicts the computed evidence is recorded only with the reason why."""
        return self.departs_from_evidence and not self.reason.strip()

    def contradiction(self) -> str:
        """One line saying what this typed finding contradicts ("" when it does not)."""
        if not self.departs_from_evidence or self.computed_level is None:
            return ""
        return (
            f"typed {self.level.value} on item {self.item} contradicts the computed {self.computed_level.value} "
            "recorded from the performance evidence (`cxcert evidence --record-into`)"
        )


def computed_over(current: Finding | None, computed: Finding) -> Finding:
    """What to store when the evidence computes ``computed`` for an item whose finding is ``current``: the computed
    finding, except over a typed finding recorded against the evidence with a reason, which stands (the
    assessor's reasoned judgement) and takes the newly computed level as the evidence it is weighed against."""
    if current is not None and current.source != "computed" and current.computed_level is not None and current.reason:
        return current.model_copy(update={"computed_level": computed.level})
    return computed


def typed_over(current: Finding | None, typed: Finding) -> Finding:
    """``typed`` as it is to be stored in place of ``current``: carrying the computed level the item's evidence
    gave, so the contradiction stays visible after the computed finding is replaced. It may be stored only if
    it does not :attr:`~Finding.needs_a_reason`."""
    evidence = None if current is None else current.evidence_level
    return typed.model_copy(update={"computed_level": evidence, "reason": typed.reason.strip()})


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
