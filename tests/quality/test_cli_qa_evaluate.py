"""`cxcert qa evaluate`: strict manual entry, scored with its explanation, stored as canonical warehouse rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.runner import invoke, ok_json, user_error
from cxcert.warehouse import Warehouse

# voice_cs v1 (packaged form): correct_resolution (zero_section, customer-critical) fails, hold etiquette n/a.
RESULTS = {
    "greeting": "pass", "verify_identity": "pass", "understand_need": "pass", "correct_resolution": "fail",
    "correct_account_action": "pass", "mandatory_disclosures": "pass", "courtesy": "pass",
    "hold_transfer_etiquette": "na", "closing": "pass",
}  # fmt: skip
BASE = ("qa", "evaluate", "--form", "voice_cs", "--version", "1", "--agent", "a17", "--evaluator", "qa3",
        "--contact", "c-991")  # fmt: skip


def _results(results: dict[str, str]) -> list[str]:
    return [arg for pid, value in results.items() for arg in ("--result", f"{pid}={value}")]


def test_scores_stores_and_reads_back(tmp_path: Path) -> None:
    """Score by hand (docs/quality.md): opening 15/15, resolution zeroed by correct_resolution, compliance 10/10,
    soft skills 10/10 (hold n/a): (1 x 1 + 2 x 0 + 1 x 1 + 1 x 1) / 5 = 60 %, a customer-critical error."""
    home = tmp_path / "home"
    out = ok_json(invoke(*BASE, *_results(RESULTS), "--id", "ev-1", "--at", "2026-03-02T10:15:00+01:00",
                         "--entity", "site", "--program", "care", "--json", home=home))  # fmt: skip
    assert out["score"]["score"] == pytest.approx(0.6) and out["score"]["errors"] == ["customer_critical"]
    assert out["score"]["fatal_failures"] == ["correct_resolution"]
    assert out["stored"]["evaluations"] == {"read": 1, "accepted": 1, "rejected": 0, "quarantine": None,
                                            "skipped": False}  # fmt: skip
    assert out["stored"]["evaluation_items"]["accepted"] == 9
    warehouse = Warehouse(home / "warehouse")
    header = warehouse.table("evaluations", "site").to_pandas()
    assert len(header) == 1
    row = header.iloc[0]
    assert (row.evaluation_id, row.contact_id, row.agent_id, row.evaluator_id, row.form_id, int(row.form_version),
            row.program) == ("ev-1", "c-991", "a17", "qa3", "voice_cs", 1, "care")  # fmt: skip
    assert row.evaluated_at.isoformat() == "2026-03-02T09:15:00+00:00"  # stored in UTC
    items = warehouse.table("evaluation_items", "site").to_pandas().set_index("parameter_id")
    assert dict(items["result"]) == RESULTS
    assert items.loc["correct_resolution", "error_class"] == "customer_critical"
    assert items.loc["correct_resolution", "points"] == 0.0 and items.loc["greeting", "points"] == 5.0
    assert items["points"].isna().sum() == 1  # the n/a parameter earns nothing and counts nowhere
    # The same id twice is refused, and nothing more is written.
    again = invoke(*BASE, *_results(RESULTS), "--id", "ev-1", "--entity", "site", "--program", "care", home=home)
    assert "already stored" in user_error(again)
    assert len(Warehouse(home / "warehouse").table("evaluation_items", "site").to_pandas()) == 9


def test_incomplete_entry_is_refused_with_exit_2(tmp_path: Path) -> None:
    home = tmp_path / "home"
    partial = {k: v for k, v in RESULTS.items() if k != "closing"}
    line = user_error(invoke(*BASE, *_results(partial), "--entity", "site", "--program", "care", home=home))
    assert "unanswered parameters (use na when not applicable): closing" in line
    assert Warehouse(home / "warehouse").table("evaluations").count().execute() == 0
    assert "is not one of pass, fail, na" in user_error(invoke(*BASE, *_results({**RESULTS, "closing": "maybe"}),
                                                               home=home))  # fmt: skip
    assert "not on form" in user_error(invoke(*BASE, *_results({**RESULTS, "smile": "pass"}), home=home))
    assert "answered twice" in user_error(invoke(*BASE, *_results(RESULTS), "--result", "closing=pass", home=home))
    assert "together" in user_error(invoke(*BASE, *_results(RESULTS), "--entity", "site", home=home))
    assert "not found" in user_error(invoke("qa", "evaluate", "--form", "voice_cs", "--version", "9", "--agent",
                                            "a", "--evaluator", "e", "--contact", "c", home=home))  # fmt: skip


def test_table_output_without_storing(tmp_path: Path) -> None:
    result = invoke(*BASE, *_results(RESULTS), "--id", "ev-2", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "evaluation ev-2 on voice_cs v1: 60.0%, errors: customer_critical" in result.stdout
    assert "[fatal_zero_section] section 'resolution' zeroed by correct_resolution" in result.stdout
    assert "not stored" in result.stdout


def test_an_evaluation_before_its_form_version_was_published_is_refused(tmp_path: Path) -> None:
    """voice_cs v1 was published on 2026-01-05 (its YAML): an evaluation dated 2025-02-10 cannot pin it."""
    home = tmp_path / "home"
    line = user_error(invoke(*BASE, *_results(RESULTS), "--at", "2025-02-10", "--entity", "site", "--program", "care",
                             home=home))  # fmt: skip
    assert "evaluated on 2025-02-10, before form voice_cs v1 was published (2026-01-05)" in line
    assert Warehouse(home / "warehouse").table("evaluations").count().execute() == 0
    on_the_day = invoke(*BASE, *_results(RESULTS), "--at", "2026-01-05T00:00:00+01:00", home=home)
    assert on_the_day.returncode == 0, on_the_day.stderr  # the date as written counts, whatever its offset
