"""`cxcert warehouse check|repair` as a user runs them (a real process, CXCERT_HOME set): exit codes, one line
for a lost manifest, --json shape, what repair says it did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cxcert.warehouse.manifest import MANIFEST_NAME

from .conftest import ROWS, Built


def cxcert(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CXCERT_HOME": str(home), "COLUMNS": "400"}
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env, check=False)


def test_check_and_repair_from_the_command_line(built: Built) -> None:
    home = built.warehouse.root.parent
    done = cxcert(home, "warehouse", "check", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["ok"], report["batches"], report["rows"], report["errors"]) == (True, 3, ROWS, [])

    (built.warehouse.root / MANIFEST_NAME).unlink()
    log = cxcert(home, "ingest", "log")
    assert log.returncode == 2 and "Traceback" not in log.stderr
    assert log.stderr.strip().splitlines() == [
        f"error: {built.warehouse.root}: the warehouse manifest is missing; run `cxcert warehouse repair`"
    ]
    check = cxcert(home, "warehouse", "check")
    assert check.returncode == 1 and "error: the manifest is missing" in check.stdout

    repair = cxcert(home, "warehouse", "repair")
    assert repair.returncode == 0, repair.stdout + repair.stderr
    assert "repaired: rebuilt the manifest from the ingest log: 3 batches" in repair.stdout
    assert f"3 batches, 3 parts, {ROWS} rows: ok" in repair.stdout
    again = json.loads(cxcert(home, "warehouse", "repair", "--json").stdout)
    assert again["ok"] and again["actions"] == []


def test_a_damaged_part_fails_check_with_its_remedy(built: Built) -> None:
    home = built.warehouse.root.parent
    record = built.warehouse.ingests()[0]
    (part,) = record.files
    os.truncate(built.warehouse.root / part, 100)
    done = cxcert(home, "warehouse", "check", "--json")
    assert done.returncode == 1
    (damaged,) = json.loads(done.stdout)["damaged_parts"]
    assert (damaged["file"], damaged["fault"], damaged["ingest"]) == (part, "truncated", record.ingest_id)


def test_a_fresh_workspace_checks_clean(tmp_path: Path) -> None:
    done = cxcert(tmp_path / "home", "warehouse", "check")
    assert done.returncode == 0 and ": ok" in done.stdout
