"""Validating YAML data files against pydantic models, with errors that name the file, the line and the field.

The one loader of the core's packaged rules and settings (certification, performance, workforce) and of the
user files they accept (targets, catalogues). PyYAML's node tree keeps every key's line; pydantic reports each
mistake's field path; joining them points at the value to fix. Inside a discriminated union pydantic puts the
union's tag (e.g. ``mean``) in the location, which YAML has no key for: that part is skipped, not the end of
the search. Date keys (``2024-01-01:``) are matched by their ISO form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from importlib import resources
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cxcert.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)


_DATE_REPR = re.compile(r"^datetime\.date\((\d+), (\d+), (\d+)\)$")


def _part(part: int | str) -> int | str:
    """pydantic reports a date key by its repr; YAML wrote it as an ISO date."""
    match = _DATE_REPR.match(part) if isinstance(part, str) else None
    if match is None:
        return part
    return dt.date(*(int(g) for g in match.groups())).isoformat()


def _child(node: yaml.Node, part: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


def line_of(root: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """1-based line of the node at ``loc``, skipping parts YAML does not have (union tags)."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for part in loc:
        found = _child(node, _part(part))
        if found is None:
            continue
        if isinstance(node, yaml.MappingNode):  # a field's line is its key's line
            key = next(k for k, v in node.value if v is found)
            line = key.start_mark.line + 1
        else:
            line = found.start_mark.line + 1
        node = found
    return line


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
    try:
        data = yaml.load(text, Loader=_FAST_LOADER)  # CSafeLoader or SafeLoader: safe constructors only
    except yaml.YAMLError as exc:
        raise _yaml_failure(text, where) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        root = yaml.compose(text)  # the node tree (with every key's line) only when there is a line to name
        issues = []
        for err in exc.errors():
            loc = err["loc"]
            field = ".".join(str(_part(p)) for p in loc) or "(top level)"
            issues.append(f"line {line_of(root, loc)}, field {field}: {err['msg']}")
        raise ValidationFailed(issues, where=where) from exc


def load_packaged(package: str, name: str, model: type[M]) -> M:
    """Load ``<package>/data/<name>`` (packaged with cxcert) and validate it against ``model``."""
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    return parse_model(text, model, where=f"{package.replace('.', '/')}/data/{name}")
