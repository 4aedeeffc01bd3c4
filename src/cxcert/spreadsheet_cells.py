"""Text from data never becomes a live formula in a spreadsheet cxcert writes (CSV and Excel injection).

A program named ``=HYPERLINK("http://x","y")`` is data; written as it is into a CSV file or an Excel cell, the
spreadsheet runs it when the file is opened. Every writer of CSV or xlsx puts its cells through this module:

- **xlsx** (:func:`append_row`, :func:`set_cell`): a text cell is stored as a string (openpyxl data type ``s``),
  never as a formula, so the cell shows exactly the text, with nothing added;
- **CSV** (:func:`csv_cell`, :func:`csv_frame`): CSV has no types, so text that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a leading single quote, as OWASP recommends; a spreadsheet
  then shows it as text. Numbers are left as they are (``-3`` stays a number).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters a spreadsheet reads as the start of a formula (OWASP, CSV injection)."""


def csv_cell(value: Any) -> Any:
    """``value`` safe for a CSV cell: text that a spreadsheet would read as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are :func:`csv_cell`-safe (numbers, dates and flags untouched)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype) in ("string", "str"):
            safe[column] = safe[column].map(csv_cell).astype(object)
    return safe


def _as_text(cell: Cell | MergedCell) -> Cell | MergedCell:
    if cell.data_type == "f":  # openpyxl took text starting with "=" for a formula: it is data
        cell.data_type = "s"
    return cell


def append_row(ws: Worksheet, values: Iterable[object]) -> None:
    """Append a row of values to ``ws``; text is written as text, never as a formula."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        _as_text(cell)


def set_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Set one cell of ``ws``; text is written as text, never as a formula."""
    cell: Cell = ws.cell(row=row, column=column, value=value)
    _as_text(cell)
    return cell
