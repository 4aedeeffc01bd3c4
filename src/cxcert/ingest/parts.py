"""Accepted rows to Parquet part files in a staging directory, written by a background thread.

The queue between the pipeline and the writer holds at most two chunks, so memory stays bounded while parsing
and compression overlap (both release the GIL). A new part starts every ``rows_per_part`` rows so that DuckDB
can read a large batch in parallel.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cxcert.canonical import NATURAL_KEYS
from cxcert.errors import with_path

ROWS_PER_PART = 4_000_000
COMPRESSION = "snappy"  # measured faster to write than zstd here; DuckDB reads both
UNIQUE_PER_ROW = frozenset({"contact_id", "customer_key", "evaluation_id"})
"""Text columns with (nearly) one value per row: dictionary encoding would only cost time."""
_DONE = None


class PartWriter:
    """Writes tables of ``schema`` to ``directory/part-NNNNN.parquet``; :meth:`close` returns the paths."""

    def __init__(self, directory: Path, schema: pa.Schema, *, rows_per_part: int = ROWS_PER_PART) -> None:
        self.directory = directory
        self.schema = schema
        self.rows_per_part = rows_per_part
        self.paths: list[Path] = []
        self.part_rows: list[int] = []
        """Rows written to each part, in the order of :attr:`paths`."""
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._rows_in_part = 0
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cxcert-part-writer", daemon=True)
        self._thread.start()

    def write(self, table: pa.Table) -> None:
        """Queue ``table`` (already in ``schema``) for writing; raises the writer's error if it failed."""
        if self._error is not None:
            raise self._error
        if table.num_rows:
            self.rows += table.num_rows
            self._queue.put(table)

    def close(self) -> list[Path]:
        """Flush and close; the part files written."""
        self._queue.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return list(self.paths)

    def abort(self) -> None:
        """Stop without caring about the result (the staging directory is deleted by the caller)."""
        self._queue.put(_DONE)
        self._thread.join()

    def _run(self) -> None:
        while True:
            table = self._queue.get()
            if table is _DONE:
                break
            if self._error is None:  # after a failure keep draining so the producer never blocks
                try:
                    self._write(table)
                except BaseException as exc:  # surfaced to the caller by write()/close()
                    # Arrow's write errors name no file: a full disk is then reported with the staging folder
                    self._error = with_path(exc, self.directory) if isinstance(exc, OSError) else exc
        if self._writer is not None:
            try:
                self._writer.close()
            except BaseException as exc:
                self._error = self._error or exc

    def _write(self, table: pa.Table) -> None:
        if self._writer is None or self._rows_in_part >= self.rows_per_part:
            if self._writer is not None:
                self._writer.close()
            path = self.directory / f"part-{len(self.paths):05d}.parquet"
            self._writer = _part_writer(path, self.schema)
            self.paths.append(path)
            self.part_rows.append(0)
            self._rows_in_part = 0
        self._writer.write_table(table)
        self._rows_in_part += table.num_rows
        self.part_rows[-1] += table.num_rows


def rewrite_without(path: Path, schema: pa.Schema, drop: np.ndarray) -> int:
    """Rewrite the part ``path`` without its rows at the (0-based) positions ``drop``; the rows left.

    The part is written aside and renamed over the old one; a part left empty is deleted.
    """
    table = pq.read_table(path, schema=schema)
    keep = np.ones(table.num_rows, dtype=bool)
    keep[drop] = False
    kept = table.filter(pa.array(keep))
    if not kept.num_rows:
        path.unlink()
        return 0
    aside = path.with_name(f".{path.name}.rewrite")
    writer = _part_writer(aside, schema)
    writer.write_table(kept)
    writer.close()
    os.replace(aside, path)
    return int(kept.num_rows)


def write_part(path: Path, table: pa.Table) -> None:
    """Write ``table`` (canonical schema) as one part, with the same encodings and statistics as an ingest's."""
    writer = _part_writer(path, table.schema)
    writer.write_table(table)
    writer.close()


def _part_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    return pq.ParquetWriter(
        path,
        schema,
        compression=COMPRESSION,
        use_dictionary=_dictionary_columns(schema),
        write_statistics=_statistics_columns(schema),
    )


STATISTICS_TEXT = frozenset({"entity_id", "program"} | {k for key in NATURAL_KEYS.values() for k in key})
"""Text columns whose row groups carry min/max statistics: the ones queries filter on (an entity, a program) and
the natural keys, by whose ranges the duplicate-key check rules out committed batches. Other text (sources,
codes, customer keys) goes without: min/max of every text column took a quarter of the time spent writing."""


def _statistics_columns(schema: pa.Schema) -> list[str]:
    """Every number, flag, date and time (periods are filtered on them), and the text of
    :data:`STATISTICS_TEXT`."""
    return [f.name for f in schema if not pa.types.is_string(f.type) or f.name in STATISTICS_TEXT]


def _dictionary_columns(schema: pa.Schema) -> list[str]:
    """Dictionary-encode the repetitive text columns (queues, agents, codes, lineage) only."""
    return [f.name for f in schema if pa.types.is_string(f.type) and f.name not in UNIQUE_PER_ROW]
