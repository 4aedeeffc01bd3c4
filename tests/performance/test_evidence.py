"""Category 4.0 evidence: summary-table rows rolled up to computed findings on the result items."""

from __future__ import annotations

import datetime as dt

from cxcert.certification.assessment import Assessment, AssessmentKind
from cxcert.certification.decision import decide
from cxcert.performance.engine import scorecard
from cxcert.performance.evidence import build_evidence, default_evidence_policy
from cxcert.performance.performance_rules import Purpose, default_rule_set
from cxcert.performance.summary_table import SummaryTable, summary_table
from cxcert.performance.targets import default_targets
from cxcert.standards import library
from cxcert.standards.rule_set import FindingLevel
from cxcert.standards.schema import Category, CategoryRole, Item, MetricLabel, RequiredMetric, Standard, StandardKey

from .tables import contact, tables, utc

STANDARD = Standard(
    key=StandardKey(family="Test", variant="CSP", release="1", document_version="1.0"),
    title="test standard",
    published=dt.date(2020, 1, 1),
    total_points=30,
    source_note="test",
    categories=(
        Category(
            number="4.0",
            title="Performance",
            role=CategoryRole.RESULT,
            items=(
                Item(number="4.1", title="Service", summary="s", points=10,
                     required_metrics=(RequiredMetric(metric="asa", label=MetricLabel.SERVICE),)),
                Item(number="4.2", title="Resolution", summary="r", points=10,
                     required_metrics=(RequiredMetric(metric="fcr", label=MetricLabel.QUALITY),)),
                Item(number="4.3", title="Abandons", summary="a", points=5,
                     required_metrics=(RequiredMetric(metric="abandon_rate", label=MetricLabel.SERVICE),)),
                Item(number="4.4", title="Achieving Results", summary="overall", points=5),
            ),
        ),
    ),
)  # fmt: skip


def _table(standard: Standard = STANDARD) -> SummaryTable:
    """Jan-Jun 2024, 10 answered voice contacts a month, all waiting 10 s, none abandoned.

    ASA = 10 s, target 30 s: met every month. Abandon rate = 0, target 5 %: met. No customer keys: FCR has no
    data. So 2 of 3 rows meet target (67 %); the initial/base thresholds are 50 % and 75 % → the table fails.
    """
    rows = [contact(f"c{m}-{i}", utc(2024, m, 10, 9, i), wait=10) for m in range(1, 7) for i in range(10)]
    metrics = sorted({m.metric for i in standard.items() for m in i.required_metrics})
    card = scorecard(tables(contacts=rows), metrics, tz="UTC", start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    return summary_table(standard, card, targets=default_targets(), rules=default_rule_set(), purpose=Purpose.INITIAL)


def test_items_take_the_worst_row_and_overall_item_takes_the_table() -> None:
    table = _table()
    evidence = build_evidence(STANDARD, table)
    levels = {i.item: i.finding.level for i in evidence.items}
    policy = default_evidence_policy()
    assert levels["4.1"] is FindingLevel.COMPLIANT
    assert levels["4.3"] is FindingLevel.COMPLIANT
    assert levels["4.2"] is policy.no_data_level  # a required metric not reported
    assert levels["4.4"] is policy.overall_table_failed_level  # 67 % < 75 %: the table does not pass
    assert all(f.source == "computed" for f in evidence.findings())
    assert sum(evidence.counts().values()) == 4
    assert evidence.counts()["compliant"] == 2
    assert "fcr" in next(i for i in evidence.items if i.item == "4.2").explanation.render()
    assert evidence.explanation.summary.startswith("2 of 4 performance items compliant")


def test_computed_findings_feed_the_decision_engine() -> None:
    """The packaged COPC-2000 standard: typed findings for 1.x-3.x, computed ones for the 4.x items."""
    standard = library.standard("copc-2000-csp")
    rule_set = library.rule_set("copc-2000-founding")
    evidence = build_evidence(standard, _table(standard))
    computed = {f.item: f for f in evidence.findings()}
    assert set(computed) == {i.number for c in standard.categories if c.number == "4.0" for i in c.items if i.scorable}
    from cxcert.certification.assessment import Finding

    typed = [Finding(item=i.number, level=FindingLevel.COMPLIANT) for i in standard.scorable_items()
             if i.number not in computed]  # fmt: skip
    audit = Assessment(id="a1", entity_id="e1", kind=AssessmentKind.COMPLIANCE_AUDIT, started_on=dt.date(2024, 7, 1),
                       findings=(*typed, *computed.values()), management_commitment=True)  # fmt: skip
    decision = decide(audit, standard, rule_set)
    # Only contacts exist: 4.1 Service - Voice (service level 100 % in 20 s, ASA 10 s, no abandons) meets every
    # target; every other 4.x item lacks a required metric (no surveys, QA, WFM or HR data) and 4.12 takes the
    # failed table. 21 typed + 1 computed compliant = 22: at least 11 with commitment -> Certification Candidate.
    assert {f.item for f in evidence.findings() if f.level is FindingLevel.COMPLIANT} == {"4.1"}
    assert decision.compliant == len(typed) + 1
    assert decision.decision_class == "Certification Candidate"


def test_the_policy_opens_actions_on_rules_that_exist_including_a_missed_target() -> None:
    """DOMAIN.md section 4: "When a threshold is not met, or three consecutive measuring points are below
    standard, immediate action is required": both rules open actions, and every listed rule is one the run rules
    raise (a misspelt id would silently open none)."""
    policy = default_evidence_policy()
    known = {"target_missed", "consecutive_below"} | {r.id for r in default_rule_set().zone_rules}
    assert {"target_missed", "consecutive_below"} <= set(policy.corrective_action_rules)
    assert set(policy.corrective_action_rules) <= known
