"""Invariants of the decision engine, over random findings (hypothesis), plus the packaged founding rule set."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.certification.assessment import Assessment, AssessmentKind, Finding
from cxcert.certification.decision import decide
from cxcert.errors import CxcertError
from cxcert.standards import library
from cxcert.standards.rule_set import FindingLevel

from .builders import MAJOR, MINOR, NA, C, assessment
from .conftest import load_test_rule_set, load_test_standard

STANDARD = load_test_standard()
RULES = load_test_rule_set()
NUMBERS = [it.number for it in STANDARD.scorable_items()]
POINTS = {it.number: it.points for it in STANDARD.scorable_items()}

# None = no finding (missing)
levels_strategy = st.lists(st.sampled_from([C, MINOR, MAJOR, NA, None]), min_size=len(NUMBERS), max_size=len(NUMBERS))


def _assess(levels: list[FindingLevel | None], commitment: bool) -> Assessment:
    findings = tuple(Finding(item=n, level=lv) for n, lv in zip(NUMBERS, levels, strict=True) if lv is not None)
    return Assessment(
        id="h",
        entity_id="e",
        kind=AssessmentKind.COMPLIANCE_AUDIT,
        started_on=dt.date(2001, 1, 1),
        findings=findings,
        management_commitment=commitment,
    )


def _applicable(levels: list[FindingLevel | None]) -> bool:
    """Something to decide: an applicable item, and at least one finding (the policy refuses none at all)."""
    return any(lv is not NA for lv in levels) and any(lv is not None for lv in levels)


@settings(max_examples=150, deadline=None)
@given(levels=levels_strategy, commitment=st.booleans())
def test_counts_add_up_and_points_are_bounded(levels: list[FindingLevel | None], commitment: bool) -> None:
    if not _applicable(levels):
        return
    d = decide(_assess(levels, commitment), STANDARD, RULES)
    assert d.compliant + d.minor + d.major + d.missing == d.scorable
    assert d.scorable + d.not_applicable == len(NUMBERS)
    assert d.missing == levels.count(None)
    assert d.points_possible == sum(POINTS[n] for n, lv in zip(NUMBERS, levels, strict=True) if lv is not NA)
    assert 0 <= d.points_earned <= d.points_possible
    # passed exactly when earned / possible >= 1800 / 2000 (the scaled pass mark)
    assert d.points_passed is (d.points_earned * 2000 >= 1800 * d.points_possible)
    assert len(d.contributions) == len(NUMBERS)
    assert d.certifies is (d.decision_class in {"Certified", "Conditionally Certified"})


@settings(max_examples=150, deadline=None)
@given(levels=levels_strategy, commitment=st.booleans(), pick=st.integers(min_value=0, max_value=len(NUMBERS) - 1))
def test_making_an_item_compliant_never_worsens(levels: list[FindingLevel | None], commitment: bool, pick: int) -> None:
    if levels[pick] in (C, NA) or not _applicable(levels):
        return
    before = decide(_assess(levels, commitment), STANDARD, RULES)
    improved = list(levels)
    improved[pick] = C
    after = decide(_assess(improved, commitment), STANDARD, RULES)
    assert after.rank <= before.rank
    assert after.points_earned >= before.points_earned


@settings(max_examples=100, deadline=None)
@given(levels=levels_strategy, commitment=st.booleans(), pick=st.integers(min_value=0, max_value=len(NUMBERS) - 1))
def test_major_or_missing_to_minor_never_worsens_under_founding_rules(
    levels: list[FindingLevel | None], commitment: bool, pick: int
) -> None:
    """Founding classes limit majors, never minors below 'all compliant', so a lighter finding never hurts."""
    if levels[pick] not in (MAJOR, None) or not _applicable(levels):
        return
    before = decide(_assess(levels, commitment), STANDARD, RULES)
    lighter = list(levels)
    lighter[pick] = MINOR
    after = decide(_assess(lighter, commitment), STANDARD, RULES)
    assert after.rank <= before.rank


@settings(max_examples=100, deadline=None)
@given(levels=levels_strategy)
def test_management_commitment_never_worsens(levels: list[FindingLevel | None]) -> None:
    if not _applicable(levels):
        return
    without = decide(_assess(levels, False), STANDARD, RULES)
    with_it = decide(_assess(levels, True), STANDARD, RULES)
    assert with_it.rank <= without.rank


def test_packaged_founding_rule_set_all_compliant_is_certified_with_2000_points() -> None:
    """Oracle: DOMAIN.md section 3 step 8 (Certified = all scorable items) and the 2000-point practitioner view."""
    rules = library.rule_set("copc-2000-founding")
    standard = library.standard(rules.standard.urn)
    d = decide(assessment(standard), standard, rules)
    assert (d.decision_class, d.certifies, d.rank) == ("Certified", True, 0)
    assert d.points_earned == 2000 and d.points_possible == 2000 and d.points_passed is True
    assert d.scorable == len(standard.scorable_items())


def test_packaged_founding_rule_set_27_and_11() -> None:
    """27 compliant + minors is Conditionally Certified; 11 + commitment Candidate; 10 No Classification."""
    rules = library.rule_set("copc-2000-founding")
    standard = library.standard(rules.standard.urn)
    numbers = [it.number for it in standard.scorable_items()]

    def run(compliant: int, commitment: bool) -> str:
        levels = {n: (C if i < compliant else MINOR) for i, n in enumerate(numbers)}
        return decide(assessment(standard, levels, commitment=commitment), standard, rules).decision_class

    assert run(27, False) == "Conditionally Certified"
    assert run(26, False) == "No Classification"
    assert run(26, True) == "Certification Candidate"
    assert run(11, True) == "Certification Candidate"
    assert run(11, False) == "No Classification"
    assert run(10, True) == "No Classification"


def test_rule_set_for_another_standard_is_refused() -> None:
    rules = library.rule_set("copc-2000-founding")
    with pytest.raises(CxcertError, match="rule set copc-2000-founding is for"):
        decide(assessment(STANDARD), STANDARD, rules)


def test_duplicate_findings_are_refused() -> None:
    a = assessment(STANDARD)
    doubled = a.model_copy(update={"findings": (*a.findings, Finding(item="1.1", level=MAJOR))})
    with pytest.raises(CxcertError, match=r"two findings for item 1\.1"):
        decide(doubled, STANDARD, RULES)


def test_decision_to_dict_round_trips_counts() -> None:
    d = decide(assessment(STANDARD, {"2.2": MINOR}), STANDARD, RULES)
    data = d.to_dict()
    assert data["decision_class"] == "Conditionally Certified"
    assert data["counts"] == {
        "scorable": 33,
        "compliant": 32,
        "minor": 1,
        "major": 0,
        "not_applicable": 0,
        "missing": 0,
    }
    assert data["points"] == {
        "earned": 1970.0,
        "possible": 2000.0,
        "pass_mark": 1800,
        "required": 1800.0,
        "passed": True,
    }


def test_the_decision_classes_govern_and_the_points_view_informs() -> None:
    """Oracle: the founding rule set: one minor item is Conditionally Certified (certifies) and keeps the points
    above its 1800 pass mark, so the two readings agree."""
    d = decide(assessment(STANDARD, {"2.2": MINOR}), STANDARD, RULES)
    step = d.governance
    assert step.rule == "governs" and step.inputs == {
        "governs": "decision_classes",
        "decision_class": "Conditionally Certified",
        "points_view": "informative",
    }
    assert "differ" not in step.conclusion  # certified and passed: the readings agree
    assert d.to_dict()["governed_by"] == {
        "rule": "decision_classes",
        "decision_class": "Conditionally Certified",
        "points_view": "informative",
        "explanation": step.conclusion,
    }
