"""The schema of a rule set: how a standard's assessment becomes a decision, and the calendar that follows.

Every domain number (27 items, 90 %, 1800 points, 6 months, 12 or 24 months) lives in a rule set YAML file
with its source; code reads it from here and never hard-codes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum

from pydantic import Field, field_validator

from cxcert.standards.schema import Frozen, StandardKey


class FindingLevel(StrEnum):
    COMPLIANT = "compliant"
    MINOR = "minor_deficiency"
    MAJOR = "major_deficiency"
    NOT_APPLICABLE = "not_applicable"


class AssessmentKind(StrEnum):
    BASELINE = "baseline"
    APPLICATION_REVIEW = "application_review"
    COMPLIANCE_AUDIT = "compliance_audit"
    SECOND_AUDIT = "second_audit"
    SIX_MONTH_REVIEW = "six_month_review"
    RECERTIFICATION_AUDIT = "recertification_audit"


class AssessmentOutcome(StrEnum):
    """What deciding an assessment of a kind produces (the rule set's ``assessment_outcomes``)."""

    DECISION = "decision"  # a certification decision: it replaces the standing decision of its scope
    REVIEW = "review"  # a review result: scored, stored and shown, corrective actions raised; the decision stands
    ADVICE = "advice"  # advice, not a decision: `cxcert decide` refuses it


Outcomes = Mapping[AssessmentKind, AssessmentOutcome]


class DecisionClass(Frozen):
    """One outcome, tried in ``rank`` order (lowest first); the first whose conditions all hold wins."""

    name: str = Field(description="e.g. 'Certified'")
    rank: int = Field(ge=0, description="evaluation order; 0 is the best outcome, tried first")
    min_compliant_items: int | None = Field(
        default=None, ge=0, description="at least this many scorable items compliant; None = all of them"
    )
    max_major_deficiencies: int | None = Field(
        default=None, ge=0, description="at most this many major deficiencies; None = no limit"
    )
    max_minor_deficiencies: int | None = Field(
        default=None, ge=0, description="at most this many minor deficiencies; None = no limit"
    )
    requires_management_commitment: bool = False
    certifies: bool = Field(description="whether this outcome grants a certification with a calendar")
    description: str


class PointsView(Frozen):
    """The points-based reading of the same findings (a practitioner's 1800 of 2000)."""

    pass_mark: int = Field(ge=0)
    compliant_share: float = Field(default=1.0, ge=0, le=1, description="share of points a compliant item earns")
    minor_share: float = Field(default=0.5, ge=0, le=1)
    major_share: float = Field(default=0.0, ge=0, le=1)


class Authority(Frozen):
    """Who oversees and who authorises the decision, by where the entity is."""

    countries: tuple[str, ...] = Field(description="ISO 3166 alpha-2 codes, or ('*',) for everywhere else")
    oversees: str = Field(description="lead_auditor or licensee")
    submits_application: str
    authorises_decision: str = Field(description="lead_auditor or headquarters")


class RuleSet(Frozen):
    id: str = Field(description="e.g. 'copc-2000-founding'")
    title: str
    standard: StandardKey
    effective_from: dt.date
    source_note: str = Field(description="where these numbers come from")
    decision_classes: tuple[DecisionClass, ...]
    points_view: PointsView | None = None
    coordinator_exam_pass_mark: float = Field(ge=0, le=1)
    min_coordinators_per_location: int = Field(ge=0)
    six_month_review_after_months: int | None = Field(default=None, ge=1)
    recertification_interval_months: int = Field(ge=1)
    application_update_before_audit_months: int = Field(ge=0)
    corrective_action_grace_days: int = Field(ge=0)
    corrective_action_due_days: int = Field(ge=0, description="a plan raised from a deficiency is due this long after")
    corrective_action_owner: str = Field(
        min_length=1, description="the role (coordinator, manager...) whose holder owns a plan until it is assigned"
    )
    gap_closure_call_interval_days: int = Field(ge=1)
    authorities: tuple[Authority, ...]
    assessment_outcomes: Outcomes = Field(
        description="what deciding each kind of assessment produces: decision, review or advice (every kind named)"
    )
    recertification_kinds: tuple[AssessmentKind, ...] = Field(
        description="kinds that look at a certified entity again: their performance evidence is judged on the "
        "re-certification thresholds"
    )

    @field_validator("assessment_outcomes")
    @classmethod
    def _every_kind(cls, value: Outcomes) -> Outcomes:
        missing = [k.value for k in AssessmentKind if k not in value]
        if missing:
            raise ValueError(f"name the outcome of every assessment kind; missing: {', '.join(missing)}")
        if AssessmentOutcome.DECISION not in value.values():
            raise ValueError("at least one assessment kind must give a certification decision")
        return value

    def outcome_for(self, kind: AssessmentKind) -> AssessmentOutcome:
        return self.assessment_outcomes[kind]

    def kinds_giving(self, outcome: AssessmentOutcome) -> tuple[AssessmentKind, ...]:
        """The assessment kinds whose decision gives ``outcome``, in process order."""
        return tuple(k for k in AssessmentKind if self.assessment_outcomes[k] is outcome)

    def ordered_classes(self) -> tuple[DecisionClass, ...]:
        return tuple(sorted(self.decision_classes, key=lambda c: c.rank))

    def authority_for(self, country: str) -> Authority:
        for authority in self.authorities:
            if country.upper() in authority.countries:
                return authority
        for authority in self.authorities:
            if "*" in authority.countries:
                return authority
        raise KeyError(country)
