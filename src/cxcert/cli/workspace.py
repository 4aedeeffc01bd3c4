"""`cxcert init` and the unit of work every other command runs in (open the database, commit, audit)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from cxcert.cli.output import console, print_json, print_mapping
from cxcert.home import customer_key, customer_key_path, cxcert_home, database_url, ensure_dir

if TYPE_CHECKING:  # the store loads SQLAlchemy: import it only when a command opens the database
    from cxcert.store.repository import Repositories


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Create the workspace: the CXCERT_HOME directory and the database, migrated to the latest schema.

    Safe to run again: an up-to-date database is left as it is, an older one is migrated. The database is the
    SQLite file CXCERT_HOME/cxcert.sqlite unless CXCERT_DATABASE_URL names another (PostgreSQL). The secret key
    that pseudonymises customer numbers is made once in CXCERT_HOME/secrets/ (back it up: docs/privacy.md).

    Example:  CXCERT_HOME=./acme cxcert init
    """
    from cxcert.store.db import init_database, safe_url

    home = ensure_dir(cxcert_home())
    ensure_dir(home / "evidence")
    revision = init_database()
    customer_key(home)  # made now, so it is there to back up before any data comes in
    values = {
        "home": str(home),
        "database": safe_url(database_url()),
        "schema_revision": revision,
        "customer_key": str(customer_key_path(home)),
    }
    if json_out:
        print_json(values)
    else:
        print_mapping("cxcert workspace ready", values)
        console.print("Next: [bold]cxcert entity create --help[/] (or [bold]cxcert demo[/] to see it all at work)")


def actor() -> str:
    """Who is acting, for the audit trail: CXCERT_ACTOR, else the operating-system user."""
    explicit = os.environ.get("CXCERT_ACTOR")
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@contextmanager
def workspace() -> Iterator[Repositories]:
    """The repositories over one committed unit of work on the configured database."""
    from cxcert.store.db import open_database
    from cxcert.store.repository import Repositories

    db = open_database()
    try:
        with db.session() as session:
            yield Repositories(session, evidence_root=cxcert_home() / "evidence")
    finally:
        db.dispose()
