"""Names from data made safe as file names: an id or a source file's name never becomes a path.

Ids (an evaluation id, a standard's family) and the names of users' files end up in the names of files cxcert
writes (quarantine files, temporary parts, default output names). Used as they are, ``../etc/x`` would write
outside the workspace, ``a/b`` into a folder that does not exist, a 244-character name past the file system's
limit of 255 bytes, and NUL or a reserved device name (``CON``, ``NUL``, ``COM1``) would fail on some systems.
:func:`file_name_part` keeps what is readable and replaces the rest; :func:`inside` checks a path built under a
folder stays there.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from cxcert.errors import CxcertError

MAX_PART = 80
"""The longest piece of a file name made from data: room for a time stamp, a table name and a suffix within the
255 bytes every common file system allows."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))})
"""Device names Windows refuses as a file name, with any extension."""


def file_name_part(text: str, *, max_length: int = MAX_PART) -> str:
    """``text`` as a piece of a file name: ASCII letters, digits, ``.``, ``_`` and ``-`` only (any other run of
    characters, ``/``, ``..`` and NUL included, becomes one ``_``), no leading dot, dash or ``_``, at most
    ``max_length`` characters (a long text keeps its start and gets 8 hex digits of its SHA-256, so two long
    names stay apart), never empty and never a reserved device name."""
    safe = re.sub("_{2,}", "_", _UNSAFE.sub("_", text).replace("..", "_")).lstrip("._-")
    if len(safe) > max_length:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        safe = safe[: max_length - 9].rstrip(".") + "-" + digest
    if not safe:
        safe = "unnamed"
    if safe.split(".")[0].upper() in _RESERVED:
        safe = "_" + safe
    return safe


def inside(folder: Path, path: Path, *, what: str = "path") -> Path:
    """``path`` when it lies within ``folder`` (after resolving ``..`` and links); else one clear error."""
    resolved = path.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise CxcertError(f"{what} {str(path)!r} would be outside {folder}; refused")
    return path
