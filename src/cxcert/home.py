"""Where cxcert keeps its state: ``CXCERT_HOME`` or the platform's user data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cxcert.errors import CxcertError, Unavailable


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
    """Create folder ``path`` (and its parents) if missing; one line saying why it cannot be: a file in the way is
    the user's to move (:class:`CxcertError`), a read-only, full or forbidden file system is :class:`Unavailable`.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise CxcertError(f"cannot create the folder {path}: a file of that name is in the way") from None
    except OSError as exc:
        raise Unavailable(f"cannot create the folder {exc.filename or path}: {exc.strerror or exc}") from None
    return path


CUSTOMER_KEY_FILE = Path("secrets") / "customer-key"
"""The workspace's secret for pseudonymising customer numbers, under the data directory (docs/privacy.md)."""
_KEY_BYTES = 32


def customer_key_path(home: Path) -> Path:
    """Where the customer key of the workspace in ``home`` lives: beside the warehouse whose keys it makes, so
    the CLI and a server sharing ``CXCERT_HOME`` (whatever their database) hash a customer number alike."""
    return home / CUSTOMER_KEY_FILE


def customer_key(home: Path) -> bytes:
    """The workspace's customer key: 32 random bytes made once with :mod:`secrets`, kept as hex in a file only
    its owner may read (0600, in a 0700 folder). Never printed or logged.

    Two processes creating it at once agree on one key (the file appears whole, by a hard link, or not at all).
    :class:`CxcertError` when it cannot be made, cannot be read, is not a key, or others may read it.
    """
    path = customer_key_path(home)
    if not path.exists():
        _create_key(path)
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CxcertError(f"cannot read the customer key {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if os.name == "posix" and mode & 0o077:
        raise CxcertError(f"the customer key {path} may be read by others (mode {mode & 0o777:o}); chmod 600 {path}")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != _KEY_BYTES:
        raise CxcertError(
            f"{path} is not a customer key ({_KEY_BYTES * 2} hex digits); restore it from your backup "
            "(see docs/privacy.md): a new key would not match the customer keys already in the warehouse"
        )
    return key


def _create_key(path: Path) -> None:
    import secrets

    folder = ensure_dir(path.parent)
    try:
        os.chmod(folder, 0o700)
        fd, tmp_name = _private_file(folder)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_bytes(_KEY_BYTES).hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp_name, path)  # fails if another process made the key meanwhile: theirs is kept
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: a rename (the last of two racers wins)
            if not path.exists():
                os.replace(tmp_name, path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        _sync_folder(folder)  # the key outlives a crash: rows hashed with it are committed soon after
    except OSError as exc:
        raise CxcertError(f"cannot create the customer key {path}: {exc.strerror or exc}") from None


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _private_file(folder: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix=".customer-key.", dir=folder)  # mode 0600
