"""`cxcert demo` runs end to end, leaves an explorable workspace, and explains its decision.

Oracle for the decision: the packaged demo audit (certification/data/demo_scenario.yaml) types two minor
deficiencies outside Category 4.0 (2.4 and 3.4); the twelve months of generated operations (seed 7, the months
before an audit in October 2026) give computed minor deficiencies on 4.3, 4.6, 4.7 and 4.10 and compliance on the
other 4.x items. 27 of 33 compliant with 6 minor and no major: the founding rule set classes that Conditionally
Certified (at least 27 compliant, DOMAIN.md section 3).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcert.cli.demo import choose_home

from .runner import cxcert, invoke, ok_json, user_error


def test_demo_prints_decision_and_calendar_and_leaves_a_workspace(tmp_path: Path) -> None:
    result = cxcert("demo", "--today", "2026-11-22", home=tmp_path / "unused", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    home = tmp_path / "cxcert-demo"
    assert "Conditionally Certified" in out and "Calendar" in out and "six_month_review" in out
    assert "refused" in out and "audit trail intact" in out and str(home) in out
    entities = ok_json(invoke("entity", "list", "--json", home=home))
    assert [e["id"] for e in entities] == ["ent-northwind-care"]
    cal = ok_json(invoke("calendar", "--today", "2026-11-22", "--json", home=home))
    kinds = {e["kind"] for e in cal["entities"][0]["events"]}
    assert {"six_month_review", "recertification_audit", "application_update", "corrective_action_due"} <= kinds


def test_demo_json_document(tmp_path: Path) -> None:
    payload = ok_json(invoke("demo", "--home", str(tmp_path / "d"), "--today", "2026-11-22", "--json", home=tmp_path))
    assert payload["workspace"]["home"] == str(tmp_path / "d")
    assert payload["decision"]["decision_class"] == "Conditionally Certified"
    assert payload["decision"]["counts"]["compliant"] == 27 and payload["decision"]["counts"]["minor"] == 6
    deficient = {c["item"] for c in payload["decision"]["contributions"] if c["counted_as"] == "minor_deficiency"}
    assert deficient == {"2.4", "3.4", "4.3", "4.6", "4.7", "4.10"}
    performance = payload["performance"]
    assert performance["window"] == {"start": "2025-10-01", "end": "2026-09-30", "tz": "America/New_York"}
    assert {f["item"]: f["level"] for f in performance["findings"]}["4.1"] == "compliant"
    assert Path(performance["workbook"]).is_file() and performance["corrective_actions_opened"]
    for table, counts in payload["operations"]["ingested"].items():
        assert counts["read"] == counts["accepted"] + counts["rejected"], table
    assert payload["audit_trail"]["intact"] is True
    assert [c["registered"] for c in payload["coordinators"]].count(False) == 1
    assert payload["application"]["answers"] > 0 and payload["baseline"]["findings"]
    assert any(e["kind"] == "recertification_audit" for e in payload["calendar"]["events"])


def test_demo_refuses_a_home_that_holds_a_database(tmp_path: Path) -> None:
    ok_json(invoke("init", "--json", home=tmp_path / "ws"))
    line = user_error(invoke("demo", "--home", str(tmp_path / "ws"), home=tmp_path / "ws"))
    assert "already holds a cxcert database" in line


def test_default_demo_home_never_reuses_a_used_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert choose_home(None) == tmp_path / "cxcert-demo"
    (tmp_path / "cxcert-demo").mkdir()
    assert choose_home(None) == tmp_path / "cxcert-demo"  # empty: fine to use
    (tmp_path / "cxcert-demo" / "cxcert.sqlite").write_text("")
    assert choose_home(None) == tmp_path / "cxcert-demo-2"
