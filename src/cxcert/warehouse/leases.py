"""Reader leases: which manifest generation each live reader may still be reading, so removed files wait for it.

A reader (a :class:`~cxcert.warehouse.Warehouse` handing out file lists or DuckDB views) writes its generation to
``.readers/<pid>-<token>`` *before* it trusts the manifest it read, then reads the manifest again and starts over
if the generation moved. A writer that took a batch out at generation R deletes its files only when it no longer
sees a live lease below R, checked *after* the manifest without the batch is in place. Either the writer sees the
lease, or the reader sees the new manifest: a reader never meets a file deleted under it.

A lease is live while its process is (a killed reader's lease is ignored and swept). A reader that cannot write
its lease (a read-only warehouse) reads without one: nobody can delete there either.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

READERS = ".readers"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (someone else's counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Lease:
    """One reader's lease; ``hold(g)`` says it may read the files of generation ``g`` from now on."""

    def __init__(self, root: Path) -> None:
        self.path = root / READERS / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.generation: int | None = None

    def hold(self, generation: int) -> bool:
        """Write the lease; False when it cannot be written."""
        try:
            self.path.parent.mkdir(exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(str(generation), encoding="ascii")
            os.replace(tmp, self.path)
        except OSError:
            return False
        self.generation = generation
        return True

    def release(self) -> None:
        self.generation = None
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


def held_generations(root: Path, *, besides: Path | None = None, sweep: bool = True) -> list[int]:
    """The generations live readers hold (``besides``: a lease of the caller's own, left out); ``sweep``: delete
    the leases of dead processes on the way."""
    folder = root / READERS
    if not folder.is_dir():
        return []
    held: list[int] = []
    for entry in folder.iterdir():
        pid = entry.name.split("-", 1)[0]
        if not pid.isdigit() or not pid_alive(int(pid)):
            if sweep:
                entry.unlink(missing_ok=True)
            continue
        if entry == besides or entry.name.endswith(".tmp"):
            continue
        try:
            held.append(int(entry.read_text(encoding="ascii")))
        except (OSError, ValueError):
            held.append(0)  # being written: as old as can be
    return held


def oldest_held(root: Path, *, besides: Path | None = None, sweep: bool = True) -> int | None:
    """The lowest generation a live reader holds, None when no live reader holds one."""
    return min(held_generations(root, besides=besides, sweep=sweep), default=None)
