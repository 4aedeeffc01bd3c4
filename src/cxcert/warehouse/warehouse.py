"""The embedded DuckDB warehouse: canonical tables as Parquet files, made visible by an atomic manifest.

Layout under ``root``::

    manifest.json                  committed batches (the only source of truth for what is visible)
    <table>/batch-<id>/part-N.parquet   one directory per committed batch, canonical schema
    .staging/<pid>-<id>/           parts being written by a running ingest (invisible)

Commit moves a staged batch directory into ``<table>/`` with one rename, then replaces the manifest. A process
killed at any point leaves either nothing new visible or the whole batch: never a part of one. Leftovers of a
killed process (staging directories of dead processes, batch directories no manifest entry names) are removed by
the next commit or by :meth:`Warehouse.cleanup`.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import string
import uuid
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
from cxcert.warehouse.manifest import IngestRecord, Manifest, locked, read_manifest, write_manifest

if TYPE_CHECKING:
    import ibis
    from ibis.backends.duckdb import Backend as DuckDBBackend

STAGING = ".staging"
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


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

    @classmethod
    def default(cls) -> Warehouse:
        """The warehouse of the current CXCERT_HOME."""
        return cls(warehouse_dir())

    def __repr__(self) -> str:
        return f"Warehouse({str(self.root)!r})"

    # --- reading -------------------------------------------------------------------------------------------

    def manifest(self) -> Manifest:
        """The committed state (re-read on every call, so other processes' commits are seen)."""
        return read_manifest(self.root)

    def files(self, table: str, entity_id: str | None = None) -> list[Path]:
        """Absolute paths of the committed Parquet files of ``table``."""
        table_schema(table)
        return [self.root / f for f in self.manifest().files_of(table, entity_id)]

    def connect(self) -> DuckDBBackend:
        """An Ibis DuckDB backend with every canonical table as a view named after it (UTC session)."""
        import ibis

        manifest = self.manifest()
        if self._backend is None:
            self._backend = ibis.duckdb.connect()
            self._backend.raw_sql("SET TimeZone = 'UTC'")
        if self._backend_generation != manifest.generation:
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
        """Every committed ingest, oldest first, with its row accounting."""
        return list(self.manifest().batches)

    def has_fingerprint(self, fingerprint: str) -> bool:
        """Whether an ingest with this fingerprint (file content and options) was already committed."""
        return any(b.fingerprint == fingerprint for b in self.manifest().batches)

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
        """A fresh private directory for a running ingest's parts (same file system as the tables)."""
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
        batch_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        with locked(self.root):
            self._cleanup_locked()
            manifest = self.manifest()
            if any(b.fingerprint == fingerprint for b in manifest.batches):
                raise CxcertError(f"this file was already ingested (fingerprint {fingerprint[:12]})")
            relative: list[str] = []
            if parquet_paths:
                table_dir = self.root / table
                table_dir.mkdir(parents=True, exist_ok=True)
                incoming = table_dir / f".incoming-{batch_id}"
                incoming.mkdir()
                for n, path in enumerate(parquet_paths):
                    shutil.move(str(path), incoming / f"part-{n:05d}.parquet")
                final = table_dir / f"batch-{batch_id}"
                os.replace(incoming, final)
                relative = [f"{table}/{final.name}/part-{n:05d}.parquet" for n in range(len(parquet_paths))]
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
                files=tuple(relative),
                key_id=key_id,
            )
            write_manifest(self.root, manifest.with_batch(record))
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

        One atomic manifest replace makes its rows invisible; its files are deleted afterwards (a crash in between
        leaves a directory no manifest names, which the next commit removes). Its quarantine file is kept.
        """
        with locked(self.root):
            manifest = self.manifest()
            record = _match(manifest, ingest_id)
            write_manifest(self.root, manifest.without_batch(record.batch_id))
            for directory in sorted({(self.root / f).parent for f in record.files}):
                shutil.rmtree(directory, ignore_errors=True)
        return record

    def replace_batches(self, rewritten: list[tuple[IngestRecord, list[Path], int]]) -> list[IngestRecord]:
        """Swap committed batches for rewritten copies of themselves, all in one manifest replace (the erasure of
        a customer's rows, :mod:`cxcert.warehouse.erasure`).

        Each entry is a committed batch, the staged parts (canonical schema, same file system) now holding its
        rows, and how many rows were taken out. Each copy goes into a batch directory of its own, exactly as
        :meth:`commit_batch` moves one in, and keeps the batch's fingerprint and accounting (``erased`` grows):
        a crash before the manifest replace leaves the old batches visible and the copies unnamed (removed by the
        next commit); after it, the old directories are deleted like a removed ingest's.
        """
        with locked(self.root):
            manifest = self.manifest()
            current = {b.batch_id: b for b in manifest.batches}
            replaced: dict[str, IngestRecord] = {}
            for record, parts, erased in rewritten:
                if current.get(record.batch_id) != record:
                    raise CxcertError(f"ingest {record.ingest_id} changed meanwhile; run the command again")
                schema = table_schema(record.table)
                for path in parts:
                    if not _parquet_schema(path).equals(schema, check_metadata=False):
                        raise ValueError(f"{path} does not have the canonical schema of {record.table}")
                batch_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
                relative: list[str] = []
                if parts:
                    incoming = self.root / record.table / f".incoming-{batch_id}"
                    incoming.mkdir(parents=True)
                    for n, path in enumerate(parts):
                        shutil.move(str(path), incoming / f"part-{n:05d}.parquet")
                    os.replace(incoming, self.root / record.table / f"batch-{batch_id}")
                    relative = [f"{record.table}/batch-{batch_id}/part-{n:05d}.parquet" for n in range(len(parts))]
                replaced[record.batch_id] = dataclasses.replace(
                    record, batch_id=batch_id, files=tuple(relative), erased=record.erased + erased
                )
            write_manifest(self.root, manifest.replacing(replaced))
            for old in replaced:
                for directory in sorted({(self.root / f).parent for f in current[old].files}):
                    shutil.rmtree(directory, ignore_errors=True)
        return list(replaced.values())

    def cleanup(self) -> list[Path]:
        """Delete what killed ingests left behind; returns the paths removed."""
        with locked(self.root):
            return self._cleanup_locked()

    def _cleanup_locked(self) -> list[Path]:
        removed: list[Path] = []
        staging = self.root / STAGING
        if staging.is_dir():
            for entry in staging.iterdir():
                pid = entry.name.split("-", 1)[0]
                if not pid.isdigit() or not _pid_alive(int(pid)):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
        referenced = {f.split("/")[1] for f in self.manifest().files_of_all()}
        for name in TABLES:
            table_dir = self.root / name
            if not table_dir.is_dir():
                continue
            for entry in table_dir.iterdir():
                orphan_batch = entry.name.startswith("batch-") and entry.name not in referenced
                if orphan_batch or entry.name.startswith(".incoming-"):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
        for tmp in self.root.glob(".manifest.json.*.tmp"):
            pid = tmp.name.split(".")[2]
            if pid.isdigit() and not _pid_alive(int(pid)):
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
        return removed


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
