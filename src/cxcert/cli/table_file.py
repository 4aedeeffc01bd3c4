"""Rows of a CSV or Excel (.xlsx) file as text, each with the row number a spreadsheet user sees."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cxcert.errors import CxcertError
from cxcert.workbook_file import open_workbook, unreadable


@dataclass(frozen=True)
class TableRow:
    number: int  # 1-based line (CSV) or row (sheet); the header is row 1
    values: dict[str, str]  # lower-cased header -> stripped text ("" when empty)


def read_table(path: Path) -> list[TableRow]:
    """Every non-blank data row of ``path`` (.csv, UTF-8 with or without BOM; or the first sheet of .xlsx)."""
    if not path.is_file():
        raise CxcertError(f"file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, rows = _csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        header, rows = _xlsx(path)
    else:
        raise CxcertError(f"{path.name}: expected a .csv or .xlsx file")
    names = [h.strip().lower() for h in header]
    if not any(names):
        raise CxcertError(f"{path.name}: the first row must name the columns")
    out = []
    for number, cells in rows:
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names) if name}
        if any(values.values()):
            out.append(TableRow(number, values))
    return out


def _csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            return header, [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError as exc:
        raise CxcertError(
            f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    except csv.Error as exc:
        raise CxcertError(f"{path.name}: not a readable CSV file ({exc})") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    book = open_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # read-only mode parses the sheet's XML only now
        raise unreadable(path, exc) from None
    finally:
        book.close()
    if not rows:
        return [], []
    return rows[0], [(n, row) for n, row in enumerate(rows[1:], start=2)]
