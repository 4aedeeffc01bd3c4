"""The performance evidence workbook: the standard's performance summary table as auditors read it in Excel.

Sheets: *Summary* (window, the two shares against their thresholds, the verdict), *Performance summary* (one row
per required metric and program with target, monthly actuals and verdict), *Findings* (the computed finding of
each Category 4.0 item), *Alerts* (every run-rule alert with its explanation).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cxcert.performance.catalogue import Unit, default_catalogue
from cxcert.performance.review import PerformanceReview
from cxcert.performance.summary_table import RowVerdict
from cxcert.reports.atomic import write_atomically

_BOLD = Font(bold=True)
_FILLS = {
    RowVerdict.MET: PatternFill("solid", fgColor="C6EFCE"),
    RowVerdict.SUSTAINED_IMPROVEMENT: PatternFill("solid", fgColor="FFEB9C"),
    RowVerdict.MISSED: PatternFill("solid", fgColor="FFC7CE"),
    RowVerdict.NO_DATA: PatternFill("solid", fgColor="D9D9D9"),
    RowVerdict.NO_TARGET: PatternFill("solid", fgColor="D9D9D9"),
}


def _header(ws: Worksheet, names: list[str]) -> None:
    ws.append(names)
    for cell in ws[1]:
        cell.font = _BOLD
    ws.freeze_panes = "A2"


def _widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for index, width in widths.items():
        ws.column_dimensions[get_column_letter(index)].width = width


def _summary(ws: Worksheet, review: PerformanceReview, entity_name: str, standard_title: str) -> None:
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
    for label, value in rows:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = _BOLD
        if isinstance(value, float):
            ws.cell(ws.max_row, 2).number_format = "0.0%"
    _widths(ws, {1: 42, 2: 90})


def _metrics(ws: Worksheet, review: PerformanceReview) -> None:
    catalogue = default_catalogue()
    months = sorted({p.period for r in review.table.rows for p in r.actuals})
    _header(
        ws,
        ["Item", "Item title", "KCRP", "Metric type", "Label", "Required metric", "Metric used", "Program", "Target"]
        + [m.strftime("%Y-%m") for m in months]
        + ["Verdict", "Why"],
    )
    for row in review.table.rows:
        by_month = {p.period: p.value for p in row.actuals}
        ws.append(
            [row.item, row.item_title, row.kcrp, row.metric_type, row.label.value, row.required_metric,
             row.metric_used, row.program, row.target]
            + [by_month.get(m) for m in months]
            + [row.verdict.value, row.explanation.render()]
        )  # fmt: skip
        share = catalogue.get(row.metric_used).unit is Unit.SHARE if row.metric_used in catalogue.ids() else False
        for col in range(9, 10 + len(months)):
            ws.cell(ws.max_row, col).number_format = "0.0%" if share else "0.00"
        ws.cell(ws.max_row, 10 + len(months)).fill = _FILLS[row.verdict]
    _widths(
        ws, {1: 6, 2: 30, 3: 22, 4: 16, 5: 6, 6: 30, 7: 30, 8: 18, 9: 9, 10 + len(months): 22, 11 + len(months): 80}
    )


def _findings(ws: Worksheet, review: PerformanceReview) -> None:
    _header(ws, ["Item", "Title", "Finding", "Source", "Why"])
    for item in review.evidence.items:
        ws.append([item.item, item.title, item.finding.level.value, item.finding.source, item.explanation.render()])
    _widths(ws, {1: 6, 2: 34, 3: 18, 4: 10, 5: 100})


def _alerts(ws: Worksheet, review: PerformanceReview) -> None:
    _header(ws, ["Item", "Metric", "Program", "Rule", "Rule title", "Last period", "Why"])
    for reviewed in review.alerts:
        a = reviewed.alert
        ws.append([reviewed.item, a.metric, a.program, a.rule, a.rule_title, a.last_period, a.explanation.render()])
    _widths(ws, {1: 6, 2: 30, 3: 18, 4: 18, 5: 44, 6: 12, 7: 100})


def write_performance_workbook(review: PerformanceReview, path: Path, *, entity_name: str, standard_title: str) -> None:
    """Write the evidence workbook to ``path`` (atomically)."""
    wb = Workbook()
    assert wb.active is not None
    _summary(wb.active, review, entity_name, standard_title)
    _metrics(wb.create_sheet("Performance summary"), review)
    _findings(wb.create_sheet("Findings"), review)
    _alerts(wb.create_sheet("Alerts"), review)
    write_atomically(path, lambda tmp: wb.save(tmp))
