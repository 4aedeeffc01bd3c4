"""Every command that reads a user's Excel workbook, given each hostile file: exit 2 and one line naming it.

Two readers: the standard authoring import (openpyxl loading the whole workbook) and the bulk imports of
answers and findings (openpyxl's read-only streaming mode, through ``cli/table_file.py``). Without the checks
the zip bomb makes openpyxl build 20 million cells from 512 MiB of XML, the huge dimension makes the streaming
reader pad 17 billion empty cells, and a formula written without its value reads as an empty answer.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from cli.runner import invoke, ok_json, user_error
from cxcert.errors import CxcertError

from . import hostile_files as hostile

ENTITY = "acme-care"

COMMANDS: dict[str, Callable[[Path, Path], subprocess.CompletedProcess[str]]] = {
    "standard import": lambda home, f: invoke("standard", "import", str(f), "--out", str(f.with_suffix(".yaml")),
                                              home=home),
    "answers import": lambda home, f: invoke("answers", "import", str(f), "--entity", ENTITY, home=home),
    "findings import": lambda home, f: invoke("findings", "import", str(f), "--assessment", "nope", home=home),
}  # fmt: skip


def _answers(sheet: object) -> None:
    sheet.append(["item", "answer"])  # type: ignore[attr-defined]
    sheet.append(["1.1", "yes"])  # type: ignore[attr-defined]


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    # name: (builder, words the one line must hold)
    "zip_bomb": (hostile.zip_bomb, "limit xlsx.max_ratio"),
    "huge_dimension": (hostile.huge_dimension, "1,048,576 rows by 16,384 columns"),
    "xml_entities": (hostile.entity_dtd, "declares a DTD or entities"),
    "formulas_without_values": (hostile.formulas_without_values, "cell B2 of sheet 'Sheet' holds a formula"),
    "garbage": (hostile.garbage, "not a readable Excel workbook"),
    "broken_sheet_xml": (hostile.broken_sheet_xml, "not a readable Excel workbook"),
    "zero_bytes": (lambda: b"", "not a readable Excel workbook"),
    "a_csv_renamed": (lambda: b"item,answer\n1.1,yes\n", "not a readable Excel workbook"),
    "truncated": (lambda: hostile.truncated(hostile.xlsx_bytes(_answers)), "not a readable Excel workbook"),
    "password": (lambda: hostile.encrypted(hostile.xlsx_bytes(_answers)), "password-protected"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_hostile_workbook_is_one_line_naming_the_file(command: str, case: str, workspace: Path,
                                                      tmp_path: Path) -> None:  # fmt: skip
    build, words = CASES[case]
    file = hostile.write(tmp_path / f"{case}.xlsx", build())
    line = user_error(COMMANDS[command](workspace, file))
    assert file.name in line and words in line


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_empty_workbook_is_one_line(command: str, workspace: Path, tmp_path: Path) -> None:
    file = hostile.write(tmp_path / "empty.xlsx", hostile.xlsx_bytes(lambda sheet: None))
    line = user_error(COMMANDS[command](workspace, file))
    assert file.name in line


def test_a_sheet_holding_more_than_it_declares_is_bounded_while_read(workspace: Path, tmp_path: Path) -> None:
    """Declares A1 and holds 200 rows of 2 cells: with max_cells at 100 the streaming reader stops at the limit
    (the declared size passed the check made before reading)."""
    hostile.write(workspace / "limits.yaml", b"xlsx:\n  max_cells: 100\n")
    file = hostile.write(tmp_path / "understated.xlsx", hostile.understated_dimension(200))
    line = user_error(invoke("answers", "import", str(file), "--entity", ENTITY, home=workspace))
    assert line == ("error: understated.xlsx: sheet 'Sheet' holds more than the 100 cells allowed "
                    "(limit xlsx.max_cells in limits.yaml)")  # fmt: skip


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        ("xlsx:\n  max_bytes: 1 KiB\n", "limit xlsx.max_bytes"),
        ("xlsx:\n  max_uncompressed_bytes: 2 KiB\n", "limit xlsx.max_uncompressed_bytes"),
        ("xlsx:\n  max_parts: 3\n", "limit xlsx.max_parts"),
    ],
)
def test_each_zip_limit_is_data(limits: str, words: str, workspace: Path, tmp_path: Path) -> None:
    """An ordinary workbook (4.7 KB, 9 parts, 10 KB unzipped) refused once the workspace lowers a limit under it."""
    hostile.write(workspace / "limits.yaml", limits.encode())
    file = hostile.write(tmp_path / "answers.xlsx", hostile.xlsx_bytes(_answers))
    line = user_error(invoke("answers", "import", str(file), "--entity", ENTITY, home=workspace))
    assert "answers.xlsx" in line and words in line


def test_formulas_with_saved_values_read_as_their_values(tmp_path: Path) -> None:
    """The checks let Excel's own files through: a formula whose value was saved reads as that value."""
    from cxcert.cli.table_file import read_table

    file = hostile.write(tmp_path / "answers.xlsx", hostile.formulas_with_saved_values())
    table = read_table(file)
    assert [(row.number, row.values) for row in table.rows] == [(2, {"item": "1.1", "answer": "yes"})]


def test_rows_past_an_understated_dimension_are_read(tmp_path: Path) -> None:
    """A sheet declaring A1 but holding 5 rows: all 5 are read (read-only openpyxl alone would stop at row 1)."""
    from cxcert.cli.table_file import read_table

    file = hostile.write(tmp_path / "understated.xlsx", hostile.understated_dimension(5))
    table = read_table(file)
    assert [(row.number, row.values["n"]) for row in table.rows] == [(2, "2"), (3, "3"), (4, "4"), (5, "5")]


def test_an_ordinary_workbook_still_imports(workspace: Path, tmp_path: Path) -> None:
    """The checks let a real workbook through: one answer row read and accepted."""
    file = hostile.write(tmp_path / "answers.xlsx", hostile.xlsx_bytes(_answers))
    report = ok_json(invoke("answers", "import", str(file), "--entity", ENTITY, "--json", home=workspace))
    assert (report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == (1, 1, 0)


def test_standard_import_refuses_too_many_cells_before_loading_them(workspace: Path, tmp_path: Path) -> None:
    """The full-load reader (standard import) would build every cell before counting: a 128 MiB sheet of 6
    million cells took 69 s and 2.4 GB to be refused. The guard counts the cells in the XML before openpyxl
    opens the file: 200 rows of 2 cells with max_cells at 100 is one line naming the sheet."""
    hostile.write(workspace / "limits.yaml", b"xlsx:\n  max_cells: 100\n")
    file = hostile.write(tmp_path / "understated.xlsx", hostile.understated_dimension(200))
    line = user_error(COMMANDS["standard import"](workspace, file))
    assert line == ("error: understated.xlsx: sheet 'Sheet' holds more than the 100 cells allowed "
                    "(limit xlsx.max_cells in limits.yaml)")  # fmt: skip


def test_cells_are_counted_exactly_across_the_guards_chunks(tmp_path: Path) -> None:
    """60,000 rows of 2 cells (oracle: 120,000 cells, by construction) span several of the guard's 1 MiB chunks:
    a tag cut by a chunk's end is counted once, so exactly 120,000 passes and 119,999 is refused."""
    from cxcert.limits import packaged_limits
    from cxcert.xlsx_guard import check_xlsx

    file = hostile.write(tmp_path / "tall.xlsx", hostile.understated_dimension(60_000))
    base = packaged_limits().xlsx.model_copy(update={"max_ratio": 10_000.0})
    check_xlsx(file, base.model_copy(update={"max_cells": 120_000}))
    with pytest.raises(CxcertError, match="holds more than the 119,999 cells allowed"):
        check_xlsx(file, base.model_copy(update={"max_cells": 119_999}))
