"""Rows of a CSV or Excel (.xlsx) file as text, each with the row number a spreadsheet user sees.

Excel number cells are read as the text Excel shows (a ``0.00`` format gives ``4.10``); a number in General
format may have lost trailing zeros (4.10 typed as a number is 4.1), and the row says so, for item numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from cxcert.errors import CxcertError
from cxcert.workbook_file import bounded_rows, number_as_shown, open_workbook, unreadable


@dataclass(frozen=True)
class TableRow:
    number: int  # 1-based line (CSV) or row (sheet); the header is row 1
    values: dict[str, str]  # lower-cased header -> stripped text ("" when empty)
    lossy: frozenset[str] = field(default=frozenset())  # columns whose cell was a number that may have lost zeros


@dataclass(frozen=True)
class Table:
    """A file's column names (lower-cased, in order) and its non-blank data rows."""

    name: str
    columns: tuple[str, ...]
    rows: list[TableRow]

    def require_columns(self, *needed: str) -> None:
        """:class:`CxcertError` naming every column of ``needed`` the first row lacks, with a near miss if any."""
        missing = [c for c in needed if c not in self.columns]
        if not missing:
            return
        unknown = [c for c in self.columns if c not in needed]
        hints = [
            f"is '{close[0]}' meant to be '{c}'?"
            for c in missing
            if (close := difflib.get_close_matches(c, unknown, n=1))
        ]
        names = ", ".join(f"'{c}'" for c in missing)
        raise CxcertError(
            f"{self.name}: no {names} column{'s' if len(missing) > 1 else ''} in the first row"
            + (f" ({' '.join(hints)})" if hints else "")
            + f"; it names: {', '.join(self.columns)}"
        )

    def require_rows(self) -> None:
        if not self.rows:
            raise CxcertError(f"{self.name}: no data rows below the header; nothing to import")


def read_table(path: Path) -> Table:
    """The columns and every non-blank data row of ``path`` (.csv, UTF-8 with or without BOM; or the first sheet
    of .xlsx). A header naming no column, or one column twice, is refused."""
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
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise CxcertError(f"{path.name}: the first row names {', '.join(repr(n) for n in twice)} more than once")
    out = []
    for number, cells in rows:
        values = {name: (cells[i][0].strip() if i < len(cells) else "") for i, name in enumerate(names) if name}
        lossy = frozenset(name for i, name in enumerate(names) if name and i < len(cells) and cells[i][1])
        if any(values.values()):
            out.append(TableRow(number, values, lossy))
    return Table(path.name, tuple(n for n in names if n), out)


_Cells = list[tuple[str, bool]]  # (text, lossy) per cell


def _csv(path: Path) -> tuple[list[str], list[tuple[int, _Cells]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            return header, [(reader.line_num, [(v, False) for v in row]) for row in reader]
    except UnicodeDecodeError as exc:
        raise CxcertError(
            f"{path.name}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    except csv.Error as exc:
        raise CxcertError(f"{path.name}: not a readable CSV file ({exc})") from None


def _cell(value: object, number_format: str) -> tuple[str, bool]:
    if value is None:
        return "", False
    if isinstance(value, dt.datetime):
        return (value.date().isoformat() if value.time() == dt.time() else value.isoformat()), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_as_shown(value, number_format)
    return str(value), False


def _xlsx(path: Path) -> tuple[list[str], list[tuple[int, _Cells]]]:
    book = open_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        # Read every row the sheet holds, not only those its <dimension> declares (some writers understate it
        # and read-only mode would stop there silently); bounded_rows bounds what it may hold instead.
        sheet.reset_dimensions()
        rows = [
            [_cell(c.value, getattr(c, "number_format", None) or "General") for c in row]
            for row in bounded_rows(path, sheet.title, sheet.iter_rows())
        ]
    except CxcertError:
        raise
    except Exception as exc:  # read-only mode parses the sheet's XML only now
        raise unreadable(path, exc) from None
    finally:
        book.close()
    if not rows:
        return [], []
    return [text for text, _ in rows[0]], [(n, row) for n, row in enumerate(rows[1:], start=2)]
