"""Validation issues: what is wrong, how bad, and exactly where (file, line or sheet cell, field)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cxcert.errors import ValidationFailed


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ValidationIssue:
    """One problem in a standard, rule set or crosswalk document.

    ``line`` is the 1-based line of a YAML file, or the row of a workbook sheet (then ``sheet`` and
    ``column`` name the cell). ``field`` is the dotted path of the field, e.g. ``categories[3].items[2].points``.
    """

    file: str
    line: int | None
    field: str
    message: str
    level: Level = Level.ERROR
    rule: str = "schema"
    sheet: str | None = None
    column: str | None = None

    @property
    def location(self) -> str:
        if self.sheet is not None:
            if self.column and self.line:
                return f"{self.file}:{self.sheet}!{self.column}{self.line}"
            return f"{self.file}:{self.sheet}:row {self.line}" if self.line else f"{self.file}:{self.sheet}"
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        prefix = "" if self.level is Level.ERROR else f"{self.level}: "
        return f"{self.location}: {self.field}: {prefix}{self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "sheet": self.sheet,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "level": str(self.level),
            "rule": self.rule,
        }


def errors_in(issues: Sequence[ValidationIssue]) -> list[ValidationIssue]:
    """The issues that make a document invalid (warnings do not)."""
    return [i for i in issues if i.level is Level.ERROR]


class DocumentInvalid(ValidationFailed):
    """A document failed validation; ``details`` keeps the typed issues, ``issues`` their one-line forms."""

    def __init__(self, details: Sequence[ValidationIssue]) -> None:
        super().__init__([str(i) for i in details])
        self.details = tuple(details)
