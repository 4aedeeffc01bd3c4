"""How a performance review is shown: the console summary for people and the JSON for machines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from cxcert.cli.output import console, print_table

if TYPE_CHECKING:  # the performance engine loads ibis: import it only when a command runs
    from cxcert.performance.alerts import ReviewedAlert
    from cxcert.performance.review import PerformanceReview
    from cxcert.performance.summary_table import SummaryRow


def is_share(metric_id: str) -> bool:
    from cxcert.performance.catalogue import Unit, default_catalogue

    catalogue = default_catalogue()
    return metric_id in catalogue.ids() and catalogue.get(metric_id).unit is Unit.SHARE


def show(value: float | None, share: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if share else f"{value:,.2f}"


def target_cell(row: SummaryRow) -> str:
    """The target, or each target in force over the window: ``80.0% -> 85.0% from 2025-07``."""
    share = is_share(row.metric_used)
    return row.describe_target(lambda v: show(v, share))


def print_review(review: PerformanceReview, targets_note: str | None = None) -> None:
    """The review for people: one line per required metric and program (target in force, its kind and benchmark,
    months met against the target of each month, latest value, verdict), the two shares, the computed item
    findings and the alerts. Monthly actuals are in --json and --xlsx."""
    from cxcert.performance.catalogue import default_catalogue

    table = review.table
    catalogue = default_catalogue()
    # One table per program, as the standard's own table is per KCRP: the program and its KCRPs go in the title,
    # which leaves room at 80 columns for the metric's title (three accuracy ids differ only after 24 characters).
    # The benchmark behind each target is long prose: it is in --json and the workbook.
    groups: dict[str, list[SummaryRow]] = {}
    for r in table.rows:
        groups.setdefault(r.program or r.kcrp, []).append(r)
    for program, group in groups.items():
        kcrps = {r.kcrp for r in group if r.kcrp != program}
        rows = []
        for r in group:
            share = is_share(r.metric_used)
            valued = [p for p in r.actuals if p.value is not None]
            met, judged = r.months_met()
            title = catalogue.get(r.metric_used).title if r.metric_used in catalogue.ids() else r.metric_used
            rows.append(
                (r.item, title, target_cell(r), r.describe_kind().replace("client_sla", "client SLA"),
                 f"{met}/{judged}" if judged else "-", show(valued[-1].value if valued else None, share),
                 r.verdict.value.replace("_", " "))
            )  # fmt: skip
        summary = Table(
            title=f"performance summary table: {escape(program)}"
            + (f" (KCRP {escape(', '.join(sorted(kcrps)))})" if kcrps else "")
            + f", {review.start} to {review.end}"
        )
        longest_word = max((len(w) for row in rows for w in row[1].split()), default=0)
        for header in ("item", "metric", "target", "kind", "months\nmet", "latest", "verdict"):
            summary.add_column(header, min_width=longest_word if header == "metric" else None)
        for row in rows:
            summary.add_row(*(escape(cell) for cell in row))
        console.print(summary)
    console.print("[dim]the benchmark behind each target: --json or --xlsx[/]", highlight=False)
    if targets_note:
        console.print(f"[dim]{escape(targets_note)}[/]", highlight=False)
    if review.kcrp_links is not None and review.kcrp_links.unlinked:
        console.print(f"[dim]KCRP: {escape(review.kcrp_links.explanation.steps[-1].conclusion)}[/]", highlight=False)
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
            console.print(f"  ... and {len(serious) - 8} more (see `cxcert alerts list`, --json or --xlsx)")


def alert_json(a: ReviewedAlert) -> dict[str, object]:
    """An alert with everything that explains it: its points, limits, rule and run below target."""
    alert = a.alert
    limits = alert.limits
    return {
        "id": a.id, "item": a.item, "metric": alert.metric, "program": alert.program, "rule": alert.rule,
        "rule_title": alert.rule_title, "first_period": alert.first_period.isoformat(),
        "last_period": alert.last_period.isoformat(), "points_count": len(alert.points), "ongoing": alert.ongoing,
        "points": [{"period": p.period.isoformat(), "value": p.value, "target": p.target, "centre": p.centre,
                    "lcl": p.lcl, "ucl": p.ucl} for p in alert.points],
        "limits": None if limits is None else {"chart": limits.chart.value, "centre": limits.centre,
                                               "sigma_multiplier": limits.sigma_multiplier, "lcl": limits.lcl,
                                               "ucl": limits.ucl},
        "run": None if a.run is None else {"first_period": a.run.first_period.isoformat(),
                                           "last_period": a.run.last_period.isoformat(),
                                           "length": len(a.run.points), "ongoing": a.run.ongoing},
        "corrective_action_id": a.action_id, "explanation": alert.explanation.to_dict(),
    }  # fmt: skip


def row_json(r: SummaryRow) -> dict[str, object]:
    latest = r.latest_target
    return {
        "item": r.item, "kcrp": r.kcrp, "metric_type": r.metric_type, "label": r.label.value,
        "required_metric": r.required_metric, "metric_used": r.metric_used, "program": r.program,
        "target": r.target, "target_kind": latest.kind.value if latest else None,
        "benchmark": latest.benchmark if latest else None, "target_source": latest.source if latest else None,
        "targets": [{"from_period": month.isoformat(), "value": t.value, "kind": t.kind.value,
                     "benchmark": t.benchmark, "source": t.source, "valid_from": t.valid_from.isoformat()}
                    for month, t in r.target_changes()],
        "actuals": {p.period.isoformat(): p.value for p in r.actuals},
        "months": [{"period": j.period.isoformat(), "actual": j.actual,
                    "target": j.target.value if j.target else None,
                    "target_kind": j.target.kind.value if j.target else None, "met": j.met}
                   for j in r.judgements],
        "verdict": r.verdict.value, "explanation": r.explanation.to_dict(),
    }  # fmt: skip


def review_to_dict(review: PerformanceReview) -> dict[str, object]:
    """The whole review as JSON-ready data: shares, rows with monthly actuals and targets, findings, alerts."""
    t = review.table
    links = review.kcrp_links
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
        "kcrp_links": None if links is None else {"kcrp_of": dict(links.kcrp_of), "unlinked": list(links.unlinked),
                                                  "explanation": links.explanation.to_dict()},
        "rows": [row_json(r) for r in t.rows],
        "findings": [
            {"item": i.item, "level": i.finding.level.value, "note": i.finding.note,
             "explanation": i.explanation.to_dict()}
            for i in review.evidence.items
        ],
        "alerts": [alert_json(a) for a in review.alerts],
    }  # fmt: skip
