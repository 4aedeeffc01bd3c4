"""Ctrl-C and SIGTERM in a running command: one line ("interrupted", "terminated"), exit 130 or 143, cleanup done.

Real processes and real signals: each command is started, the test waits until it is visibly at work (its
staging folder or output folder exists, or DuckDB is loaded), then signals it. No test depends on how long
anything takes beyond a generous ceiling for the wait.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cli.runner import invoke, ok_json

from .conftest import ENTITY

ROWS = 400_000
"""Contacts in the generated file: enough that ingesting them takes seconds on any machine."""
CEILING_S = 300.0


def _default_signals() -> None:
    # A test runner's worker may ignore SIGINT, and an ignored signal stays ignored across exec.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start(*args: str, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CXCERT_HOME": str(home), "CXCERT_ACTOR": "tester", "COLUMNS": "200"}
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "cxcert", *args], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_default_signals,
    )  # fmt: skip


def wait_until(process: subprocess.Popen[str], ready: Callable[[], bool], what: str) -> None:
    """Poll until ``ready()``; fails if the process ends first (it was meant to be still at work)."""
    deadline = time.monotonic() + CEILING_S
    while not ready():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the command ended (exit {process.returncode}) before {what}: {err}{out}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no sign of {what} after {CEILING_S} s")
        time.sleep(0.02)


def stop_with(process: subprocess.Popen[str], signum: int) -> tuple[int, list[str]]:
    """Send ``signum``; the exit code and the non-blank lines of stderr."""
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=CEILING_S)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, [line for line in err.splitlines() if line.strip()]


EXPECTED: dict[int, tuple[int, str]] = {signal.SIGINT: (130, "interrupted"), signal.SIGTERM: (143, "terminated")}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated centre's contacts for acme-ny (one Parquet part)."""
    out = tmp_path_factory.mktemp("generated")
    home = tmp_path_factory.mktemp("scratch-home")
    ok_json(invoke("generate", "--out", str(out), "--contacts", str(ROWS), "--months", "2", "--entity", "acme-ny",
                   "--json", home=home))  # fmt: skip
    return out


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    ok_json(invoke("init", "--json", home=home))
    ok_json(invoke(*ENTITY, home=home))
    return home


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signalled_ingest_ends_in_one_line_and_leaves_no_staging(generated: Path, home: Path, signum: int) -> None:
    part = generated / "contacts" / "part-00000.parquet"
    staging = home / "warehouse" / ".staging"
    process = start("ingest", "contacts", str(part), "--entity", "acme-ny", "--format", "canonical", home=home)
    wait_until(process, lambda: staging.is_dir() and any(staging.iterdir()), "the ingest's staging folder")
    code, lines = stop_with(process, signum)
    assert (code, lines) == (EXPECTED[signum][0], [EXPECTED[signum][1]])
    assert not any(staging.iterdir()), "the staging folder must be cleaned up"
    log = json.loads(invoke("ingest", "log", "--json", home=home).stdout)
    # The signal may land during the commit itself: then the whole file is in, never a part of it.
    rows = _rows_in(part)
    assert log == [] or [(r["read"], r["accepted"], r["rejected"]) for r in log] == [(rows, rows, 0)]
    assert not list(home.rglob("*.part")), "no half-written quarantine file is left"


def _rows_in(part: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(part).metadata.num_rows)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signalled_generate_ends_in_one_line(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "out"
    process = start("generate", "--out", str(out), "--contacts", "3000000", "--months", "2", home=tmp_path / "h")
    wait_until(process, out.is_dir, "the --out folder")  # made first, before minutes of work on 3 M contacts
    code, lines = stop_with(process, signum)
    assert (code, lines) == (EXPECTED[signum][0], [EXPECTED[signum][1]])


def _duckdb_loaded(process: subprocess.Popen[str]) -> Callable[[], bool]:
    maps = Path(f"/proc/{process.pid}/maps")

    def loaded() -> bool:
        try:
            return "duckdb" in maps.read_text()
        except OSError:
            return False

    return loaded


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc to see DuckDB at work")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signalled_evidence_ends_in_one_line(generated: Path, home: Path, signum: int) -> None:
    """`evidence` printed a 57-line traceback on Ctrl-C (DuckDB turns the interrupt into "Query interrupted")."""
    part = str(generated / "contacts" / "part-00000.parquet")
    ok_json(invoke("ingest", "contacts", part, "--entity", "acme-ny", "--format", "canonical", "--json", home=home))
    process = start("evidence", "--entity", "acme-ny", "--months", "2", "--end", "2025-02-28", home=home)
    wait_until(process, _duckdb_loaded(process), "DuckDB at work")
    code, lines = stop_with(process, signum)
    assert (code, lines) == (EXPECTED[signum][0], [EXPECTED[signum][1]])
