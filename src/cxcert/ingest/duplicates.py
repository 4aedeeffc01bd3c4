"""Duplicate natural keys: staged rows whose key is already in the warehouse for their entity, or that repeat an
earlier row of the same file (each table's key is :data:`cxcert.canonical.NATURAL_KEYS`).

The check runs once the whole file is staged, as DuckDB queries that read only the key columns of the staged
Parquet parts: a semi-join against the committed batches of the same table and entity (skipped when there are
none), then a count per key within the staged rows, with a window over the few keys that repeat to find each
one's first row. Only the rows found come back to Python. The count is skipped when no key can repeat: while
the file is read, each chunk's keys are hashed to 64 bits (on the worker threads, :class:`KeyHashes`), and when
no two hashes are equal no two keys are (an equal pair only means the exact query runs).

Committed batches that cannot hold a staged key are left out before any row is read: where, on some key column,
the batch's values and the staged ones do not overlap, as the Parquet footers' statistics tell (monthly exports
with increasing call ids, or days of schedules, never overlap; ten 10 M-contact parts ingested one after the
other used to read every key committed before them: 2.2 s more a part by the tenth).

A key held by a committed ingest rejects every staged row with it ("already in the warehouse"); otherwise the
first row with a key is kept and the later ones rejected ("repeats row N of this file"). The check keeps what it
has seen, so it can be run again, cheaply, against batches committed since (the pipeline does that under the
warehouse lock, just before its commit, so two ingests running at once cannot both add the same key).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cxcert.canonical import NATURAL_KEYS
from cxcert.ingest.typed_columns import scratch_duckdb
from cxcert.ingest.verdicts import show_value
from cxcert.warehouse import IngestRecord

MAX_HASHED_ROWS = 16_000_000
"""Above this many staged rows the hashes (8 bytes a row) are dropped and the exact count always runs: memory
stays bounded whatever the file's size (DuckDB spills to disk)."""


MEMORY_LIMIT = "2GB"
"""DuckDB's memory for the check, beyond which it spills to the staging directory, so the check's memory does not
grow with the warehouse. Without a limit DuckDB keeps up to 80 % of the machine's memory (1.7 GB for 2 M staged
against 10 M committed contacts; 0.42 GB under this limit, as fast). Measured against 90 M committed contacts with
10 M staged: 2.2 s and 1.7 GB under this limit, while a 1 GB limit spilled the join and took 18 s."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Clashes:
    """Staged rows rejected for their key: staging index, key values, and who holds the key.

    ``holder[n]`` is the committed ingest that already has row ``n``'s key, or None when the row repeats the staged
    row ``first[n]`` (-1 when held by an ingest).
    """

    keys: tuple[str, ...]
    staged: np.ndarray
    values: list[tuple[Any, ...]]
    holder: list[IngestRecord | None]
    first: np.ndarray

    def __len__(self) -> int:
        return len(self.staged)

    def reasons(self, source_rows: Callable[[np.ndarray], np.ndarray]) -> list[str]:
        """One quarantine reason per row; ``source_rows`` turns staging indices into source row numbers."""
        repeats = self.first >= 0
        first_rows = np.full(len(self.first), -1, dtype=np.int64)
        first_rows[repeats] = source_rows(self.first[repeats])
        out: list[str] = []
        for values, holder, first_row in zip(self.values, self.holder, first_rows.tolist(), strict=True):
            what = ", ".join(f"{c} {show_value(v)}" for c, v in zip(self.keys, values, strict=True))
            if holder is not None:
                out.append(f"{what} already in the warehouse (ingest {holder.ingest_id} of {holder.source})")
            else:
                out.append(f"{what} repeats row {first_row} of this file")
        return out


def key_hashes(table: pa.Table, keys: tuple[str, ...]) -> np.ndarray:
    """64-bit hashes of the natural keys of ``table``'s rows (rows with an empty key column left out)."""
    if not table.num_rows:
        return np.empty(0, dtype=np.uint64)
    con = scratch_duckdb()
    con.register("_cxcert_keys", table.select(list(keys)))
    try:
        columns = ", ".join(_quote(k) for k in keys)
        present = " AND ".join(f"{_quote(k)} IS NOT NULL" for k in keys)
        found = con.execute(f"SELECT hash({columns}) AS h FROM _cxcert_keys WHERE {present}").to_arrow_table()
    finally:
        con.unregister("_cxcert_keys")
    hashes: np.ndarray = np.asarray(found.column("h").to_numpy(), dtype=np.uint64)
    return hashes


class KeyHashes:
    """The key hashes of the staged rows, chunk by chunk, to tell cheaply that no key repeats in the file."""

    def __init__(self, limit: int = MAX_HASHED_ROWS) -> None:
        self.limit = limit
        self._hashes: list[np.ndarray] = []
        self._count = 0
        self.overflowed = False

    def add(self, hashes: np.ndarray) -> None:
        if self.overflowed:
            return
        self._count += len(hashes)
        if self._count > self.limit:
            self.overflowed, self._hashes = True, []
            return
        self._hashes.append(hashes)

    def may_repeat(self) -> bool:
        """False only when no two staged keys can be equal (no two hashes are)."""
        if self.overflowed:
            return True
        if not self._hashes:
            return False
        ordered = np.sort(np.concatenate(self._hashes))
        return bool(np.any(ordered[1:] == ordered[:-1]))


KeyRanges = tuple[tuple[Any, Any] | None, ...]
"""Per key column, the (lowest, highest) non-null value in some files, or None where they hold none."""


def key_ranges(paths: Sequence[Path], keys: tuple[str, ...]) -> KeyRanges | None:
    """The range of each key column over ``paths``, from their row groups' statistics; None when a row group with
    values has no statistics (then nothing can be ruled out)."""
    ranges: list[tuple[Any, Any] | None] = [None] * len(keys)
    for path in paths:
        parquet = pq.ParquetFile(path)
        columns = [parquet.schema_arrow.get_field_index(k) for k in keys]
        metadata = parquet.metadata
        for r in range(metadata.num_row_groups):
            group = metadata.row_group(r)
            for n, column in enumerate(columns):
                stats = group.column(column).statistics
                if stats is not None and not stats.has_min_max and stats.null_count == group.num_rows:
                    continue  # every value null: no key of this row group can be checked or matched
                if stats is None or not stats.has_min_max:
                    return None
                try:
                    low, high = stats.min, stats.max
                except (OverflowError, ValueError):  # a time Python cannot hold (year 10000, committed before
                    return None  # the ingest refused them): nothing can be ruled out, the exact check still runs
                known = ranges[n]
                ranges[n] = (low, high) if known is None else (min(known[0], low), max(known[1], high))
    return tuple(ranges)


def overlap(a: KeyRanges, b: KeyRanges) -> bool:
    """Whether a row of one side can have the same key as a row of the other: every key column's ranges meet."""
    return all(x is not None and y is not None and x[0] <= y[1] and y[0] <= x[1] for x, y in zip(a, b, strict=True))


def _empty(keys: tuple[str, ...]) -> Clashes:
    return Clashes(keys, np.empty(0, dtype=np.int64), [], [], np.empty(0, dtype=np.int64))


class DuplicateCheck:
    """The natural-key check of one staged ingest of ``table`` for ``entity_id``."""

    def __init__(
        self,
        root: Path,
        table: str,
        entity_id: str,
        parts: Sequence[Path],
        part_rows: Sequence[int],
        hashes: KeyHashes | None = None,
    ) -> None:
        self.root = root
        self.table = table
        self.entity_id = entity_id
        self.keys = NATURAL_KEYS[table]
        offsets = np.concatenate([[0], np.cumsum(part_rows, dtype=np.int64)])
        self._parts = [(Path(p), int(o)) for p, o in zip(parts, offsets[:-1], strict=True)]
        self._checked: set[str] = set()
        self._found = np.empty(0, dtype=np.int64)
        self._within_done = hashes is not None and not hashes.may_repeat()
        self._ranges: KeyRanges | None = None
        self._ranges_read = False

    @property
    def found(self) -> np.ndarray:
        """Staging indices of every row rejected so far, sorted."""
        return self._found

    def run(self, committed: Sequence[IngestRecord]) -> Clashes:
        """Rows clashing with the batches in ``committed`` not checked before (those of this table and entity),
        and, on the first run, rows repeating an earlier row of the file."""
        batches = [
            b
            for b in committed
            if b.table == self.table and b.entity_id == self.entity_id and b.batch_id not in self._checked and b.files
        ]
        staged: KeyRanges | None = None
        if batches and self._parts:
            staged = self._staged_ranges()
            self._checked.update(b.batch_id for b in batches if not self._may_hold(b, staged))
            batches = [b for b in batches if b.batch_id not in self._checked]
        if not self._parts or (not batches and self._within_done):
            return _empty(self.keys)
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            # A large check may spill to disk: into the ingest's staging directory, never the working directory.
            con.execute(f"SET temp_directory = {_literal(str(self._parts[0][0].parent / 'duckdb-spill'))}")
            con.execute(f"SET memory_limit = {_literal(MEMORY_LIMIT)}")
            con.execute("SET preserve_insertion_order = false")  # every result is ordered explicitly
            held = self._held(con, batches, staged) if batches else _empty(self.keys)
            self._checked.update(b.batch_id for b in batches)
            self._remember(held)
            repeated = _empty(self.keys)
            if not self._within_done:
                repeated = self._repeated(con)
                self._within_done = True
                self._remember(repeated)
        finally:
            con.close()
        return _concat(self.keys, held, repeated)

    def _remember(self, clashes: Clashes) -> None:
        if len(clashes):
            self._found = np.union1d(self._found, clashes.staged)

    def _staged_sql(self, con: duckdb.DuckDBPyConnection) -> str:
        columns = ", ".join(_quote(k) for k in self.keys)
        present = " AND ".join(f"{_quote(k)} IS NOT NULL" for k in self.keys)
        body = " UNION ALL ".join(
            f"SELECT {columns}, file_row_number + {offset} AS i "
            f"FROM read_parquet({_literal(str(path))}, file_row_number = true) WHERE {present}"
            for path, offset in self._parts
        )
        if len(self._found):
            con.register("_cxcert_found", pa.table({"i": pa.array(self._found, pa.int64())}))
            body = f"SELECT * FROM ({body}) ANTI JOIN _cxcert_found USING (i)"
        return body

    def _held(
        self, con: duckdb.DuckDBPyConnection, batches: list[IngestRecord], staged: KeyRanges | None
    ) -> Clashes:
        columns = ", ".join(_quote(k) for k in self.keys)
        committed = " UNION ALL ".join(
            f"SELECT {columns}, {n} AS b FROM read_parquet([{self._files(b)}])"
            for n, b in enumerate(batches)
        )
        # Only committed rows inside the staged key ranges can clash: the bounds, as constants, let DuckDB skip row
        # groups by their statistics and keep the join to the rows where the two overlap.
        bounds = [(k, r) for k, r in zip(self.keys, staged or (), strict=False) if r is not None]
        inside = " AND ".join(f"{_quote(k)} BETWEEN ? AND ?" for k, _ in bounds) or "true"
        query = f"""
            WITH staged AS MATERIALIZED ({self._staged_sql(con)}),
            known AS (
                SELECT {columns}, min(b) AS b FROM (SELECT * FROM ({committed}) c WHERE {inside}) c
                SEMI JOIN staged USING ({columns}) GROUP BY ALL
            )
            SELECT i, b, {columns} FROM staged JOIN known USING ({columns}) ORDER BY i
        """
        found = con.execute(query, [v for _, r in bounds for v in r]).to_arrow_table()
        holders = [batches[n] for n in found.column("b").to_pylist()]
        return self._clashes(found, holders, np.full(found.num_rows, -1, dtype=np.int64))

    def _staged_ranges(self) -> KeyRanges | None:
        """The staged parts' key ranges, read from their footers once (the parts do not change between runs)."""
        if not self._ranges_read:
            self._ranges = key_ranges([p for p, _ in self._parts], self.keys)
            self._ranges_read = True
        return self._ranges

    def _may_hold(self, batch: IngestRecord, staged: KeyRanges | None) -> bool:
        """False when ``batch`` cannot hold a staged key: on some key column its values and the staged ones do not
        overlap (read from the Parquet footers' statistics, without reading any rows)."""
        if staged is None:
            return True
        held = key_ranges([self.root / f for f in batch.files], self.keys)
        return held is None or overlap(held, staged)

    def _files(self, batch: IngestRecord) -> str:
        return ", ".join(_literal(str(self.root / f)) for f in batch.files)

    def _repeated(self, con: duckdb.DuckDBPyConnection) -> Clashes:
        columns = ", ".join(_quote(k) for k in self.keys)
        query = f"""
            WITH staged AS MATERIALIZED ({self._staged_sql(con)}),
            repeated AS (SELECT {columns} FROM staged GROUP BY ALL HAVING count(*) > 1),
            ranked AS (
                SELECT i, {columns}, min(i) OVER (PARTITION BY {columns}) AS first
                FROM staged SEMI JOIN repeated USING ({columns})
            )
            SELECT i, first, {columns} FROM ranked WHERE i > first ORDER BY i
        """
        found = con.execute(query).to_arrow_table()
        first = np.asarray(found.column("first").to_numpy(), dtype=np.int64)
        return self._clashes(found, [None] * found.num_rows, first)

    def _clashes(self, found: pa.Table, holders: list[IngestRecord | None], first: np.ndarray) -> Clashes:
        staged = np.asarray(found.column("i").to_numpy(), dtype=np.int64)
        columns = [found.column(k).to_pylist() for k in self.keys]
        values = list(zip(*columns, strict=True)) if columns and found.num_rows else []
        return Clashes(self.keys, staged, values, holders, first)


def _concat(keys: tuple[str, ...], a: Clashes, b: Clashes) -> Clashes:
    if not len(b):
        return a
    if not len(a):
        return b
    staged, first = np.concatenate([a.staged, b.staged]), np.concatenate([a.first, b.first])
    return Clashes(keys, staged, a.values + b.values, a.holder + b.holder, first)
