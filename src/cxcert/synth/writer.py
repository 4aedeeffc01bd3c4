"""Streaming Parquet output: one directory per canonical table, numbered part files, bounded memory.

Batches are buffered until a row group is full, then written; a part file is closed and the next one opened once
it holds ``part_rows`` rows. Memory is bounded by one row group per table whatever the size of the run. Files
carry no timestamps or paths, so the same data gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cxcert.canonical import TABLES
from cxcert.errors import writing_to


@dataclass(frozen=True)
class WriterLimits:
    """Rows per row group and per part file."""

    row_group_rows: int = 1_000_000
    part_rows: int = 10_000_000


class TableWriter:
    """Writes one canonical table as ``<out>/<table>/part-00000.parquet``, ``part-00001.parquet``, ..."""

    def __init__(self, out_dir: Path, table: str, limits: WriterLimits) -> None:
        self.table = table
        self.schema: pa.Schema = TABLES[table]
        self.directory = out_dir / table
        self.directory.mkdir(parents=True, exist_ok=True)
        self.limits = limits
        self.rows = 0
        self.parts = 0
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0
        self._writer: pq.ParquetWriter | None = None
        self._part_rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        """Queue ``batch`` (it must have the table's canonical schema exactly)."""
        if not batch.schema.equals(self.schema):
            raise ValueError(f"{self.table}: batch schema differs from the canonical schema")
        if batch.num_rows == 0:
            return
        self._buffer.append(batch)
        self._buffered += batch.num_rows
        with writing_to(self.directory):  # Arrow's errors name no file (a full disk)
            while self._buffered >= self._room():
                self._flush(self._room())

    def close(self) -> None:
        """Write what is buffered and close the last part (an empty table still gets one empty part)."""
        with writing_to(self.directory):
            self._close()

    def _close(self) -> None:
        while self._buffered:
            self._flush(min(self._buffered, self._room()))
        if self.parts == 0:
            self._open()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _room(self) -> int:
        """Rows that fit in the next row group of the current part."""
        left_in_part = self.limits.part_rows - self._part_rows if self._writer is not None else self.limits.part_rows
        return max(1, min(self.limits.row_group_rows, left_in_part))

    def _flush(self, rows: int) -> None:
        table = pa.Table.from_batches(self._buffer, schema=self.schema)
        head, tail = table.slice(0, rows), table.slice(rows)
        self._buffer = tail.to_batches()
        self._buffered = tail.num_rows
        if self._writer is None:
            self._open()
        assert self._writer is not None
        self._writer.write_table(head, row_group_size=rows)
        self.rows += head.num_rows
        self._part_rows += head.num_rows
        if self._part_rows >= self.limits.part_rows:
            self._writer.close()
            self._writer = None

    def _open(self) -> None:
        path = self.directory / f"part-{self.parts:05d}.parquet"
        self._writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.parts += 1
        self._part_rows = 0
