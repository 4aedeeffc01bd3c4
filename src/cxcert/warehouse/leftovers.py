"""What killed processes leave behind, and what may be deleted of it: only what a dead process owned.

- ``.staging/<pid>-<id>/``: the parts of an ingest that never reached its commit;
- ``<name>.<pid>.part`` in the quarantine folder: a quarantine file still being written;
- ``.<name>.<pid>.tmp``: a file written aside before its atomic rename (manifest, cache);
- ``<table>/.incoming-<id>/``: a batch being moved into place by a commit (only ever under the warehouse lock,
  so one found while holding the lock belongs to a dead process).

Each is deleted only when the process whose id is in its name is gone (a live one may still be writing it):
by the start of every ingest (:meth:`~cxcert.warehouse.Warehouse.new_staging`), every commit and ``cxcert
warehouse repair``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from cxcert.canonical import TABLES
from cxcert.warehouse.leases import pid_alive

STAGING = ".staging"
INCOMING = ".incoming-"

_PART = re.compile(r"^.+\.(\d+)\.part$")
_TMP = re.compile(r"^\..+\.(\d+)\.tmp$")


@dataclass(frozen=True)
class Leftover:
    """A leftover of a dead process: where, what it is, and its size in bytes."""

    path: Path
    what: str
    size: int


def find_dead(root: Path, quarantine: Path | None, *, locked: bool) -> list[Leftover]:
    """Leftovers of dead processes under the warehouse ``root`` and the ``quarantine`` folder; ``locked``: the
    caller holds the warehouse lock (then ``.incoming-`` directories count too)."""
    found: list[Leftover] = []
    staging = root / STAGING
    if staging.is_dir():
        for entry in staging.iterdir():
            pid = entry.name.split("-", 1)[0]
            if not pid.isdigit() or not pid_alive(int(pid)):
                found.append(Leftover(entry, "staging directory of a dead ingest", _size(entry)))
    for folder, pattern, what in ((quarantine, _PART, "unfinished quarantine file"), (root, _TMP, "temporary file")):
        if folder is None or not folder.is_dir():
            continue
        for entry in folder.iterdir():
            match = pattern.match(entry.name)
            if match and entry.is_file() and not pid_alive(int(match.group(1))):
                found.append(Leftover(entry, f"{what} of a dead process", _size(entry)))
    if locked:
        for name in TABLES:
            table_dir = root / name
            if table_dir.is_dir():
                for entry in table_dir.iterdir():
                    if entry.name.startswith(INCOMING):
                        found.append(Leftover(entry, "batch a dead commit was moving into place", _size(entry)))
    return found


def delete(leftovers: list[Leftover]) -> None:
    for leftover in leftovers:
        if leftover.path.is_dir():
            shutil.rmtree(leftover.path, ignore_errors=True)
        else:
            leftover.path.unlink(missing_ok=True)


def _size(path: Path) -> int:
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size
    except OSError:
        return 0
