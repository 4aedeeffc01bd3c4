"""Reading the workforce core's packaged YAML, validated, with errors that name the file, line and field."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from cxcert.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)

_PACKAGE = "cxcert.workforce"


def _line_of(root: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (a pydantic error location), or of its nearest parent."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def parse_yaml(text: str, model: type[M], *, where: str) -> M:
    """Validate YAML ``text`` against ``model``; every issue names ``where``, the line and the field path."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValidationFailed([f"{at}not valid YAML ({exc})"], where=where) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = err["loc"]
            line = _line_of(root, loc)
            field = ".".join(str(p) for p in loc) or "(top level)"
            issues.append(f"line {line}, field {field}: {err['msg']}")
        raise ValidationFailed(issues, where=where) from exc


def load_packaged(name: str, model: type[M]) -> M:
    """Load ``cxcert/workforce/data/<name>`` and validate it against ``model``."""
    text = resources.files(_PACKAGE).joinpath("data", name).read_text(encoding="utf-8")
    return parse_yaml(text, model, where=f"cxcert/workforce/data/{name}")
