"""A performance review: scorecard, summary table, alerts and Category 4.0 evidence over a window of months.

This is the one call the CLI, the demo and reports make: it computes every metric the standard requires in one
scorecard, judges each against its dated target, applies the run rules, and rolls the rows up to findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import ibis.expr.types as ir

from cxcert.certification.calendar import add_months
from cxcert.certification.corrective_action import CorrectiveAction
from cxcert.errors import CxcertError
from cxcert.performance.alerts import alerts_for, to_corrective_action
from cxcert.performance.catalogue import default_catalogue
from cxcert.performance.engine import Scorecard, scorecard
from cxcert.performance.evidence import EvidencePolicy, PerformanceEvidence, build_evidence, default_evidence_policy
from cxcert.performance.performance_rules import PerformanceRuleSet, Purpose
from cxcert.performance.run_rules import Alert
from cxcert.performance.summary_table import SummaryTable, summary_table
from cxcert.performance.targets import TargetBook
from cxcert.standards.schema import Standard


@dataclass(frozen=True)
class ReviewedAlert:
    """An alert with the standard's item it bears on (the first item whose required metrics list the metric)."""

    item: str
    alert: Alert


@dataclass(frozen=True)
class PerformanceReview:
    entity_id: str
    tz: str
    start: dt.date
    end: dt.date
    scorecard: Scorecard
    table: SummaryTable
    alerts: tuple[ReviewedAlert, ...]
    evidence: PerformanceEvidence

    def corrective_actions(
        self, *, owner: str, raised_on: dt.date, policy: EvidencePolicy | None = None
    ) -> tuple[CorrectiveAction, ...]:
        """One corrective action per metric and program, for its latest alert whose rule requires action."""
        pol = policy or default_evidence_policy()
        latest: dict[tuple[str, str], ReviewedAlert] = {}
        for a in self.alerts:  # alerts are in period order, so the last one kept is the latest
            if a.alert.rule in pol.corrective_action_rules:
                latest[(a.alert.metric, a.alert.program)] = a
        return tuple(
            to_corrective_action(
                a.alert,
                entity_id=self.entity_id,
                owner=owner,
                raised_on=raised_on,
                due_in_days=pol.corrective_action_due_days,
                item=a.item,
            )
            for a in latest.values()
        )


def months_window(end: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The ``months`` whole calendar months ending with the month of ``end`` (first day, last day)."""
    if months < 1:
        raise CxcertError(f"--months must be at least 1, not {months}")
    last_day = add_months(end.replace(day=1), 1) - dt.timedelta(days=1)
    return add_months(end.replace(day=1), -(months - 1)), last_day


def review_performance(
    tables: Mapping[str, ir.Table],
    standard: Standard,
    *,
    entity_id: str,
    tz: str,
    start: dt.date,
    end: dt.date,
    targets: TargetBook,
    rules: PerformanceRuleSet,
    purpose: Purpose = Purpose.INITIAL,
    level: str = "base",
    kcrp_of: Mapping[str, str] | None = None,
    policy: EvidencePolicy | None = None,
) -> PerformanceReview:
    """Compute, judge, alert and roll up the standard's required metrics for ``entity_id`` over [start, end]."""
    catalogue = default_catalogue()
    required = sorted({m.metric for item in standard.items() for m in item.required_metrics})
    card = scorecard(tables, required, tz=tz, start=start, end=end, entity_id=entity_id, catalogue=catalogue)
    table = summary_table(
        standard, card, targets=targets, rules=rules, purpose=purpose, level=level, entity_id=entity_id,
        kcrp_of=kcrp_of, catalogue=catalogue,
    )  # fmt: skip
    alerts: list[ReviewedAlert] = []
    seen: set[tuple[str, str]] = set()
    for row in table.rows:
        if row.program is None or (row.metric_used, row.program) in seen:
            continue  # a metric serving two items (e.g. CSAT) alerts once, on the first item
        seen.add((row.metric_used, row.program))
        found = alerts_for(
            catalogue.get(row.metric_used), row.actuals, program=row.program, targets=targets, rules=rules,
            entity_id=entity_id,
        )  # fmt: skip
        alerts.extend(ReviewedAlert(row.item, a) for a in found)
    evidence = build_evidence(standard, table, policy)
    return PerformanceReview(entity_id, tz, start, end, card, table, tuple(alerts), evidence)
