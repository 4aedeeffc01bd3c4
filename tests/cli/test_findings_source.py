"""Only the evidence path writes computed findings: a typed finding cannot claim to be computed."""

from __future__ import annotations

from pathlib import Path

from .runner import invoke, ok_json, user_error


def test_a_typed_finding_cannot_be_labelled_computed(workspace: Path, tmp_path: Path) -> None:
    ok_json(invoke("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit", "--on",
                   "2026-09-01", "--id", "audit-1", "--json", home=workspace))  # fmt: skip
    line = user_error(invoke("findings", "record", "--assessment", "audit-1", "--item", "4.3", "--level", "compliant",
                             "--source", "computed", home=workspace))  # fmt: skip
    assert "--source" in line and "cxcert evidence --record-into" in line
    typed = ok_json(invoke("findings", "record", "--assessment", "audit-1", "--item", "4.3", "--level", "compliant",
                           "--json", home=workspace))  # fmt: skip
    assert typed["finding"]["source"] == "typed"
    rows = tmp_path / "findings.csv"
    rows.write_text("item,level,source\n4.4,compliant,computed\n4.5,compliant,typed\n", encoding="utf-8")
    report = ok_json(invoke("findings", "import", str(rows), "--assessment", "audit-1", "--json", home=workspace))
    assert report["rows_accepted"] == 1
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(2, "source")]
    stored = ok_json(invoke("assessment", "show", "audit-1", "--json", home=workspace))
    assert {(f["item"], f["source"]) for f in stored["findings"]} == {("4.3", "typed"), ("4.5", "typed")}
