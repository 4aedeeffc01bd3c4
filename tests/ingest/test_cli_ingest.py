"""`cxcert ingest`: exit 2 with one line for user mistakes (an unknown entity, every row rejected), the --json
shape, the no-op flag, the log with its ids, and `ingest remove`."""

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
    env = {**os.environ, "CXCERT_HOME": str(home), "COLUMNS": "400"}  # long paths on one line
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env, check=False)


@pytest.fixture()
def calls(tmp_path: Path) -> Path:
    path = tmp_path / "calls.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    return path


def test_json_shape_and_no_op(workspace: Path, calls: Path) -> None:
    first = CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris", "--json"])
    assert first.exit_code == 0, first.output
    payload = json.loads(first.stdout)
    assert set(payload) == {"read", "accepted", "rejected", "quarantine", "skipped"}
    assert (payload["read"], payload["accepted"], payload["rejected"], payload["skipped"]) == (2, 1, 1, False)
    assert Path(payload["quarantine"]).parent == workspace / "quarantine"
    second = json.loads(
        CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris", "--json"]).stdout
    )
    assert second == {**payload, "skipped": True}
    log = json.loads(CliRunner().invoke(app, ["ingest", "log", "--json"]).stdout)
    assert [(r["table"], r["entity_id"], r["read"], r["accepted"], r["rejected"]) for r in log] == [
        ("contacts", "paris", 2, 1, 1)
    ]


def test_table_output(workspace: Path, calls: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris"])
    assert result.exit_code == 0, result.output
    assert "read" in result.output and "accepted" in result.output
    log = CliRunner().invoke(app, ["ingest", "log"])
    assert "paris" in log.output and "contacts" in log.output


def test_unknown_entity_is_refused(workspace: Path, calls: Path, tmp_path: Path) -> None:
    done = cxcert(workspace, "ingest", "contacts", str(calls), "--entity", "pariss")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "unknown entity 'pariss': create it first with `cxcert entity create --id pariss" in done.stderr
    assert not (workspace / "warehouse" / "manifest.json").exists()
    bare = tmp_path / "no-workspace"
    done = cxcert(bare, "ingest", "contacts", str(calls), "--entity", "paris")
    assert done.returncode == 2 and "needs `cxcert init` first" in done.stderr and "entity create" in done.stderr


def test_every_row_rejected_exits_2_and_commits_nothing(workspace: Path, calls: Path, tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris", "--json"])
    assert ok.exit_code == 0, ok.output
    again = tmp_path / "calls-again.csv"  # the same rows, one byte more: c1 already in, c2 has a bad channel
    again.write_bytes(calls.read_bytes() + b"\n")
    done = cxcert(workspace, "ingest", "contacts", str(again), "--entity", "paris", "--json")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    payload = json.loads(done.stdout)  # the accounting is still printed
    assert (payload["read"], payload["accepted"], payload["rejected"]) == (2, 0, 2)
    assert done.stderr.strip() == (
        "error: every one of the 2 rows was rejected, so nothing was committed; "
        f"the reasons are in {payload['quarantine']}"
    )
    assert Path(payload["quarantine"]).is_file()
    log = json.loads(CliRunner().invoke(app, ["ingest", "log", "--json"]).stdout)
    assert len(log) == 1


def test_log_shows_ids_and_remove_takes_an_ingest_out(workspace: Path, calls: Path) -> None:
    CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris"])
    (record,) = json.loads(CliRunner().invoke(app, ["ingest", "log", "--json"]).stdout)
    ingest_id = record["id"]
    assert len(ingest_id) == 8 and record["fingerprint"].startswith(ingest_id)
    assert ingest_id in CliRunner().invoke(app, ["ingest", "log"]).output
    refused = cxcert(workspace, "ingest", "remove", ingest_id)
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    assert f"ingest {ingest_id}: 1 contacts rows of entity 'paris' from calls.csv" in refused.stderr
    removed = CliRunner().invoke(app, ["ingest", "remove", ingest_id, "--yes", "--json"])
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout)["removed"]["fingerprint"] == record["fingerprint"]
    assert json.loads(CliRunner().invoke(app, ["ingest", "log", "--json"]).stdout) == []
    again = CliRunner().invoke(app, ["ingest", "contacts", str(calls), "--entity", "paris", "--json"])
    assert json.loads(again.stdout)["accepted"] == 1  # the rows can go in again
    unknown = cxcert(workspace, "ingest", "remove", "ffffffff", "--yes")
    assert unknown.returncode == 2 and "no ingest ffffffff" in unknown.stderr


def test_user_mistake_exits_2_with_one_line(home: Path, calls: Path) -> None:
    done = cxcert(home, "ingest", "calls", str(calls), "--entity", "paris")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "unknown kind 'calls'" in done.stderr.replace("\n", " ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ingest", "calls", "{file}", "--entity", "paris"), "unknown kind 'calls'"),
        (("ingest", "contacts", "{missing}", "--entity", "paris"), "no such file"),
        (("ingest", "contacts", "{file}"), "missing --entity"),
        (("ingest", "contacts", "{file}", "--entity", "paris", "--format", "xls"), "unknown format 'xls'"),
        (("ingest", "surveys", "{file}", "--entity", "paris"), "missing columns"),
        (
            ("ingest", "contacts", "{file}", "--entity", "paris", "--format", "csv", "--mapping", "{bad_map}"),
            ":1: kind",
        ),
        (("ingest", "contacts", "{file}", "--entity", "paris", "--format", "technion"), "not an Anonymous Bank"),
        (("ingest", "contacts", "{file}", "--entity", "nobody"), "unknown entity 'nobody'"),
        (("ingest", "remove"), "missing ID"),
        (("ingest", "remove", "xyz", "--yes"), "'xyz' is not an ingest id"),
    ],
)
def test_user_mistakes_are_cxcert_errors(
    workspace: Path, calls: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    """In-process (fast): each mistake is a CxcertError, which `cxcert` turns into one line and exit 2."""
    bad_map = tmp_path / "bad.yaml"
    bad_map.write_text("kind: surveys\ncolumns: {contact_id: id}\n", encoding="utf-8")
    filled = [a.format(file=calls, missing=tmp_path / "nope.csv", bad_map=bad_map) for a in args]
    result = CliRunner().invoke(app, filled)
    assert isinstance(result.exception, CxcertError), result.output
    assert message in str(result.exception)
    assert not (workspace / "warehouse" / "manifest.json").exists()
