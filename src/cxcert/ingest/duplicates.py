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

A row with an empty key column (a survey without a contact) is identified by its content key instead
(:func:`cxcert.canonical.content_key_columns`): the same two queries run on the SHA-256 of such rows' content,
computed by DuckDB from the staged and the committed parts; parts whose footers show no empty key column are
left out of it unread.

A key held by a committed ingest rejects every staged row with it ("already in the warehouse"); otherwise the
first row with a key is kept and the later ones rejected ("repeats row N of this file"). The check keeps what it
has seen, so it can be run again, cheaply, against batches committed since (the pipeline does that under the
warehouse lock, just before its commit, so two ingests running at once cannot both add the same key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cxcert.canonical import CONTENT_KEY_LEAVES_OUT, NATURAL_KEYS, TABLES
from cxcert.ingest.row_keys import content_key_sql
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
    """Staged rows rejected for their key: staging index, the key as a message names it, and who holds the key.

    ``holder[n]`` is the committed ingest that already has row ``n``'s key, or None when the row repeats the staged
    row ``first[n]`` (-1 when held by an ingest).
    """

    staged: np.ndarray
    what: list[str]
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
        for what, holder, first_row in zip(self.what, self.holder, first_rows.tolist(), strict=True):
            if holder is not None:
                out.append(f"{what} already in the warehouse (ingest {holder.ingest_id} of {holder.source})")
            else:
                out.append(f"{what} repeats row {first_row} of this file")
        return out


@dataclass(frozen=True)
class _Identity:
    """One way the check identifies rows: the natural key, or the content key of rows whose key has a gap."""

    table: str
    content: bool

    @property
    def keys(self) -> tuple[str, ...]:
        return NATURAL_KEYS[self.table]

    @property
    def names(self) -> tuple[str, ...]:
        """The columns of the key as the queries select them."""
        return ("content_key",) if self.content else self.keys

    @property
    def select(self) -> str:
        if self.content:
            return f"{content_key_sql(self.table)} AS content_key"
        return ", ".join(_quote(k) for k in self.keys)

    @property
    def where(self) -> str:
        """The rows this identity covers."""
        present = " AND ".join(f"{_quote(k)} IS NOT NULL" for k in self.keys)
        return f"NOT ({present})" if self.content else present

    def what(self, values: tuple[Any, ...]) -> str:
        if self.content:
            gaps = " or ".join(k for k in self.keys if TABLES[self.table].field(k).nullable)
            return f"content key {values[0][:12]} (a row without {gaps}, identified by its content)"
        return ", ".join(f"{c} {show_value(v)}" for c, v in zip(self.keys, values, strict=True))


def key_hashes(table: pa.Table, keys: tuple[str, ...]) -> np.ndarray:
    """64-bit hashes of the natural keys of ``table``'s rows, and of the content of rows with an empty key column
    (the columns of their content key, the lineage columns left out, as in
    :func:`cxcert.canonical.content_key_columns`)."""
    if not table.num_rows:
        return np.empty(0, dtype=np.uint64)
    con = scratch_duckdb()
    con.register("_cxcert_keys", table)
    try:
        columns = ", ".join(_quote(k) for k in keys)
        present = " AND ".join(f"{_quote(k)} IS NOT NULL" for k in keys)
        query = f"SELECT hash({columns}) AS h FROM _cxcert_keys WHERE {present}"
        if any(table.column(k).null_count for k in keys):
            content = ", ".join(_quote(c) for c in table.column_names if c not in CONTENT_KEY_LEAVES_OUT)
            query += f" UNION ALL SELECT hash({content}) AS h FROM _cxcert_keys WHERE NOT ({present})"
        found = con.execute(query).to_arrow_table()
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
    for n, rows, stats in _key_statistics(paths, keys):
        if stats is not None and not stats.has_min_max and stats.null_count == rows:
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


def has_key_gaps(paths: Sequence[Path], keys: tuple[str, ...]) -> bool:
    """Whether a row of ``paths`` may have an empty key column (from the footers' null counts; True when a row
    group does not say)."""
    return any(
        stats is None or not stats.has_null_count or stats.null_count for _, _, stats in _key_statistics(paths, keys)
    )


def _key_statistics(paths: Sequence[Path], keys: tuple[str, ...]) -> Iterator[tuple[int, int, Any]]:
    """(key column's place in ``keys``, the row group's rows, its statistics or None) for every row group of
    ``paths``, read from the footers only."""
    for path in paths:
        parquet = pq.ParquetFile(path)
        columns = [parquet.schema_arrow.get_field_index(k) for k in keys]
        metadata = parquet.metadata
        for r in range(metadata.num_row_groups):
            group = metadata.row_group(r)
            for n, column in enumerate(columns):
                yield n, group.num_rows, group.column(column).statistics


def overlap(a: KeyRanges, b: KeyRanges) -> bool:
    """Whether a row of one side can have the same key as a row of the other: every key column's ranges meet."""
    return all(x is not None and y is not None and x[0] <= y[1] and y[0] <= x[1] for x, y in zip(a, b, strict=True))


def _empty() -> Clashes:
    return Clashes(np.empty(0, dtype=np.int64), [], [], np.empty(0, dtype=np.int64))


class DuplicateCheck:
    """The natural-key (and content-key) check of one staged ingest of ``table`` for ``entity_id``."""

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
        natural = _Identity(table, content=False)
        self._identities = [natural]
        if any(TABLES[table].field(k).nullable for k in self.keys) and has_key_gaps(parts, self.keys):
            self._identities.append(_Identity(table, content=True))  # some staged rows have no full key
        self._checked: dict[_Identity, set[str]] = {i: set() for i in self._identities}
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
        if not self._parts:
            return _empty()
        todo = {identity: self._batches(identity, committed) for identity in self._identities}
        if not any(todo.values()) and self._within_done:
            return _empty()
        con = duckdb.connect()
        clashes = _empty()
        try:
            con.execute("SET TimeZone = 'UTC'")  # content keys write times in UTC
            # A large check may spill to disk: into the ingest's staging directory, never the working directory.
            con.execute(f"SET temp_directory = {_literal(str(self._parts[0][0].parent / 'duckdb-spill'))}")
            con.execute(f"SET memory_limit = {_literal(MEMORY_LIMIT)}")
            con.execute("SET preserve_insertion_order = false")  # every result is ordered explicitly
            for identity, batches in todo.items():
                if batches:
                    held = self._held(con, identity, batches)
                    self._checked[identity].update(b.batch_id for b in batches)
                    self._remember(held)
                    clashes = _concat(clashes, held)
            if not self._within_done:
                for identity in self._identities:
                    repeated = self._repeated(con, identity)
                    self._remember(repeated)
                    clashes = _concat(clashes, repeated)
                self._within_done = True
        finally:
            con.close()
        return clashes

    def _batches(self, identity: _Identity, committed: Sequence[IngestRecord]) -> list[IngestRecord]:
        """The committed batches ``identity`` has still to check: of this table and entity, not checked before,
        and able to hold a staged key (by the footers: key ranges that overlap, or rows with a key gap)."""
        checked = self._checked[identity]
        batches = [
            b
            for b in committed
            if b.table == self.table and b.entity_id == self.entity_id and b.batch_id not in checked and b.files
        ]
        if identity.content:
            unable = [b for b in batches if not has_key_gaps([self.root / f for f in b.files], self.keys)]
        else:
            staged = self._staged_ranges() if batches else None
            unable = [b for b in batches if not self._may_hold(b, staged)]
        checked.update(b.batch_id for b in unable)
        return [b for b in batches if b.batch_id not in checked]

    def _remember(self, clashes: Clashes) -> None:
        if len(clashes):
            self._found = np.union1d(self._found, clashes.staged)

    def _staged_sql(self, con: duckdb.DuckDBPyConnection, identity: _Identity) -> str:
        body = " UNION ALL ".join(
            f"SELECT {identity.select}, file_row_number + {offset} AS i "
            f"FROM read_parquet({_literal(str(path))}, file_row_number = true) WHERE {identity.where}"
            for path, offset in self._parts
        )
        if len(self._found):
            con.register("_cxcert_found", pa.table({"i": pa.array(self._found, pa.int64())}))
            body = f"SELECT * FROM ({body}) ANTI JOIN _cxcert_found USING (i)"
        return body

    def _held(self, con: duckdb.DuckDBPyConnection, identity: _Identity, batches: list[IngestRecord]) -> Clashes:
        names = ", ".join(_quote(k) for k in identity.names)
        committed = " UNION ALL ".join(
            f"SELECT {identity.select}, {n} AS b FROM read_parquet([{self._files(b)}]) WHERE {identity.where}"
            for n, b in enumerate(batches)
        )
        # Only committed rows inside the staged key ranges can clash: the bounds, as constants, let DuckDB skip row
        # groups by their statistics and keep the join to the rows where the two overlap.
        staged = None if identity.content else self._staged_ranges()
        bounds = [(k, r) for k, r in zip(self.keys, staged or (), strict=False) if r is not None]
        inside = " AND ".join(f"{_quote(k)} BETWEEN ? AND ?" for k, _ in bounds) or "true"
        query = f"""
            WITH staged AS MATERIALIZED ({self._staged_sql(con, identity)}),
            known AS (
                SELECT {names}, min(b) AS b FROM (SELECT * FROM ({committed}) c WHERE {inside}) c
                SEMI JOIN staged USING ({names}) GROUP BY ALL
            )
            SELECT i, b, {names} FROM staged JOIN known USING ({names}) ORDER BY i
        """
        found = con.execute(query, [v for _, r in bounds for v in r]).to_arrow_table()
        holders = [batches[n] for n in found.column("b").to_pylist()]
        return self._clashes(identity, found, holders, np.full(found.num_rows, -1, dtype=np.int64))

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

    def _repeated(self, con: duckdb.DuckDBPyConnection, identity: _Identity) -> Clashes:
        names = ", ".join(_quote(k) for k in identity.names)
        query = f"""
            WITH staged AS MATERIALIZED ({self._staged_sql(con, identity)}),
            repeated AS (SELECT {names} FROM staged GROUP BY ALL HAVING count(*) > 1),
            ranked AS (
                SELECT i, {names}, min(i) OVER (PARTITION BY {names}) AS first
                FROM staged SEMI JOIN repeated USING ({names})
            )
            SELECT i, first, {names} FROM ranked WHERE i > first ORDER BY i
        """
        found = con.execute(query).to_arrow_table()
        first = np.asarray(found.column("first").to_numpy(), dtype=np.int64)
        return self._clashes(identity, found, [None] * found.num_rows, first)

    @staticmethod
    def _clashes(
        identity: _Identity, found: pa.Table, holders: list[IngestRecord | None], first: np.ndarray
    ) -> Clashes:
        staged = np.asarray(found.column("i").to_numpy(), dtype=np.int64)
        columns = [found.column(k).to_pylist() for k in identity.names]
        values = list(zip(*columns, strict=True)) if columns and found.num_rows else []
        return Clashes(staged, [identity.what(v) for v in values], holders, first)


def _concat(a: Clashes, b: Clashes) -> Clashes:
    if not len(b):
        return a
    if not len(a):
        return b
    staged, first = np.concatenate([a.staged, b.staged]), np.concatenate([a.first, b.first])
    return Clashes(staged, a.what + b.what, a.holder + b.holder, first)
