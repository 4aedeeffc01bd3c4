"""`cxcert standard ...` through a real subprocess: exit codes 0/2, messages with file, line/cell and field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

BROKEN = Path(__file__).parent / "broken"
DATA = Path(__file__).resolve().parents[2] / "src" / "cxcert" / "standards" / "data"


def cxcert(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CXCERT_HOME": str(home), "COLUMNS": "200"}
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cxcert", "standard", *args], capture_output=True, text=True, env=env, check=False,
        cwd=cwd,
    )  # fmt: skip


def test_validate_accepts_packaged_files(home: Path) -> None:
    result = cxcert(
        home, "validate", str(DATA / "copc-2000-csp.yaml"), str(DATA / "crosswalk-iso18295-1-copc-2000.yaml")
    )
    assert result.returncode == 0, result.stderr
    assert "ok (standard urn:cxcert:standard:copc_cx_standard-csp-2000:1.0: 34 items, 2000 points)" in result.stdout


def test_validate_rejects_broken_file_with_exit_2(home: Path) -> None:
    path = BROKEN / "points_not_adding_up.yaml"
    result = cxcert(home, "validate", str(path))
    assert result.returncode == 2
    assert f"{path}:6: total_points: items' points add up to 1990" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_json(home: Path) -> None:
    good, bad = DATA / "rules-copc-7.0.yaml", BROKEN / "duplicate_item_number.yaml"
    result = cxcert(home, "validate", "--json", str(good), str(bad))
    assert result.returncode == 2
    payload = json.loads(result.stdout)
    assert [(p["valid"], p["kind"]) for p in payload] == [(True, "rule_set"), (False, "standard")]
    issue = payload[1]["issues"][0]
    assert (issue["line"], issue["field"], issue["rule"]) == (
        17,
        "categories[0].items[1].number",
        "duplicate-item-number",
    )


def test_list_and_show_json(home: Path) -> None:
    listed = json.loads(cxcert(home, "list", "--json").stdout)
    assert {s["urn"] for s in listed["standards"]} >= {"urn:cxcert:standard:copc_cx_standard-csp-2000:1.0"}
    shown = cxcert(home, "show", "copc-2000-csp", "--json")
    assert shown.returncode == 0
    payload = json.loads(shown.stdout)
    assert payload["default_rule_set"] == "copc-2000-founding"
    assert sum(i["points"] for c in payload["categories"] for i in c["items"]) == 2000


def test_show_unknown_standard_is_one_line_exit_2(home: Path) -> None:
    result = cxcert(home, "show", "nope")
    assert result.returncode == 2
    assert "no packaged standard 'nope'" in result.stderr and "Traceback" not in result.stderr


def test_help_teaches(home: Path) -> None:
    for command in ("list", "show", "validate", "import", "export"):
        result = cxcert(home, command, "--help")
        assert result.returncode == 0
        assert "Example" in result.stdout and "--json" in result.stdout


def test_export_import_round_trip(home: Path, tmp_path: Path) -> None:
    workbook, out = tmp_path / "copc.xlsx", tmp_path / "copc.yaml"
    assert cxcert(home, "export", "copc-2000-csp", "--excel", str(workbook)).returncode == 0
    result = cxcert(home, "import", str(workbook), "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["items"], report["total_points"], report["out"]) == (34, 2000, str(out))
    assert cxcert(home, "validate", str(out)).returncode == 0


def test_import_broken_workbook_exits_2_naming_the_cell(home: Path, tmp_path: Path) -> None:
    workbook = tmp_path / "t.xlsx"
    assert cxcert(home, "export", "copc-2000-csp", "--excel", str(workbook)).returncode == 0
    wb = load_workbook(workbook)
    wb["Items"]["F3"] = 55  # item 1.2's points: 50 -> 55
    wb.save(workbook)
    result = cxcert(home, "import", str(workbook))
    assert result.returncode == 2
    assert f"{workbook}:Standard!B8: total_points: items' points add up to 2005, not the declared 2000" in result.stderr
    assert not workbook.with_suffix(".yaml").exists()


def test_export_needs_a_destination(home: Path) -> None:
    result = cxcert(home, "export", "copc-2000-csp")
    assert result.returncode == 2
    assert "--excel" in result.stderr


def test_import_of_a_file_that_is_not_a_workbook_is_one_line(home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("item,answer\n1.1,yes\n", encoding="utf-8")  # a CSV renamed: not a zip archive
    result = cxcert(home, "import", str(fake))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "fake.xlsx: not a readable Excel workbook (.xlsx): File is not a zip file" in result.stderr
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    assert "is a folder, not an Excel workbook" in cxcert(home, "import", str(folder)).stderr


def test_show_a_rule_set(home: Path) -> None:
    # Oracle: the packaged rules-copc-2000-founding.yaml (DOMAIN.md section 3 step 8: 27 items, 1800 of 2000).
    payload = json.loads(cxcert(home, "show", "copc-2000-founding", "--json").stdout)
    assert payload["kind"] == "rule_set" and payload["id"] == "copc-2000-founding"
    assert payload["points_view"]["pass_mark"] == 1800
    assert [c["min_compliant_items"] for c in sorted(payload["decision_classes"], key=lambda c: c["rank"])][1] == 27
    assert payload["corrective_action_grace_days"] == 90
    text = cxcert(home, "show", "copc-2000-founding")
    assert text.returncode == 0, text.stderr
    for shown in ("Decision classes", "Conditionally", "Authorities by jurisdiction", "everywhere else", "1800",
                  "recertification interval months", "corrective action grace days", "six month review after"):
        assert shown in text.stdout, shown


def test_show_a_crosswalk(home: Path) -> None:
    payload = json.loads(cxcert(home, "show", "crosswalk-iso18295-1-copc-2000", "--json").stdout)
    assert payload["kind"] == "crosswalk" and len(payload["links"]) == 35
    assert {"source": "4.3", "target": "4.8", "strength": "equivalent", "note": ""} in payload["links"]
    text = cxcert(home, "show", "crosswalk-iso18295-1-copc-2000")
    assert text.returncode == 0 and "Links" in text.stdout and "Business Continuity" in text.stdout


def test_show_names_what_exists_when_nothing_matches(home: Path) -> None:
    result = cxcert(home, "show", "nope")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "nor is it a rule set (copc-2000-founding" in result.stderr
    assert "crosswalk-iso18295-1-copc-2000" in result.stderr


def test_export_excel_as_a_flag_writes_a_named_template_here(home: Path, tmp_path: Path) -> None:
    blank = json.loads(cxcert(home, "export", "--excel", "--json", cwd=tmp_path).stdout)
    assert blank == {"standard": None, "excel": "cxcert-template.xlsx"}
    filled = cxcert(home, "export", "copc-2000-csp", "--excel", "--json", cwd=tmp_path)
    assert json.loads(filled.stdout)["excel"] == "copc-2000-csp-template.xlsx"
    assert load_workbook(tmp_path / "copc-2000-csp-template.xlsx")["Items"]["B8"].value == "2.1"
    again = cxcert(home, "export", "copc-2000-csp", "--excel", cwd=tmp_path)  # never over a file it named itself
    assert again.returncode == 2 and "exists already; give --out PATH" in again.stderr
    chosen = cxcert(home, "export", "copc-2000-csp", "--excel", "--out", "mine.xlsx", "--json", cwd=tmp_path)
    assert json.loads(chosen.stdout)["excel"] == "mine.xlsx" and (tmp_path / "mine.xlsx").is_file()


def test_export_excel_path_as_before(home: Path, tmp_path: Path) -> None:
    # `--excel PATH` (the form before --excel became a flag) still writes PATH, blank or filled.
    out = tmp_path / "t.xlsx"
    assert json.loads(cxcert(home, "export", "--excel", str(out), "--json").stdout)["excel"] == str(out)
    both = cxcert(home, "export", "copc-2000-csp", "--excel", str(out), "--out", str(tmp_path / "u.xlsx"))
    assert both.returncode == 2 and "at most one standard and one OUT.xlsx" in both.stderr
