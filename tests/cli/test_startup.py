"""`cxcert --help` and `cxcert <command> --help` stay light: building the command tree loads no data stack.

Structural, not timed: a fresh interpreter imports :mod:`cxcert.cli.main`, builds the whole Click command tree
(which makes Typer read every command's signature), renders the help of every command and group, and then
reports which modules were imported. The database (SQLAlchemy), the data engines (DuckDB, ibis, pandas, pyarrow,
numpy, scipy), Excel (openpyxl) and our domain, store and engine packages must each load only inside the command
that uses them: together they cost over a second at start-up.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

# Top-level packages that no command module may import at module level. (Not pydantic: Typer itself imports it
# to coerce option values, for any sub-command; our pydantic models are covered by HEAVY_OURS.)
HEAVY = ("sqlalchemy", "alembic", "pandas", "ibis", "openpyxl", "pyarrow", "duckdb", "numpy", "scipy")
# Our own packages that hold the domain, the store and the engines (each pulls in some of the above).
HEAVY_OURS = (
    "cxcert.store",
    "cxcert.warehouse",
    "cxcert.ingest",
    "cxcert.certification",
    "cxcert.performance",
    "cxcert.standards",
    "cxcert.quality",
    "cxcert.workforce",
    "cxcert.reports",
    "cxcert.synth",
)

PROBE = textwrap.dedent(
    """
    import json
    import sys

    import typer.main
    from typer.testing import CliRunner

    from cxcert.cli.main import app

    root = typer.main.get_command(app)

    def paths(command, prefix):
        yield prefix
        # Typer vendors Click: a group is whatever has sub-commands.
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from paths(sub, (*prefix, name))

    runner = CliRunner()
    help_exit = {}
    for path in paths(root, ()):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        help_exit[" ".join(path)] = result.exit_code
    print(json.dumps({"modules": sorted(sys.modules), "help_exit": help_exit}))
    """
)


@pytest.fixture(scope="module")
def probe() -> dict[str, Any]:
    """What a fresh interpreter has imported after building the command tree and rendering every --help."""
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _loaded(modules: list[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == r or m.startswith(r + ".") for r in roots))


def test_help_of_every_command_loads_no_heavy_library(probe: dict[str, Any]) -> None:
    assert _loaded(probe["modules"], HEAVY) == []


def test_help_of_every_command_loads_no_domain_store_or_engine(probe: dict[str, Any]) -> None:
    assert _loaded(probe["modules"], HEAVY_OURS) == []


def test_every_command_and_group_renders_its_help(probe: dict[str, Any]) -> None:
    help_exit: dict[str, int] = probe["help_exit"]
    # The tree really was walked: the root, groups and their sub-commands (names from cli/commands.py).
    assert {"", "init", "demo", "kpi", "kpi list", "standard validate", "entity create", "qa"} <= set(help_exit)
    assert {path: code for path, code in help_exit.items() if code != 0} == {}
