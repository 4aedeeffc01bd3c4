"""The result of deciding an assessment: its class, counts, points view and the contribution of each item.

Frozen values with their explanation; :mod:`cxcert.certification.decision` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxcert.certification.assessment import AssessmentKind
from cxcert.certification.authority import EntityAuthority
from cxcert.explain import Explanation, Scalar, Step
from cxcert.standards.rule_set import AssessmentOutcome, FindingLevel


@dataclass(frozen=True)
class ItemContribution:
    """What one in-scope scorable item contributed to the decision."""

    item: str
    title: str
    points: int
    level: FindingLevel | None  # None: no finding (missing)
    counted_as: str  # 'compliant', 'minor_deficiency', 'major_deficiency', 'not_applicable', 'missing (...)'
    points_possible: float
    points_earned: float

    def to_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "title": self.title,
            "points": self.points,
            "level": self.level.value if self.level else None,
            "counted_as": self.counted_as,
            "points_possible": self.points_possible,
            "points_earned": self.points_earned,
        }


@dataclass(frozen=True)
class Decision:
    """The outcome of one assessment under one rule set, with the points view and why."""

    assessment_id: str
    entity_id: str
    assessment_kind: AssessmentKind
    outcome: AssessmentOutcome  # decision: replaces the standing decision of its scope; review: leaves it
    rule_set_id: str
    standard_urn: str
    decision_class: str
    certifies: bool
    rank: int
    best_rank: int  # the rank of the rule set's best class: rank == best_rank means nothing better exists
    scope_items: tuple[str, ...] | None
    scorable: int  # applicable in-scope scorable items = compliant + minor + major + missing
    compliant: int
    minor: int
    major: int
    not_applicable: int
    missing: int
    points_earned: float
    points_possible: float
    points_pass_mark: int | None
    points_required: float | None  # the pass mark scaled to the possible points
    points_passed: bool | None
    contributions: tuple[ItemContribution, ...]
    explanation: Explanation
    authority: EntityAuthority | None = None  # who oversees, submits and authorises, by the entity's locations

    @property
    def is_best(self) -> bool:
        return self.rank == self.best_rank

    @property
    def stands(self) -> bool:
        """Whether this is a certification decision, which replaces the standing decision of its scope."""
        return self.outcome is AssessmentOutcome.DECISION

    @property
    def governance(self) -> Step:
        """Which reading decides: always the rule set's decision classes; the points view, when the rule set has
        one, is informative. Derived from the decision (not stored in its explanation), so decisions stored
        before it was said compare equal to the same decision made today."""
        decides = (
            f"the rule set {self.rule_set_id} decides by its decision classes, tried in rank order: "
            f"{self.decision_class} (rank {self.rank}) is the first whose conditions all hold"
        )
        inputs: dict[str, Scalar] = {"governs": "decision_classes", "decision_class": self.decision_class}
        if self.points_pass_mark is None:
            return Step("governs", decides + "; the rule set has no points view", inputs)
        passed = "passed" if self.points_passed else "not passed"
        view = (
            f"the points view ({self.points_earned:g} of {self.points_possible:g} points, "
            f"{self.points_required or 0:g} required: {passed}) is informative only: a practitioner's reading of "
            "the same findings that never changes the class"
        )
        if bool(self.points_passed) != self.certifies:  # the two readings disagree: say which one stands
            view += f"; here the two readings differ and {self.decision_class} stands"
        inputs["points_view"] = "informative"
        return Step("governs", f"{decides}; {view}", inputs)

    @property
    def scope_key(self) -> tuple[str, ...] | None:
        """What the decision certifies: None for the whole standard, else the process scope's items, sorted."""
        return None if self.scope_items is None else tuple(sorted(set(self.scope_items)))

    def to_dict(self) -> dict[str, object]:
        return {
            "assessment_id": self.assessment_id,
            "entity_id": self.entity_id,
            "assessment_kind": self.assessment_kind.value,
            "outcome": self.outcome.value,
            "rule_set_id": self.rule_set_id,
            "standard_urn": self.standard_urn,
            "decision_class": self.decision_class,
            "certifies": self.certifies,
            "rank": self.rank,
            "scope_items": list(self.scope_items) if self.scope_items is not None else None,
            "counts": {
                "scorable": self.scorable,
                "compliant": self.compliant,
                "minor": self.minor,
                "major": self.major,
                "not_applicable": self.not_applicable,
                "missing": self.missing,
            },
            "points": {
                "earned": self.points_earned,
                "possible": self.points_possible,
                "pass_mark": self.points_pass_mark,
                "required": self.points_required,
                "passed": self.points_passed,
            },
            "governed_by": {
                "rule": "decision_classes",
                "decision_class": self.decision_class,
                "points_view": None if self.points_pass_mark is None else "informative",
                "explanation": self.governance.conclusion,
            },
            "contributions": [c.to_dict() for c in self.contributions],
            "authority": None if self.authority is None else self.authority.to_dict(),
            "explanation": self.explanation.to_dict(),
        }
