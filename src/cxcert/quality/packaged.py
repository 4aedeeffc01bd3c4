"""Reading the quality core's packaged YAML (defaults and rules), validated with file, line and field in errors."""

from __future__ import annotations

from importlib import resources
from typing import TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from cxcert.standards.issues import DocumentInvalid, ValidationIssue
from cxcert.standards.marked_yaml import load_marked
from cxcert.standards.parsing import schema_issues

M = TypeVar("M", bound=BaseModel)


def parse_settings(text: str, model: type[M], file: str) -> M:
    """Validate YAML ``text`` against ``model``; raises :class:`DocumentInvalid` naming file, line and field."""
    marked = load_marked(text, file)
    if marked.issues:
        raise DocumentInvalid(marked.issues)
    if not isinstance(marked.data, dict):
        raise DocumentInvalid([ValidationIssue(file, 1, "(document)", "expected a mapping")])
    try:
        return model.model_validate(marked.data)
    except PydanticError as exc:
        raise DocumentInvalid(schema_issues(exc, marked.source_map)) from exc


def load_packaged(name: str, model: type[M]) -> M:
    """Load ``cxcert/quality/data/<name>`` against ``model``."""
    text = resources.files("cxcert.quality").joinpath("data", name).read_text(encoding="utf-8")
    return parse_settings(text, model, f"cxcert/quality/data/{name}")
