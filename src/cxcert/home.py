"""Where cxcert keeps its state: ``CXCERT_HOME`` or the platform's user data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cxcert.errors import CxcertError


def cxcert_home() -> Path:
    """The data directory (SQLite database, DuckDB warehouse, evidence store, quarantine files).

    :class:`CxcertError` when ``CXCERT_HOME`` names a file, or a folder below a file, which could never be one.
    """
    explicit = os.environ.get("CXCERT_HOME")
    if explicit:
        home = Path(explicit).expanduser()
        _could_be_a_folder(home, "CXCERT_HOME")
        return home
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "cxcert"


def database_url() -> str:
    """``CXCERT_DATABASE_URL`` (PostgreSQL) when set, else the SQLite file in the data directory."""
    explicit = os.environ.get("CXCERT_DATABASE_URL")
    if explicit:
        return explicit
    return f"sqlite:///{cxcert_home() / 'cxcert.sqlite'}"


def warehouse_dir() -> Path:
    """The DuckDB warehouse directory (Parquet files and the DuckDB catalogue), beside the database."""
    return cxcert_home() / "warehouse"


def _could_be_a_folder(path: Path, setting: str) -> None:
    """Refuse ``path`` if it, or the nearest part of it that exists, is not a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            if not candidate.is_dir():
                what = "is not a folder" if candidate == path else f"cannot be a folder: {candidate} is not one"
                raise CxcertError(f"{setting}={path} {what}; set {setting} to a folder (created if missing)")
            return


def ensure_dir(path: Path) -> Path:
    """Create folder ``path`` (and its parents) if missing; :class:`CxcertError` saying why it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise CxcertError(f"cannot create the folder {path}: a file of that name is in the way") from None
    except OSError as exc:
        raise CxcertError(f"cannot create the folder {path}: {exc.strerror or exc}") from None
    return path
