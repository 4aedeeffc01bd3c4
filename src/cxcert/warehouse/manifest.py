"""The warehouse manifest: the list of committed batches, the only thing that makes Parquet files visible.

The manifest is one small JSON file replaced atomically (written aside, then ``os.replace``), under an exclusive
file lock so two ingests never interleave their read-modify-write. A batch's Parquet files are moved into place
before the manifest names them; a crash in between leaves files that no manifest entry names, which readers
ignore and the next commit deletes.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
FORMAT_VERSION = 1
INGEST_ID_LENGTH = 8


@dataclass(frozen=True)
class IngestRecord:
    """One committed ingest: what was read, from where, for which entity, and what became of every row."""

    batch_id: str
    committed_at: datetime
    table: str
    entity_id: str
    source: str
    file: str
    fmt: str
    fingerprint: str
    read: int
    accepted: int
    rejected: int
    quarantine: str | None
    files: tuple[str, ...] = field(default_factory=tuple)
    key_id: str | None = None
    """The workspace key that made the batch's customer keys (``hmac-sha256:<id>``, docs/privacy.md); None for a
    table without them, and for contacts ingested before keyed hashing (plain SHA-256)."""
    erased: int = 0
    """Accepted rows erased since (a customer's rows, ``cxcert customer erase``): the batch holds
    ``accepted - erased`` rows."""

    @property
    def kind(self) -> str:
        """The ingest kind, which is the canonical table's name."""
        return self.table

    @property
    def ingest_id(self) -> str:
        """The short id users see and type (``cxcert ingest log``, ``cxcert ingest remove ID``): the start of the
        fingerprint, also in the name of the ingest's quarantine file."""
        return self.fingerprint[:INGEST_ID_LENGTH]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["committed_at"] = self.committed_at.isoformat()
        data["files"] = list(self.files)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IngestRecord:
        return cls(
            batch_id=str(data["batch_id"]),
            committed_at=datetime.fromisoformat(str(data["committed_at"])),
            table=str(data["table"]),
            entity_id=str(data["entity_id"]),
            source=str(data["source"]),
            file=str(data["file"]),
            fmt=str(data["fmt"]),
            fingerprint=str(data["fingerprint"]),
            read=int(data["read"]),
            accepted=int(data["accepted"]),
            rejected=int(data["rejected"]),
            quarantine=None if data.get("quarantine") is None else str(data["quarantine"]),
            files=tuple(str(f) for f in data.get("files", [])),
            key_id=None if data.get("key_id") is None else str(data["key_id"]),
            erased=int(data.get("erased", 0)),
        )


@dataclass(frozen=True)
class Manifest:
    """The committed state of the warehouse; ``generation`` grows by one per commit."""

    generation: int = 0
    batches: tuple[IngestRecord, ...] = ()

    def files_of(self, table: str, entity_id: str | None = None) -> list[str]:
        """Relative paths of the Parquet files of ``table`` (optionally one entity's batches)."""
        return [
            f
            for b in self.batches
            if b.table == table and (entity_id is None or b.entity_id == entity_id)
            for f in b.files
        ]

    def files_of_all(self) -> list[str]:
        """Relative paths of every committed Parquet file."""
        return [f for b in self.batches for f in b.files]

    def with_batch(self, record: IngestRecord) -> Manifest:
        return Manifest(generation=self.generation + 1, batches=(*self.batches, record))

    def replacing(self, records: dict[str, IngestRecord]) -> Manifest:
        """The manifest with the batches named by ``records``' keys (batch ids) replaced, in place."""
        return Manifest(
            generation=self.generation + 1, batches=tuple(records.get(b.batch_id, b) for b in self.batches)
        )

    def without_batch(self, batch_id: str) -> Manifest:
        return Manifest(
            generation=self.generation + 1, batches=tuple(b for b in self.batches if b.batch_id != batch_id)
        )


def read_manifest(root: Path) -> Manifest:
    """The manifest under ``root``; an empty one when the warehouse has never been written."""
    path = root / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Manifest()
    data = json.loads(text)
    return Manifest(
        generation=int(data["generation"]),
        batches=tuple(IngestRecord.from_json(b) for b in data["batches"]),
    )


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically: a reader sees the old or the new one, never a mix."""
    payload = {
        "format": FORMAT_VERSION,
        "generation": manifest.generation,
        "batches": [b.to_json() for b in manifest.batches],
    }
    tmp = root / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / MANIFEST_NAME)


_held = threading.local()


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the warehouse's exclusive lock (a no-op where ``fcntl`` is missing).

    Re-entrant within a thread: an ingest holds the lock across its last duplicate check and its commit, and the
    commit takes it again (a second ``flock`` on a new file handle would wait for the first forever).
    """
    key = str(root.resolve())
    held: set[str] = getattr(_held, "roots", set())
    if key in held:
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    with (root / LOCK_NAME).open("a") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: single-writer use only
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        _held.roots = held | {key}
        try:
            yield
        finally:
            _held.roots = held
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
