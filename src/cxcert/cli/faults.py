"""How a command ends when it cannot finish: exit codes, signals, and the one line for each kind of failure.

Ctrl-C (SIGINT) and SIGTERM both raise an exception in the main thread, so every ``finally`` and ``except
BaseException`` cleanup runs (staging folders and ``.part`` files are removed) before the process exits. Libraries
may turn the interrupt into an exception of their own (DuckDB answers it with ``RuntimeError: Query
interrupted``); the handler records which signal arrived, so whatever exception comes out of the command, the
user sees one line and the signal's exit code, never a traceback.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sys import UnraisableHookArgs


class ExitCode(IntEnum):
    """What a command's exit status means (documented in ``cxcert --help`` and the README)."""

    OK = 0
    STOPPED = 1  # stopped early on purpose: "no" at a prompt, or the output's reader went away (`| head`)
    USER = 2  # a mistake in what was typed or in a file: fix it and run again
    ENVIRONMENT = 3  # the database or the file system failed underneath: nothing the command line can fix
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM)


EXIT_CODES_HELP = (
    "Exit codes: 0 done; 1 stopped early on purpose (no at a prompt; the output's reader went away, as with "
    "`| head`, quietly); 2 a mistake in the command or in a file, including a file `standard validate` finds "
    "invalid (one line says what); 3 the database or the file system is unavailable (down, unreachable, locked, "
    "read-only, full; one line names it); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM)."
)


class Terminated(BaseException):
    """SIGTERM arrived: raised in the main thread so that cleanup runs as it does for Ctrl-C."""


_received: list[int] = []
"""Signals received while the current command ran (the first decides the exit code)."""


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    _received.append(signum)
    if signum == signal.SIGTERM:
        raise Terminated()
    raise KeyboardInterrupt()


@contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """SIGINT and SIGTERM raise in the main thread while the block runs; the previous handlers come back after
    (the CLI also runs inside test processes)."""
    watched = (signal.SIGINT, signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or _on_signal in map(signal.getsignal, watched):
        yield  # signals reach the main thread only; or an outer block already handles them
        return
    _received.clear()
    previous = {s: signal.getsignal(s) for s in watched}
    for s, handler in previous.items():
        if handler is not signal.SIG_IGN:  # `nohup` and background jobs ignore SIGINT on purpose: keep it so
            signal.signal(s, _on_signal)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def signal_exit() -> ExitCode | None:
    """The exit code of the first signal received by the command, None when none was."""
    if not _received:
        return None
    return ExitCode.TERMINATED if _received[0] == signal.SIGTERM else ExitCode.INTERRUPTED


def signal_line() -> str:
    return "terminated" if signal_exit() is ExitCode.TERMINATED else "interrupted"


_PLAIN = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "input/output error",
}


def os_error_line(exc: OSError) -> str:
    """One line for a file-system failure: what happened, and where (the path, else the workspace)."""
    what = _PLAIN.get(exc.errno or -1) or (exc.strerror or str(exc)).rstrip(".")
    if exc.filename is not None:
        where = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 is not None else "")
        return f"{what}: {where}"
    from cxcert.home import cxcert_home

    try:
        home = str(cxcert_home())
    except Exception:  # an unusable CXCERT_HOME is reported on its own; this line must still come out
        home = os.environ.get("CXCERT_HOME", "?")
    return f"{what} (the path was not reported; the workspace is CXCERT_HOME={home}): {exc}"


def is_broken_pipe(exc: BaseException) -> bool:
    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE)


def silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout has no file descriptor (captured in a test): nothing to flush
        pass


def quiet_finalizers() -> None:
    """Once the one line is out, a half-written file's finaliser failing again as the process ends (openpyxl
    leaves its ZipFile to ``__del__``, which meets the full disk a second time) must not add a traceback.
    Only for the real process (:mod:`cxcert.cli.entry`): the hook stays until the interpreter exits."""
    default = sys.unraisablehook

    def hook(unraisable: UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, OSError):
            default(unraisable)

    sys.unraisablehook = hook
