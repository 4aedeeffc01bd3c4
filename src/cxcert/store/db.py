"""Engines, sessions and migrations: SQLite in CXCERT_HOME by default, PostgreSQL via CXCERT_DATABASE_URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cxcert.errors import CxcertError, NotInitialised, Unavailable
from cxcert.home import database_url, ensure_dir

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic's "package:path" form resolves inside the installed package, so migrations ship in the wheel.
SCRIPT_LOCATION = "cxcert.store:migrations"
# The newest migration's revision id. Kept here so opening a database needs no Alembic import (it is slow to
# import); a test checks it against the migration scripts' head.
SCHEMA_HEAD = "0005"


# How long a SQLite connection waits for another writer's transaction to end before giving up with "database is
# locked" (said once, as an environment fault). Writers queue on SQLite's single write lock, held from a unit of
# work's first write (or audit entry) to its commit, which takes milliseconds; five seconds (the sqlite3 module's
# own default, stated here so it is a decision) covers a queue of many writers, and longer means another
# process is stuck. A `timeout` in the URL's query wins.
SQLITE_BUSY_TIMEOUT_SECONDS = 5.0


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


SUPPORTED_URLS = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
# The databases cxcert is tested on, and the drivers it ships (sqlite3 is in the standard library).
_SUPPORTED_DRIVERS = {"sqlite": ("pysqlite",), "postgresql": ("psycopg",)}


def parse_url(url: str) -> URL:
    """``url`` parsed and checked: only SQLite and PostgreSQL through psycopg are supported, and a malformed URL
    is a :class:`CxcertError` naming the supported ones, never a traceback or a password."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise CxcertError(f"not a database URL: {safe_url(url)}; use {SUPPORTED_URLS}") from exc
    if parsed.host is not None and "@" in parsed.host:
        raise CxcertError(
            f"the database URL {safe_url(url)} has an '@' after the one before the host: write an '@' in the "
            "password as %40"
        )
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend not in _SUPPORTED_DRIVERS:
        raise CxcertError(
            f"the database URL {safe_url(url)} is for {backend}; cxcert keeps its state in SQLite or PostgreSQL: "
            f"use {SUPPORTED_URLS}"
        )
    if driver not in _SUPPORTED_DRIVERS[backend]:
        raise CxcertError(
            f"the database URL {safe_url(url)} asks for the {driver} driver, which cxcert does not ship; "
            f"use {SUPPORTED_URLS}"
        )
    return parsed


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (checked by :func:`parse_url`); for SQLite foreign keys are enforced and a writer
    waits up to ``SQLITE_BUSY_TIMEOUT_SECONDS`` for another to finish.

    Nothing is created on disk here: :func:`init_database` makes the SQLite file's folder, and
    :func:`open_database` refuses a SQLite file that does not exist rather than leave an empty one behind.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        timeout = {} if "timeout" in parsed.query else {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        engine = create_engine(url, connect_args=timeout)
        event.listen(engine, "connect", _sqlite_foreign_keys)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migration_engine(url: str) -> Engine:
    """An engine that may create the database (``cxcert init``, migrations): a SQLite file's folder is made."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        ensure_dir(Path(parsed.database).expanduser().parent)
    return make_engine(url)


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL. An in-memory database is refused: nothing would be kept."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.query.get("mode") == "memory":
        raise CxcertError(f"the database URL {safe_url(url)} is an in-memory database, which keeps nothing: "
                          "name a file (sqlite:///PATH)")  # fmt: skip
    return Path(parsed.database).expanduser()


# What SQLite says when the database itself fails mid-work, rather than the statement cxcert sent.
_SQLITE_TROUBLE = ("database is locked", "disk i/o error", "database or disk is full", "readonly database")


def _cannot_open(exc: DatabaseError) -> bool:
    """Opening failed for a reason outside cxcert: unreachable, refused, locked, or not a database at all.

    sqlite3 reports a file that is not a database (or is damaged) as a plain DatabaseError; constraint and
    programming errors are cxcert's bugs and keep their traceback.
    """
    return isinstance(exc, OperationalError) or type(exc) is DatabaseError


def _went_wrong_underneath(exc: DatabaseError) -> bool:
    """A unit of work failed because the database did (connection lost, locked, full, damaged), not the SQL."""
    if type(exc) is DatabaseError or exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError) and any(t in str(exc.orig).lower() for t in _SQLITE_TROUBLE)


def unusable(url: str, exc: DatabaseError) -> Unavailable:
    """One line saying which database failed, what the driver said, and what to do about it."""
    said = _hide_password(url, " ".join(line.strip() for line in str(exc.orig or exc).splitlines() if line.strip()))
    if make_url(url).get_backend_name() == "sqlite":
        if not isinstance(exc, OperationalError):  # sqlite3.DatabaseError: the file is not a database, or damaged
            return Unavailable(
                f"the database {safe_url(url)} is not a readable SQLite database ({said}); restore it from a "
                "backup, or move it aside and run `cxcert init` to start an empty one"
            )
        if "locked" in said.lower():
            return Unavailable(
                f"the database {safe_url(url)} is locked by another process ({said}): "
                "run the command again when that process has finished"
            )
        return Unavailable(f"cannot use the database {safe_url(url)}: {said}")
    return Unavailable(f"cannot use the database {safe_url(url)} (check CXCERT_DATABASE_URL): {said}")


def _hide_password(url: str, text: str) -> str:
    """``text`` (a driver's message) with the URL's password, should the driver quote it, replaced by ***."""
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        return text
    return text.replace(str(password), "***") if password else text


def alembic_config(url: str) -> Config:
    """The Alembic configuration for ``url``, built in code (no alembic.ini to ship or find)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    # ConfigParser interpolation would eat '%' in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest migration among the packaged scripts (what ``SCHEMA_HEAD`` must say)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "the packaged migrations have no head"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def init_database(url: str | None = None) -> str:
    """Create or migrate the database at ``url`` (default: :func:`cxcert.home.database_url`) to head.

    Idempotent: a database already at head is left as it is. Returns the revision now in place.
    """
    from alembic import command

    url = url or database_url()
    _sqlite_file(url)  # refuses an in-memory database
    engine = migration_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        revision = current_revision(engine)
    except DatabaseError as exc:
        if not _cannot_open(exc):
            raise
        raise unusable(url, exc) from None
    finally:
        engine.dispose()
    return revision or ""


def safe_url(url: str) -> str:
    """``url`` with any password hidden, for messages; also a malformed URL, where the password is taken to run
    to the last '@' (a password with an unescaped '@' would otherwise show its tail as the host)."""
    try:
        parsed = make_url(url)
        if parsed.host is None or "@" not in parsed.host:
            if "password" in parsed.query:
                parsed = parsed.update_query_dict({"password": "***"})
            return parsed.render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        pass
    return re.sub(r"^([^:/]*://[^:/@]*:).*@", r"\1***@", url) if "@" in url else url


class Database:
    """An open database: an engine and a unit-of-work session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends normally, rolled back on any exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except DatabaseError as exc:
            with suppress(DatabaseError):  # a lost connection cannot roll back; the server already has
                session.rollback()
            if not _went_wrong_underneath(exc):
                raise
            raise unusable(self.url, exc) from None
        except BaseException:  # e.g. Ctrl-C mid-query: roll back, but never hide it behind a failed rollback
            with suppress(DatabaseError):
                session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None) -> Database:
    """Open the database at ``url`` (default from the environment), which must be migrated to head.

    A missing or empty database is :class:`NotInitialised` and an outdated schema a :class:`CxcertError`, both
    with the fix: run ``cxcert init``. A database that is there but cannot be read is :class:`Unavailable`.
    """
    url = url or database_url()
    file = _sqlite_file(url)
    if file is not None and not file.is_file():  # connecting would leave an empty file behind
        raise NotInitialised(f"the database {safe_url(url)} does not exist: run `cxcert init` first")
    db = Database(url)
    try:
        revision = current_revision(db.engine)
    except DatabaseError as exc:
        db.dispose()
        if not _cannot_open(exc):
            raise
        raise unusable(url, exc) from None
    if revision is None:
        db.dispose()
        raise NotInitialised(f"the database {safe_url(url)} is empty: run `cxcert init` first")
    if revision != SCHEMA_HEAD:
        db.dispose()
        raise CxcertError(
            f"the database {safe_url(url)} is at revision {revision}, this cxcert needs {SCHEMA_HEAD}: "
            "run `cxcert init` first"
        )
    return db
