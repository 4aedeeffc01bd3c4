"""`cxcert generate` from the command line: JSON summary, files on disk, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _cxcert(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CXCERT_HOME": str(home)}
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env, check=False)


def test_generate_writes_tables_and_prints_rows(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "centre"
    result = _cxcert("generate", "--out", str(out), "--contacts", "3000", "--months", "1", "--json", home=home)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["entity_id"] == "demo" and summary["seed"] == 7
    assert summary["first_day"] == "2025-01-01" and summary["last_day"] == "2025-01-31"
    assert 2_700 < summary["rows"]["contacts"] < 3_300
    assert (out / "contacts" / "part-00000.parquet").is_file()
    table = _cxcert("generate", "--out", str(tmp_path / "t"), "--contacts", "2000", "--months", "1", home=home)
    assert table.returncode == 0 and "contacts" in table.stdout and "evaluation_items" in table.stdout


def test_a_broken_profile_is_one_line_and_exit_2(home: Path, tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text("name: x\ntimezone: Mars/Olympus\n", encoding="utf-8")
    result = _cxcert("generate", "--out", str(tmp_path / "o"), "--profile", str(profile), home=home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad.yaml" in result.stderr and "line 2: timezone" in result.stderr


def test_out_must_be_a_directory(home: Path, tmp_path: Path) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("keep me", encoding="utf-8")
    for out in (taken, taken / "centre"):
        result = _cxcert("generate", "--out", str(out), "--contacts", "100", "--months", "1", home=home)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert str(out) in result.stderr.replace("\n", "")
    assert "must be a directory" in _cxcert("generate", "--out", str(taken), home=home).stderr
    assert taken.read_text(encoding="utf-8") == "keep me"
