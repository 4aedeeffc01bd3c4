"""Reading QA forms from YAML: schema errors and semantic problems name the file, the line and the field.

Reuses the standards library's line-tracking YAML reader (:mod:`cxcert.standards.marked_yaml`) and its mapping
of pydantic errors to lines, so a form file fails the same way a standard file does. A folder of forms holds one
form version per ``*.yaml`` file, beside an optional ``published_hashes.yaml`` of pins (:mod:`.form_pins`); the
packaged forms must match their pins.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import ValidationError as PydanticError

from cxcert.errors import CxcertError
from cxcert.limits import current_limits, read_yaml_file
from cxcert.quality.form import QaForm, form_problems
from cxcert.quality.form_pins import SourcedForm, parse_pins, pin_issues
from cxcert.standards.issues import DocumentInvalid, ValidationIssue
from cxcert.standards.marked_yaml import load_marked
from cxcert.standards.parsing import schema_issues
from cxcert.standards.source_map import format_path
from cxcert.yaml_guard import FileRefused

_PACKAGE = "cxcert.quality"
PINS_FILE = "published_hashes.yaml"


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
    current_limits()  # a mistake in the workspace's limits.yaml is raised as that file's, not reported as this one's
    try:
        text = read_yaml_file(path, "form")  # size and encoding checked before parsing
    except FileRefused as exc:  # over the size limit, or not UTF-8 text
        raise DocumentInvalid([ValidationIssue(str(path), exc.line, "(file)", exc.problem, rule="limits")]) from None
    except CxcertError as exc:
        raise DocumentInvalid([ValidationIssue(str(path), None, "(file)", exc.message, rule="file")]) from None
    return parse_form(text, str(path))


def _is_form_file(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) and name != PINS_FILE


def _one_per_key(forms: list[SourcedForm]) -> list[SourcedForm]:
    """Refuses two files holding the same (id, version)."""
    first: dict[tuple[str, int], str] = {}
    issues = []
    for sourced in forms:
        if sourced.form.key in first:
            issues.append(
                ValidationIssue(sourced.file, 1, "id", f"form {sourced.form.label} is also defined in "
                                f"{first[sourced.form.key]}: one file per version", rule="form")
            )  # fmt: skip
        first.setdefault(sourced.form.key, sourced.file)
    if issues:
        raise DocumentInvalid(issues)
    return sorted(forms, key=lambda s: s.form.key)


def load_forms_dir(folder: Path) -> tuple[SourcedForm, ...]:
    """Every form file in a user's folder, each checked; all the problems of all files are reported together."""
    forms: list[SourcedForm] = []
    issues: list[ValidationIssue] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not _is_form_file(path.name):
            continue
        try:
            forms.append(SourcedForm(load_form_file(path), str(path)))
        except DocumentInvalid as exc:
            issues.extend(exc.details)
    if issues:
        raise DocumentInvalid(issues)
    return tuple(_one_per_key(forms))


def packaged_sourced_forms() -> tuple[SourcedForm, ...]:
    """Every form shipped in ``cxcert/quality/data/forms`` with its file, checked against the packaged pins."""
    folder = resources.files(_PACKAGE).joinpath("data", "forms")
    forms = [
        SourcedForm(parse_form(entry.read_text(encoding="utf-8"), f"cxcert/quality/data/forms/{entry.name}"),
                    f"cxcert/quality/data/forms/{entry.name}")
        for entry in folder.iterdir()
        if _is_form_file(entry.name)
    ]  # fmt: skip
    pins_file = f"cxcert/quality/data/forms/{PINS_FILE}"
    pins = parse_pins(folder.joinpath(PINS_FILE).read_text(encoding="utf-8"), pins_file)
    issues = pin_issues(forms, pins, pins_file, complete=True)
    if issues:
        raise DocumentInvalid(issues)
    return tuple(_one_per_key(forms))


def packaged_forms() -> tuple[QaForm, ...]:
    """Every form shipped in ``cxcert/quality/data/forms``, sorted by (id, version)."""
    return tuple(s.form for s in packaged_sourced_forms())
