"""`cxcert ingest dir DIR`: a whole generated or exported directory in one command.

Oracles: the generator's own row counts per table (GenerationSummary.rows); row accounting read = accepted +
rejected per file; the per-table totals are the sums of the files; a second run is a no-op (the ingest log
unchanged); what is not a canonical table is listed, never silently skipped.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cxcert.canonical import TABLES
from cxcert.synth import GenerationSummary, generate, load_profile

from .runner import invoke, ok_json, user_error

ENTITY = "acme-care"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    out = tmp_path_factory.mktemp("gen") / "centre"
    return generate(out, contacts=2_000, months=1, seed=5, profile=load_profile(), entity_id=ENTITY)


def test_a_generated_directory_ingests_in_one_command_and_again_is_a_no_op(
    workspace: Path, generated: GenerationSummary
) -> None:
    (generated.out_dir / "notes.txt").write_text("not a table\n")
    first = ok_json(invoke("ingest", "dir", str(generated.out_dir), "--entity", ENTITY, "--json", home=workspace))
    assert first["ignored"] == ["notes.txt"]
    assert [f["table"] for f in first["files"]][:2] == ["contacts", "forecasts"]
    assert {f["table"] for f in first["files"]} == set(TABLES)
    tables = [f["table"] for f in first["files"]]
    assert tables.index("evaluations") < tables.index("evaluation_items")  # items are checked against their evaluation
    for f in first["files"]:
        assert f["read"] == f["accepted"] + f["rejected"] and not f["skipped"], f
    for table, total in first["tables"].items():
        files = [f for f in first["files"] if f["table"] == table]
        assert total["files"] == len(files) and total["read"] == sum(f["read"] for f in files)
        assert total["accepted"] == generated.rows[table], table
    log = ok_json(invoke("ingest", "log", "--json", home=workspace))
    assert len(log) == len(first["files"])
    again = ok_json(invoke("ingest", "dir", str(generated.out_dir), "--entity", ENTITY, "--json", home=workspace))
    assert all(f["skipped"] for f in again["files"])
    assert len(ok_json(invoke("ingest", "log", "--json", home=workspace))) == len(log)
    text = invoke("ingest", "dir", str(generated.out_dir), "--entity", ENTITY, home=workspace)
    assert text.returncode == 0 and "already ingested: nothing done" in text.stdout
    assert "contacts/part-00000.parquet" in text.stdout and "left out: notes.txt" in text.stdout


def test_an_export_named_by_table_and_a_bad_file_among_good_ones(
    workspace: Path, generated: GenerationSummary, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    shutil.copy(generated.out_dir / "surveys" / "part-00000.parquet", export / "surveys.parquet")
    shutil.copy(generated.out_dir / "roster" / "part-00000.parquet", export / "roster.parquet")
    (export / "costs.csv").write_text("nothing,canonical\n1,2\n")  # costs come last
    line = user_error(invoke("ingest", "dir", str(export), "--entity", ENTITY, home=workspace))
    assert "costs.csv" in line and "2 earlier file(s) are in, and running the command again skips them" in line
    # the files before the bad one are in, each its own ingest
    kinds = sorted(r["table"] for r in ok_json(invoke("ingest", "log", "--json", home=workspace)))
    assert kinds == ["roster", "surveys"]
    (export / "costs.csv").unlink()
    result = ok_json(invoke("ingest", "dir", str(export), "--entity", ENTITY, "--json", home=workspace))
    assert [(f["file"], f["skipped"]) for f in result["files"]] == [("surveys.parquet", True), ("roster.parquet", True)]


def test_mistakes_are_one_line(workspace: Path, tmp_path: Path) -> None:
    assert "no such directory" in user_error(invoke("ingest", "dir", str(tmp_path / "nope"), "--entity", ENTITY,
                                                    home=workspace))  # fmt: skip
    (tmp_path / "empty").mkdir()
    assert "no canonical table in it" in user_error(
        invoke("ingest", "dir", str(tmp_path / "empty"), "--entity", ENTITY, home=workspace)
    )
    assert "canonical tables only" in user_error(
        invoke("ingest", "dir", str(tmp_path / "empty"), "--entity", ENTITY, "--format", "csv", home=workspace)
    )
    assert "missing --entity" in user_error(invoke("ingest", "dir", str(tmp_path / "empty"), home=workspace))
