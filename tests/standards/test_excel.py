"""The Excel authoring workbook: export -> import gives back the same standard; errors name sheet, row, column."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

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
