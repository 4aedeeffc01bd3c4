"""Where cxcert keeps its state: ``CXCERT_HOME`` or the platform's user data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cxcert_home() -> Path:
    """The data directory (SQLite database, DuckDB warehouse, evidence store, quarantine files)."""
    explicit = os.environ.get("CXCERT_HOME")
    if explicit:
        return Path(explicit).expanduser()
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
