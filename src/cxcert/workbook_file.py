"""Opening a user's Excel workbook: one place that turns openpyxl's many failure types into one clear error.

Shared by the standard authoring import (``standards/excel.py``) and the CLI's table files
(``cli/table_file.py``): a renamed CSV, a truncated download or a folder given as ``x.xlsx`` is the user's
mistake, never a ``BadZipFile`` traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cxcert.errors import CxcertError

if TYPE_CHECKING:
    from openpyxl import Workbook


def open_workbook(path: Path, *, read_only: bool) -> Workbook:
    """``path`` opened with cell values (not formulas); :class:`CxcertError` naming the file if it cannot be."""
    if path.is_dir():
        raise CxcertError(f"{path} is a folder, not an Excel workbook (.xlsx)")
    if not path.is_file():
        raise CxcertError(f"file not found: {path}")
    from openpyxl import load_workbook  # only when an Excel file is read: it is slow to import

    try:
        return load_workbook(path, read_only=read_only, data_only=True)
    except Exception as exc:  # openpyxl raises BadZipFile, KeyError, ValueError, OSError... for a broken file
        raise unreadable(path, exc) from None


def unreadable(path: Path, exc: Exception) -> CxcertError:
    """The error for a workbook that opened but whose sheets could not be read (read-only mode parses late)."""
    reason = str(exc) or type(exc).__name__
    return CxcertError(f"{path.name}: not a readable Excel workbook (.xlsx): {reason}")
