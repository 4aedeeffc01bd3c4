"""Errors a user can cause and fix.

Every adapter (CLI, web, API) turns a :class:`CxcertError` into one clear line (and exit code 2 in the CLI);
anything else is a bug and may show a traceback.
"""

from __future__ import annotations


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
