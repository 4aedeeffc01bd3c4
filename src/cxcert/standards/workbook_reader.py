"""Reading the authoring workbook into plain data plus a source map of sheet cells.

Rows are tied together by number (an item names its category, a requirement its item); a reference to
something not defined is reported at its cell, and so is an item number given twice. Number cells in text
columns read as Excel shows them (``0.00`` gives 2.10); in General format Excel drops trailing zeros (2.10
typed as a number is 2.1), so where that makes two item numbers one, the Items cell is reported. Everything
else is left to the schema and the semantic checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from cxcert.standards.issues import ValidationIssue
from cxcert.standards.source_map import FieldPath, Location, SourceMap
from cxcert.standards.workbook_layout import (
    CATEGORIES,
    ITEMS,
    REQUIRED_METRICS,
    REQUIREMENTS,
    STANDARD_FIELDS,
    STANDARD_SHEET,
    TABLE_SHEETS,
    Column,
    SheetLayout,
)
from cxcert.workbook_file import number_as_shown, trailing_zero_variants

_LOST_ZEROS = (
    "Excel drops trailing zeros from numbers (2.10 typed as a number is 2.1); "
    "format the column as Text and type the item number again"
)


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, Any]
    lossy: frozenset[str] = frozenset()  # text columns whose cell was a General number (trailing zeros lost)


class WorkbookReader:
    """Collects the standard's data from the sheets; ``issues`` holds structural problems (missing sheets,
    columns, or references to undefined categories and items)."""

    def __init__(self, file: str, wb: Workbook) -> None:
        self.file = file
        self.wb = wb
        self.source_map = SourceMap(file)
        self.issues: list[ValidationIssue] = []

    def read(self) -> dict[str, Any]:
        expected = (STANDARD_SHEET, *TABLE_SHEETS)
        if not any(layout.name in self.wb.sheetnames for layout in expected):  # one line, not one per sheet
            names = ", ".join(layout.name for layout in expected)
            message = f"not an authoring workbook: none of its sheets ({names}); start from `cxcert standard export`"
            self.issues.append(ValidationIssue(self.file, None, "(workbook)", message))
            return {}
        body = self._standard_sheet()
        categories: list[dict[str, Any]] = []
        where_category: dict[str, int] = {}
        for row in self._table(CATEGORIES):
            ci = len(categories)
            self._locate(("categories", ci), CATEGORIES, row)
            categories.append({k: v for k, v in row.values.items() if v is not None})
            if row.values.get("number") is not None:
                where_category.setdefault(str(row.values["number"]), ci)
        self.source_map.record(("categories",), Location(1, CATEGORIES.name))
        body["categories"] = categories

        where_item: dict[str, FieldPath] = {}
        orphans: set[str] = set()  # items already reported; their requirements are not reported again
        item_rows: dict[str, int] = {}  # item number -> its Items row
        lossy_items: dict[str, _Row] = {}  # 2.10 -> the Items row whose number cell 2.1 may have been 2.10
        explained: set[int] = set()  # Items rows already reported for a lost trailing zero
        for row in self._table(ITEMS):
            number = row.values.get("number")
            if number is not None:
                if "number" in row.lossy:
                    lossy_items.update((v, row) for v in trailing_zero_variants(str(number)))
                first = item_rows.setdefault(str(number), row.number)
                if first != row.number:
                    self._duplicate_item(row, str(number), first)
                    explained.add(row.number)
                    continue
            category = row.values.pop("category", None)
            ci_found = where_category.get(str(category)) if category is not None else None
            if ci_found is None:
                self._issue(ITEMS, row.number, "category", f"category {category!r} is not on the Categories sheet")
                orphans.add(str(row.values.get("number")))
                continue
            items = categories[ci_found].setdefault("items", [])
            path: FieldPath = ("categories", ci_found, "items", len(items))
            self._locate(path, ITEMS, row)
            items.append({k: v for k, v in row.values.items() if v is not None})
            if row.values.get("number") is not None:
                where_item.setdefault(str(row.values["number"]), path)
        for category in categories:
            category.setdefault("items", [])

        for layout, field in ((REQUIREMENTS, "requirements"), (REQUIRED_METRICS, "required_metrics")):
            for row in self._table(layout):
                number = row.values.pop("item", None)
                item_path = where_item.get(str(number)) if number is not None else None
                if item_path is None:
                    if str(number) in orphans:
                        continue
                    self._issue(layout, row.number, "item", f"item {number!r} is not on the Items sheet")
                    shrunk = lossy_items.get(str(number))
                    if shrunk is not None and shrunk.number not in explained:
                        explained.add(shrunk.number)
                        self._shrunk_item(shrunk, f"{layout.name}!{layout.letter('item')}{row.number}", str(number))
                    continue
                if "item" in row.lossy and self._ambiguous_reference(layout, row, str(number), where_item):
                    continue
                item = categories[int(item_path[1])]["items"][int(item_path[3])]
                entries = item.setdefault(field, [])
                self._locate((*item_path, field, len(entries)), layout, row)
                entries.append({k: v for k, v in row.values.items() if v is not None})
        return body

    def _shrunk_item(self, items_row: _Row, cell: str, meant: str) -> None:
        """Report at the Items cell a General number (2.1) that another sheet names with its zero (2.10)."""
        shown = items_row.values["number"]
        message = f"item number {shown} is a number cell, but {cell} names item {meant}: {_LOST_ZEROS}"
        self._issue(ITEMS, items_row.number, "number", message)

    def _ambiguous_reference(self, layout: SheetLayout, row: _Row, number: str, items: dict[str, FieldPath]) -> bool:
        """A General number naming an item (2.1) while the standard also has it with a zero (2.10): reported."""
        twins = [v for v in trailing_zero_variants(number) if v in items]
        if twins:
            message = f"the number cell {number} could be item {number} or {twins[0]}: {_LOST_ZEROS}"
            self._issue(layout, row.number, "item", message)
        return bool(twins)

    def _duplicate_item(self, row: _Row, number: str, first: int) -> None:
        where = f"{ITEMS.letter('number')}{first}"
        hint = f"; the cell holds a number: {_LOST_ZEROS}" if "number" in row.lossy else ""
        self._issue(ITEMS, row.number, "number", f"duplicate item number {number} (also at {where}){hint}")

    def _standard_sheet(self) -> dict[str, Any]:
        ws = self._sheet(STANDARD_SHEET)
        self.source_map.record((), Location(1, STANDARD_SHEET.name))
        self.source_map.record(("key",), Location(1, STANDARD_SHEET.name))
        body: dict[str, Any] = {"key": {}}
        if ws is None:
            return body
        columns = {c.name: c for c in STANDARD_FIELDS}
        for row_number, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            name = row[0] if row else None
            if name is None:
                continue
            column = columns.get(str(name).strip())
            if column is None:
                self._issue(STANDARD_SHEET, row_number, "field", f"unknown field {name!r}")
                continue
            value = _cell(row[1] if len(row) > 1 else None, column)
            path: FieldPath = (
                ("key", column.name)
                if column.name in ("family", "variant", "release", "document_version")
                else (column.name,)
            )
            self.source_map.record(path, Location(row_number, STANDARD_SHEET.name, "B"))
            if value is None:
                continue
            target = body.setdefault("key", {}) if path[0] == "key" else body
            target[column.name] = value
        return body

    def _sheet(self, layout: SheetLayout) -> Worksheet | None:
        if layout.name not in self.wb.sheetnames:
            self.issues.append(
                ValidationIssue(self.file, None, "(sheet)", f"missing sheet {layout.name!r}", sheet=layout.name)
            )
            return None
        ws = self.wb[layout.name]
        assert isinstance(ws, Worksheet)
        return ws

    def _table(self, layout: SheetLayout) -> list[_Row]:
        ws = self._sheet(layout)
        if ws is None:
            return []
        header = [
            str(v).strip().lower() if v is not None else "" for v in next(ws.iter_rows(max_row=1, values_only=True), ())
        ]
        positions: dict[str, int] = {}
        for column in layout.columns:
            if column.name in header:
                positions[column.name] = header.index(column.name)
            elif column.required:
                self._issue(layout, 1, column.name, f"missing column {column.name!r}")
        if any(c.required and c.name not in positions for c in layout.columns):
            return []
        rows = []
        for number, cells in enumerate(ws.iter_rows(min_row=2), start=2):
            if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells):
                continue
            values: dict[str, Any] = {}
            lossy: set[str] = set()
            for column in layout.columns:
                if column.name not in positions:
                    continue
                cell = cells[positions[column.name]] if positions[column.name] < len(cells) else None
                value = None if cell is None else cell.value
                if column.text and isinstance(value, int | float) and not isinstance(value, bool):
                    shown, lost = number_as_shown(value, (cell.number_format if cell else None) or "General")
                    values[column.name] = shown
                    if lost:
                        lossy.add(column.name)
                else:
                    values[column.name] = _cell(value, column)
            rows.append(_Row(number, values, frozenset(lossy)))
        return rows

    def _locate(self, path: FieldPath, layout: SheetLayout, row: _Row) -> None:
        self.source_map.record(path, Location(row.number, layout.name))
        for column in layout.columns:
            self.source_map.record((*path, column.name), Location(row.number, layout.name, layout.letter(column.name)))

    def _issue(self, layout: SheetLayout, row: int, column: str, message: str) -> None:
        self.issues.append(
            ValidationIssue(self.file, row, column, message, sheet=layout.name, column=layout.letter(column))
        )


def _cell(value: object, column: Column) -> object:
    """A cell's value as the schema expects it: text columns as text, empty cells as missing."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime):
        return value.date()
    if column.text and isinstance(value, int | float) and not isinstance(value, bool):
        return (
            str(int(value))
            if isinstance(value, float) and value.is_integer() and column.name != "release"
            else str(value)
        )
    return value
