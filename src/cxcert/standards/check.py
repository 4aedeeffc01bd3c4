"""The shape of a semantic check: a small rule class that reads one parsed document and returns located issues.

Each check names itself, says which kind of document it applies to, and reports every problem it finds (not
only the first), so a user fixes a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from cxcert.standards.issues import Level, ValidationIssue
from cxcert.standards.parsing import Document, ParsedDocument
from cxcert.standards.schema import Standard, StandardKey
from cxcert.standards.source_map import format_path


@dataclass(frozen=True)
class ValidationContext:
    """What a check may consult besides the document: the standards it may refer to and the known metric ids."""

    standards: tuple[Standard, ...]
    metric_ids: frozenset[str]

    def find(self, key: StandardKey) -> Standard | None:
        for standard in self.standards:
            if standard.key == key:
                return standard
        return None

    def with_standards(self, extra: Iterable[Standard]) -> ValidationContext:
        """This context plus ``extra`` standards (files given alongside win over packaged ones with the same key)."""
        extra = tuple(extra)
        keys = {s.key for s in extra}
        return ValidationContext((*extra, *(s for s in self.standards if s.key not in keys)), self.metric_ids)


class Check:
    """Base class of semantic checks; subclasses set ``name``/``applies_to`` and implement :meth:`run`."""

    name: ClassVar[str]
    applies_to: ClassVar[type[Document]]

    def check(self, parsed: ParsedDocument, context: ValidationContext) -> list[ValidationIssue]:
        if not isinstance(parsed.document, self.applies_to):
            return []
        return list(self.run(parsed, context))

    def run(self, parsed: ParsedDocument, context: ValidationContext) -> Iterable[ValidationIssue]:
        raise NotImplementedError

    def issue(
        self, parsed: ParsedDocument, path: Sequence[str | int], message: str, level: Level = Level.ERROR
    ) -> ValidationIssue:
        """An issue located at ``path`` (or its nearest recorded ancestor) in ``parsed``."""
        location = parsed.source_map.locate(path)
        return ValidationIssue(
            parsed.file,
            location.line if location else None,
            format_path(path),
            message,
            level=level,
            rule=self.name,
            sheet=location.sheet if location else None,
            column=location.column if location else None,
        )
