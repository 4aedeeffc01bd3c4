"""Write a report file atomically: into a temporary file beside it, then swap it in."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path


def _umask() -> int:
    """The process umask (reading it means setting it: put it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _usual_mode(path: Path) -> int:
    """The mode a plain ``open(path, "w")`` would leave: an existing file keeps its own, a new one gets
    0666 less the umask (0644 usually). ``mkstemp`` makes its file 0600, which would hide a shared report."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` on a temporary path in ``path``'s folder and move the result to ``path``.

    A crash half-way leaves any previous file at ``path`` untouched. The file ends with the usual mode. A file
    system error (read-only, full) names ``path``, not the temporary file the user never asked for.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _usual_mode(path)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise _naming(exc, path) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        raise _naming(exc, path) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _naming(exc: OSError, path: Path) -> OSError:
    return type(exc)(exc.errno, exc.strerror, str(path)) if exc.errno is not None else exc
