"""`cxcert evidence`: Category 4.0 evidence from the warehouse, recorded into an audit and written to Excel.

Oracles: row accounting (read = accepted + rejected); the summary table covers every required metric of the
COPC-2000 standard, one row per program with data (3 programs in the generated centre), and the computed findings
are one per scorable Category 4.0 item (12), stored into the audit as computed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from cxcert.canonical import TABLES
from cxcert.ingest.pipeline import ingest_file
from cxcert.standards import library
from cxcert.synth import generate, load_profile
from cxcert.warehouse import Warehouse

from .runner import invoke, ok_json, user_error

ENTITY = "acme-care"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with an entity and three months of generated operations in its warehouse."""
    home = tmp_path_factory.mktemp("evidence") / "home"
    ok_json(invoke("init", "--json", home=home))
    ok_json(
        invoke(
            "entity", "create", "--id", ENTITY, "--name", "Acme Care", "--organisation", "acme",
            "--location", "chi:Chicago:US:America/Chicago", "--json", home=home,
        )
    )  # fmt: skip
    out = home.parent / "ops"
    generate(out, contacts=20_000, months=3, seed=3, profile=load_profile(), entity_id=ENTITY)
    warehouse = Warehouse(home / "warehouse")
    for table in TABLES:
        for part in sorted((out / table).glob("*.parquet")):
            result = ingest_file(warehouse, table, part, entity_id=ENTITY, fmt="canonical")
            assert result.accounting.read == result.accounting.accepted + result.accounting.rejected
    return home


def test_evidence_json_recorded_into_an_audit_and_written_to_excel(workspace: Path) -> None:
    audit = ok_json(
        invoke("assessment", "create", "--entity", ENTITY, "--kind", "compliance_audit", "--on", "2025-04-10",
               "--id", "audit-1", "--management-commitment", "--json", home=workspace)
    )  # fmt: skip
    assert audit["id"] == "audit-1"
    xlsx = workspace.parent / "evidence.xlsx"
    payload = ok_json(
        invoke("evidence", "--entity", ENTITY, "--months", "3", "--end", "2025-03-31", "--record-into", "audit-1",
               "--open-actions", "--xlsx", str(xlsx), "--json", home=workspace)
    )  # fmt: skip
    standard = library.standard("copc-2000-csp")
    required = [m for item in standard.items() for m in item.required_metrics]
    assert payload["window"] == {"start": "2025-01-01", "end": "2025-03-31", "tz": "America/Chicago"}
    # One row per required metric and program with data (e-mail, hence response time, is one program's only).
    assert {(r["item"], r["required_metric"]) for r in payload["rows"]} == {
        (item.number, m.metric) for item in standard.items() for m in item.required_metrics
    }
    assert len(payload["rows"]) <= 3 * len(required)
    assert all(len(r["actuals"]) in (1, 2, 3) for r in payload["rows"])
    assert len(payload["findings"]) == 12
    # The findings are now the audit's, marked computed.
    stored = ok_json(invoke("assessment", "show", "audit-1", "--json", home=workspace))
    assert {f["item"] for f in stored["findings"]} == {f["item"] for f in payload["findings"]}
    assert {f["source"] for f in stored["findings"]} == {"computed"}
    # The workbook holds the same rows.
    book = load_workbook(xlsx, read_only=True)
    assert book.sheetnames == ["Summary", "Performance summary", "Findings", "Alerts"]
    assert book["Performance summary"].max_row == 1 + len(payload["rows"])
    assert book["Findings"].max_row == 1 + 12


def test_evidence_user_mistakes_exit_2(workspace: Path) -> None:
    assert "--purpose" in user_error(invoke("evidence", "--entity", ENTITY, "--purpose", "final", home=workspace))
    assert "no entity" in user_error(invoke("evidence", "--entity", "nobody", home=workspace))
    assert "--months" in user_error(invoke("evidence", "--entity", ENTITY, "--months", "0", home=workspace))
