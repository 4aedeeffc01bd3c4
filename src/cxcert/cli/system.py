"""`cxcert init` and `cxcert info`: the workspace."""

from __future__ import annotations

import typer

from cxcert.cli.output import print_json, print_mapping
from cxcert.home import cxcert_home, database_url, warehouse_dir


def register(app: typer.Typer) -> None:
    app.command("info")(info)


def info(json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Show where cxcert keeps its state (CXCERT_HOME, database URL with any password hidden, warehouse).

    Example:  CXCERT_HOME=./acme cxcert info --json
    """
    from cxcert.store.db import safe_url

    values = {"home": str(cxcert_home()), "database_url": safe_url(database_url()), "warehouse": str(warehouse_dir())}
    if json_out:
        print_json(values)
    else:
        print_mapping("cxcert workspace", values)
