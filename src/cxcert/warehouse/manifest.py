"""The warehouse manifest: the list of committed batches, the only thing that makes Parquet files visible.

The manifest is one small JSON file replaced atomically (written aside, fsync'd, then ``os.replace``), under an
exclusive file lock so two writers never interleave their read-modify-write. It is a copy of what the ingest log
(:mod:`cxcert.warehouse.ingest_log`) says, kept for fast reads; each part is listed with its size, SHA-256 and
modification time at commit so readers can tell a damaged part from a good one.

Format 1 (before part stamps) is still read; the next commit or ``cxcert warehouse repair`` upgrades it.
A manifest that is missing, cut short or of the wrong shape is never read as an empty warehouse: it raises
:class:`WarehouseDamaged`, which tells the user to run ``cxcert warehouse repair``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cxcert.errors import CxcertError

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
FORMAT_VERSION = 2
FORMATS_READ = (1, 2)
INGEST_ID_LENGTH = 8
REPAIR_HINT = "run `cxcert warehouse repair`"
CHECK_HINT = "run `cxcert warehouse check` for the whole list and what to do"


class WarehouseDamaged(CxcertError):
    """The warehouse's own files (manifest, ingest log, parts) are missing or damaged."""


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

    @property
    def directory(self) -> str | None:
        """The batch directory relative to the warehouse root (``contacts/batch-…``); None for a batch of no part."""
        return f"{self.table}/batch-{self.batch_id}" if self.files else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["committed_at"] = self.committed_at.isoformat()
        data["files"] = list(self.files)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IngestRecord:
        quarantine = data.get("quarantine")
        return cls(
            batch_id=_text(data, "batch_id"),
            committed_at=datetime.fromisoformat(_text(data, "committed_at")),
            table=_text(data, "table"),
            entity_id=_text(data, "entity_id"),
            source=_text(data, "source"),
            file=_text(data, "file"),
            fmt=_text(data, "fmt"),
            fingerprint=_text(data, "fingerprint"),
            read=_count(data, "read"),
            accepted=_count(data, "accepted"),
            rejected=_count(data, "rejected"),
            quarantine=None if quarantine is None else str(quarantine),
            files=tuple(_files(data)),
            key_id=None if data.get("key_id") is None else str(data["key_id"]),
            erased=_count(data, "erased") if "erased" in data else 0,
        )


@dataclass(frozen=True)
class PartStamp:
    """What a part was when committed (or last verified): its size, the SHA-256 of its bytes, its mtime."""

    size: int
    sha256: str
    mtime_ns: int

    def to_json(self, file: str) -> dict[str, Any]:
        return {"file": file, "size": self.size, "sha256": self.sha256, "mtime_ns": self.mtime_ns}


@dataclass(frozen=True)
class Manifest:
    """The committed state of the warehouse; ``generation`` grows by one per commit or removal.

    ``stamps`` maps each part (relative path) to its :class:`PartStamp`; empty for a format-1 manifest.
    """

    generation: int = 0
    batches: tuple[IngestRecord, ...] = ()
    stamps: Mapping[str, PartStamp] = field(default_factory=dict)
    format: int = FORMAT_VERSION

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

    def batch_of(self, file: str) -> IngestRecord | None:
        """The batch a part belongs to."""
        return next((b for b in self.batches if file in b.files), None)

    def with_batch(self, record: IngestRecord, stamps: Mapping[str, PartStamp]) -> Manifest:
        return Manifest(self.generation + 1, (*self.batches, record), {**self.stamps, **stamps}, self.format)

    def replacing(self, records: Mapping[str, IngestRecord], stamps: Mapping[str, PartStamp]) -> Manifest:
        """The batches named by ``records``' keys (batch ids) swapped, in place, for ``records``' values."""
        batches = tuple(records.get(b.batch_id, b) for b in self.batches)
        files = {f for b in batches for f in b.files}
        kept = {f: s for f, s in {**self.stamps, **stamps}.items() if f in files}
        return Manifest(self.generation + 1, batches, kept, self.format)

    def without_batch(self, batch_id: str) -> Manifest:
        kept = tuple(b for b in self.batches if b.batch_id != batch_id)
        files = {f for b in kept for f in b.files}
        stamps = {f: s for f, s in self.stamps.items() if f in files}
        return Manifest(self.generation + 1, kept, stamps, self.format)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "generation": self.generation,
            "batches": [batch_json(b, self.stamps) for b in self.batches],
        }


def batch_json(record: IngestRecord, stamps: Mapping[str, PartStamp]) -> dict[str, Any]:
    """A batch as stored in the manifest, the ingest log and its batch directory's ``batch.json``."""
    return {**record.to_json(), "parts": [stamps[f].to_json(f) for f in record.files if f in stamps]}


def parse_batch(data: Any) -> tuple[IngestRecord, dict[str, PartStamp]]:
    """A batch and its part stamps from :func:`batch_json`'s shape; ValueError naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("a batch is not an object")
    try:
        record = IngestRecord.from_json(data)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"a batch lacks or garbles {exc}") from None
    stamps: dict[str, PartStamp] = {}
    parts = data.get("parts", [])
    if not isinstance(parts, list):
        raise ValueError(f"batch {record.batch_id}: parts is not a list")
    for part in parts:
        if not isinstance(part, dict) or part.get("file") not in record.files:
            raise ValueError(f"batch {record.batch_id}: a part stamp names no file of the batch")
        sha = part.get("sha256")
        if not isinstance(sha, str) or len(sha) != 64:
            raise ValueError(f"batch {record.batch_id}: a part stamp has no SHA-256")
        stamps[str(part["file"])] = PartStamp(_count(part, "size"), sha, _count(part, "mtime_ns"))
    return record, stamps


def parse_batches(items: list[Any]) -> tuple[list[IngestRecord], dict[str, PartStamp]]:
    """The batches of a manifest or of an ingest-log snapshot, with their parts' stamps; ValueError as
    :func:`parse_batch`."""
    records: list[IngestRecord] = []
    stamps: dict[str, PartStamp] = {}
    for item in items:
        record, found = parse_batch(item)
        records.append(record)
        stamps.update(found)
    return records, stamps


def parse_manifest(text: str) -> Manifest:
    """The manifest in ``text``; ValueError saying what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    fmt = data.get("format", 1)
    if fmt not in FORMATS_READ:
        raise ValueError(f"format {fmt!r} is not one cxcert reads ({', '.join(map(str, FORMATS_READ))})")
    batches = data.get("batches")
    if not isinstance(batches, list):
        raise ValueError("no list of batches")
    records, stamps = parse_batches(batches)
    if len({r.batch_id for r in records}) != len(records):
        raise ValueError("a batch is listed twice")
    if fmt >= 2 and any(f not in stamps for r in records for f in r.files):
        raise ValueError("a part has no size and SHA-256")
    return Manifest(_count(data, "generation"), tuple(records), stamps, int(fmt))


def read_manifest(root: Path) -> Manifest | None:
    """The manifest under ``root``; None when there is none; :class:`WarehouseDamaged` when it cannot be read."""
    path = root / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        message = f"the warehouse manifest cannot be read ({exc}); {REPAIR_HINT}"
        raise WarehouseDamaged(message, where=str(path)) from None
    try:
        return parse_manifest(text)
    except ValueError as exc:
        raise WarehouseDamaged(f"the warehouse manifest is damaged ({exc}); {REPAIR_HINT}", where=str(path)) from None


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Replace the manifest atomically: a reader sees the old or the new one, never a mix."""
    write_atomic(root / MANIFEST_NAME, json.dumps(manifest.to_json(), indent=1).encode())


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` aside (named after this process, so leftovers of a dead one can be told), fsync it, and
    rename it over ``path``; then fsync the directory so the rename itself survives a power cut."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    sync_directory(path.parent)


def sync_directory(path: Path) -> None:
    """fsync a directory (its entries: renames and new files), where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _text(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(key)
    return value


def _count(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{key} is not a count: {value!r}")
    return value


def _files(data: dict[str, Any]) -> list[str]:
    files = data.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise TypeError("files")
    return files


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
