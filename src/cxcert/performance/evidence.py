"""Category 4.0 evidence: the performance summary table turned into computed findings on result items.

The auditor's question for a performance item is "does the entity report every required metric against a target,
and does it meet those targets or show sustained improvement?". The summary table answers it per metric and
program; this module rolls the rows up to one finding per item of the standard's result category, by the rules in
``performance/data/evidence_policy.yaml``, so that the decision engine uses computed, not typed, results. Every
finding carries the rows that decided it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from cxcert.certification.assessment import Finding
from cxcert.explain import Explanation
from cxcert.performance.summary_table import RowVerdict, SummaryRow, SummaryTable
from cxcert.standards.rule_set import FindingLevel
from cxcert.standards.schema import CategoryRole, Standard
from cxcert.yaml_source import load_packaged

_SEVERITY = {
    FindingLevel.COMPLIANT: 0,
    FindingLevel.NOT_APPLICABLE: 0,
    FindingLevel.MINOR: 1,
    FindingLevel.MAJOR: 2,
}


class EvidencePolicy(BaseModel):
    """How rows of the summary table become an item's finding (configurable data, see the YAML file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_note: str
    missed_level: FindingLevel
    no_data_level: FindingLevel
    no_target_level: FindingLevel
    max_missed_rows_for_compliance: int = Field(ge=0)
    overall_table_failed_level: FindingLevel
    corrective_action_rules: tuple[str, ...] = Field(description="alert rules that open a corrective action")
    corrective_action_due_days: int = Field(ge=0)


@cache
def default_evidence_policy() -> EvidencePolicy:
    return load_packaged("cxcert.performance", "evidence_policy.yaml", EvidencePolicy)


@dataclass(frozen=True)
class ItemEvidence:
    """One result item: the rows that serve it and the finding they add up to."""

    item: str
    title: str
    rows: tuple[SummaryRow, ...]
    finding: Finding
    explanation: Explanation


@dataclass(frozen=True)
class PerformanceEvidence:
    """The Category 4.0 evidence of one entity over a window of months."""

    table: SummaryTable
    items: tuple[ItemEvidence, ...]
    explanation: Explanation

    def findings(self) -> tuple[Finding, ...]:
        return tuple(i.finding for i in self.items)

    def counts(self) -> Mapping[str, int]:
        tally: dict[str, int] = {}
        for i in self.items:
            tally[i.finding.level.value] = tally.get(i.finding.level.value, 0) + 1
        return tally


def _row_level(row: SummaryRow, policy: EvidencePolicy) -> FindingLevel:
    if row.verdict in (RowVerdict.MET, RowVerdict.SUSTAINED_IMPROVEMENT):
        return FindingLevel.COMPLIANT
    if row.verdict is RowVerdict.NO_DATA:
        return policy.no_data_level
    if row.verdict is RowVerdict.NO_TARGET:
        return policy.no_target_level
    return policy.missed_level


def _judge_rows(item: str, title: str, rows: tuple[SummaryRow, ...], policy: EvidencePolicy) -> ItemEvidence:
    exp = Explanation(f"{item} {title}")
    if not rows:  # the table was built without this item's metrics: nothing reported is nothing shown
        summary = f"{item} {title}: {policy.no_data_level.value} (no summary-table rows for its required metrics)"
        exp = exp.with_step("evidence.no_rows", "no row of the summary table serves this item")
        return ItemEvidence(
            item,
            title,
            rows,
            Finding(item=item, level=policy.no_data_level, note=summary, source="computed"),
            Explanation(summary, exp.steps),
        )
    worst = FindingLevel.COMPLIANT
    missed = 0
    for row in rows:
        level = _row_level(row, policy)
        where = f"{row.metric_used}" + (f" / {row.program}" if row.program else "")
        exp = exp.with_step("evidence.row", f"{where}: {row.verdict.value} -> {level.value}", verdict=row.verdict.value)
        if level is FindingLevel.MINOR:
            missed += 1
        if _SEVERITY[level] > _SEVERITY[worst]:
            worst = level
    if worst is FindingLevel.MINOR and missed <= policy.max_missed_rows_for_compliance:
        exp = exp.with_step(
            "evidence.tolerance",
            f"{missed} missed row(s) within the tolerated {policy.max_missed_rows_for_compliance}",
            missed=missed,
        )
        worst = FindingLevel.COMPLIANT
    met = sum(1 for r in rows if _row_level(r, policy) is FindingLevel.COMPLIANT)
    note = f"{met} of {len(rows)} required metric rows met or improving"
    summary = f"{item} {title}: {worst.value} ({note})"
    finding = Finding(item=item, level=worst, note=note, source="computed")
    return ItemEvidence(item, title, rows, finding, Explanation(summary, exp.steps))


def _judge_overall(item: str, title: str, table: SummaryTable, policy: EvidencePolicy) -> ItemEvidence:
    level = FindingLevel.COMPLIANT if table.passed else policy.overall_table_failed_level
    note = f"whole summary table: {table.explanation.summary}"
    summary = f"{item} {title}: {level.value} ({note})"
    exp = Explanation(summary, table.explanation.steps).with_step(
        "evidence.overall", "a result item without required metrics takes the whole table's verdict"
    )
    return ItemEvidence(item, title, (), Finding(item=item, level=level, note=note, source="computed"), exp)


def build_evidence(
    standard: Standard, table: SummaryTable, policy: EvidencePolicy | None = None
) -> PerformanceEvidence:
    """One computed finding per scorable item of the standard's result category, from ``table``."""
    pol = policy or default_evidence_policy()
    items: list[ItemEvidence] = []
    for category in standard.categories:
        if category.role is not CategoryRole.RESULT:
            continue
        for item in category.items:
            if not item.scorable:
                continue
            if item.required_metrics:
                rows = tuple(r for r in table.rows if r.item == item.number)
                items.append(_judge_rows(item.number, item.title, rows, pol))
            else:
                items.append(_judge_overall(item.number, item.title, table, pol))
    compliant = sum(1 for i in items if i.finding.level is FindingLevel.COMPLIANT)
    exp = Explanation(
        f"{compliant} of {len(items)} performance items compliant on computed evidence; {table.explanation.summary}"
    )
    for i in items:
        exp = exp.with_step("evidence.item", i.explanation.summary, item=i.item, level=i.finding.level.value)
    return PerformanceEvidence(table, tuple(items), exp)
