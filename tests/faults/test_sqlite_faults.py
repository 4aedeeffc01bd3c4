"""The SQLite database locked, damaged or misnamed: one line naming it, exit 3 (2 for a URL the user mistyped),
and never a KPI on the wrong clock or an entity called unknown because it could not be read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cli.runner import cxcert, ok_json

from .conftest import KPI, NEW_YORK_DAY, UTC_DAY, one_line

ENVIRONMENT, USER = 3, 2


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Another process's exclusive lock on the database file (readers are refused too), as a long write holds."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_locked_database_refuses_the_kpi_instead_of_using_utc_days(ny_workspace: Path, tmp_path: Path) -> None:
    """Oracle: the contact is on 2 March in New York and 3 March in UTC (see conftest). Before this was fixed,
    the locked database made `kpi` fall back to UTC days with exit 0, and `ingest` call the entity unknown."""
    database = ny_workspace / "cxcert.sqlite"
    unlocked = ok_json(cxcert(*KPI, home=ny_workspace))
    assert [r["period_start"] for r in unlocked["rows"]] == [NEW_YORK_DAY] and unlocked["tz"] == "America/New_York"
    more = tmp_path / "more.csv"
    more.write_text((tmp_path / "contacts.csv").read_text(encoding="utf-8").replace("c1,", "c2,"), encoding="utf-8")
    with write_lock(database):
        for args in (
            KPI,
            ("ingest", "contacts", str(more), "--entity", "acme-ny", "--program", "care"),
            ("entity", "show", "acme-ny"),
            ("evidence", "--entity", "acme-ny", "--months", "1", "--end", "2026-03-31"),
        ):
            line = one_line(cxcert(*args, home=ny_workspace), ENVIRONMENT)
            assert f"the database sqlite:///{database} is locked by another process" in line, args
            assert "unknown" not in line and UTC_DAY not in line
    after = ok_json(cxcert(*KPI, home=ny_workspace))  # the refused ingest left nothing behind
    assert [r["period_start"] for r in after["rows"]] == [NEW_YORK_DAY]
    assert [r["id"] for r in ok_json(cxcert("ingest", "log", "--json", home=ny_workspace))].__len__() == 1


def test_a_damaged_database_is_not_an_unknown_entity(ny_workspace: Path) -> None:
    database = ny_workspace / "cxcert.sqlite"
    database.write_bytes(b"\x00not a database" * 4096)
    for args in (KPI, ("entity", "show", "acme-ny")):
        line = one_line(cxcert(*args, home=ny_workspace), ENVIRONMENT)
        assert "is not a readable SQLite database" in line and "unknown" not in line


def test_a_kpi_before_init_still_works_on_the_warehouse_alone(tmp_path: Path) -> None:
    """No database at all is not a fault: nothing is on file, so the KPI says it uses UTC (and creates nothing)."""
    home = tmp_path / "home"
    line = one_line(cxcert(*KPI, home=home), USER)
    assert "unknown entity 'acme-ny'" in line
    assert not (home / "cxcert.sqlite").exists()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://cx:s3cret@db.example:notaport/cxcert", "not a database URL: postgresql://cx:***@db.example"),
        ("postgresql+psycopg://cx:s3cret@db.example:notaport/cxcert", "not a database URL: postgresql+psycopg://cx:***@"),
        ("postgresql+psycopg://cx:s3c@ret@db.example/cxcert", "write an '@' in the password as %40"),
        ("nonsense", "not a database URL: nonsense; use sqlite:///PATH or postgresql+psycopg://"),
        ("sqlite://", "is an in-memory database, which keeps nothing"),
        ("sqlite:////nonexistent/dir/x.db", "sqlite:////nonexistent/dir/x.db does not exist: run `cxcert init`"),
    ],
)  # fmt: skip
def test_a_malformed_database_url_is_one_line_without_the_password(tmp_path: Path, url: str, says: str) -> None:
    home = tmp_path / "home"
    commands = [KPI, ("entity", "list"), ("entity", "show", "acme-ny")]
    if not url.startswith("sqlite:////nonexistent"):
        commands.append(("init",))
    for args in commands:
        result = cxcert(*args, home=home, database_url=url)
        line = one_line(result, USER)
        assert says in line, (args, line)
        assert "s3cret" not in result.stderr + result.stdout and "ret@" not in line
    assert not Path("/nonexistent").exists()  # reading commands create no folder for the database


def test_init_names_a_database_folder_it_cannot_create(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way", encoding="utf-8")
    line = one_line(cxcert("init", home=tmp_path / "home", database_url=f"sqlite:///{blocker}/db/x.db"), USER)
    assert f"cannot create the folder {blocker}/db: a file of that name is in the way" in line
