"""`cxcert evidence`: the Category 4.0 performance evidence of an entity, computed from the warehouse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the performance engine loads ibis: import it only when a command runs
    from cxcert.performance.review import PerformanceReview


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence_command)


def _value(value: float | None, share: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if share else f"{value:,.2f}"


def print_review(review: PerformanceReview) -> None:
    """The review for people: one line per required metric and program (months met, latest value, verdict),
    the two shares, the computed item findings and the alerts. Monthly actuals are in --json and --xlsx."""
    from cxcert.performance.catalogue import Unit, default_catalogue
    from cxcert.performance.evaluation import meets

    catalogue = default_catalogue()
    table = review.table
    rows = []
    for r in table.rows:
        metric = catalogue.get(r.metric_used) if r.metric_used in catalogue.ids() else None
        share = metric is not None and metric.unit is Unit.SHARE
        valued = [p for p in r.actuals if p.value is not None]
        met = (
            sum(1 for p in valued if p.value is not None and meets(metric.direction, p.value, r.target))
            if metric is not None and r.target is not None
            else None
        )
        rows.append(
            (
                r.item,
                r.metric_used,
                r.program or "-",
                _value(r.target, share),
                "-" if met is None else f"{met}/{len(valued)}",
                _value(valued[-1].value if valued else None, share),
                r.verdict.value,
            )
        )
    print_table(
        f"performance summary table, {review.start} to {review.end}",
        ("item", "metric", "program", "target", "months at target", "latest", "verdict"),
        rows,
    )
    colour = "green" if table.passed else "red"
    console.print(f"[bold {colour}]{escape(table.explanation.summary)}[/]")
    print_table(
        "Category 4.0 items on computed evidence",
        ("item", "title", "finding", "evidence"),
        [(i.item, i.title, i.finding.level.value, i.finding.note) for i in review.evidence.items],
    )
    if review.alerts:
        by_rule: dict[str, int] = {}
        for a in review.alerts:
            by_rule[a.alert.rule_title] = by_rule.get(a.alert.rule_title, 0) + 1
        console.print(
            f"[bold]{len(review.alerts)} alerts[/]: " + ", ".join(f"{n} x {escape(t)}" for t, n in by_rule.items())
        )
        serious = [a for a in review.alerts if a.alert.rule != "target_missed"]
        for a in serious[:8]:
            console.print(f"  - {escape(a.alert.explanation.summary)}", highlight=False)
        if len(serious) > 8:
            console.print(f"  ... and {len(serious) - 8} more (see --json or --xlsx)")


def review_to_dict(review: PerformanceReview) -> dict[str, object]:
    """The whole review as JSON-ready data: shares, rows with monthly actuals, findings, alerts."""
    t = review.table
    return {
        "entity_id": review.entity_id,
        "window": {"start": review.start.isoformat(), "end": review.end.isoformat(), "tz": review.tz},
        "purpose": t.purpose.value,
        "level": t.level,
        "share_meeting": t.share_meeting,
        "share_meeting_or_improving": t.share_meeting_or_improving,
        "thresholds": {"meeting_target": t.thresholds.meeting_target,
                       "meeting_or_improving": t.thresholds.meeting_or_improving},
        "passed": t.passed,
        "explanation": t.explanation.to_dict(),
        "rows": [
            {
                "item": r.item, "kcrp": r.kcrp, "metric_type": r.metric_type, "label": r.label.value,
                "required_metric": r.required_metric, "metric_used": r.metric_used, "program": r.program,
                "target": r.target, "actuals": {p.period.isoformat(): p.value for p in r.actuals},
                "verdict": r.verdict.value, "explanation": r.explanation.to_dict(),
            }
            for r in t.rows
        ],
        "findings": [
            {"item": i.item, "level": i.finding.level.value, "note": i.finding.note,
             "explanation": i.explanation.to_dict()}
            for i in review.evidence.items
        ],
        "alerts": [
            {"item": a.item, "metric": a.alert.metric, "program": a.alert.program, "rule": a.alert.rule,
             "last_period": a.alert.last_period.isoformat(), "explanation": a.alert.explanation.to_dict()}
            for a in review.alerts
        ],
    }  # fmt: skip


def evidence_command(
    entity_id: str = typer.Option(..., "--entity", help="The entity whose evidence to build."),
    months: int = typer.Option(12, "--months", help="How many whole months, ending with the month of --end."),
    end: str | None = typer.Option(None, "--end", help="A day in the last month to include (default: today)."),
    purpose: str = typer.Option("initial", "--purpose", help="initial or recertification (share thresholds)."),
    level: str = typer.Option("base", "--level", help="base or gold (share thresholds)."),
    targets_file: Path | None = typer.Option(None, "--targets", help="Your targets.yaml (default: the examples)."),
    record_into: str | None = typer.Option(
        None, "--record-into", help="Record the computed 4.x findings into this assessment (then `cxcert decide`)."
    ),
    open_actions: bool = typer.Option(
        False, "--open-actions", help="Open a corrective action for every alert that requires immediate action."
    ),
    owner: str = typer.Option("operations manager", "--owner", help="Owner of corrective actions opened."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Also write the evidence workbook (Excel) here."),
    json_out: bool = typer.Option(False, "--json", help="Print the whole review as JSON."),
) -> None:
    """Build the Category 4.0 performance evidence of an entity from its warehouse data.

    Computes every metric the entity's standard requires, month by month in the site's time zone, judges each
    against its dated target (met in k of the last n months, or sustained improvement by a Mann-Kendall trend),
    applies the run rules (a missed target, three consecutive points below standard, control-chart rules),
    and rolls the rows up to one computed finding per performance item. With --record-into the findings go into
    an assessment, so `cxcert decide` uses computed, not typed, results.

    Example:  cxcert evidence --entity demo --months 12 --end 2025-12-31 --xlsx evidence.xlsx
    """
    from cxcert.cli.workspace import actor, workspace
    from cxcert.performance.performance_rules import Purpose, default_rule_set
    from cxcert.performance.review import months_window, review_performance
    from cxcert.performance.targets import default_targets, parse_targets
    from cxcert.standards import library
    from cxcert.warehouse import Warehouse

    try:
        chosen_purpose = Purpose(purpose)
    except ValueError:
        raise CxcertError(f"--purpose must be one of {', '.join(p.value for p in Purpose)}, not {purpose!r}") from None
    start, stop = months_window(parse_date(end, "--end"), months)
    if targets_file is not None:
        if not targets_file.is_file():
            raise CxcertError(f"no targets file at {targets_file}")
        targets = parse_targets(targets_file.read_text(encoding="utf-8"), where=str(targets_file))
    else:
        targets = default_targets()
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        standard = library.standard(entity.standard_urn)
        warehouse = Warehouse.default()
        tables = {name: warehouse.table(name) for name in warehouse_tables()}
        review = review_performance(
            tables, standard, entity_id=entity_id, tz=entity.locations[0].time_zone, start=start, end=stop,
            targets=targets, rules=default_rule_set(), purpose=chosen_purpose, level=level,
        )  # fmt: skip
        today = dt.date.today()
        if record_into is not None:
            assessment = repos.assessments.get_assessment(record_into)
            if assessment.entity_id != entity_id:
                raise CxcertError(f"assessment {record_into!r} is of entity {assessment.entity_id}, not {entity_id}")
            for finding in review.evidence.findings():
                repos.assessments.record_finding(record_into, finding)
            repos.audit_trail.append(
                actor(), "evidence.recorded", f"assessment:{record_into}",
                {"window": [start.isoformat(), stop.isoformat()], "findings": dict(review.evidence.counts())},
            )  # fmt: skip
        opened = review.corrective_actions(owner=owner, raised_on=today) if open_actions else ()
        for action in opened:
            repos.corrective_actions.save_action(action)
    if xlsx is not None:
        from cxcert.reports.performance_workbook import write_performance_workbook

        write_performance_workbook(review, xlsx, entity_name=entity.name, standard_title=standard.title)
    if json_out:
        payload = review_to_dict(review)
        payload["corrective_actions_opened"] = [a.id for a in opened]
        print_json(payload)
        return
    print_review(review)
    if record_into is not None:
        console.print(f"Recorded {len(review.evidence.items)} computed findings into {record_into}; "
                      f"next: [bold]cxcert decide --entity {entity_id} --assessment {record_into}[/]")  # fmt: skip
    if opened:
        console.print(f"Opened {len(opened)} corrective actions; see [bold]cxcert calendar --entity {entity_id}[/]")
    if xlsx is not None:
        console.print(f"Wrote the evidence workbook to {xlsx}")


def warehouse_tables() -> tuple[str, ...]:
    from cxcert.canonical import TABLES

    return tuple(TABLES)
