"""`cxcert evidence`: the Category 4.0 performance evidence of an entity, computed from the warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.dates import parse_date
from cxcert.cli.evidence_view import print_review as print_review  # the demo shows a review the same way
from cxcert.cli.evidence_view import review_to_dict as review_to_dict
from cxcert.cli.kpi_catalogue import PARAM_OPTION_HELP
from cxcert.cli.output import console, print_json
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the performance engine loads ibis: import it only when a command runs
    from cxcert.certification.assessment import Assessment
    from cxcert.certification.entity import Entity
    from cxcert.cli.target_files import TargetsInUse
    from cxcert.performance.alerts import PlannedAction
    from cxcert.performance.performance_rules import Purpose
    from cxcert.performance.review import PerformanceReview
    from cxcert.standards.rule_set import RuleSet
    from cxcert.standards.schema import Standard
    from cxcert.store.repository import Repositories


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence_command)


@dataclass(frozen=True)
class ComputedReview:
    entity: Entity
    standard: Standard
    review: PerformanceReview
    targets: TargetsInUse


def compute_review(
    repos: Repositories,
    entity_id: str,
    *,
    start: dt.date,
    end: dt.date,
    purpose: Purpose,
    level: str = "base",
    targets_file: Path | None = None,
    params: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> ComputedReview:
    """The entity's performance review over [start, end], on its stored targets (or the examples, said so), with
    its programs linked to the KCRPs that name them, each row on its site's clock when the entity's locations
    name their programs or queues, and the user's KPI catalogue (``CXCERT_HOME/kpis.yaml``, then ``params``)."""
    from cxcert.canonical import TABLES
    from cxcert.cli.kpi_catalogue import effective_catalogue
    from cxcert.cli.site import site_zones
    from cxcert.cli.target_files import targets_in_use
    from cxcert.performance.performance_rules import default_rule_set
    from cxcert.performance.review import review_performance
    from cxcert.performance.summary_table import KcrpRef
    from cxcert.standards import library
    from cxcert.warehouse import Warehouse

    catalogue = effective_catalogue(params)  # a mistake in kpis.yaml or --param is named before any work
    entity = repos.organisations.get_entity(entity_id)
    standard = library.standard(entity.standard_urn)
    targets = targets_in_use(entity, targets_file)
    warehouse = Warehouse.default()
    # A program no KCRP lists is still linked to a KCRP whose id or name is the program's, else shown by its own
    # name (and the review says so).
    kcrps = [KcrpRef(p.id, p.name, p.programs) for p in entity.kcrps()]
    review = review_performance(
        {name: warehouse.table(name) for name in TABLES}, standard, entity_id=entity_id,
        tz=entity.locations[0].time_zone, start=start, end=end, targets=targets.book, rules=default_rule_set(),
        purpose=purpose, level=level, kcrps=kcrps, catalogue=catalogue, zones=site_zones(entity), progress=progress,
    )  # fmt: skip
    return ComputedReview(entity, standard, review, targets)


def choose_purpose(purpose: str | None, assessment: Assessment | None, rule_set: RuleSet) -> Purpose:
    """--purpose, else what the assessment recorded into calls for: re-certification for the kinds the rule set
    says look at a certified entity again (``recertification_kinds``: a six-month review...)."""
    from cxcert.performance.performance_rules import Purpose

    implied = None
    if assessment is not None:
        recert = assessment.kind in rule_set.recertification_kinds
        implied = Purpose.RECERTIFICATION if recert else Purpose.INITIAL
    if purpose is None:
        return implied or Purpose.INITIAL
    try:
        chosen = Purpose(purpose)
    except ValueError:
        raise CxcertError(f"--purpose must be one of {', '.join(p.value for p in Purpose)}, not {purpose!r}") from None
    if implied is not None and assessment is not None and chosen is not implied:
        raise CxcertError(
            f"--purpose {chosen.value} does not fit the {assessment.kind.value} {assessment.id}, which is judged "
            f"against {implied.value} thresholds; leave --purpose out"
        )
    return chosen


def save_planned(repos: Repositories, plans: Sequence[PlannedAction], who: str) -> None:
    """Store the actions opened or brought up to date, each with an audit-trail entry."""
    from cxcert.performance.alerts import ActionChange

    for plan in plans:
        if plan.change not in (ActionChange.OPENED, ActionChange.UPDATED):
            continue
        repos.corrective_actions.save_action(plan.action)
        repos.audit_trail.append(
            who, f"corrective_action.{plan.change.value}", f"corrective_action:{plan.action.id}",
            {"alerts": list(plan.alert_ids), "item": plan.action.item, "owner": plan.action.owner,
             "due_on": plan.action.due_on.isoformat(), "description": plan.action.description},
        )  # fmt: skip


def plan_json(plan: PlannedAction) -> dict[str, object]:
    return {"id": plan.action.id, "change": plan.change.value, "alerts": list(plan.alert_ids),
            "owner": plan.action.owner, "due_on": plan.action.due_on.isoformat(),
            "explanation": plan.explanation.to_dict()}  # fmt: skip


def _default_end(assessment: Assessment | None) -> dt.date | None:
    """For an assessment, the last day of the month before it started: the months its assessors look back on."""
    if assessment is None:
        return None
    return assessment.started_on.replace(day=1) - dt.timedelta(days=1)


def evidence_command(
    entity_id: str = typer.Option(..., "--entity", help="The entity whose evidence to build."),
    months: int = typer.Option(12, "--months", help="How many whole months, ending with the month of --end."),
    end: str | None = typer.Option(
        None,
        "--end",
        help="A day in the last month to include (default: today; with --record-into, the month before the "
        "assessment started).",
    ),
    purpose: str | None = typer.Option(
        None, "--purpose", help="initial or recertification share thresholds (default: from --record-into's kind)."
    ),
    level: str = typer.Option("base", "--level", help="base or gold (share thresholds)."),
    targets_file: Path | None = typer.Option(
        None, "--targets", help="Judge against this targets.yaml instead of the entity's stored targets."
    ),
    record_into: str | None = typer.Option(
        None, "--record-into", help="Record the computed 4.x findings into this assessment (audit, six-month review)."
    ),
    open_actions: bool = typer.Option(
        False, "--open-actions", help="Open (or update) a corrective action for alerts that require immediate action."
    ),
    owner: str = typer.Option("operations manager", "--owner", help="Owner of corrective actions opened."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Also write the evidence workbook (Excel) here."),
    param: list[str] = typer.Option([], "--param", help=PARAM_OPTION_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print the whole review as JSON."),
) -> None:
    """Build the Category 4.0 performance evidence of an entity from its warehouse data.

    Computes every metric the entity's standard requires, month by month in the site's time zone, judges each
    month against the target then in force (the entity's stored targets, see `cxcert targets`), rates each
    metric (met in k of the last n months, or sustained improvement by a Mann-Kendall trend), applies the run
    rules (a missed target, three consecutive points below standard, control-chart rules), and rolls the rows
    up to one computed finding per performance item. With --record-into the findings go into an assessment, so
    `cxcert decide` uses computed, not typed, results (but a typed finding recorded against the evidence with a
    reason, `cxcert findings record --reason`, stands); a six-month review is judged against the rule set's
    re-certification thresholds. Alerts have ids: `cxcert alerts act ID` opens an action for one of them.

    Metrics are computed with the KPI catalogue `cxcert kpi` uses (CXCERT_HOME/kpis.yaml, then --param). Each
    program is shown under the KCRP that lists it, and each contact counted on the clock of the location that
    handles its queue or program (both declared in the entity, see `cxcert entity create --help`).

    Example:  cxcert evidence --entity acme-care --months 12 --end 2025-12-31 --xlsx evidence.xlsx
    Example:  cxcert evidence --entity acme-care --record-into acme-care/six_month_review-2026-03-02
    """
    from cxcert.certification.assessment import computed_over
    from cxcert.cli.progress import steps_bar
    from cxcert.cli.workspace import actor, workspace

    with steps_bar(f"evidence of {entity_id}", json_out=json_out) as advance, workspace() as repos:
        from cxcert.performance.review import months_window  # loads the engine: under the bar, which pulses
        from cxcert.standards import library

        assessment = None
        if record_into is not None:
            assessment = repos.assessments.get_assessment(record_into)
            if assessment.entity_id != entity_id:
                raise CxcertError(f"assessment {record_into!r} is of entity {assessment.entity_id}, not {entity_id}")
        rule_set = library.rule_set(repos.organisations.get_entity(entity_id).rule_set_id)
        chosen_purpose = choose_purpose(purpose, assessment, rule_set)
        start, stop = months_window(parse_date(end, "--end", default=_default_end(assessment)), months)
        computed = compute_review(
            repos, entity_id, start=start, end=stop, purpose=chosen_purpose, level=level, targets_file=targets_file,
            params=param, progress=advance,
        )  # fmt: skip
        review = computed.review
        if assessment is not None:
            for found in review.evidence.findings():  # a typed finding kept against the evidence stands
                stored = computed_over(assessment.finding(found.item), found)
                repos.assessments.record_finding(assessment.id, stored)
            repos.audit_trail.append(
                actor(), "evidence.recorded", f"assessment:{assessment.id}",
                {"window": [start.isoformat(), stop.isoformat()], "findings": dict(review.evidence.counts()),
                 "purpose": review.table.purpose.value, "targets": computed.targets.where},
            )  # fmt: skip
        plans: tuple[PlannedAction, ...] = ()
        if open_actions:
            existing = repos.corrective_actions.actions(entity_id)
            plans = review.plan_actions(owner=owner, raised_on=dt.date.today(), existing=existing)
            save_planned(repos, plans, actor())
    if xlsx is not None:
        from cxcert.reports.performance_workbook import write_performance_workbook

        write_performance_workbook(
            review, xlsx, entity_name=computed.entity.name, standard_title=computed.standard.title,
            targets_note=computed.targets.note,
        )  # fmt: skip
    if json_out:
        payload = review_to_dict(review)
        t = computed.targets
        payload["targets"] = {"origin": t.origin, "where": t.where, "note": t.note}
        payload["corrective_actions"] = [plan_json(p) for p in plans]
        payload["corrective_actions_opened"] = [p.action.id for p in plans if p.change.value == "opened"]
        if assessment is not None:
            payload["recorded_into"] = {"assessment": assessment.id, "kind": assessment.kind.value}
        print_json(payload)
        return
    print_review(review, computed.targets.note)
    if assessment is not None:
        _print_recorded(review, assessment, entity_id)
    if plans:
        counts = {c: sum(1 for p in plans if p.change.value == c) for c in ("opened", "updated", "unchanged", "closed")}
        console.print(
            f"Corrective actions: {counts['opened']} opened, {counts['updated']} updated (the run goes on), "
            f"{counts['unchanged']} unchanged, {counts['closed']} already closed; "
            f"see [bold]cxcert calendar --entity {escape(entity_id)}[/]"
        )
    if xlsx is not None:
        console.print(f"Wrote the evidence workbook to {xlsx}")


def _print_recorded(review: PerformanceReview, assessment: Assessment, entity_id: str) -> None:
    from cxcert.standards.rule_set import FindingLevel

    console.print(
        f"Recorded {len(review.evidence.items)} computed findings into {escape(assessment.id)} "
        f"({review.table.purpose.value} thresholds)",
        highlight=False,
    )
    if assessment.kind.value == "six_month_review":
        deficient = [f.item for f in review.evidence.findings() if f.level in (FindingLevel.MINOR, FindingLevel.MAJOR)]
        if deficient:
            console.print(
                f"Six-month review: falling out of compliance has no consequence now, but items "
                f"{', '.join(deficient)} must be rectified (corrective actions: --open-actions or `cxcert alerts`)",
                highlight=False,
            )
        return
    console.print(f"next: [bold]cxcert decide --entity {escape(entity_id)} --assessment {escape(assessment.id)}[/]")
