"""The decision engine's documented readings where a rule set is silent (packaged ``decision_policy.yaml``)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from pydantic import field_validator

from cxcert.standards.rule_set import FindingLevel
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import load_packaged


class Scaling(StrEnum):
    """How a threshold written for the full standard applies to a smaller applicable scope."""

    PROPORTIONAL = "proportional"
    ABSOLUTE = "absolute"


class ReviewCoverage(StrEnum):
    """Which in-scope items a review result (a six-month review) judges."""

    ITEMS_WITH_FINDINGS = "items_with_findings"
    WHOLE_SCOPE = "whole_scope"


class DecisionPolicy(Frozen):
    source_note: str
    missing_finding_counts_as: FindingLevel
    item_thresholds: Scaling
    points_pass_mark: Scaling
    review_covers: ReviewCoverage
    refuse_without_findings: bool

    @field_validator("missing_finding_counts_as")
    @classmethod
    def _a_deficiency(cls, value: FindingLevel) -> FindingLevel:
        if value not in (FindingLevel.MINOR, FindingLevel.MAJOR):
            raise ValueError("a missing finding must count as minor_deficiency or major_deficiency")
        return value


@cache
def default_policy() -> DecisionPolicy:
    """The packaged policy."""
    return load_packaged("cxcert.certification", "decision_policy.yaml", DecisionPolicy)
