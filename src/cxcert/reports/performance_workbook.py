"""The performance evidence workbook: the standard's performance summary table as auditors read it in Excel.

Sheets: *Summary* (window, the two shares against their thresholds, the verdict, where the targets came from),
*Performance summary* (one row per required metric and program with target, its kind and benchmark, monthly
actuals each coloured and annotated against the target in force that month, and verdict), *Findings* (the
computed finding of each Category 4.0 item), *Alerts* (every run-rule alert with its id, run and explanation).
Every cell goes through :mod:`cxcert.spreadsheet_cells`: a program or metric named ``=...`` is text, not a formula.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cxcert.performance.catalogue import Unit, default_catalogue
from cxcert.performance.review import PerformanceReview
from cxcert.performance.summary_table import RowVerdict, SummaryRow
from cxcert.reports.atomic import write_atomically
from cxcert.spreadsheet_cells import append_row

_BOLD = Font(bold=True)
_FILLS = {
    RowVerdict.MET: PatternFill("solid", fgColor="C6EFCE"),
    RowVerdict.SUSTAINED_IMPROVEMENT: PatternFill("solid", fgColor="FFEB9C"),
    RowVerdict.MISSED: PatternFill("solid", fgColor="FFC7CE"),
    RowVerdict.NO_DATA: PatternFill("solid", fgColor="D9D9D9"),
    RowVerdict.NO_TARGET: PatternFill("solid", fgColor="D9D9D9"),
}


def _header(ws: Worksheet, names: list[str]) -> None:
    append_row(ws, names)
    for cell in ws[1]:
        cell.font = _BOLD
    ws.freeze_panes = "A2"


def _widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for index, width in widths.items():
        ws.column_dimensions[get_column_letter(index)].width = width


def _summary(
    ws: Worksheet, review: PerformanceReview, entity_name: str, standard_title: str, targets_note: str | None
) -> None:
    table = review.table
    ws.title = "Summary"
    rows: list[tuple[str, object]] = [
        ("Entity", f"{entity_name} ({review.entity_id})"),
        ("Standard", standard_title),
        ("Window", f"{review.start.isoformat()} to {review.end.isoformat()} ({review.tz})"),
        ("Purpose / level", f"{table.purpose.value} / {table.level}"),
        ("Metrics meeting target", table.share_meeting),
        ("  threshold", table.thresholds.meeting_target),
        ("Meeting target or sustained improvement", table.share_meeting_or_improving),
        ("  threshold", table.thresholds.meeting_or_improving),
        ("Verdict", "passes" if table.passed else "does not pass"),
        ("Majority of targets met", "yes" if table.majority.met else "no"),
        ("Why", table.explanation.render()),
        ("Performance items", review.evidence.explanation.summary),
    ]
    if targets_note:
        rows.append(("Targets", targets_note))
    if review.kcrp_links is not None:
        rows.append(("KCRPs", review.kcrp_links.explanation.render()))
    for label, value in rows:
        append_row(ws, [label, value])
        ws.cell(ws.max_row, 1).font = _BOLD
        if isinstance(value, float):
            ws.cell(ws.max_row, 2).number_format = "0.0%"
    _widths(ws, {1: 42, 2: 90})


def _target_cell(row: SummaryRow, share: bool) -> float | str | None:
    """A number when one target held all window; else ``0.80 -> 0.85 from 2025-07`` (each month's in its cell)."""
    changes = row.target_changes()
    if len(changes) <= 1:
        return changes[0][1].value if changes else None
    return row.describe_target(lambda v: f"{v:.1%}" if share else f"{v:,.4g}")


def _metrics(ws: Worksheet, review: PerformanceReview) -> None:
    catalogue = default_catalogue()
    months = sorted({p.period for r in review.table.rows for p in r.actuals})
    fixed = ["Item", "Item title", "KCRP", "Metric type", "Label", "Required metric", "Metric used", "Program",
             "Target", "Target kind", "Benchmark", "Target source"]  # fmt: skip
    first_month = len(fixed) + 1
    _header(ws, fixed + [m.strftime("%Y-%m") for m in months] + ["Verdict", "Why"])
    for row in review.table.rows:
        share = catalogue.get(row.metric_used).unit is Unit.SHARE if row.metric_used in catalogue.ids() else False
        by_month = {j.period: j for j in row.judgements}
        values = {p.period: p.value for p in row.actuals}
        append_row(
            ws,
            [row.item, row.item_title, row.kcrp, row.metric_type, row.label.value, row.required_metric,
             row.metric_used, row.program, _target_cell(row, share), row.describe_kind(),
             "; ".join(row.benchmarks()) or None, "; ".join(row.sources()) or None]
            + [values.get(m) for m in months]
            + [row.verdict.value, row.explanation.render()]
        )  # fmt: skip
        number = "0.0%" if share else "0.00"
        ws.cell(ws.max_row, first_month - 4).number_format = number
        for offset, month in enumerate(months):
            cell = ws.cell(ws.max_row, first_month + offset)
            cell.number_format = number
            judged = by_month.get(month)
            if judged is not None and judged.met is not None and judged.target is not None:
                # Each month against the target in force then: colour and a note with that target.
                cell.fill = _FILLS[RowVerdict.MET if judged.met else RowVerdict.MISSED]
                t = judged.target
                shown = f"{t.value:.1%}" if share else f"{t.value:,.4g}"
                cell.comment = Comment(
                    f"{'met' if judged.met else 'missed'}: target {shown} ({t.kind.value}) from {t.valid_from}",
                    "cxcert",
                )
        ws.cell(ws.max_row, first_month + len(months)).fill = _FILLS[row.verdict]
    _widths(
        ws,
        {1: 6, 2: 30, 3: 22, 4: 16, 5: 6, 6: 30, 7: 30, 8: 18, 9: 12, 10: 11, 11: 40, 12: 24,
         first_month + len(months): 22, first_month + len(months) + 1: 80},
    )  # fmt: skip


def _findings(ws: Worksheet, review: PerformanceReview) -> None:
    _header(ws, ["Item", "Title", "Finding", "Source", "Why"])
    for item in review.evidence.items:
        append_row(
            ws, [item.item, item.title, item.finding.level.value, item.finding.source, item.explanation.render()]
        )
    _widths(ws, {1: 6, 2: 34, 3: 18, 4: 10, 5: 100})


def _alerts(ws: Worksheet, review: PerformanceReview) -> None:
    _header(ws, ["Alert id", "Item", "Metric", "Program", "Rule", "Rule title", "First period", "Last period",
                 "Points", "Ongoing", "Corrective action", "Why"])  # fmt: skip
    for reviewed in review.alerts:
        a = reviewed.alert
        append_row(
            ws,
            [reviewed.id, reviewed.item, a.metric, a.program, a.rule, a.rule_title, a.first_period, a.last_period,
             len(a.points), "yes" if a.ongoing else "no", reviewed.action_id, a.explanation.render()]
        )  # fmt: skip
    _widths(ws, {1: 50, 2: 6, 3: 30, 4: 18, 5: 18, 6: 44, 7: 12, 8: 12, 9: 7, 10: 8, 11: 50, 12: 100})


def write_performance_workbook(
    review: PerformanceReview, path: Path, *, entity_name: str, standard_title: str, targets_note: str | None = None
) -> None:
    """Write the evidence workbook to ``path`` (atomically)."""
    wb = Workbook()
    assert wb.active is not None
    _summary(wb.active, review, entity_name, standard_title, targets_note)
    _metrics(wb.create_sheet("Performance summary"), review)
    _findings(wb.create_sheet("Findings"), review)
    _alerts(wb.create_sheet("Alerts"), review)
    write_atomically(path, lambda tmp: wb.save(tmp))
