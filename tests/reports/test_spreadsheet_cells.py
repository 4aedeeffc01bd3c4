"""Text from data never becomes a live formula: the one escaping function of every CSV and xlsx writer.

Oracle: OWASP's CSV injection advice (cells starting with =, +, -, @, tab or carriage return get a leading single
quote in CSV); in xlsx the cell is read back with openpyxl and must be a string, not a formula.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from cxcert.spreadsheet_cells import FORMULA_STARTS, append_row, csv_cell, csv_frame, set_cell

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_text_starting_a_formula_gets_a_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["care", "a=b", "", " =1", -3, -2.5, 0, True, None])
def test_other_values_are_left_as_they_are(value: object) -> None:
    assert csv_cell(value) == value


def test_frames_escape_text_columns_only() -> None:
    frame = pd.DataFrame({"queue": ["-2+3", "care", None], "calls": [-1.0, 2.0, math.nan], "n": [-1, 2, 3]})
    safe = csv_frame(frame)
    assert safe["queue"].tolist()[:2] == ["'-2+3", "care"] and pd.isna(safe["queue"].tolist()[2])
    assert safe["calls"].tolist()[:2] == [-1.0, 2.0] and safe["n"].tolist() == [-1, 2, 3]
    assert frame["queue"].tolist()[0] == "-2+3"  # the caller's frame is not changed


def test_xlsx_cells_from_data_are_strings_not_formulas(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    append_row(ws, [*HOSTILE, 7, None])
    set_cell(ws, 2, 1, "=1+1")
    path = tmp_path / "book.xlsx"
    wb.save(path)
    read = load_workbook(path).active
    assert read is not None
    cells = next(iter(read.iter_rows(min_row=1, max_row=1)))
    # Exactly the text, nothing added (XML reads a carriage return back as a line feed).
    assert [c.value for c in cells[: len(HOSTILE)]] == [h.replace("\r", "\n") for h in HOSTILE]
    assert {c.data_type for c in cells[: len(HOSTILE)]} == {"s"}
    assert (cells[len(HOSTILE)].value, cells[len(HOSTILE)].data_type) == (7, "n")
    assert (read["A2"].value, read["A2"].data_type) == ("=1+1", "s")


def test_every_formula_start_is_covered() -> None:
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}
