"""Ingested evaluations are checked against the QA form version they pin (cxcert.ingest.form_checks).

Oracle: the packaged forms' own files. ``voice_cs`` has versions 1 (published 2026-01-05) and 2 (2026-07-01);
``cxcert-demo-form`` v1 (published 2024-12-01) is the form the synthetic generator's evaluations pin, and its
``greeting`` parameter is ``non_critical`` while ``identity_verification`` is ``compliance_critical``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli.runner import invoke, ok_json
from cxcert.canonical import EVALUATION_ITEMS, EVALUATIONS
from cxcert.ingest.form_checks import PINS_SCHEMA, FormCheck, FormFacts, FormNotes, FormVersion
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.ingest.validation import validate
from cxcert.ingest.verdicts import RowVerdicts
from cxcert.quality.form import FormStatus
from cxcert.quality.form_registry import FormRegistry
from cxcert.synth import generate, load_profile
from cxcert.warehouse import Warehouse

PACKAGED = list(FormRegistry.packaged())
DRAFT = PACKAGED[0].model_copy(update={"id": "draft-form", "status": FormStatus.DRAFT, "published_on": None})
FACTS = FormFacts.of([*PACKAGED, DRAFT])


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=dt.UTC)


def _evaluations(rows: list[tuple[str, str, int]]) -> pa.Table:
    """Canonical evaluations, one per (evaluated day, form id, version)."""
    n = len(rows)
    return pa.table(
        {
            "entity_id": ["paris"] * n,
            "program": ["care"] * n,
            "source": ["test"] * n,
            "evaluation_id": [f"e{i}" for i in range(n)],
            "contact_id": [None] * n,
            "agent_id": ["a1"] * n,
            "evaluator_id": ["q1"] * n,
            "evaluated_at": [_at(day) for day, _, _ in rows],
            "form_id": [form for _, form, _ in rows],
            "form_version": [version for _, _, version in rows],
        },
        schema=EVALUATIONS,
    )


def _items(rows: list[tuple[str, str, str]]) -> pa.Table:
    """Canonical evaluation items, one per (evaluation id, parameter id, error class), all failed."""
    n = len(rows)
    return pa.table(
        {
            "entity_id": ["paris"] * n,
            "program": ["care"] * n,
            "source": ["test"] * n,
            "evaluation_id": [e for e, _, _ in rows],
            "parameter_id": [p for _, p, _ in rows],
            "result": ["fail"] * n,
            "points": [0.0] * n,
            "error_class": [c for _, _, c in rows],
        },
        schema=EVALUATION_ITEMS,
    )


def _check(check: FormCheck, table: pa.Table) -> tuple[dict[int, tuple[str, str]], FormNotes]:
    """Validate then form-check ``table``: {row: (column, reason)} of the rejected rows, and the notes."""
    verdicts = RowVerdicts(table.num_rows)
    validate(table, check.table, verdicts)
    notes = check.flag(table, verdicts, {})
    return {i: (column, reason) for i, column, reason in verdicts.rejected()}, notes


def test_evaluations_on_a_known_form_are_checked_and_unknown_forms_counted() -> None:
    table = _evaluations(
        [
            ("2025-02-10", "voice_cs", 1),  # before v1's publication (2026-01-05)
            ("2026-01-05", "voice_cs", 1),  # on the day: fine
            ("2026-03-01", "voice_cs", 3),  # no such version
            ("2026-03-01", "draft-form", 1),
            ("2026-03-01", "ext-form-7", 4),  # an external tool's form: accepted, counted
            ("2026-03-01", "ext-form-7", 5),
            ("2025-01-02", "cxcert-demo-form", 1),
            ("2026-03-01", "ext-form-8", 0),  # rejected by validation (version 0): not counted
        ]
    )
    rejected, notes = _check(FormCheck(FACTS, "evaluations"), table)
    assert rejected == {
        0: ("evaluated_at", "evaluated 2025-02-10, before form voice_cs v1 was published on 2026-01-05"),
        2: ("form_version", "form voice_cs has versions 1, 2; not 3"),
        3: ("form_version", "form draft-form v1 is a draft: evaluations pin published versions only"),
        7: ("form_version", "must be more than 0, got 0"),
    }
    assert notes == FormNotes({"ext-form-7": 2})
    assert notes.as_json() == {"unknown_forms": {"ext-form-7": 2}}
    assert "CXCERT_HOME/forms/" in notes.lines()[0] and "ext-form-7: 2" in notes.lines()[0]


@given(
    evaluated=st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
    published=st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
)
def test_an_evaluation_is_rejected_exactly_when_dated_before_the_publication(
    evaluated: dt.date, published: dt.date
) -> None:
    facts = FormFacts((FormVersion("f", 1, published, {"p": "non_critical"}),))
    rejected, _ = _check(FormCheck(facts, "evaluations"), _evaluations([(evaluated.isoformat(), "f", 1)]))
    assert bool(rejected) == (evaluated < published)


def _pins(rows: list[tuple[str, str, int]]) -> pa.Table:
    return pa.table(
        {name: [r[i] for r in rows] for i, name in enumerate(PINS_SCHEMA.names)}, schema=PINS_SCHEMA
    )


def test_items_are_checked_against_the_form_their_evaluation_pins() -> None:
    pins = _pins([("e1", "cxcert-demo-form", 1), ("e2", "ext-form-7", 1), ("e3", "voice_cs", 9)])
    table = _items(
        [
            ("e1", "greeting", "non_critical"),
            ("e1", "smile", "non_critical"),  # not on the form
            ("e1", "identity_verification", "non_critical"),  # the form says compliance_critical
            ("e2", "anything", "customer_critical"),  # external form: accepted, counted
            ("e3", "greeting", "non_critical"),  # its evaluation pins a version that does not exist
            ("e4", "greeting", "non_critical"),  # evaluation not in the warehouse: accepted, counted
        ]
    )
    rejected, notes = _check(FormCheck(FACTS, "evaluation_items", pins), table)
    parameters = ", ".join(FACTS.get("cxcert-demo-form", 1).classes)  # type: ignore[union-attr]
    assert rejected == {
        1: ("parameter_id", f"'smile' is not a parameter of form cxcert-demo-form v1 (its parameters: {parameters})"),
        2: (
            "error_class",
            "'non_critical' disagrees with form cxcert-demo-form v1, which classes identity_verification as "
            "compliance_critical",
        ),
        4: ("evaluation_id", "'e3' pins form voice_cs v9, but form voice_cs has versions 1, 2"),
    }
    assert notes == FormNotes({"ext-form-7": 1}, 1)
    assert notes.as_json() == {"unknown_forms": {"ext-form-7": 1}, "items_without_evaluation": 1}
    assert "ingest the evaluations before their items" in notes.lines()[1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two months of the synthetic centre (its evaluations pin cxcert-demo-form v1)."""
    out = tmp_path_factory.mktemp("generated")
    generate(out, contacts=3000, months=2, seed=7, profile=load_profile(), entity_id="paris")
    return out


def _files(generated: Path, table: str) -> list[Path]:
    return sorted((generated / table).glob("*.parquet"))


def test_every_generated_evaluation_and_item_passes_the_form_checks(tmp_path: Path, generated: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    facts = FormFacts.of(FormRegistry.packaged())
    for table in ("evaluations", "evaluation_items"):  # evaluations first: their items are then checked
        for path in _files(generated, table):
            result = ingest_file(warehouse, table, path, entity_id="paris", fmt="canonical", forms=facts)
            assert result.accounting.rejected == 0 and result.accounting.read == pq.read_metadata(path).num_rows
            assert result.forms is not None and result.forms.unknown_forms == {}
            assert result.forms.items_without_evaluation in (None, 0)  # every item's evaluation was found
    pinned = warehouse.sql("SELECT DISTINCT form_id, form_version FROM evaluations").to_pylist()
    assert pinned == [{"form_id": "cxcert-demo-form", "form_version": 1}]


def test_without_forms_nothing_is_checked_and_the_json_is_unchanged(tmp_path: Path, generated: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    path = _files(generated, "evaluation_items")[0]
    result = ingest_file(warehouse, "evaluation_items", path, entity_id="paris", fmt="canonical")
    assert result.forms is None and result.accounting.rejected == 0
    assert set(result.as_json()) == {"read", "accepted", "rejected", "quarantine", "skipped"}


def test_items_before_their_evaluations_are_accepted_and_counted(tmp_path: Path, generated: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    path = _files(generated, "evaluation_items")[0]
    result = ingest_file(warehouse, "evaluation_items", path, entity_id="paris", fmt="canonical", forms=FACTS)
    assert result.forms == FormNotes({}, result.accounting.read) and result.accounting.rejected == 0


def _write_evaluations(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    table = _evaluations(rows)
    pq.write_table(table.select([f.name for f in EVALUATIONS if f.name not in ("entity_id", "source")]), path)
    return path


def test_cli_reports_unknown_forms_and_checks_the_workspace_forms(workspace: Path, tmp_path: Path) -> None:
    rows = [("2025-02-10", "ext-form-7", 1)] * 3 + [("2025-02-10", "voice_cs", 1)]
    first = _write_evaluations(tmp_path / "first.parquet", rows)
    payload = ok_json(invoke("ingest", "evaluations", str(first), "--entity", "paris", "--json", home=workspace))
    assert (payload["read"], payload["accepted"], payload["rejected"]) == (4, 3, 1)
    assert payload["unknown_forms"] == {"ext-form-7": 3}
    quarantined = read_quarantine(Path(payload["quarantine"]))
    assert [r["reason"] for r in quarantined] == [
        "evaluated 2025-02-10, before form voice_cs v1 was published on 2026-01-05"
    ]

    # Register ext-form-7 in the workspace (published 2025-03-01): its rows are now checked like packaged ones.
    forms = workspace / "forms"
    forms.mkdir()
    demo = (Path(__file__).parents[2] / "src/cxcert/quality/data/forms/cxcert-demo-form.v1.yaml").read_text()
    forms.joinpath("ext.yaml").write_text(
        demo.replace("id: cxcert-demo-form", "id: ext-form-7").replace("2024-12-01", "2025-03-01"),
        encoding="utf-8",
    )
    second = _write_evaluations(tmp_path / "second.parquet", [("2025-02-10", "ext-form-7", 1), ("2025-04-01", "x", 2)])
    shown = invoke("ingest", "evaluations", str(second), "--entity", "bank", home=workspace)
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "note: 1 rows pin QA forms cxcert does not know (x: 1)" in text and "CXCERT_HOME/forms/" in text
    done = json.loads(invoke("ingest", "log", "--json", home=workspace).stdout)
    assert [(r["entity_id"], r["accepted"], r["rejected"]) for r in done] == [("paris", 3, 1), ("bank", 1, 1)]
    assert [r["reason"] for r in read_quarantine(Path(done[1]["quarantine"]))] == [
        "evaluated 2025-02-10, before form ext-form-7 v1 was published on 2025-03-01"
    ]


def test_cli_leaves_other_tables_json_alone(workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("program,contact_id,queue,channel,direction,arrived_at,abandoned,wait_s\n"
                    "care,c1,q,voice,inbound,2024-03-01T08:00:00Z,false,12\n", encoding="utf-8")  # fmt: skip
    payload = ok_json(invoke("ingest", "contacts", str(path), "--entity", "paris", "--json", home=workspace))
    assert "unknown_forms" not in payload
