"""Writing the warehouse: commit a batch, remove one, and what every writer does first (all under the lock).

A commit, in this order (a crash between any two steps leaves a state the next writer or repair reads right):

1. the parts move into ``<table>/.incoming-<id>/``, each fsync'd and stamped (size, SHA-256, mtime), with
   ``batch.json`` (the batch's record and stamps) beside them;
2. the directory is renamed ``batch-<id>``: still invisible, and garbage on the log's word until step 3;
3. the ``commit`` line is appended to the ingest log and fsync'd: the commit point;
4. the manifest is replaced: readers see the batch.

A removal appends its ``remove`` line, leaves ``removed.json`` in the batch directory, replaces the manifest, and
deletes the directory only once no live reader can hold a list that names it (:mod:`cxcert.warehouse.leases`).

Before either, :func:`open_for_write` deletes the leftovers of dead processes, upgrades a format-1 manifest
(hashing its parts: trust on first use), rolls the manifest forward when a crash came between steps 3 and 4, and
refuses (one line, "run `cxcert warehouse repair`") when the manifest or the log is missing or damaged: a writer
never starts from a state it cannot prove.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from cxcert.canonical import TABLES
from cxcert.errors import CxcertError
from cxcert.warehouse import ingest_log
from cxcert.warehouse.ingest_log import LogState, read_log
from cxcert.warehouse.integrity import stamp
from cxcert.warehouse.leases import oldest_held
from cxcert.warehouse.leftovers import INCOMING, delete, find_dead
from cxcert.warehouse.manifest import (
    FORMAT_VERSION,
    REPAIR_HINT,
    IngestRecord,
    Manifest,
    PartStamp,
    WarehouseDamaged,
    batch_json,
    read_manifest,
    sync_directory,
    write_atomic,
    write_manifest,
)

SIDECAR = "batch.json"
REMOVED = "removed.json"
BATCH_PREFIX = "batch-"


def batch_dirs(root: Path) -> list[Path]:
    """Every ``<table>/batch-*`` directory on disk."""
    return [
        entry
        for name in TABLES
        if (root / name).is_dir()
        for entry in sorted((root / name).iterdir())
        if entry.name.startswith(BATCH_PREFIX) and entry.is_dir()
    ]


def ever_written(root: Path) -> bool:
    """Whether a batch was ever committed here (so a missing manifest is a lost one, not a new warehouse)."""
    return (root / ingest_log.LOG_NAME).exists() or bool(batch_dirs(root))


def current(root: Path) -> Manifest:
    """The manifest to read: empty for a new warehouse, :class:`WarehouseDamaged` when lost or damaged."""
    manifest = read_manifest(root)
    if manifest is not None:
        return manifest
    if ever_written(root):
        raise WarehouseDamaged(f"the warehouse manifest is missing; {REPAIR_HINT}", where=str(root))
    return Manifest()


@dataclass(frozen=True)
class Opened:
    """What a writer starts from: the sound manifest and log, and what was cleaned on the way."""

    manifest: Manifest
    log: LogState
    removed: list[Path]


def open_for_write(root: Path, quarantine: Path | None, own_lease: Path | None) -> Opened:
    """Clean, upgrade, roll forward; then the manifest and log a writer may build on (hold the lock)."""
    dead = find_dead(root, quarantine, locked=True)
    delete(dead)
    removed = [d.path for d in dead]
    manifest = current(root)
    log = read_log(root)
    if manifest.format < FORMAT_VERSION:
        manifest = upgrade(root, manifest)
        log = read_log(root)
    elif log.status == "missing" and not manifest.batches and not batch_dirs(root):
        ingest_log.append(root, ingest_log.snapshot_entry(manifest))  # a new warehouse: start its log
        log = read_log(root)
    if log.status != "ok" or log.state is None:
        what = "missing" if log.status == "missing" else f"damaged ({log.problem})"
        raise WarehouseDamaged(f"the warehouse's ingest log is {what}; {REPAIR_HINT}", where=str(root))
    if log.state.generation > manifest.generation:  # a crash between the log line and the manifest: roll forward
        manifest = log.state
        write_manifest(root, manifest)
        _mark_removed(root, log)
    elif _ids(log.state) != _ids(manifest) or log.state.generation != manifest.generation:
        raise WarehouseDamaged(
            f"the warehouse's ingest log (generation {log.state.generation}) and manifest (generation "
            f"{manifest.generation}) disagree; {REPAIR_HINT}",
            where=str(root),
        )
    removed += collect_garbage(root, manifest, log, own_lease)
    return Opened(manifest, log, removed)


def upgrade(root: Path, manifest: Manifest) -> Manifest:
    """A format-1 manifest with its parts stamped as they are now, written back with a log started from it."""
    stamps: dict[str, PartStamp] = {}
    for file in manifest.files_of_all():
        try:
            stamps[file] = stamp(root / file)
        except FileNotFoundError:
            raise WarehouseDamaged(
                f"part {file} of the warehouse is missing; run `cxcert warehouse check`", where=str(root)
            ) from None
    upgraded = Manifest(manifest.generation, manifest.batches, stamps)
    for record in manifest.batches:
        if record.directory is not None and (root / record.directory).is_dir():
            write_atomic(root / record.directory / SIDECAR, json.dumps(batch_json(record, stamps)).encode())
    ingest_log.start_log(root, upgraded)
    write_manifest(root, upgraded)
    return upgraded


def new_batch_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def move_in(root: Path, record: IngestRecord, parts: list[Path]) -> tuple[IngestRecord, dict[str, PartStamp]]:
    """Steps 1-2 of a commit: ``parts`` into ``batch-<record.batch_id>``, stamped, with ``batch.json``."""
    stamps: dict[str, PartStamp] = {}
    if not parts:
        return _with_files(record, ()), stamps
    table_dir = root / record.table
    table_dir.mkdir(parents=True, exist_ok=True)
    incoming = table_dir / f"{INCOMING}{record.batch_id}"
    incoming.mkdir()
    final = table_dir / f"{BATCH_PREFIX}{record.batch_id}"
    files = [f"{record.table}/{final.name}/part-{n:05d}.parquet" for n in range(len(parts))]
    for path, file in zip(parts, files, strict=True):
        moved = incoming / Path(file).name
        shutil.move(str(path), moved)
        _fsync_file(moved)
        stamps[file] = stamp(moved)
    record = _with_files(record, tuple(files))
    write_atomic(incoming / SIDECAR, json.dumps(batch_json(record, stamps)).encode())
    os.replace(incoming, final)
    sync_directory(table_dir)
    return record, stamps


def commit(
    root: Path, opened: Opened, record: IngestRecord, parts: list[Path]
) -> tuple[IngestRecord, Manifest]:
    """Steps 1-4 of a commit (see the module's docstring); the record with its files, and the new manifest."""
    record, stamps = move_in(root, record, parts)
    generation = opened.manifest.generation + 1
    ingest_log.append(root, ingest_log.commit_entry(generation, record, stamps), torn=opened.log.torn)
    manifest = opened.manifest.with_batch(record, stamps)
    write_manifest(root, manifest)
    return record, manifest


def remove(root: Path, opened: Opened, record: IngestRecord, own_lease: Path | None) -> Manifest:
    """Take ``record``'s batch out: log line, ``removed.json``, manifest; its files go when no reader needs them."""
    generation = opened.manifest.generation + 1
    ingest_log.append(root, ingest_log.remove_entry(generation, record.batch_id), torn=opened.log.torn)
    if record.directory is not None and (root / record.directory).is_dir():
        write_atomic(root / record.directory / REMOVED, json.dumps({"generation": generation}).encode())
    manifest = opened.manifest.without_batch(record.batch_id)
    write_manifest(root, manifest)
    collect_garbage(root, manifest, read_log(root), own_lease)
    return manifest


def swap(
    root: Path, opened: Opened, rewritten: list[tuple[IngestRecord, list[Path], int]], own_lease: Path | None
) -> list[IngestRecord]:
    """Swap committed batches for rewritten copies (staged parts, rows taken out) in one logged step: each copy
    moved in as a commit does, keeping its batch's fingerprint and accounting (``erased`` grows); the old
    directories go as a removed batch's do."""
    current = {b.batch_id: b for b in opened.manifest.batches}
    for record, _, _ in rewritten:
        if current.get(record.batch_id) != record:
            raise CxcertError(f"ingest {record.ingest_id} changed meanwhile; run the command again")
    replaced: dict[str, IngestRecord] = {}
    stamps: dict[str, PartStamp] = {}
    for record, parts, erased in rewritten:
        fresh = replace(record, batch_id=new_batch_id(), erased=record.erased + erased)
        replaced[record.batch_id], found = move_in(root, fresh, parts)
        stamps.update(found)
    generation = opened.manifest.generation + 1
    ingest_log.append(root, ingest_log.replace_entry(generation, replaced, stamps), torn=opened.log.torn)
    for old in replaced:
        directory = current[old].directory
        if directory is not None and (root / directory).is_dir():
            write_atomic(root / directory / REMOVED, json.dumps({"generation": generation}).encode())
    manifest = opened.manifest.replacing(replaced, stamps)
    write_manifest(root, manifest)
    collect_garbage(root, manifest, read_log(root), own_lease)
    return list(replaced.values())


def garbage_verdict(root: Path, directory: Path, manifest: Manifest, log: LogState, oldest: int | None) -> str | None:
    """Why the batch directory ``directory`` (not in ``manifest``) may be deleted, or None when it may not be
    (yet): removed and no live reader may hold it, or proven by the log never to have committed."""
    batch_id = directory.name.removeprefix(BATCH_PREFIX)
    removed_at = log.removed.get(batch_id) if log.proves else None
    if removed_at is None:
        removed_at = _marker(directory)
    if removed_at is not None:
        return "removed by `cxcert ingest remove`" if oldest is None or oldest >= removed_at else None
    if log.proves and batch_id not in log.committed and batch_id not in log.unproven:
        return "never committed (a crash before its commit)"
    return None


def collect_garbage(root: Path, manifest: Manifest, log: LogState, own_lease: Path | None) -> list[Path]:
    """Delete the batch directories that are proven garbage; the paths deleted."""
    named = {b.directory for b in manifest.batches}
    oldest = oldest_held(root, besides=own_lease)
    removed: list[Path] = []
    for directory in batch_dirs(root):
        if f"{directory.parent.name}/{directory.name}" in named:
            continue
        if garbage_verdict(root, directory, manifest, log, oldest) is not None:
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


def _marker(directory: Path) -> int | None:
    try:
        data = json.loads((directory / REMOVED).read_text(encoding="utf-8"))
        return int(data["generation"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return 0  # a damaged marker still says "removed"; wait for every reader


def _mark_removed(root: Path, log: LogState) -> None:
    for batch_id, generation in log.removed.items():
        for name in TABLES:
            directory = root / name / f"{BATCH_PREFIX}{batch_id}"
            if directory.is_dir() and not (directory / REMOVED).exists():
                write_atomic(directory / REMOVED, json.dumps({"generation": generation}).encode())


def _ids(manifest: Manifest) -> list[str]:
    return [b.batch_id for b in manifest.batches]


def _with_files(record: IngestRecord, files: tuple[str, ...]) -> IngestRecord:
    return replace(record, files=files)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def refuse_duplicate(manifest: Manifest, fingerprint: str) -> None:
    if any(b.fingerprint == fingerprint for b in manifest.batches):
        raise CxcertError(f"this file was already ingested (fingerprint {fingerprint[:12]})")
