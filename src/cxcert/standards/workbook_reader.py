"""Reading the authoring workbook into plain data plus a source map of sheet cells.

Rows are tied together by number (an item names its category, a requirement its item); a reference to
something not defined is reported at its cell. Everything else is left to the schema and the semantic checks.
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
    Column,
    SheetLayout,
)


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, Any]


class WorkbookReader:
    """Collects the standard's data from the sheets; ``issues`` holds structural problems (missing sheets,
    columns, or references to undefined categories and items)."""

    def __init__(self, file: str, wb: Workbook) -> None:
        self.file = file
        self.wb = wb
        self.source_map = SourceMap(file)
        self.issues: list[ValidationIssue] = []

    def read(self) -> dict[str, Any]:
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
        for row in self._table(ITEMS):
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
                    continue
                item = categories[int(item_path[1])]["items"][int(item_path[3])]
                entries = item.setdefault(field, [])
                self._locate((*item_path, field, len(entries)), layout, row)
                entries.append({k: v for k, v in row.values.items() if v is not None})
        return body

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
        for number, raw in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
                continue
            values = {
                c.name: _cell(raw[positions[c.name]] if positions[c.name] < len(raw) else None, c)
                for c in layout.columns
                if c.name in positions
            }
            rows.append(_Row(number, values))
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
