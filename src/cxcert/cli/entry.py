"""The ``cxcert`` console script: signal handlers first, then the (slow to import) command tree.

Loading every command takes about a second on a busy machine; Ctrl-C or SIGTERM in that second must end like any
other interrupt (one line, exit 130 or 143), so the handlers are in place before :mod:`cxcert.cli.main` loads.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

from cxcert.cli.faults import ExitCode, quiet_finalizers, signal_exit, signal_line, signals_as_exceptions


def run() -> None:
    with signals_as_exceptions():
        try:
            from cxcert.cli.main import run as run_command
        except BaseException as exc:  # a signal during the imports; anything else is a bug
            code = signal_exit() or (ExitCode.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else None)
            if code is None:
                raise
            print(signal_line(), file=sys.stderr)
            sys.exit(int(code))
        try:
            run_command()
        except SystemExit as exc:
            if exc.code not in (0, None):
                quiet_finalizers()
            if signal_exit() is not None:
                _end_now(exc.code if isinstance(exc.code, int) else 1)
            raise


def _end_now(code: int) -> NoReturn:
    """End a signalled command here, its streams flushed. Its cleanup has run (the signal went up through every
    ``finally``), but a native library's threads may still be winding down an interrupted query: tearing the
    interpreter down under them crashed the process with SIGSEGV (seen once, `evidence` under SIGTERM, DuckDB)
    after the one line was out, turning exit 143 into -11."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say on it
            stream.flush()
    os._exit(code)
