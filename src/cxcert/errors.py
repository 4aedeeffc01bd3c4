"""Errors a user can cause and fix, and the environment (database, disk) failing underneath them.

Every adapter (CLI, web, API) turns a :class:`CxcertError` into one clear line (and exit code 2 in the CLI), and
an :class:`Unavailable` environment (database, disk) or an ``OSError`` into one line too (exit code 3); anything
else is a bug and may show a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class CxcertError(Exception):
    """A mistake in the user's input or request, with where it happened when known."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ValidationFailed(CxcertError):
    """A file or record failed validation; ``issues`` holds every problem found, first one in the message."""

    def __init__(self, issues: list[str], *, where: str | None = None) -> None:
        first = issues[0] if issues else "invalid input"
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(first + more, where=where)
        self.issues = issues


class NotFound(CxcertError):
    """A named thing (entity, standard, assessment...) does not exist."""


class IllegalTransition(CxcertError):
    """A lifecycle step that the state machine does not allow from the current state."""


class NotInitialised(CxcertError):
    """The workspace has no database yet (``cxcert init`` makes one).

    Commands that can also work from the warehouse alone fall back on this error, and on this one only: any other
    failure to read the database must reach the user, never pass for "nothing on file".
    """


class Unavailable(Exception):
    """The environment failed, not the user: the database down, unreachable, locked or damaged; a folder
    read-only or full. The CLI prints it as one line and exits 3.

    Deliberately not a :class:`CxcertError`: code that catches a user-level error to fall back (an entity not on
    file, a metric without data) must never take an outage for one.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def with_path(exc: OSError, path: object) -> OSError:
    """``exc`` naming ``path`` when it names none (Arrow's and a plain ``write``'s errors carry no file name),
    so that the one line the user sees says where the disk was full or read-only."""
    if exc.filename is not None or exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror or str(exc), str(path))


@contextmanager
def writing_to(path: object) -> Iterator[None]:
    """Name ``path`` on any :class:`OSError` raised in the block that names no file itself."""
    try:
        yield
    except OSError as exc:
        named = with_path(exc, path)
        if named is exc:
            raise
        raise named from exc
