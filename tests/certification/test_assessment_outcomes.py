"""What deciding each kind of assessment produces: a certification decision, a review result or advice.

Oracle: DOMAIN.md section 3. The compliance audit (step 8), the second audit (step 9) and the re-certification
audit give the certification decision; the six-month review "is scored and reviewed; falling out of compliance
has no consequence then, but the non-compliant items must be rectified"; the baseline gives "compliance against
the standard and advice".
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from pydantic import ValidationError

from cxcert.certification.assessment import AssessmentKind
from cxcert.certification.calendar import plan_calendar
from cxcert.certification.decision import check_decidable, decide
from cxcert.errors import CxcertError
from cxcert.standards import library
from cxcert.standards.rule_set import AssessmentOutcome, RuleSet

from .builders import MAJOR, assessment
from .conftest import FIXTURES, load_test_rule_set, load_test_standard

STANDARD = load_test_standard()
RULES = load_test_rule_set()

EXPECTED = {
    AssessmentKind.BASELINE: AssessmentOutcome.ADVICE,
    AssessmentKind.APPLICATION_REVIEW: AssessmentOutcome.ADVICE,
    AssessmentKind.COMPLIANCE_AUDIT: AssessmentOutcome.DECISION,
    AssessmentKind.SECOND_AUDIT: AssessmentOutcome.DECISION,
    AssessmentKind.SIX_MONTH_REVIEW: AssessmentOutcome.REVIEW,
    AssessmentKind.RECERTIFICATION_AUDIT: AssessmentOutcome.DECISION,
}


@pytest.mark.parametrize("rule_set_id", ["copc-2000-founding", "copc-7.0"])
def test_packaged_rule_sets_say_what_each_kind_gives(rule_set_id: str) -> None:
    rules = library.rule_set(rule_set_id)
    assert dict(rules.assessment_outcomes) == EXPECTED
    assert rules.kinds_giving(AssessmentOutcome.DECISION) == (
        AssessmentKind.COMPLIANCE_AUDIT,
        AssessmentKind.SECOND_AUDIT,
        AssessmentKind.RECERTIFICATION_AUDIT,
    )
    # "a re-certification application focused on the latest Category 4.0 performance data" (the six-month review)
    assert rules.recertification_kinds == (AssessmentKind.SIX_MONTH_REVIEW, AssessmentKind.RECERTIFICATION_AUDIT)


def test_the_evidence_purpose_follows_the_rule_sets_recertification_kinds() -> None:
    from cxcert.cli.evidence import choose_purpose
    from cxcert.performance.performance_rules import Purpose

    review = assessment(STANDARD, kind=AssessmentKind.SIX_MONTH_REVIEW)
    assert choose_purpose(None, review, RULES) is Purpose.RECERTIFICATION
    audit_only = RULES.model_copy(update={"recertification_kinds": (AssessmentKind.RECERTIFICATION_AUDIT,)})
    assert choose_purpose(None, review, audit_only) is Purpose.INITIAL


def test_a_rule_set_must_name_every_kind() -> None:
    raw = yaml.safe_load((FIXTURES / "test_rule_set.yaml").read_text(encoding="utf-8"))
    del raw["assessment_outcomes"]["six_month_review"]
    with pytest.raises(ValidationError, match="missing: six_month_review"):
        RuleSet.model_validate(raw)
    raw["assessment_outcomes"] = {k.value: "review" for k in AssessmentKind}
    with pytest.raises(ValidationError, match="at least one assessment kind must give a certification decision"):
        RuleSet.model_validate(raw)


def test_a_six_month_review_gives_a_review_result_that_does_not_stand() -> None:
    review = decide(assessment(STANDARD, {"4.1": MAJOR}, kind=AssessmentKind.SIX_MONTH_REVIEW), STANDARD, RULES)
    assert review.outcome is AssessmentOutcome.REVIEW and not review.stands
    first = review.explanation.steps[0]
    assert first.rule == "assessment_outcome" and first.inputs["outcome"] == "review"
    assert "the standing certification decision stays" in first.conclusion
    audit = decide(assessment(STANDARD), STANDARD, RULES)
    assert audit.outcome is AssessmentOutcome.DECISION and audit.stands


def test_a_baseline_is_advice_and_cannot_be_recorded_as_a_decision() -> None:
    baseline = assessment(STANDARD, kind=AssessmentKind.BASELINE)
    with pytest.raises(CxcertError, match="a-1 is a baseline: under rule set test-founding it is advice"):
        check_decidable(baseline, RULES)
    check_decidable(assessment(STANDARD, kind=AssessmentKind.SIX_MONTH_REVIEW), RULES)  # a review result: allowed
    assert decide(baseline, STANDARD, RULES).outcome is AssessmentOutcome.ADVICE  # still scored, as advice


def test_a_review_result_sets_no_calendar() -> None:
    review = decide(assessment(STANDARD, kind=AssessmentKind.SIX_MONTH_REVIEW), STANDARD, RULES)
    with pytest.raises(CxcertError, match="review result, not a certification decision"):
        plan_calendar(dt.date(2001, 7, 1), review, RULES, today=dt.date(2001, 7, 1))
