"""Generated tables load through the canonical ingest with full validation and nothing rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcert.synth import GenerationSummary


def test_every_generated_part_ingests_without_rejections(small_run: GenerationSummary, tmp_path: Path) -> None:
    pipeline = pytest.importorskip("cxcert.ingest.pipeline")
    warehouse_module = pytest.importorskip("cxcert.warehouse")
    warehouse = warehouse_module.Warehouse(tmp_path / "warehouse")
    for table, rows in small_run.rows.items():
        accepted = 0
        for part in sorted((small_run.out_dir / table).glob("part-*.parquet")):
            result = pipeline.ingest_file(
                warehouse, table, part, entity_id="t", fmt="canonical", quarantine_dir=tmp_path / "q"
            )
            assert result.accounting.rejected == 0, (table, result.accounting)
            accepted += result.accounting.accepted
        assert accepted == rows, table
