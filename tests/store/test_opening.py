"""Opening the database: every way it can fail is one line naming the database (password hidden) and a fix:
a CxcertError for the user's URL, Unavailable when the database itself fails."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from cxcert.errors import CxcertError, Unavailable
from cxcert.store.db import Database, init_database, open_database


def test_garbage_file_is_not_a_readable_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "cxcert.sqlite"
    path.write_bytes(b"this is not a database " * 200)
    for attempt in (open_database, init_database):
        with pytest.raises(Unavailable) as caught:
            attempt(f"sqlite:///{path}")
        message = str(caught.value)
        assert f"the database sqlite:///{path} is not a readable SQLite database (file is not a database)" in message
        assert "move it aside and run `cxcert init`" in message


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://user@host/db", "is for mysql; cxcert keeps its state in SQLite or PostgreSQL"),
        ("postgresql+psycopg2://u@h/db", "asks for the psycopg2 driver, which cxcert does not ship"),
        ("sqlite+pysqlcipher:///x.db", "asks for the pysqlcipher driver"),
        ("not a url", "not a database URL"),
    ],
)
def test_unsupported_urls_name_the_supported_ones(url: str, says: str) -> None:
    for attempt in (open_database, init_database):
        with pytest.raises(CxcertError) as caught:
            attempt(url)
        assert says in str(caught.value)
        assert "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE" in str(caught.value)


def test_unreachable_postgresql_is_one_line_without_the_password() -> None:
    # Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    url = "postgresql+psycopg://cx:s3cret@127.0.0.1:1/cxcert"
    with pytest.raises(Unavailable) as caught:
        open_database(url)
    message = str(caught.value)
    assert message.startswith("cannot use the database postgresql+psycopg://cx:***@127.0.0.1:1/cxcert")
    assert "Connection refused" in message and "s3cret" not in message and "\n" not in message


def test_a_locked_database_mid_work_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cxcert.sqlite"
    init_database(f"sqlite:///{path}")
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    db = Database(f"sqlite:///{path}?timeout=0")
    try:
        with pytest.raises(Unavailable, match=r"the database .* is locked by another process"), db.session() as s:
            s.execute(text("INSERT INTO organisations (id, name, country) VALUES ('a', 'A', 'GB')"))
    finally:
        holder.rollback()
        holder.close()
        db.dispose()


def test_a_constraint_violation_stays_a_bug_with_its_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cxcert.sqlite'}"
    init_database(url)
    db = open_database(url)
    insert = text("INSERT INTO organisations (id, name, country) VALUES ('a', 'A', 'GB')")
    try:
        with pytest.raises(IntegrityError), db.session() as s:
            s.execute(insert)
            s.execute(insert)
    finally:
        db.dispose()
