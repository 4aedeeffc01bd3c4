"""The generator's output contract: canonical schemas, determinism, streaming parts."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from cxcert.canonical import TABLES
from cxcert.synth import GenerationSummary, WriterLimits, generate, load_profile


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}


def test_every_canonical_table_is_written_with_its_exact_schema(small_run: GenerationSummary) -> None:
    # Oracle: cxcert.canonical.TABLES, field by field, including types and nullability.
    for table, schema in TABLES.items():
        parts = sorted((small_run.out_dir / table).glob("part-*.parquet"))
        assert parts, table
        for part in parts:
            assert pq.read_schema(part).equals(schema), table
        assert sum(pq.ParquetFile(p).metadata.num_rows for p in parts) == small_run.rows[table]
        assert small_run.rows[table] > 0, table


def test_contacts_total_is_about_the_requested_number(small_run: GenerationSummary) -> None:
    # Poisson total with mean 40,000: sd 200, so 2 % is ten standard deviations.
    assert abs(small_run.rows["contacts"] - 40_000) < 800


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    profile = load_profile()
    first = generate(tmp_path / "a", contacts=8_000, months=1, seed=11, profile=profile, entity_id="e")
    again = generate(tmp_path / "b", contacts=8_000, months=1, seed=11, profile=profile, entity_id="e")
    other = generate(tmp_path / "c", contacts=8_000, months=1, seed=12, profile=profile, entity_id="e")
    assert first.rows == again.rows
    files_a, files_b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert files_a.keys() == files_b.keys() and len(files_a) == len(TABLES)
    assert files_a == files_b
    assert _files(tmp_path / "c")["contacts/part-00000.parquet"] != files_a["contacts/part-00000.parquet"]
    assert other.source != first.source


def test_small_parts_stream_into_several_files_with_the_same_rows(tmp_path: Path) -> None:
    profile = load_profile()
    limits = WriterLimits(row_group_rows=1_000, part_rows=3_000)
    streamed = generate(
        tmp_path / "s", contacts=10_000, months=1, seed=3, profile=profile, entity_id="e", limits=limits
    )
    whole = generate(tmp_path / "w", contacts=10_000, months=1, seed=3, profile=profile, entity_id="e")
    parts = sorted((tmp_path / "s" / "contacts").glob("part-*.parquet"))
    assert streamed.parts["contacts"] == len(parts) >= 3
    for part in parts:
        meta = pq.ParquetFile(part).metadata
        assert meta.num_rows <= 3_000
        assert all(meta.row_group(i).num_rows <= 1_000 for i in range(meta.num_row_groups))
    # Chunking changes the files, never the data.
    assert pq.read_table(tmp_path / "s" / "contacts").equals(pq.read_table(tmp_path / "w" / "contacts"))
    assert streamed.rows == whole.rows


def test_ids_are_unique_and_references_resolve(small_out: Path) -> None:
    contacts = pq.read_table(small_out / "contacts", columns=["contact_id", "agent_id"]).to_pandas()
    roster = pq.read_table(small_out / "roster", columns=["agent_id"]).to_pandas()
    evaluations = pq.read_table(small_out / "evaluations").to_pandas()
    surveys = pq.read_table(small_out / "surveys", columns=["contact_id"]).to_pandas()
    assert contacts["contact_id"].is_unique and roster["agent_id"].is_unique
    assert set(contacts["agent_id"].dropna()) <= set(roster["agent_id"])
    assert set(evaluations["contact_id"]) <= set(contacts["contact_id"])
    assert set(surveys["contact_id"]) <= set(contacts["contact_id"])
    items = pq.read_table(small_out / "evaluation_items", columns=["evaluation_id"]).to_pandas()
    assert set(items["evaluation_id"]) == set(evaluations["evaluation_id"])


def test_daylight_saving_days_give_unique_utc_intervals(tmp_path: Path) -> None:
    # America/Chicago skips 02:00-03:00 on 2025-03-09: no forecast interval may map twice onto the same instant.
    profile = load_profile()
    march = profile.model_copy(update={"start_date": profile.start_date.replace(month=3)})
    generate(tmp_path, contacts=5_000, months=1, seed=1, profile=march, entity_id="e")
    forecasts = pq.read_table(tmp_path / "forecasts", columns=["queue", "interval_start"]).to_pandas()
    assert not forecasts.duplicated().any()
    local = forecasts["interval_start"].dt.tz_convert("America/Chicago")
    skipped_day = local.dt.date.astype(str) == "2025-03-09"
    assert skipped_day.any() and not (local[skipped_day].dt.hour == 2).any()
