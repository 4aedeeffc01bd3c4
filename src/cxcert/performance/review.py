"""A performance review: scorecard, summary table, alerts and Category 4.0 evidence over a window of months.

This is the one call the CLI, the demo and reports make: it computes every metric the standard requires in one
scorecard, judges each against its dated target, applies the run rules, and rolls the rows up to findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis.expr.types as ir

from cxcert.certification.calendar import add_months
from cxcert.certification.corrective_action import CorrectiveAction
from cxcert.errors import CxcertError, NotFound
from cxcert.performance.alerts import ActionChange, PlannedAction, ReviewedAlert, plan_action, reviewed_alerts
from cxcert.performance.catalogue import Catalogue, default_catalogue
from cxcert.performance.engine import Progress, Scorecard, scorecard
from cxcert.performance.evidence import EvidencePolicy, PerformanceEvidence, build_evidence, default_evidence_policy
from cxcert.performance.performance_rules import PerformanceRuleSet, Purpose
from cxcert.performance.series import slices
from cxcert.performance.site_zones import SiteZones
from cxcert.performance.summary_table import KcrpLinks, KcrpRef, SummaryTable, link_kcrps, summary_table
from cxcert.performance.targets import TargetBook
from cxcert.standards.schema import Standard


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
    kcrp_links: KcrpLinks | None = None  # None when the caller named no KCRPs

    def alert(self, alert_id: str) -> ReviewedAlert:
        """The alert with this id (see :attr:`ReviewedAlert.id`)."""
        for a in self.alerts:
            if a.id == alert_id.strip():
                return a
        raise NotFound(
            f"no alert {alert_id!r} for {self.entity_id} in {self.start} to {self.end}; "
            "see `cxcert alerts list` (with the same --months and --end)"
        )

    def episode(self, alert: ReviewedAlert) -> tuple[ReviewedAlert, ...]:
        """Every alert that leads to the same corrective action as ``alert`` (its run below target)."""
        return tuple(a for a in self.alerts if a.action_id == alert.action_id)

    def plan_actions(
        self,
        *,
        owner: str,
        raised_on: dt.date,
        policy: EvidencePolicy | None = None,
        existing: Sequence[CorrectiveAction] = (),
    ) -> tuple[PlannedAction, ...]:
        """One corrective action per metric and program, for its latest run (or alert) with an alert whose rule
        the policy says requires immediate action; an action already stored for that run is updated, not
        duplicated."""
        pol = policy or default_evidence_policy()
        latest: dict[tuple[str, str], str] = {}
        for a in self.alerts:  # alerts are in period order, so the last one kept is the latest
            if a.alert.rule in pol.corrective_action_rules:
                latest[(a.alert.metric, a.alert.program)] = a.action_id
        due_on = raised_on + dt.timedelta(days=pol.corrective_action_due_days)
        plans = []
        for action_id in latest.values():
            episode = [a for a in self.alerts if a.action_id == action_id]
            plans.append(plan_action(episode, owner=owner, raised_on=raised_on, due_on=due_on, existing=existing))
        return tuple(plans)

    def corrective_actions(
        self, *, owner: str, raised_on: dt.date, policy: EvidencePolicy | None = None
    ) -> tuple[CorrectiveAction, ...]:
        """The open actions :meth:`plan_actions` leads to, for a store that holds none yet."""
        plans = self.plan_actions(owner=owner, raised_on=raised_on, policy=policy)
        return tuple(p.action for p in plans if p.change is not ActionChange.CLOSED)


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
    kcrps: Sequence[KcrpRef] | None = None,
    catalogue: Catalogue | None = None,
    zones: SiteZones | None = None,
    progress: Progress | None = None,
) -> PerformanceReview:
    """Compute, judge, alert and roll up the standard's required metrics for ``entity_id`` over [start, end].

    With ``kcrps`` (the entity's KCRPs) each program's rows name the KCRP it belongs to (see
    :func:`~cxcert.performance.summary_table.link_kcrps`); ``kcrp_of`` gives that mapping directly instead.
    ``catalogue`` (default: the packaged one) is the user's, with their parameters; with ``zones`` each row is
    bucketed on its own site's clock (see :mod:`~cxcert.performance.site_zones`). ``progress(done, total)`` is
    called after each backend query and once more when the review is judged.
    """
    catalogue = catalogue or default_catalogue()
    required = sorted({m.metric for item in standard.items() for m in item.required_metrics})
    queries = 0

    def query_done(done: int, total: int) -> None:
        nonlocal queries
        queries = total
        if progress is not None:
            progress(done, total + 1)  # the last step: judging, alerts and evidence

    card = scorecard(
        tables, required, tz=tz, start=start, end=end, entity_id=entity_id, catalogue=catalogue, zones=zones,
        progress=query_done,
    )  # fmt: skip
    links = None
    if kcrps is not None:
        programs = {s["program"] for result in card.results.values() for s in slices(result)}
        links = link_kcrps(programs, kcrps)
        kcrp_of = {**links.kcrp_of, **(kcrp_of or {})}
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
        alerts += reviewed_alerts(
            catalogue.get(row.metric_used), row.actuals, program=row.program, targets=targets, rules=rules,
            entity_id=entity_id, item=row.item,
        )  # fmt: skip
    evidence = build_evidence(standard, table, policy)
    if progress is not None:
        progress(queries + 1, queries + 1)
    return PerformanceReview(entity_id, tz, start, end, card, table, tuple(alerts), evidence, links)
