"""Reading QA forms from YAML: schema errors and semantic problems name the file, the line and the field.

Reuses the standards library's line-tracking YAML reader (:mod:`cxcert.standards.marked_yaml`) and its mapping
of pydantic errors to lines, so a form file fails the same way a standard file does.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import ValidationError as PydanticError

from cxcert.quality.form import QaForm, form_problems
from cxcert.standards.issues import DocumentInvalid, ValidationIssue
from cxcert.standards.marked_yaml import load_marked
from cxcert.standards.parsing import schema_issues
from cxcert.standards.source_map import format_path

_PACKAGE = "cxcert.quality"


def parse_form(text: str, file: str) -> QaForm:
    """Parse and check one form; raises :class:`DocumentInvalid` listing every problem with its line."""
    marked = load_marked(text, file)
    if marked.issues:
        raise DocumentInvalid(marked.issues)
    if not isinstance(marked.data, dict):
        raise DocumentInvalid([ValidationIssue(file, 1, "(document)", "expected a mapping describing one QA form")])
    try:
        form = QaForm.model_validate(marked.data)
    except PydanticError as exc:
        raise DocumentInvalid(schema_issues(exc, marked.source_map)) from exc
    issues = []
    for problem in form_problems(form):
        location = marked.source_map.locate(problem.path)
        issues.append(
            ValidationIssue(
                file, location.line if location else None, format_path(problem.path), problem.message, rule="form"
            )
        )
    if issues:
        raise DocumentInvalid(issues)
    return form


def load_form_file(path: Path) -> QaForm:
    """Load a user's form file (YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentInvalid([ValidationIssue(str(path), None, "(file)", f"cannot read: {exc}", rule="file")]) from exc
    return parse_form(text, str(path))


def packaged_forms() -> tuple[QaForm, ...]:
    """Every form shipped in ``cxcert/quality/data/forms``, sorted by (id, version)."""
    folder = resources.files(_PACKAGE).joinpath("data", "forms")
    forms = [
        parse_form(entry.read_text(encoding="utf-8"), f"cxcert/quality/data/forms/{entry.name}")
        for entry in folder.iterdir()
        if entry.name.endswith((".yaml", ".yml"))
    ]
    return tuple(sorted(forms, key=lambda f: f.key))
