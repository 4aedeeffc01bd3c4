"""Loading and validating document files: schema (with line numbers) then semantic checks.

``load_document`` is what code calls; ``validate_file`` / ``validate_files`` are what ``cxcert standard
validate`` calls. Standards given alongside (e.g. a user's own standard next to a crosswalk that refers to it)
are resolved before packaged ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cxcert.errors import CxcertError
from cxcert.limits import current_limits, read_yaml_file
from cxcert.standards import library
from cxcert.standards.issues import DocumentInvalid, ValidationIssue, errors_in
from cxcert.standards.parsing import Document, ParsedDocument, ParseResult, parse_text
from cxcert.standards.schema import Standard
from cxcert.standards.validation import validate_document
from cxcert.yaml_guard import FileRefused


def parse_file(path: Path) -> ParseResult:
    """Schema-check one file (no semantic checks); an unreadable file is an issue, not an exception."""
    current_limits()  # a mistake in the workspace's limits.yaml is raised as that file's, not reported as this one's
    try:
        text = read_yaml_file(path, "standard")  # size and encoding checked before parsing
    except FileRefused as exc:  # over the size limit, or not UTF-8 text: the line where it shows, if any
        return ParseResult(None, (ValidationIssue(str(path), exc.line, "(file)", exc.problem, rule="limits"),))
    except CxcertError as exc:  # missing, a folder, unreadable
        return ParseResult(None, (ValidationIssue(str(path), None, "(file)", exc.message, rule="file"),))
    return parse_text(text, str(path))


def validate_files(paths: Sequence[Path]) -> dict[Path, tuple[ParsedDocument | None, list[ValidationIssue]]]:
    """Validate several files together: standards among them resolve crosswalks and rule sets among them.

    Returns, per path, the parsed document (None when the schema failed) and every issue (errors and warnings).
    """
    parsed = {path: parse_file(path) for path in paths}
    alongside = [r.parsed.document for r in parsed.values() if r.parsed and isinstance(r.parsed.document, Standard)]
    context = library.validation_context(alongside)
    out: dict[Path, tuple[ParsedDocument | None, list[ValidationIssue]]] = {}
    for path, result in parsed.items():
        if result.parsed is None:
            out[path] = (None, list(result.issues))
        else:
            out[path] = (result.parsed, validate_document(result.parsed, context))
    return out


def validate_file(path: Path, alongside: Sequence[Path] = ()) -> list[ValidationIssue]:
    """Every issue in ``path`` (empty when valid; warnings do not make it invalid, see ``errors_in``)."""
    return validate_files([path, *alongside])[path][1]


def load_document(path: Path, alongside: Sequence[Path] = ()) -> Document:
    """Load a standard, rule set or crosswalk file, fully validated.

    Raises :class:`DocumentInvalid` (a ``ValidationFailed``) carrying every error as "path:line: field: message".
    """
    document, issues = validate_files([path, *alongside])[path]
    errors = errors_in(issues)
    if errors or document is None:
        raise DocumentInvalid(errors or issues)
    return document.document
