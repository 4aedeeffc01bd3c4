"""Run the real CLI with its own CXCERT_HOME (and optionally a PostgreSQL URL).

``cxcert`` runs ``python -m cxcert`` in a subprocess: the real thing, used where the process boundary matters
(exit codes, no traceback, the demo). ``invoke`` runs the same entry point (:func:`cxcert.cli.main.run`, which
turns user mistakes into exit 2) in this process, a hundred times faster, for the many steps of a flow.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from cxcert.cli.main import run


def cxcert(
    *args: str, home: Path, database_url: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CXCERT_HOME": str(home), "CXCERT_ACTOR": "tester", "COLUMNS": "200"}
    env.pop("CXCERT_DATABASE_URL", None)
    if database_url is not None:
        env["CXCERT_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env, check=False, cwd=cwd
    )


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    """The JSON a successful command printed (fails with its stderr otherwise)."""
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def user_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a user mistake prints: exit 2, no traceback."""
    assert result.returncode == 2, result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def environment_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one line an unavailable database or file system prints: exit 3, no traceback."""
    assert result.returncode == 3, result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def invoke(*args: str, home: Path, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """``cxcert ARGS`` in this process, with the environment and streams restored afterwards."""
    saved = {k: os.environ.get(k) for k in ("CXCERT_HOME", "CXCERT_DATABASE_URL", "CXCERT_ACTOR", "COLUMNS")}
    os.environ.update({"CXCERT_HOME": str(home), "CXCERT_ACTOR": "tester", "COLUMNS": "200"})
    os.environ.pop("CXCERT_DATABASE_URL", None)
    if database_url is not None:
        os.environ["CXCERT_DATABASE_URL"] = database_url
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["cxcert", *args]
    code: int = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(["cxcert", *args], code, out.getvalue(), err.getvalue())
