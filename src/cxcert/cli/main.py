"""The ``cxcert`` command: every sub-command registers here; user mistakes exit 2 with one line."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from cxcert import __version__
from cxcert.cli.output import err_console
from cxcert.errors import CxcertError

app = typer.Typer(
    name="cxcert",
    help=(
        "Run contact-centre certification and performance management the COPC way.\n\n"
        "Start with `cxcert demo` to see a whole certification end to end, or `cxcert init` to create a "
        "workspace. State lives in CXCERT_HOME (SQLite and a DuckDB warehouse); set CXCERT_DATABASE_URL to "
        "use PostgreSQL instead."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cxcert {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """cxcert: certification and performance management for contact centres."""


# --- sub-commands: one line each, kept in this block ---
# (each module exposes `register(app)` and adds its commands or sub-apps)
from cxcert.cli import commands  # noqa: E402

commands.register_all(app)
# --- end of sub-commands ---


def run() -> None:
    """Console-script entry point: user mistakes become one line on stderr and exit code 2.

    Usage errors (unknown command, bad option) are Click's own and also exit 2.
    """
    from cxcert.cli.help_text import reflow_tree

    command = typer.main.get_command(app)
    reflow_tree(command)
    try:
        command()
    except CxcertError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
