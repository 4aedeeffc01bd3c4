"""Runs the decision case table (decision_cases.yaml): one pytest case per YAML entry.

The oracle of each case is DOMAIN.md section 3 step 8 (the four classes) plus the hand arithmetic written next
to its expected points.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from cxcert.certification.assessment import Assessment, AssessmentKind, Finding
from cxcert.certification.decision import counts_by_level, decide
from cxcert.certification.decision_policy import default_policy
from cxcert.errors import CxcertError
from cxcert.standards.rule_set import AssessmentOutcome, FindingLevel, RuleSet
from cxcert.standards.schema import Standard

CASES_FILE = Path(__file__).parent / "decision_cases.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Points(_Strict):
    earned: float
    possible: float
    required: float
    passed: bool


class Expect(_Strict):
    decision_class: str | None = None
    certifies: bool | None = None
    outcome: AssessmentOutcome = AssessmentOutcome.DECISION
    counts: dict[str, int] | None = None
    points: Points | None = None
    explanation_mentions: tuple[str, ...] = ()
    error: str | None = None


class FindingCounts(_Strict):
    compliant: int = 0
    minor: int = 0
    major: int = 0
    not_applicable: int = 0


class Case(_Strict):
    name: str
    description: str
    findings: FindingCounts
    overrides: dict[str, FindingLevel] = {}
    extra: dict[str, FindingLevel] = {}
    scope: tuple[str, ...] | None = None
    management_commitment: bool = False
    kind: AssessmentKind = AssessmentKind.COMPLIANCE_AUDIT
    policy: dict[str, Any] = {}
    expect: Expect


def _load_cases() -> list[Case]:
    raw = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return [Case.model_validate(entry) for entry in raw]


CASES = _load_cases()


def build_assessment(case: Case, standard: Standard) -> Assessment:
    """Hand out the levels to the in-scope scorable items in standard order, then apply overrides and extras."""
    items = [it.number for it in standard.scorable_items() if case.scope is None or it.number in case.scope]
    plan = (
        [FindingLevel.COMPLIANT] * case.findings.compliant
        + [FindingLevel.MINOR] * case.findings.minor
        + [FindingLevel.MAJOR] * case.findings.major
        + [FindingLevel.NOT_APPLICABLE] * case.findings.not_applicable
    )
    assert len(plan) <= len(items), f"{case.name}: more findings than in-scope items"
    levels: dict[str, FindingLevel] = dict(zip(items, plan, strict=False))
    levels.update(case.overrides)
    levels.update(case.extra)
    findings = tuple(Finding(item=n, level=lv) for n, lv in levels.items())
    return Assessment(
        id=f"case-{case.name}",
        entity_id="ent-test",
        kind=case.kind,
        started_on=dt.date(2001, 3, 1),
        findings=findings,
        management_commitment=case.management_commitment,
        scope_items=case.scope,
    )


def test_case_names_are_unique() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_decision_case(case: Case, test_standard: Standard, test_rule_set: RuleSet) -> None:
    assessment = build_assessment(case, test_standard)
    base = default_policy()
    policy = type(base).model_validate({**base.model_dump(), **case.policy}) if case.policy else None
    expect = case.expect
    if expect.error is not None:
        with pytest.raises(CxcertError, match=expect.error.replace(".", r"\.")):
            decide(assessment, test_standard, test_rule_set, policy=policy)
        return
    decision = decide(assessment, test_standard, test_rule_set, policy=policy)
    assert decision.decision_class == expect.decision_class
    assert decision.certifies == expect.certifies
    assert decision.outcome is expect.outcome
    if expect.counts is not None:
        assert dict(counts_by_level(decision)) == expect.counts
    if expect.points is not None:
        assert decision.points_earned == pytest.approx(expect.points.earned)
        assert decision.points_possible == pytest.approx(expect.points.possible)
        assert decision.points_required == pytest.approx(expect.points.required)
        assert decision.points_passed is expect.points.passed
    # The explanation lists every class tried in rank order, the decider last, then each item's contribution.
    class_steps = [s for s in decision.explanation.steps if s.rule.startswith("class:")]
    assert class_steps[-1].rule == f"class:{expect.decision_class}"
    assert "decides" in class_steps[-1].conclusion
    assert all("does not hold" in s.conclusion for s in class_steps[:-1])
    tried = [s.rule.removeprefix("class:") for s in class_steps]
    ordered = [c.name for c in test_rule_set.ordered_classes()]
    assert tried == ordered[: len(tried)]
    item_steps = {s.rule.removeprefix("item:") for s in decision.explanation.steps if s.rule.startswith("item:")}
    assert item_steps == {c.item for c in decision.contributions}
    assert len(decision.contributions) == decision.scorable + decision.not_applicable
    rendered = decision.explanation.render()
    for text in expect.explanation_mentions:
        assert text in rendered, f"{text!r} not in:\n{rendered}"
