"""Opening a user's Excel workbook: one place that turns openpyxl's many failure types into one clear error.

Shared by the standard authoring import (``standards/excel.py``) and the CLI's table files
(``cli/table_file.py``): a renamed CSV, a truncated download or a folder given as ``x.xlsx`` is the user's
mistake, never a ``BadZipFile`` traceback. Before openpyxl sees the file it is checked within the workspace's
limits (:mod:`cxcert.xlsx_guard`: size, zip bomb, encryption, formulas without values), and once open no sheet
may hold more cells than ``xlsx.max_cells`` (declared, and as read by :func:`bounded_rows`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cxcert.errors import CxcertError
from cxcert.limits import current_limits
from cxcert.xlsx_guard import check_xlsx

if TYPE_CHECKING:
    from openpyxl import Workbook

Row = TypeVar("Row", bound=tuple[Any, ...])


def open_workbook(path: Path, *, read_only: bool) -> Workbook:
    """``path`` opened with cell values (not formulas); :class:`CxcertError` naming the file if it cannot be."""
    if path.is_dir():
        raise CxcertError(f"{path} is a folder, not an Excel workbook (.xlsx)")
    if not path.is_file():
        raise CxcertError(f"file not found: {path}")
    limits = current_limits().xlsx
    check_xlsx(path, limits)
    from openpyxl import load_workbook  # only when an Excel file is read: it is slow to import

    try:
        book = load_workbook(path, read_only=read_only, data_only=True)
    except Exception as exc:  # openpyxl raises BadZipFile, KeyError, ValueError, OSError... for a broken file
        raise unreadable(path, exc) from None
    for sheet in book.worksheets:
        rows, columns = sheet.max_row, sheet.max_column  # read-only: as declared (None when not); else as loaded
        if rows is not None and columns is not None and rows * columns > limits.max_cells:
            book.close()
            raise _too_many_cells(path, f"sheet {sheet.title!r} spans {rows:,} rows by {columns:,} columns, more",
                                  limits.max_cells)  # fmt: skip
    return book


def bounded_rows(path: Path, title: str, rows: Iterable[Row]) -> Iterator[Row]:
    """``rows`` of sheet ``title`` (read-only mode), refused once they hold more than ``xlsx.max_cells`` cells: a
    sheet that declares no size, or declares less than it holds, is bounded while it is read."""
    limit = current_limits().xlsx.max_cells
    cells = 0
    for row in rows:
        cells += max(len(row), 1)  # a row of nothing still costs a row
        if cells > limit:
            raise _too_many_cells(path, f"sheet {title!r} holds more", limit)
        yield row


def _too_many_cells(path: Path, what: str, limit: int) -> CxcertError:
    return CxcertError(f"{path.name}: {what} than the {limit:,} cells allowed (limit xlsx.max_cells in limits.yaml)")


def unreadable(path: Path, exc: Exception) -> CxcertError:
    """The error for a workbook that opened but whose sheets could not be read (read-only mode parses late)."""
    reason = str(exc) or type(exc).__name__
    return CxcertError(f"{path.name}: not a readable Excel workbook (.xlsx): {reason}")


# A number format that shows a fixed count of decimals: 0, 0.0, 0.00, #,##0.00 (the first section of the format).
_FIXED_DECIMALS = re.compile(r"[#,]*0+(?:\.(0+))?")


def number_as_shown(value: int | float, number_format: str) -> tuple[str, bool]:
    """A number cell as the text Excel shows, and whether trailing zeros may have been lost.

    With a fixed-decimals format (``0.00``) the text is exact: 4.1 shown as ``4.10`` reads ``4.10``. In General
    format Excel drops trailing zeros, so a typed ``4.10`` is stored and shown as 4.1: the text is ``4.1`` and
    ``lossy`` is True, for callers to whom 4.1 and 4.10 are different things (item numbers).
    """
    fixed = _FIXED_DECIMALS.fullmatch(number_format.split(";")[0].strip())
    if fixed is not None:
        return f"{value:.{len(fixed.group(1) or '')}f}", False
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), True
    return str(value), True


def trailing_zero_variants(text: str) -> tuple[str, ...]:
    """What a number shown as ``text`` in General format may have been typed as: 2.1 -> 2.10, 2.100; 2 -> 2.0."""
    return (f"{text}0", f"{text}00") if "." in text else (f"{text}.0", f"{text}.00")
