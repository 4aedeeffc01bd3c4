"""The ``cxcert`` command: every sub-command registers here; every failure ends in one line and an exit code."""

from __future__ import annotations

import sys
from contextlib import suppress

import typer
from rich.markup import escape

from cxcert import __version__
from cxcert.cli.faults import (
    EXIT_CODES_HELP,
    ExitCode,
    is_broken_pipe,
    os_error_line,
    signal_exit,
    signal_line,
    signals_as_exceptions,
    silence_stdout,
)
from cxcert.cli.output import err_console
from cxcert.errors import CxcertError, Unavailable

app = typer.Typer(
    name="cxcert",
    help=(
        "Run contact-centre certification and performance management the COPC way.\n\n"
        "Start with `cxcert demo` to see a whole certification end to end, or `cxcert init` to create a "
        "workspace. State lives in CXCERT_HOME (SQLite and a DuckDB warehouse); set CXCERT_DATABASE_URL to "
        "use PostgreSQL instead.\n\n" + EXIT_CODES_HELP
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
    """Console-script entry point: every way a command can fail ends in one line on stderr and an exit code that
    says which (:class:`cxcert.cli.faults.ExitCode`): 2 for user mistakes (Click's usage errors included), 3 when
    the database or the file system fails, 130/143 on Ctrl-C/SIGTERM after cleanup, 1 quietly on a closed pipe
    (as Click and Rich do where they meet it first).
    """
    from cxcert.cli.help_text import reflow_tree

    command = typer.main.get_command(app)
    reflow_tree(command)
    with signals_as_exceptions():
        try:
            command()
        except BaseException as exc:  # each kind is sorted into its line and exit code below
            code = _fail(exc)
            if code is None:
                raise
            sys.exit(int(code))


def _fail(exc: BaseException) -> ExitCode | int | None:
    """Print the one line for ``exc`` and return the exit code; None for a bug (its traceback is wanted)."""
    signalled = signal_exit()
    if signalled is not None:  # whatever a library made of the interrupt (DuckDB: "Query interrupted")
        _say(signal_line())
        return signalled
    if isinstance(exc, SystemExit):
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        _say(str(exc.code))  # sys.exit("message"), as Python itself would print it
        return ExitCode.STOPPED
    if is_broken_pipe(exc):
        silence_stdout()
        return ExitCode.STOPPED
    if isinstance(exc, CxcertError):
        _say(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
        return ExitCode.USER
    if isinstance(exc, Unavailable):
        _say(f"[bold red]error:[/] {escape(exc.message)}", markup=True)
        return ExitCode.ENVIRONMENT
    if isinstance(exc, OSError):
        _say(f"[bold red]error:[/] {escape(os_error_line(exc))}", markup=True)
        return ExitCode.ENVIRONMENT
    if isinstance(exc, KeyboardInterrupt):  # raised before the handler was in place
        _say("interrupted")
        return ExitCode.INTERRUPTED
    return None


def _say(line: str, *, markup: bool = False) -> None:
    with suppress(OSError):  # stderr is gone too: the exit code is all that is left to say it
        err_console.print(line, highlight=False, soft_wrap=True, markup=markup)
