"""Is each part what was committed? Sizes and SHA-256 hashes checked against the manifest's part stamps.

Two depths:

- quick (every read): one ``stat`` a part. A part that is gone or whose size differs is damaged at once; one whose
  size is right but whose modification time is neither the one recorded at commit nor one verified since is
  hashed again (bytes overwritten in place change the mtime), and a good hash is remembered in ``.verified.json``
  (so a warehouse copied without its mtimes is hashed once, not on every read);
- full (``cxcert warehouse check``): every part hashed.

A problem names the part, its ingest and source file, and what is wrong.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cxcert.warehouse.manifest import Manifest, PartStamp, write_atomic

VERIFIED_NAME = ".verified.json"
HASH_BLOCK = 1 << 20

Fault = Literal["missing", "truncated", "resized", "corrupt", "unreadable"]


@dataclass(frozen=True)
class PartProblem:
    """One damaged part: its relative path, what is wrong, and the ingest it belongs to."""

    file: str
    fault: Fault
    detail: str
    ingest_id: str
    source: str

    @property
    def message(self) -> str:
        return f"part {self.file} (ingest {self.ingest_id}, from {self.source}) is {self.fault}: {self.detail}"

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "fault": self.fault, "detail": self.detail, "ingest": self.ingest_id,
                "source": self.source}  # fmt: skip


def stamp(path: Path) -> PartStamp:
    """Size, SHA-256 and mtime of the file at ``path``."""
    before = path.stat()
    digest = _sha256(path)
    return PartStamp(before.st_size, digest, before.st_mtime_ns)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def verify_parts(
    root: Path, manifest: Manifest, files: Iterable[str], *, full: bool = False
) -> list[PartProblem]:
    """The problems of ``files`` (relative paths named by ``manifest``); quick unless ``full``."""
    verified = _read_verified(root)
    learnt: dict[str, tuple[int, int]] = {}
    problems: list[PartProblem] = []
    for file in files:
        expected = manifest.stamps.get(file)
        fault = _check(root / file, expected, verified.get(file), full, learnt, file)
        if fault is not None:
            batch = manifest.batch_of(file)
            ingest_id, source = (batch.ingest_id, batch.source) if batch else ("?", "?")
            problems.append(PartProblem(file, fault[0], fault[1], ingest_id, source))
    if learnt:
        _write_verified(root, manifest, {**verified, **learnt})
    return problems


def _check(
    path: Path,
    expected: PartStamp | None,
    verified: tuple[int, int] | None,
    full: bool,
    learnt: dict[str, tuple[int, int]],
    file: str,
) -> tuple[Fault, str] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return "missing", "the file is gone"
    except OSError as exc:
        return "unreadable", str(exc)
    if expected is None:  # a format-1 manifest: nothing recorded to compare with yet
        return None
    if found.st_size != expected.size:
        fault: Fault = "truncated" if found.st_size < expected.size else "resized"
        return fault, f"{found.st_size} bytes where {expected.size} were committed"
    now = (found.st_size, found.st_mtime_ns)
    if not full and (found.st_mtime_ns == expected.mtime_ns or verified == now):
        return None
    try:
        digest = _sha256(path)
    except OSError as exc:
        return "unreadable", str(exc)
    if digest != expected.sha256:
        return "corrupt", "its bytes differ from those committed (SHA-256 mismatch)"
    if found.st_mtime_ns != expected.mtime_ns:
        learnt[file] = now
    return None


def _read_verified(root: Path) -> dict[str, tuple[int, int]]:
    try:
        data = json.loads((root / VERIFIED_NAME).read_text(encoding="utf-8"))
        return {str(k): (int(v[0]), int(v[1])) for k, v in data["parts"].items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}  # a cache: lost or damaged, parts are hashed again


def _write_verified(root: Path, manifest: Manifest, verified: Mapping[str, tuple[int, int]]) -> None:
    keep = {f: list(v) for f, v in verified.items() if f in manifest.stamps}
    with contextlib.suppress(OSError):  # a read-only warehouse: verified again next time
        write_atomic(root / VERIFIED_NAME, json.dumps({"parts": keep}).encode())


def hash_matches(path: Path, expected: PartStamp) -> bool:
    """Whether the file at ``path`` has the size and SHA-256 of ``expected`` (for batches rebuilt from their
    ``batch.json``)."""
    try:
        return os.path.getsize(path) == expected.size and _sha256(path) == expected.sha256
    except OSError:
        return False
