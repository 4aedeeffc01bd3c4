"""Fault injection: the real CLI in a subprocess while its database or file system fails underneath it.

Every fault must end in one line on stderr and the exit code for its kind (cxcert.cli.faults.ExitCode), with no
traceback and no password; the workspaces are built through the CLI itself.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cli.runner import invoke, ok_json

# A contact answered after 10 s at 03:30 UTC on 3 March 2026: 22:30 on 2 March in New York (EST, UTC-5 until
# the 8 March change to daylight time, tz database). Its day tells which clock a KPI used.
CONTACTS = """contact_id,queue,channel,direction,arrived_at,answered_at,abandoned,wait_s
c1,q1,voice,inbound,2026-03-03T03:30:00Z,2026-03-03T03:30:10Z,false,10
"""
NEW_YORK_DAY = "2026-03-02"
UTC_DAY = "2026-03-03"
KPI = ("kpi", "--entity", "acme-ny", "--metric", "asa", "--from", "2026-03-01", "--to", "2026-03-31", "--json")
ENTITY = ("entity", "create", "--id", "acme-ny", "--name", "Acme New York", "--organisation", "acme",
          "--location", "nyc:New York:US:America/New_York", "--json")  # fmt: skip


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The single line a failed command printed on stderr, after checking its exit code and that nothing else
    (no traceback, nothing on stdout) came out."""
    assert result.returncode == code, f"exit {result.returncode}: {result.stderr}{result.stdout}"
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def build_workspace(home: Path, contacts: Path, database_url: str | None = None) -> None:
    """init, the New York entity, and one ingested contact (see :data:`CONTACTS`)."""
    contacts.write_text(CONTACTS, encoding="utf-8")
    ok_json(invoke("init", "--json", home=home, database_url=database_url))
    ok_json(invoke(*ENTITY, home=home, database_url=database_url))
    ingested = ok_json(invoke("ingest", "contacts", str(contacts), "--entity", "acme-ny", "--program", "care",
                              "--json", home=home, database_url=database_url))  # fmt: skip
    assert (ingested["read"], ingested["accepted"]) == (1, 1)


@pytest.fixture()
def ny_workspace(tmp_path: Path) -> Path:
    """A SQLite workspace with the New York entity and its one contact."""
    home = tmp_path / "home"
    build_workspace(home, tmp_path / "contacts.csv")
    return home
