"""The Excel authoring workbook: export -> import gives back the same standard; errors name sheet, row, column."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from cxcert.standards import excel, library
from cxcert.standards.dump import dump_yaml
from cxcert.standards.issues import DocumentInvalid
from cxcert.standards.parsing import parse_text

STEMS = ["copc-2000-csp", "copc-7.0-csp", "iso-18295-1-2017"]


@pytest.mark.parametrize("stem", STEMS)
def test_filled_template_round_trips(stem: str, tmp_path: Path) -> None:
    std = library.standard(stem)
    out = tmp_path / f"{stem}.xlsx"
    excel.export_template(std, out)
    assert excel.import_workbook(out) == std


def test_licensed_text_survives_the_round_trip(tmp_path: Path) -> None:
    std = library.standard("copc-2000-csp")
    out = tmp_path / "t.xlsx"
    excel.export_template(std, out)
    wb = load_workbook(out)
    ws = wb["Items"]
    ws["E2"] = False  # summary_is_ours
    ws["H2"] = "The licensed requirement text, line one.\nLine two."
    wb.save(out)
    imported = excel.import_workbook(out)
    item = imported.item("1.1")
    assert item.full_text == "The licensed requirement text, line one.\nLine two."
    assert not item.summary_is_ours
    again = parse_text(dump_yaml(imported), "again.yaml")
    assert again.parsed is not None and again.parsed.document == imported


def test_blank_template_has_every_sheet(tmp_path: Path) -> None:
    out = tmp_path / "blank.xlsx"
    excel.export_template(None, out)
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Instructions",
        "Standard",
        "Categories",
        "Items",
        "Requirements",
        "RequiredMetrics",
        "Lists",
    ]
    assert [c.value for c in wb["Items"][1]] == [
        "category",
        "number",
        "title",
        "summary",
        "summary_is_ours",
        "points",
        "scorable",
        "full_text",
    ]
    with pytest.raises(DocumentInvalid) as caught:
        excel.import_workbook(out)
    assert f"{out}:Standard!B2: key.family: missing field 'family'" in caught.value.issues


def test_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    excel.export_template(library.standard("copc-2000-csp"), out)
    wb = load_workbook(out)
    wb["Items"]["F3"] = "lots"  # item 1.2's points (row 3, column F)
    wb["Items"]["A4"] = "9.0"  # item 1.3 under a category that does not exist
    wb["RequiredMetrics"]["B2"] = "speed"  # first required metric
    wb.save(out)
    with pytest.raises(DocumentInvalid) as caught:
        excel.import_workbook(out)
    assert caught.value.issues == [f"{out}:Items!A4: category: category '9.0' is not on the Categories sheet"]
    wb["Items"]["A4"] = "1.0"
    wb.save(out)
    with pytest.raises(DocumentInvalid) as caught:
        excel.import_workbook(out)
    assert any(i.startswith(f"{out}:Items!F3: categories[0].items[1].points: ") for i in caught.value.issues)
    wb["Items"]["F3"] = 50
    wb.save(out)
    with pytest.raises(DocumentInvalid) as caught:
        excel.import_workbook(out)
    assert caught.value.issues[0].startswith(
        f"{out}:RequiredMetrics!B2: categories[3].items[0].required_metrics[0].metric: unknown metric 'speed'"
    )


def test_points_not_adding_up_in_a_workbook(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    excel.export_template(library.standard("copc-2000-csp"), out)
    wb = load_workbook(out)
    wb["Standard"]["B8"] = 2100
    wb.save(out)
    with pytest.raises(DocumentInvalid) as caught:
        excel.import_workbook(out)
    assert caught.value.issues[0].startswith(f"{out}:Standard!B8: total_points: items' points add up to 2000")


def _import_issues(out: Path) -> list[str]:
    with pytest.raises(DocumentInvalid) as caught:
        excel.import_workbook(out)
    return caught.value.issues


def _copc_2000_workbook(out: Path) -> Workbook:
    # COPC-2000 CSP (packaged copc-2000-csp.yaml) has items 2.1 (Items row 8) and 2.10 (row 17).
    excel.export_template(library.standard("copc-2000-csp"), out)
    wb = load_workbook(out)
    assert (wb["Items"]["B8"].value, wb["Items"]["B17"].value) == ("2.1", "2.10")
    return wb


def test_duplicate_item_number_is_reported_at_its_cell(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    wb = _copc_2000_workbook(out)
    wb["Items"]["B17"] = "2.1"
    wb.save(out)
    assert f"{out}:Items!B17: number: duplicate item number 2.1 (also at B8)" in _import_issues(out)


def test_a_number_cell_that_lost_its_zero_is_reported_at_the_items_cell(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    wb = _copc_2000_workbook(out)
    wb["Items"]["B17"].value, wb["Items"]["B17"].number_format = 2.10, "General"  # typed as a number: 2.1
    wb.save(out)
    issues = _import_issues(out)
    assert issues[0].startswith(f"{out}:Items!B17: number: duplicate item number 2.1 (also at B8); the cell holds")
    assert "Excel drops trailing zeros" in issues[0]
    # Without a real 2.1 to collide with, the Requirements sheet's 2.10 still points back at the Items cell.
    wb["Items"]["B8"] = "2.01"
    for sheet in ("Requirements", "RequiredMetrics"):
        for cell in wb[sheet]["A"]:
            if cell.value == "2.1":
                cell.value = "2.01"
    wb.save(out)
    issues = _import_issues(out)
    assert f"{out}:Requirements!A35: item: item '2.10' is not on the Items sheet" in issues
    assert any(
        i.startswith(f"{out}:Items!B17: number: item number 2.1 is a number cell, but Requirements!A35 names item 2.10")
        for i in issues
    )


def test_number_cells_read_as_shown(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    wb = _copc_2000_workbook(out)
    wb["Items"]["B17"].value, wb["Items"]["B17"].number_format = 2.10, "0.00"  # shows 2.10
    wb.save(out)
    assert excel.import_workbook(out).item("2.10").title == library.standard("copc-2000-csp").item("2.10").title


def test_an_ambiguous_number_reference_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    wb = _copc_2000_workbook(out)
    cell = next(c for c in wb["Requirements"]["A"] if c.value == "2.1")
    cell.value, cell.number_format = 2.1, "General"
    wb.save(out)
    assert _import_issues(out) == [
        f"{out}:Requirements!{cell.coordinate}: item: the number cell 2.1 could be item 2.1 or 2.10: Excel drops "
        "trailing zeros from numbers (2.10 typed as a number is 2.1); format the column as Text and type the item "
        "number again"
    ]
