"""Validating YAML data files against pydantic models, with errors that name the file, the line and the field.

The one loader of the core's packaged rules and settings (certification, performance, workforce) and of the
user files they accept (targets, catalogues). PyYAML's node tree keeps every key's line; pydantic reports each
mistake's field path; joining them points at the value to fix. Inside a discriminated union pydantic puts the
union's tag (e.g. ``mean``) in the location, which YAML has no key for: that part is skipped, not the end of
the search. Date keys (``2024-01-01:``) are matched by their ISO form (:mod:`cxcert.yaml_lines`). Before any
of that the text is walked within the workspace's limits (:mod:`cxcert.yaml_guard`): a billion-laughs or deeply
nested file, a ``!!python/object`` tag or a key given twice is refused with its line.
"""

from __future__ import annotations

from importlib import resources
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cxcert.errors import ValidationFailed
from cxcert.limits import yaml_bounds
from cxcert.yaml_guard import check_yaml
from cxcert.yaml_lines import field_name, line_of

__all__ = ["line_of", "load_packaged", "parse_model"]

M = TypeVar("M", bound=BaseModel)


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (about 10x faster; the same safe constructors)."""


def _yaml_failure(text: str, where: str) -> ValidationFailed:
    """The error for ``text`` that is not valid YAML, in the words of PyYAML's own parser (libyaml words its
    messages differently), with the line of the problem."""
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        at = f"line {exc.problem_mark.line + 1}: " if exc.problem_mark is not None else ""
        started = exc.context_mark
        context = f" ({exc.context} started on line {started.line + 1})" if exc.context and started else ""
        return ValidationFailed([f"{at}not valid YAML: {exc.problem}{context}"], where=where)
    except yaml.YAMLError as exc:
        return ValidationFailed([f"not valid YAML: {exc}"], where=where)
    return ValidationFailed(["not valid YAML"], where=where)  # libyaml refused what PyYAML reads: say so plainly


def parse_model(text: str, model: type[M], *, where: str) -> M:
    """Validate YAML ``text`` against ``model``; every issue names ``where``, the line and the field path."""
    check_yaml(text, where, yaml_bounds(), duplicates=True)
    try:
        data = yaml.load(text, Loader=_FAST_LOADER)  # CSafeLoader or SafeLoader: safe constructors only
    except yaml.YAMLError as exc:
        raise _yaml_failure(text, where) from exc
    if data is None:
        raise ValidationFailed(["line 1: the file is empty"], where=where)
    if not isinstance(data, dict):  # every model is a mapping of fields; pydantic would name its class
        found = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise ValidationFailed([f"line 1: expected a mapping of fields (name: value), not {found}"], where=where)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        root = yaml.compose(text)  # the node tree (with every key's line) only when there is a line to name
        issues = []
        for err in exc.errors():
            loc = err["loc"]
            issues.append(f"line {line_of(root, loc) or 1}, field {field_name(loc)}: {err['msg']}")
        raise ValidationFailed(issues, where=where) from exc


def load_packaged(package: str, name: str, model: type[M]) -> M:
    """Load ``<package>/data/<name>`` (packaged with cxcert) and validate it against ``model``."""
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    return parse_model(text, model, where=f"{package.replace('.', '/')}/data/{name}")
