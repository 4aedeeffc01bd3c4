"""Bulk imports are honest: a file-level mistake is one line, exit 2 and nothing stored; an import whose every row
is rejected exits 2; one item appears once per file; Excel number cells do not turn 4.10 into 4.1 unnoticed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from .runner import invoke, ok_json, user_error

AUDIT = "acme-care/compliance_audit-2026-09-01"


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]], formats: dict[str, str] | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    book.save(path)
    return path


@pytest.fixture()
def audit(workspace: Path) -> Path:
    ok_json(invoke("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit",
                   "--on", "2026-09-01", "--json", home=workspace))  # fmt: skip
    return workspace


def _findings(home: Path) -> dict[str, str]:
    shown = ok_json(invoke("assessment", "show", AUDIT, "--json", home=home))
    return {f["item"]: f["level"] for f in shown["findings"]}


def _nothing_stored(home: Path) -> None:
    assert _findings(home) == {}
    assert not (home / "quarantine").exists()


def test_a_missing_column_is_a_file_level_error(audit: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "f.csv", [["item", "lvl"], ["1.1", "compliant"]])
    line = user_error(invoke("findings", "import", str(path), "--assessment", AUDIT, home=audit))
    assert "f.csv: no 'level' column in the first row (is 'lvl' meant to be 'level'?); it names: item, lvl" in line
    _nothing_stored(audit)


def test_unknown_assessment_or_none_at_all(audit: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "f.csv", [["item", "level"], ["1.1", "compliant"]])
    assert "no assessment 'nope'" in user_error(
        invoke("findings", "import", str(path), "--assessment", "nope", home=audit)
    )
    line = user_error(invoke("findings", "import", str(path), home=audit))
    assert "f.csv: no 'assessment' column; give --assessment ID for every row, or add the column" in line
    _nothing_stored(audit)


def test_unknown_entity_for_answers(workspace: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "a.csv", [["item", "answer"], ["1.1", "yes"]])
    assert "no entity 'nope'" in user_error(invoke("answers", "import", str(path), "--entity", "nope", home=workspace))
    assert "a.csv: no 'entity' column" in user_error(invoke("answers", "import", str(path), home=workspace))
    progress = ok_json(invoke("answers", "show", "--entity", "acme-care", "--json", home=workspace))
    assert progress["answers"] == 0 and not (workspace / "quarantine").exists()


def test_header_only_and_a_column_named_twice(audit: Path, tmp_path: Path) -> None:
    empty = _csv(tmp_path / "empty.csv", [["item", "level"]])
    assert "no data rows" in user_error(invoke("findings", "import", str(empty), "--assessment", AUDIT, home=audit))
    twice = _csv(tmp_path / "twice.csv", [["item", "level", "Item"], ["1.1", "compliant", "1.2"]])
    assert "names 'item' more than once" in user_error(
        invoke("findings", "import", str(twice), "--assessment", AUDIT, home=audit)
    )


def test_every_row_rejected_exits_2_after_the_accounting(audit: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "f.csv", [["item", "level"], ["9.9", "compliant"], ["1.1", "awful"]])
    result = invoke("findings", "import", str(path), "--assessment", AUDIT, "--json", home=audit)
    line = user_error(result)
    assert "every row was rejected (2), no findings stored" in line
    report = json.loads(result.stdout)  # the accounting still printed, the rows quarantined
    assert (report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == (2, 0, 2)
    assert Path(report["quarantine"]).is_file()


def test_help_says_when_it_exits_2(workspace: Path) -> None:
    for command in (("findings", "import"), ("answers", "import")):
        shown = invoke(*command, "--help", home=workspace)
        assert "Exit code 2" in shown.stdout and "every row is rejected" in shown.stdout


def test_one_item_once_per_findings_file(audit: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "f.csv", [["item", "level"], ["2.1", "compliant"], ["1.1", "minor"], ["2.1", "major"]])
    report = ok_json(invoke("findings", "import", str(path), "--assessment", AUDIT, "--json", home=audit))
    assert report["rejected"] == [
        {"row": 4, "column": "item", "reason": "item 2.1 is given twice, on rows 2 and 4; row 2 stands"}
    ]
    assert _findings(audit) == {"2.1": "compliant", "1.1": "minor_deficiency"}


def test_one_answer_per_requirement_per_file(workspace: Path, tmp_path: Path) -> None:
    rows = [["item", "requirement", "answer"], ["1.1", "1.1.1", "first"], ["1.1", "", "item"], ["1.1", "1.1.1", "x"]]
    path = _csv(tmp_path / "a.csv", rows)
    report = ok_json(invoke("answers", "import", str(path), "--entity", "acme-care", "--json", home=workspace))
    assert report["rejected"] == [
        {"row": 4, "column": "requirement",
         "reason": "the answer to 1.1/1.1.1 is given twice, on rows 2 and 4; row 2 stands"}
    ]  # fmt: skip


def test_excel_number_cells_keep_their_shown_decimals(audit: Path, tmp_path: Path) -> None:
    # COPC-2000 CSP has both items 4.1 and 4.10 (packaged copc-2000-csp.yaml).
    rows: list[list[object]] = [["item", "level"], [4.1, "compliant"], [4.1, "minor"], [1.1, "minor"], ["2.10", "na"]]
    path = _xlsx(tmp_path / "f.xlsx", rows, {"A2": "0.00"})  # A2 shows 4.10; A3 is General: 4.10 or 4.1?
    report = ok_json(invoke("findings", "import", str(path), "--assessment", AUDIT, "--json", home=audit))
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(3, "item")]
    assert "the number cell 4.1 could be item 4.1 or 4.10" in report["rejected"][0]["reason"]
    assert _findings(audit) == {"4.10": "compliant", "1.1": "minor_deficiency", "2.10": "not_applicable"}
