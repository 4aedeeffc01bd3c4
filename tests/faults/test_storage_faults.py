"""CXCERT_HOME on a read-only or a full file system: `init`, `ingest`, `evidence` and `generate` each end in one
line naming the path and exit 3, never a traceback.

The faults are real: a small tmpfs is mounted in a private mount namespace (``unshare -m``, so nothing leaks to
the machine and the mount goes with the process), the workspace is built on it, and then it is remounted
read-only or filled to the last byte. Where mount namespaces are not permitted (not root, a locked-down
container) the tests skip and say so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONTACTS, ENTITY, one_line

SCRIPT = r"""
set -u
mount -t tmpfs -o size=16m cxcert-fault "$MNT" || exit 97
export CXCERT_HOME="$MNT/home"
run() { name=$1; shift; "$PY" -m cxcert "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc"; }
run setup-init init || exit 98
run setup-entity "$@"
if [ "$FAULT" = read-only ]; then
    mount -o remount,ro "$MNT" || exit 96
else
    dd if=/dev/zero of="$MNT/filler" bs=64k 2>/dev/null
    dd if=/dev/zero of="$MNT/filler-tail" bs=1k 2>/dev/null
fi
CXCERT_HOME="$MNT/new-home" run init init
run ingest ingest contacts "$OUT/contacts.csv" --entity acme-ny --program care
run evidence evidence --entity acme-ny --months 1 --end 2026-03-31 --xlsx "$MNT/home/evidence.xlsx"
run generate generate --out "$MNT/home/generated" --contacts 2000 --months 1
exit 0
"""


def _namespaces_allowed() -> str | None:
    """Why a private tmpfs cannot be mounted here, or None when it can."""
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return "needs Linux and unshare(1)"
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs -o size=1m probe /mnt"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return None if probe.returncode == 0 else f"cannot mount a tmpfs in a mount namespace: {probe.stderr.strip()}"


@pytest.fixture(scope="module")
def mountable() -> None:
    why = _namespaces_allowed()
    if why is not None:
        pytest.skip(why)


def _run_faulted(tmp_path: Path, fault: str) -> tuple[Path, dict[str, subprocess.CompletedProcess[str]]]:
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    (out / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    env = {**os.environ, "MNT": str(mnt), "OUT": str(out), "PY": sys.executable, "FAULT": fault,
           "CXCERT_ACTOR": "tester", "COLUMNS": "200"}  # fmt: skip
    env.pop("CXCERT_DATABASE_URL", None)
    done = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "bash", "-c", SCRIPT, "fault", *ENTITY],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    results = {}
    for name in ("setup-init", "setup-entity", "init", "ingest", "evidence", "generate"):
        code = int((out / f"{name}.rc").read_text())
        stdout, stderr = ((out / f"{name}.{s}").read_text(encoding="utf-8") for s in ("out", "err"))
        results[name] = subprocess.CompletedProcess([name], code, stdout, stderr)
    for name in ("setup-init", "setup-entity"):
        assert results[name].returncode == 0, results[name].stderr
    return mnt, results


@pytest.mark.usefixtures("mountable")
def test_a_read_only_home_is_one_line_naming_the_path(tmp_path: Path) -> None:
    mnt, results = _run_faulted(tmp_path, "read-only")
    expected = {
        "init": f"cannot create the folder {mnt}/new-home: Read-only file system",
        "ingest": f"the file system is read-only: {mnt}/home/warehouse",
        "evidence": f"the file system is read-only: {mnt}/home/evidence.xlsx",
        "generate": f"{mnt}/home/generated",
    }
    for name, says in expected.items():
        line = one_line(results[name], 3)
        assert says in line, (name, line)
        assert "read-only" in line.lower(), (name, line)


@pytest.mark.usefixtures("mountable")
def test_a_full_disk_is_one_line_naming_the_path(tmp_path: Path) -> None:
    mnt, results = _run_faulted(tmp_path, "full")
    for name in ("init", "ingest", "evidence", "generate"):
        line = one_line(results[name], 3)
        assert str(mnt) in line, (name, line)
        assert "no space left" in line or "database or disk is full" in line, (name, line)
    assert f"{mnt}/home/evidence.xlsx" in results["evidence"].stderr
    assert f"{mnt}/home/generated" in results["generate"].stderr
