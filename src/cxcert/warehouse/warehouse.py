"""The embedded DuckDB warehouse: canonical tables as Parquet files, made visible by an atomic manifest.

Layout under ``root``::

    manifest.json                  committed batches and their parts' size and SHA-256 (what readers read)
    ingest-log.jsonl               append-only journal of commits and removals (the commit point; rebuilds
                                   the manifest)
    <table>/batch-<id>/part-N.parquet   one directory per committed batch, canonical schema, with its
    <table>/batch-<id>/batch.json       record and part stamps (and removed.json once taken out)
    .staging/<pid>-<id>/           parts being written by a running ingest (invisible)
    .readers/<pid>-<token>         reader leases (the generation each live reader may be reading)

Commit and removal are in :mod:`cxcert.warehouse.commits`; ``cxcert warehouse check|repair`` in
:mod:`cxcert.warehouse.repair`. Reading checks each part it hands out with one ``stat`` (and a hash when the
stat changed, :mod:`cxcert.warehouse.integrity`): a missing, cut or overwritten part is one line naming it, never
a traceback or a wrong figure. A missing or damaged manifest is one line too, never an empty warehouse.
"""

from __future__ import annotations

import os
import string
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from cxcert.canonical import TABLES
from cxcert.errors import CxcertError
from cxcert.home import warehouse_dir
from cxcert.ingest.accounting import IngestAccounting
from cxcert.warehouse import commits
from cxcert.warehouse.integrity import PartProblem, verify_parts
from cxcert.warehouse.leases import Lease
from cxcert.warehouse.leftovers import STAGING, delete, find_dead
from cxcert.warehouse.manifest import CHECK_HINT, IngestRecord, Manifest, WarehouseDamaged, locked

if TYPE_CHECKING:
    import ibis
    from ibis.backends.duckdb import Backend as DuckDBBackend

MIN_INGEST_ID = 4
"""The fewest fingerprint digits that name an ingest (``cxcert ingest remove ID``)."""

_DUCKDB_TYPES: dict[pa.DataType, str] = {
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.float64(): "DOUBLE",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.date32(): "DATE",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_schema(name: str) -> pa.Schema:
    """The canonical schema of ``name``; a :class:`CxcertError` listing the tables when unknown."""
    try:
        return TABLES[name]
    except KeyError:
        raise CxcertError(f"unknown table {name!r}; known: {', '.join(TABLES)}") from None


class Warehouse:
    """Canonical operational tables over Parquet, queried with DuckDB (SQL) or Ibis (expressions)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._backend: DuckDBBackend | None = None
        self._backend_generation = -1
        self._lease = Lease(self.root)
        self._verified: tuple[int, set[str]] = (-1, set())
        weakref.finalize(self, self._lease.release)

    @classmethod
    def default(cls) -> Warehouse:
        """The warehouse of the current CXCERT_HOME."""
        return cls(warehouse_dir())

    def __repr__(self) -> str:
        return f"Warehouse({str(self.root)!r})"

    @property
    def quarantine_dir(self) -> Path:
        """Where ingests put quarantine files by default (CXCERT_HOME/quarantine, beside the warehouse)."""
        return self.root.parent / "quarantine"

    # --- reading -------------------------------------------------------------------------------------------

    def manifest(self) -> Manifest:
        """The committed state (re-read on every call, so other processes' commits are seen); a
        :class:`~cxcert.warehouse.manifest.WarehouseDamaged` line when the manifest is lost or damaged."""
        return commits.current(self.root)

    def _leased(self) -> Manifest:
        """The manifest, with this reader's lease on its generation in place before it is trusted (see
        :mod:`cxcert.warehouse.leases`), so no removal deletes the files it names while they are read."""
        manifest = self.manifest()
        # Read again once the lease is in place (and until it names the generation read).
        while manifest.batches and self._lease.generation != manifest.generation:
            if not self._lease.hold(manifest.generation):
                break  # a read-only warehouse: nobody can delete files here either
            manifest = self.manifest()
        return manifest

    def _checked(self, manifest: Manifest, files: list[str]) -> list[str]:
        """``files`` after a quick check of each (once per generation): a line naming the first damaged part."""
        generation, seen = self._verified
        if generation != manifest.generation:
            seen = set()
        todo = [f for f in files if f not in seen]
        problems = verify_parts(self.root, manifest, todo) if todo else []
        if problems:
            raise WarehouseDamaged(_damage_line(problems))
        self._verified = (manifest.generation, seen | set(todo))
        return files

    def files(self, table: str, entity_id: str | None = None) -> list[Path]:
        """Absolute paths of the committed Parquet files of ``table`` (each checked, see :meth:`_checked`)."""
        table_schema(table)
        manifest = self._leased()
        return [self.root / f for f in self._checked(manifest, manifest.files_of(table, entity_id))]

    def connect(self) -> DuckDBBackend:
        """An Ibis DuckDB backend with every canonical table as a view named after it (UTC session)."""
        import ibis

        manifest = self._leased()
        if self._backend is None:
            self._backend = ibis.duckdb.connect()
            self._backend.raw_sql("SET TimeZone = 'UTC'")
        if self._backend_generation != manifest.generation:
            self._checked(manifest, manifest.files_of_all())
            for name in TABLES:
                self._backend.raw_sql(self._view_sql(name, manifest))
            self._backend_generation = manifest.generation
        return self._backend

    def table(self, name: str, entity_id: str | None = None) -> ibis.Table:
        """An Ibis expression over the committed rows of ``name`` (canonical columns; empty when none)."""
        table_schema(name)
        expr = self.connect().table(name)
        if entity_id is not None:
            expr = expr.filter(expr.entity_id == entity_id)
        return expr

    def sql(self, query: str) -> pa.Table:
        """Run DuckDB SQL over the canonical views; the result as an Arrow table."""
        con: Any = self.connect().con
        result: pa.Table = con.execute(query).to_arrow_table()
        return result

    def ingests(self) -> list[IngestRecord]:
        """Every committed ingest, oldest first, with its row accounting (parts not checked: see
        :meth:`checked_ingests` before reading their files)."""
        return list(self.manifest().batches)

    def checked_ingests(self, table: str) -> list[IngestRecord]:
        """Every committed ingest, under this reader's lease, with the parts of ``table``'s batches checked
        (for readers of the batches' own files, such as the duplicate-key check)."""
        manifest = self._leased()
        self._checked(manifest, manifest.files_of(table))
        return list(manifest.batches)

    def has_fingerprint(self, fingerprint: str) -> bool:
        """Whether an ingest with this fingerprint (file content and options) was already committed."""
        return any(b.fingerprint == fingerprint for b in self.manifest().batches)

    def release(self) -> None:
        """Drop this reader's lease (also done when the object is collected or its process ends)."""
        self._lease.release()

    def _view_sql(self, name: str, manifest: Manifest) -> str:
        schema = TABLES[name]
        files = manifest.files_of(name)
        if files:
            paths = ", ".join(_literal(str(self.root / f)) for f in files)
            columns = ", ".join(_quote(c) for c in schema.names)
            body = f"SELECT {columns} FROM read_parquet([{paths}])"
        else:
            nulls = ", ".join(f"CAST(NULL AS {_DUCKDB_TYPES[f.type]}) AS {_quote(f.name)}" for f in schema)
            body = f"SELECT {nulls} WHERE false"
        return f"CREATE OR REPLACE VIEW {_quote(name)} AS {body}"

    # --- writing -------------------------------------------------------------------------------------------

    def new_staging(self) -> Path:
        """A fresh private directory for a running ingest's parts (same file system as the tables); first
        deletes the staging directories and unfinished quarantine files of dead processes."""
        delete(find_dead(self.root, self.quarantine_dir, locked=False))
        path = self.root / STAGING / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        path.mkdir(parents=True)
        return path

    def commit_batch(
        self,
        table: str,
        parquet_paths: list[Path],
        *,
        fingerprint: str,
        source: str,
        entity_id: str,
        accounting: IngestAccounting,
        file: str | None = None,
        fmt: str = "",
        key_id: str | None = None,
    ) -> IngestRecord:
        """Make ``parquet_paths`` (files in the canonical schema of ``table``) visible, all or nothing.

        The files are moved into the warehouse; the accounting (and ``key_id``, the workspace key that made the
        rows' customer keys) is stored with the batch, so a batch with no
        accepted row (an empty file) is still recorded and its fingerprint still makes a re-ingest a no-op. Call it
        inside :meth:`lock` to commit what a check made under the same lock saw (the ingest's duplicate check).
        """
        schema = table_schema(table)
        for path in parquet_paths:
            found = _parquet_schema(path)
            if not found.equals(schema, check_metadata=False):
                raise ValueError(f"{path} does not have the canonical schema of {table}: {found}")
        batch_id = commits.new_batch_id()
        with locked(self.root):
            opened = commits.open_for_write(self.root, self.quarantine_dir, self._lease.path)
            commits.refuse_duplicate(opened.manifest, fingerprint)
            record = IngestRecord(
                batch_id=batch_id,
                committed_at=datetime.now(UTC),
                table=table,
                entity_id=entity_id,
                source=source,
                file=file if file is not None else source,
                fmt=fmt,
                fingerprint=fingerprint,
                read=accounting.read,
                accepted=accounting.accepted,
                rejected=accounting.rejected,
                quarantine=str(accounting.quarantine) if accounting.quarantine else None,
                key_id=key_id,
            )
            record, _ = commits.commit(self.root, opened, record, parquet_paths)
        return record

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the warehouse's write lock: no other process commits or removes a batch meanwhile (re-entrant,
        so :meth:`commit_batch` may be called inside)."""
        with locked(self.root):
            yield

    def find_ingest(self, ingest_id: str) -> IngestRecord:
        """The one committed ingest whose fingerprint starts with ``ingest_id``; a :class:`CxcertError` when none
        or several do."""
        return _match(self.manifest(), ingest_id)

    def remove_ingest(self, ingest_id: str) -> IngestRecord:
        """Remove one committed ingest (named as in :meth:`find_ingest`), all or nothing; returns what it was.

        One logged, atomic manifest replace makes its rows invisible; its files are deleted once no live reader
        may still be reading them (now, or by a later commit, removal or repair). Its quarantine file is kept.
        """
        with locked(self.root):
            opened = commits.open_for_write(self.root, self.quarantine_dir, self._lease.path)
            record = _match(opened.manifest, ingest_id)
            commits.remove(self.root, opened, record, self._lease.path)
        return record

    def replace_batches(self, rewritten: list[tuple[IngestRecord, list[Path], int]]) -> list[IngestRecord]:
        """Swap committed batches for rewritten copies of themselves, all in one manifest replace (the erasure of
        a customer's rows, :mod:`cxcert.warehouse.erasure`).

        Each entry is a committed batch, the staged parts (canonical schema, same file system) now holding its
        rows, and how many rows were taken out. Each copy goes into a batch directory of its own, exactly as
        :meth:`commit_batch` moves one in, and keeps the batch's fingerprint and accounting (``erased`` grows):
        one ``replace`` line in the ingest log is the commit point (a crash before it leaves the old batches
        visible and the copies proven garbage); the old directories then go as a removed ingest's do, once no
        running reader may still read them.
        """
        for record, parts, _ in rewritten:
            schema = table_schema(record.table)
            for path in parts:
                if not _parquet_schema(path).equals(schema, check_metadata=False):
                    raise ValueError(f"{path} does not have the canonical schema of {record.table}")
        with locked(self.root):
            opened = commits.open_for_write(self.root, self.quarantine_dir, self._lease.path)
            return commits.swap(self.root, opened, rewritten, self._lease.path)

    def cleanup(self) -> list[Path]:
        """Delete what killed processes left behind and the files of removed batches no reader needs; returns
        the paths removed."""
        with locked(self.root):
            return commits.open_for_write(self.root, self.quarantine_dir, self._lease.path).removed


def _damage_line(problems: list[PartProblem]) -> str:
    others = len(problems) - 1
    more = f" (and {others} more damaged part{'s' if others > 1 else ''})" if others else ""
    return f"the warehouse {problems[0].message}{more}; {CHECK_HINT}"


def _match(manifest: Manifest, ingest_id: str) -> IngestRecord:
    wanted = ingest_id.strip().lower()
    if len(wanted) < MIN_INGEST_ID or any(c not in string.hexdigits for c in wanted):
        raise CxcertError(
            f"{ingest_id!r} is not an ingest id: give at least {MIN_INGEST_ID} hex digits of its fingerprint "
            "(the id column of `cxcert ingest log`)"
        )
    found = [b for b in manifest.batches if b.fingerprint.startswith(wanted)]
    if not found:
        raise CxcertError(f"no ingest {wanted} in the warehouse (`cxcert ingest log` lists the ids)")
    if len(found) > 1:
        starts = ", ".join(b.fingerprint[:16] for b in found)
        raise CxcertError(f"ingest id {wanted} is ambiguous ({starts}): give more of the fingerprint")
    return found[0]


def _parquet_schema(path: Path) -> pa.Schema:
    import pyarrow.parquet as pq

    schema: pa.Schema = pq.read_schema(path)
    return schema
