"""A migrated database on SQLite and on PostgreSQL: every storage test runs against both.

Migrating takes most of a test's time, so each backend is migrated once per session: SQLite into a template file
every test copies, PostgreSQL into one database whose tables are emptied before each test (creating a database
per test costs a checkpoint each time). The migration tests themselves start from empty databases (``db_url``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from cxcert.store.db import Database, init_database
from cxcert.store.models import Base


def _pg_admin(server: str) -> str:
    return server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL: a SQLite file in tmp, or a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'cxcert.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "cxcert.sqlite"
    init_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated(postgres_server: str) -> str:
    with psycopg.connect(_pg_admin(postgres_server), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "cxcert_store_tests"')
    url = f"{postgres_server}/cxcert_store_tests"
    init_database(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database migrated to head, fresh for this test."""
    if request.param == "sqlite":
        target = tmp_path / "cxcert.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        url = f"sqlite:///{target}"
    else:
        url = request.getfixturevalue("postgres_migrated")
    database = Database(url)
    if request.param == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    database.dispose()
