"""The CLI's contract: --help teaches, user mistakes give one line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def cxcert(*args: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "CXCERT_HOME": str(env_home)}
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env, check=False
    )


def test_help_lists_commands(home: Path) -> None:
    result = cxcert("--help", env_home=home)
    assert result.returncode == 0
    assert "info" in result.stdout


def test_unknown_command_exits_2_without_traceback(home: Path) -> None:
    result = cxcert("no-such-command", env_home=home)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_info_json_points_at_home(home: Path) -> None:
    result = cxcert("info", "--json", env_home=home)
    assert result.returncode == 0
    payload = json.loads(result.stdout)
    assert payload["home"] == str(home)
    assert payload["database_url"].startswith("sqlite:///")
