"""PostgreSQL down or restarted under a command: one line naming the database with its password hidden, exit 3;
never "unknown entity", never a KPI on UTC days because the entity's sites could not be read.

Each test starts a server of its own (the session's shared one must not be stopped under other tests).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.runner import cxcert, ok_json

from .conftest import KPI, NEW_YORK_DAY, build_workspace, one_line

pytestmark = pytest.mark.postgres
PASSWORD = "s3cret-pw"  # trust authentication ignores it; it must never be printed


class PrivateServer:
    """A PostgreSQL cluster in a temporary folder that a test may stop and restart."""

    def __init__(self, workdir: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb") or ""]
        if not found[-1]:
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL server binaries not found under CI")
            pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bindir = Path(found[-1]).parent
        self.workdir, self.data = workdir, workdir / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(workdir, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._psql("CREATE DATABASE cxcert_faults")
        self.url = f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{self.port}/cxcert_faults"

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, str(self.bindir / tool), *args], check=True, capture_output=True)

    def _psql(self, sql: str) -> str:
        done = subprocess.run(
            [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
             "-Atc", sql], check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout.strip()

    def open_transactions(self) -> int:
        """Connections to the test database inside a transaction, between statements (a unit of work at rest
        while the client computes); psql's own goes to 'postgres'."""
        return int(self._psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'cxcert_faults' "
                              "AND state = 'idle in transaction'"))  # fmt: skip

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.workdir} -c fsync=off"
        self._pg("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.workdir / "log"), "-o", options, "start")

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture()
def server() -> Iterator[PrivateServer]:
    workdir = Path(tempfile.mkdtemp(prefix="cxcert-pg-faults-"))  # not under pytest's 0700 tmp: postgres runs it
    try:
        pg = PrivateServer(workdir)
        try:
            yield pg
        finally:
            subprocess.run([*pg.as_postgres, str(pg.bindir / "pg_ctl"), "-D", str(pg.data), "-m", "immediate",
                            "stop"], check=False, capture_output=True)  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_a_stopped_server_is_one_line_with_the_password_hidden(server: PrivateServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    build_workspace(home, tmp_path / "contacts.csv", database_url=server.url)
    up = ok_json(cxcert(*KPI, home=home, database_url=server.url))
    assert [r["period_start"] for r in up["rows"]] == [NEW_YORK_DAY]
    server.stop()
    hidden = f"postgresql+psycopg://postgres:***@127.0.0.1:{server.port}/cxcert_faults"
    for args in (KPI, ("entity", "show", "acme-ny"), ("init",),
                 ("ingest", "contacts", str(tmp_path / "contacts.csv"), "--entity", "acme-ny", "--program", "care")):
        result = cxcert(*args, home=home, database_url=server.url)
        line = one_line(result, 3)
        assert line.startswith(f"error: cannot use the database {hidden} (check CXCERT_DATABASE_URL)"), (args, line)
        assert PASSWORD not in result.stderr + result.stdout and "unknown" not in line


def test_a_restart_mid_command_is_one_line(server: PrivateServer, tmp_path: Path) -> None:
    """`evidence` holds its unit of work open while it computes; the server restarts under it (seen on the
    server as a transaction at rest), so the command's next use of the database meets the lost connection. A
    restart between units of work is no fault at all: the pool checks a connection before handing it out."""
    home = tmp_path / "home"
    build_workspace(home, tmp_path / "contacts.csv", database_url=server.url)
    env = {**os.environ, "CXCERT_HOME": str(home), "CXCERT_DATABASE_URL": server.url, "CXCERT_ACTOR": "tester"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cxcert", "evidence", "--entity", "acme-ny", "--months", "1", "--end", "2026-03-31",
         "--open-actions"], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while server.open_transactions() == 0:
        assert process.poll() is None, f"evidence ended before its unit of work was seen: {process.communicate()}"
        assert time.monotonic() < deadline, "evidence never opened its unit of work"
        time.sleep(0.02)
    server.restart()
    out, err = process.communicate(timeout=300)
    result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    if result.returncode == 0:
        pytest.skip("evidence finished before the restart reached it (nothing left to assert)")
    line = one_line(result, 3)
    assert "cannot use the database postgresql+psycopg://postgres:***@" in line and PASSWORD not in err + out
