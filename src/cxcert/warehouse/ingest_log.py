"""The ingest log: an append-only, fsync'd journal of every commit and removal, the warehouse's commit point.

``ingest-log.jsonl`` holds one JSON object a line:

- ``{"op": "snapshot", "generation": G, "batches": [...], "unproven": [...]}``: the whole state at generation G
  (the first line; also written when a format-1 manifest is upgraded or repair starts the log again), with the
  batch directories it cannot vouch for either way (kept, never deleted on its word);
- ``{"op": "commit", "generation": G, "batch": {...}}``: a batch made visible (its record and part stamps);
- ``{"op": "remove", "generation": G, "batch_id": "..."}``: a batch taken out;
- ``{"op": "replace", "generation": G, "batches": [{"old": "...", "batch": {...}}]}``: batches swapped for
  rewritten copies in one step (a customer's rows erased), each old one taken out as by a removal.

Each entry's generation is the previous one's plus one. A batch is committed once its ``commit`` line is on disk
(fsync'd); the manifest is written after it. So replaying the log rebuilds the manifest exactly, and the log
proves what is garbage: a batch directory that no commit line names never committed, one with a remove line was
taken out. A last line without its newline is an append cut short by a crash: it never happened, and the next
writer cuts it off. Any other line that does not parse makes the log unable to prove anything: nothing is
deleted on its word until ``cxcert warehouse repair`` has started a sound log.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cxcert.warehouse.manifest import (
    IngestRecord,
    Manifest,
    PartStamp,
    batch_json,
    parse_batch,
    parse_batches,
    sync_directory,
)

LOG_NAME = "ingest-log.jsonl"

LogStatus = Literal["ok", "missing", "damaged"]


@dataclass(frozen=True)
class LogState:
    """What the log says: the replayed state of its sound lines, and which batches it proves committed/removed.

    ``status`` is ``damaged`` when a line other than a torn last one does not parse or does not follow; then
    ``state`` is the replay of the lines before it and ``problem`` says where. ``torn`` is the length of the
    sound prefix when a torn last line follows it (None otherwise).
    """

    status: LogStatus
    state: Manifest | None
    committed: frozenset[str] = frozenset()
    removed: dict[str, int] = field(default_factory=dict)
    problem: str | None = None
    torn: int | None = None
    unproven: frozenset[str] = frozenset()

    @property
    def proves(self) -> bool:
        """Whether the log may be trusted to say that a batch never committed."""
        return self.status == "ok"


def read_log(root: Path) -> LogState:
    """Read and replay the ingest log under ``root``."""
    path = root / LOG_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return LogState("missing", None)
    torn: int | None = None
    if data and not data.endswith(b"\n"):
        torn = data.rfind(b"\n") + 1
        data = data[:torn]
    state: Manifest | None = None
    committed: set[str] = set()
    removed: dict[str, int] = {}
    unproven: set[str] = set()
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            state = _apply(state, json.loads(line), committed, removed, unproven)
        except (ValueError, KeyError, TypeError) as exc:
            problem = f"line {number} of {LOG_NAME}: {exc}"
            return LogState("damaged", state, frozenset(committed), removed, problem, torn, frozenset(unproven))
    if state is None:
        return LogState("damaged", None, problem=f"{LOG_NAME} is empty", torn=torn)
    return LogState("ok", state, frozenset(committed), removed, None, torn, frozenset(unproven))


def _apply(
    state: Manifest | None, entry: Any, committed: set[str], removed: dict[str, int], unproven: set[str]
) -> Manifest:
    if not isinstance(entry, dict):
        raise ValueError("not a JSON object")
    op, generation = entry.get("op"), entry.get("generation")
    if not isinstance(generation, int) or isinstance(generation, bool):
        raise ValueError("no generation")
    if op == "snapshot":
        batches = entry.get("batches")
        if not isinstance(batches, list):
            raise ValueError("a snapshot without batches")
        records, stamps = parse_batches(batches)
        committed.update(r.batch_id for r in records)
        unproven.update(str(u) for u in entry.get("unproven", []))
        return Manifest(generation, tuple(records), stamps)
    if state is None:
        raise ValueError("the log does not start with a snapshot")
    if generation != state.generation + 1:
        raise ValueError(f"generation {generation} follows {state.generation}")
    if op == "commit":
        record, found = parse_batch(entry.get("batch"))
        if any(b.batch_id == record.batch_id for b in state.batches):
            raise ValueError(f"batch {record.batch_id} committed twice")
        committed.add(record.batch_id)
        return state.with_batch(record, found)
    if op == "remove":
        batch_id = entry.get("batch_id")
        if not any(b.batch_id == batch_id for b in state.batches):
            raise ValueError(f"removes batch {batch_id!r}, which is not committed")
        removed[str(batch_id)] = generation
        return state.without_batch(str(batch_id))
    if op == "replace":
        swaps = entry.get("batches")
        if not isinstance(swaps, list) or not swaps:
            raise ValueError("a replace without batches")
        swapped: dict[str, IngestRecord] = {}
        new_stamps: dict[str, PartStamp] = {}
        for swap in swaps:
            old = swap.get("old") if isinstance(swap, dict) else None
            if not any(b.batch_id == old for b in state.batches):
                raise ValueError(f"replaces batch {old!r}, which is not committed")
            record, found = parse_batch(swap["batch"])
            swapped[str(old)] = record
            new_stamps.update(found)
            committed.add(record.batch_id)
            removed[str(old)] = generation
        return state.replacing(swapped, new_stamps)
    raise ValueError(f"unknown op {op!r}")


def snapshot_entry(manifest: Manifest, unproven: Iterable[str] = ()) -> dict[str, Any]:
    return {
        "op": "snapshot",
        "generation": manifest.generation,
        "at": _now(),
        "batches": [batch_json(b, manifest.stamps) for b in manifest.batches],
        "unproven": sorted(unproven),
    }


def commit_entry(generation: int, record: IngestRecord, stamps: dict[str, PartStamp]) -> dict[str, Any]:
    return {"op": "commit", "generation": generation, "at": _now(), "batch": batch_json(record, stamps)}


def remove_entry(generation: int, batch_id: str) -> dict[str, Any]:
    return {"op": "remove", "generation": generation, "at": _now(), "batch_id": batch_id}


def replace_entry(
    generation: int, records: dict[str, IngestRecord], stamps: dict[str, PartStamp]
) -> dict[str, Any]:
    swaps = [{"old": old, "batch": batch_json(new, stamps)} for old, new in records.items()]
    return {"op": "replace", "generation": generation, "at": _now(), "batches": swaps}


def append(root: Path, entry: dict[str, Any], *, torn: int | None = None) -> None:
    """Append one entry and fsync it (the commit point). ``torn``: cut the log to that length first (a torn
    last line of a crashed writer)."""
    path = root / LOG_NAME
    new = not path.exists()
    if torn is not None:
        os.truncate(path, torn)
    line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        sync_directory(root)


def cut_torn(root: Path, length: int) -> None:
    """Cut the log to ``length`` bytes: the end of its last whole line (a crashed append's fragment goes)."""
    fd = os.open(root / LOG_NAME, os.O_WRONLY)
    try:
        os.ftruncate(fd, length)
        os.fsync(fd)
    finally:
        os.close(fd)


def start_log(root: Path, manifest: Manifest, unproven: Iterable[str] = ()) -> Path | None:
    """Start the log afresh from ``manifest`` (a sound one); an old log is kept aside, never overwritten (its
    new name is returned)."""
    path = root / LOG_NAME
    kept: Path | None = None
    if path.exists():
        kept = path.with_name(f"{LOG_NAME}.old-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
        os.replace(path, kept)
    append(root, snapshot_entry(manifest, unproven))
    return kept


def _now() -> str:
    return datetime.now(UTC).isoformat()
