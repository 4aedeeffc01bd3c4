"""The Excel authoring workbook: export a (blank or filled) template, import a full standard from one.

Users holding the licensed text of a standard author it in Excel; the import validates it like a YAML file and
names the sheet, row and column of every problem (e.g. ``my.xlsx:Items!F7: categories[1].items[4].points``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cxcert.spreadsheet_cells import append_row, set_cell
from cxcert.standards import library
from cxcert.standards.issues import DocumentInvalid, ValidationIssue, errors_in
from cxcert.standards.parsing import ParsedDocument, build_document
from cxcert.standards.schema import CategoryRole, EvidenceKind, MetricLabel, Standard
from cxcert.standards.validation import validate_document
from cxcert.standards.workbook_layout import (
    CATEGORIES,
    INSTRUCTION_LINES,
    INSTRUCTIONS,
    ITEMS,
    LISTS,
    REQUIRED_METRICS,
    REQUIREMENTS,
    STANDARD_FIELDS,
    STANDARD_SHEET,
    TABLE_SHEETS,
    SheetLayout,
)
from cxcert.standards.workbook_reader import WorkbookReader
from cxcert.workbook_file import open_workbook

_BOLD = Font(bold=True)


def export_template(standard: Standard | None, path: Path) -> None:
    """Write the authoring workbook to ``path``: blank (headers, lists, instructions) or filled with ``standard``."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = INSTRUCTIONS
    for line in INSTRUCTION_LINES:
        append_row(first, [line])
    first.column_dimensions["A"].width = 110

    ws = wb.create_sheet(STANDARD_SHEET.name)
    _header(ws, STANDARD_SHEET)
    for field in STANDARD_FIELDS:
        append_row(ws, [field.name, _standard_value(standard, field.name), field.help])
    for row, field in enumerate(STANDARD_FIELDS, start=2):
        ws[f"B{row}"].number_format = "@" if field.text else ("yyyy-mm-dd" if field.name == "published" else "General")
    ws.column_dimensions["B"].width = 60

    sheets = {layout.name: wb.create_sheet(layout.name) for layout in TABLE_SHEETS}
    for layout in TABLE_SHEETS:
        _header(sheets[layout.name], layout)
    if standard is not None:
        for sheet_name, values in _rows(standard):
            append_row(sheets[sheet_name], values)
    for layout in TABLE_SHEETS:
        _format_text_columns(sheets[layout.name], layout)
    _lists(wb, sheets)
    wb.save(path)


def _standard_value(standard: Standard | None, field: str) -> object:
    if standard is None:
        return None
    if field in ("family", "variant", "release", "document_version"):
        return str(getattr(standard.key, field))
    value = getattr(standard, field)
    return value if isinstance(value, int | dt.date) else str(value)


def _rows(standard: Standard) -> Iterable[tuple[str, tuple[object, ...]]]:
    for category in standard.categories:
        yield CATEGORIES.name, (category.number, category.title, str(category.role), category.points)
    for category in standard.categories:
        for item in category.items:
            yield (
                ITEMS.name,
                (
                    category.number,
                    item.number,
                    item.title,
                    item.summary,
                    item.summary_is_ours,
                    item.points,
                    item.scorable,
                    item.full_text,
                ),
            )
    for item in standard.items():
        for req in item.requirements:
            yield REQUIREMENTS.name, (item.number, req.id, req.summary, str(req.evidence))
    for item in standard.items():
        for metric in item.required_metrics:
            yield REQUIRED_METRICS.name, (item.number, metric.metric, str(metric.label), metric.kcrp_scope)


def _header(ws: Worksheet, layout: SheetLayout) -> None:
    append_row(ws, [c.name for c in layout.columns])
    for cell in ws[1]:
        cell.font = _BOLD
    for column in layout.columns:
        ws.column_dimensions[layout.letter(column.name)].width = 60 if column.name in ("summary", "full_text") else 16
    ws.freeze_panes = "A2"


def _format_text_columns(ws: Worksheet, layout: SheetLayout, rows: int = 1000) -> None:
    for column in layout.columns:
        if column.text:
            letter = layout.letter(column.name)
            for row in range(2, max(rows, ws.max_row) + 1):
                ws[f"{letter}{row}"].number_format = "@"


def _lists(wb: Workbook, sheets: dict[str, Worksheet]) -> None:
    """A Lists sheet with the allowed values, and drop-downs that use it."""
    ws = wb.create_sheet(LISTS)
    values = {
        "metric": sorted(library.known_metric_ids()),
        "role": [str(r) for r in CategoryRole],
        "evidence": [str(e) for e in EvidenceKind],
        "label": [str(m) for m in MetricLabel],
        "boolean": ["TRUE", "FALSE"],
    }
    for col, (name, items) in enumerate(values.items(), start=1):
        set_cell(ws, 1, col, name).font = _BOLD
        for row, value in enumerate(items, start=2):
            set_cell(ws, row, col, value)
    uses = [
        (CATEGORIES, "role", "B", len(values["role"])),
        (REQUIREMENTS, "evidence", "C", len(values["evidence"])),
        (REQUIRED_METRICS, "metric", "A", len(values["metric"])),
        (REQUIRED_METRICS, "label", "D", len(values["label"])),
    ]
    for layout, column, list_col, count in uses:
        dv = DataValidation(type="list", formula1=f"={LISTS}!${list_col}$2:${list_col}${count + 1}", allow_blank=True)
        letter = layout.letter(column)
        dv.add(f"{letter}2:{letter}1000")
        sheets[layout.name].add_data_validation(dv)


def import_workbook(path: Path) -> Standard:
    """Read a full standard from an authoring workbook, validated like a YAML file.

    Raises :class:`DocumentInvalid` with every error located as ``FILE:Sheet!CellRef: field: message``.
    """
    parsed, issues = read_workbook(path)
    errors = errors_in(issues)
    if errors or parsed is None:
        raise DocumentInvalid(errors or issues)
    assert isinstance(parsed.document, Standard)
    return parsed.document


def read_workbook(path: Path) -> tuple[ParsedDocument | None, list[ValidationIssue]]:
    """Parse and validate a workbook; returns the document (None if the schema failed) and every issue."""
    wb = open_workbook(path, read_only=False)
    reader = WorkbookReader(str(path), wb)
    body = reader.read()
    if reader.issues:
        return None, reader.issues
    result = build_document("standard", body, reader.source_map)
    if result.parsed is None:
        return None, list(result.issues)
    return result.parsed, validate_document(result.parsed, library.validation_context())
