"""From text to a typed document: YAML with marks, the ``kind:`` switch, pydantic, errors mapped to lines.

A document file holds one mapping with ``kind: standard | rule_set | crosswalk``; the rest of the mapping is
the model's fields. Schema errors come back as :class:`ValidationIssue` naming file, line and field path.
Semantic checks (points adding up, unknown metrics, ...) live in :mod:`cxcert.standards.validation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticError

from cxcert.standards.issues import ValidationIssue
from cxcert.standards.marked_yaml import load_marked
from cxcert.standards.rule_set import RuleSet
from cxcert.standards.schema import Crosswalk, Standard
from cxcert.standards.source_map import SourceMap, format_path

Document = Standard | RuleSet | Crosswalk

KINDS: Mapping[str, type[Standard] | type[RuleSet] | type[Crosswalk]] = {
    "standard": Standard,
    "rule_set": RuleSet,
    "crosswalk": Crosswalk,
}


def kind_of(document: Document) -> str:
    """The ``kind:`` value a document is written with."""
    for kind, model in KINDS.items():
        if isinstance(document, model):
            return kind
    raise TypeError(type(document).__name__)


@dataclass(frozen=True)
class ParsedDocument:
    """A document that passed the schema, with the map back to where each field was written."""

    file: str
    document: Document
    source_map: SourceMap

    @property
    def kind(self) -> str:
        return kind_of(self.document)


@dataclass(frozen=True)
class ParseResult:
    parsed: ParsedDocument | None
    issues: tuple[ValidationIssue, ...]


def parse_text(text: str, file: str) -> ParseResult:
    """Parse a YAML document; ``parsed`` is None when it does not meet the schema (see ``issues``)."""
    marked = load_marked(text, file)
    if marked.issues or marked.data is None:
        return ParseResult(None, marked.issues)
    data, source_map = marked.data, marked.source_map
    if not isinstance(data, dict):
        issue = ValidationIssue(file, 1, "(document)", "expected a mapping with a 'kind:' field at the top level")
        return ParseResult(None, (issue,))
    body = dict(data)
    kind = body.pop("kind", None)
    if kind is None:
        allowed = ", ".join(KINDS)
        issue = ValidationIssue(file, 1, "kind", f"missing field 'kind' (one of: {allowed})")
        return ParseResult(None, (issue,))
    if kind not in KINDS:
        line = source_map.locate(("kind",))
        issue = ValidationIssue(
            file, line.line if line else 1, "kind", f"unknown kind {kind!r} (one of: {', '.join(KINDS)})"
        )
        return ParseResult(None, (issue,))
    return build_document(str(kind), body, source_map)


def build_document(kind: str, body: Mapping[str, Any], source_map: SourceMap) -> ParseResult:
    """Validate plain data against the model for ``kind``; errors are located through ``source_map``."""
    model = KINDS[kind]
    try:
        document = model.model_validate(body)
    except PydanticError as exc:
        return ParseResult(None, tuple(schema_issues(exc, source_map)))
    return ParseResult(ParsedDocument(source_map.file, document, source_map), ())


def schema_issues(exc: PydanticError, source_map: SourceMap) -> list[ValidationIssue]:
    """Turn pydantic's errors into issues at the line (or cell) of the offending field."""
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
        location = source_map.locate(loc)
        issues.append(
            ValidationIssue(
                source_map.file,
                location.line if location else None,
                format_path(loc),
                _message(error["type"], error["msg"], loc, error.get("input")),
                sheet=location.sheet if location else None,
                column=location.column if location else None,
            )
        )
    return issues


def _message(error_type: str, msg: str, loc: tuple[str | int, ...], value: object) -> str:
    if error_type == "missing":
        return f"missing field '{loc[-1]}'" if loc else "missing field"
    if error_type == "extra_forbidden":
        return f"unknown field '{loc[-1]}'" if loc else "unknown field"
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{msg} (got {shown})" if not isinstance(value, dict | list) else msg
