"""A typed finding against the computed evidence: what it contradicts, when it needs a reason, what stands."""

from __future__ import annotations

from cxcert.certification.assessment import Finding, computed_over, typed_over
from cxcert.standards.rule_set import FindingLevel

COMPLIANT, MINOR, MAJOR = FindingLevel.COMPLIANT, FindingLevel.MINOR, FindingLevel.MAJOR


def _computed(level: FindingLevel) -> Finding:
    return Finding(item="4.3", level=level, note="5 of 6 rows met", source="computed")


def test_a_typed_finding_carries_the_evidence_it_replaces() -> None:
    typed = typed_over(_computed(MINOR), Finding(item="4.3", level=COMPLIANT))
    assert typed.computed_level is MINOR and typed.departs_from_evidence and typed.needs_a_reason
    assert typed.contradiction() == (
        "typed compliant on item 4.3 contradicts the computed minor_deficiency recorded from the performance "
        "evidence (`cxcert evidence --record-into`)"
    )
    reasoned = typed_over(_computed(MINOR), Finding(item="4.3", level=COMPLIANT, reason="  data outage  "))
    assert reasoned.reason == "data outage" and not reasoned.needs_a_reason
    # typed again over a typed finding: the evidence it departs from is still the computed level
    again = typed_over(reasoned, Finding(item="4.3", level=MAJOR))
    assert again.computed_level is MINOR and again.needs_a_reason


def test_agreeing_or_without_evidence_needs_no_reason() -> None:
    agrees = typed_over(_computed(MAJOR), Finding(item="4.3", level=MAJOR))
    assert agrees.computed_level is MAJOR and not agrees.departs_from_evidence and agrees.contradiction() == ""
    alone = typed_over(None, Finding(item="2.1", level=MINOR))
    assert alone.computed_level is None and not alone.needs_a_reason
    assert typed_over(Finding(item="2.1", level=COMPLIANT), Finding(item="2.1", level=MINOR)).computed_level is None


def test_recomputed_evidence_replaces_all_but_a_reasoned_departure() -> None:
    reasoned = typed_over(_computed(MINOR), Finding(item="4.3", level=COMPLIANT, reason="outage"))
    kept = computed_over(reasoned, _computed(MAJOR))
    assert (kept.level, kept.source, kept.computed_level, kept.reason) == (COMPLIANT, "typed", MAJOR, "outage")
    agreeing = typed_over(_computed(MINOR), Finding(item="4.3", level=MINOR))
    assert computed_over(agreeing, _computed(MAJOR)) == _computed(MAJOR)
    assert computed_over(None, _computed(MAJOR)) == _computed(MAJOR)
    assert computed_over(Finding(item="4.3", level=COMPLIANT), _computed(MAJOR)) == _computed(MAJOR)
