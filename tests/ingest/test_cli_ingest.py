"""`cxcert ingest`: exit 2 with one line for user mistakes, the --json shape, the no-op flag, the log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxcert.cli.main import app
from cxcert.errors import CxcertError

HEADER = "program,contact_id,queue,channel,direction,arrived_at,abandoned,wait_s\n"
GOOD = "care,c1,q,voice,inbound,2024-03-01T08:00:00Z,false,12\ncare,c2,q,fax,inbound,2024-03-01T08:01:00Z,false,3\n"


def cxcert(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CXCERT_HOME": str(home)}
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env, check=False)


@pytest.fixture()
def calls(tmp_path: Path) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    return path


def test_json_shape_and_no_op(home: Path, calls: Path) -> None:
    first = CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris", "--json"])
    assert first.exit_code == 0, first.output
    payload = json.loads(first.stdout)
    assert set(payload) == {"read", "accepted", "rejected", "quarantine", "skipped"}
    assert (payload["read"], payload["accepted"], payload["rejected"], payload["skipped"]) == (2, 1, 1, False)
    assert Path(payload["quarantine"]).parent == home / "quarantine"
    second = json.loads(
        CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris", "--json"]).stdout
    )
    assert second == {**payload, "skipped": True}
    log = json.loads(CliRunner().invoke(app, ["ingest", "log", "--json"]).stdout)
    assert [(r["table"], r["entity_id"], r["read"], r["accepted"], r["rejected"]) for r in log] == [
        ("contacts", "paris", 2, 1, 1)
    ]


def test_table_output(home: Path, calls: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris"])
    assert result.exit_code == 0, result.output
    assert "read" in result.output and "accepted" in result.output
    log = CliRunner().invoke(app, ["ingest", "log"])
    assert "paris" in log.output and "contacts" in log.output


def test_user_mistake_exits_2_with_one_line(home: Path, calls: Path) -> None:
    done = cxcert(home, "ingest", "calls", str(calls), "--entity", "e")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "unknown kind 'calls'" in done.stderr.replace("\n", " ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ingest", "calls", "{file}", "--entity", "e"), "unknown kind 'calls'"),
        (("ingest", "contacts", "{missing}", "--entity", "e"), "no such file"),
        (("ingest", "contacts", "{file}"), "missing --entity"),
        (("ingest", "contacts", "{file}", "--entity", "e", "--format", "xls"), "unknown format 'xls'"),
        (("ingest", "surveys", "{file}", "--entity", "e"), "missing columns"),
        (("ingest", "contacts", "{file}", "--entity", "e", "--format", "csv", "--mapping", "{bad_map}"), ":1: kind"),
        (("ingest", "contacts", "{file}", "--entity", "e", "--format", "technion"), "not an Anonymous Bank"),
    ],
)
def test_user_mistakes_are_cxcert_errors(
    home: Path, calls: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    """In-process (fast): each mistake is a CxcertError, which `cxcert` turns into one line and exit 2."""
    bad_map = tmp_path / "bad.yaml"
    bad_map.write_text("kind: surveys\ncolumns: {contact_id: id}\n", encoding="utf-8")
    filled = [a.format(file=calls, missing=tmp_path / "nope.csv", bad_map=bad_map) for a in args]
    result = CliRunner().invoke(app, filled)
    assert isinstance(result.exception, CxcertError), result.output
    assert message in str(result.exception)
    assert not (home / "warehouse" / "manifest.json").exists()
