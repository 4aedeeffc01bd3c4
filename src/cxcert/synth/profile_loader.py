"""Reading a :class:`CentreProfile` from YAML, with errors that name the file, the line and the field.

PyYAML's node tree keeps the line of every key; pydantic reports the field path of each mistake; we join the
two so that ``my_centre.yaml: line 42: programs[1].queues[0].share: ...`` points at the very value to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from cxcert.errors import CxcertError, ValidationFailed
from cxcert.limits import read_yaml_file, yaml_bounds
from cxcert.synth.profile import CentreProfile
from cxcert.yaml_guard import check_yaml

DEFAULT_PROFILE = "default_centre.yaml"


def load_profile(path: Path | None = None) -> CentreProfile:
    """Load a profile file, or the packaged default centre when ``path`` is None."""
    if path is None:
        text = resources.files("cxcert.synth").joinpath("data").joinpath(DEFAULT_PROFILE).read_text(encoding="utf-8")
        return parse_profile(text, DEFAULT_PROFILE)
    return parse_profile(read_yaml_file(path, "profile"), str(path))


def parse_profile(text: str, file: str) -> CentreProfile:
    """Parse and validate profile YAML; raise :class:`ValidationFailed` listing every issue with its line."""
    check_yaml(text, file, yaml_bounds(), duplicates=True)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise CxcertError(f"{line}invalid YAML: {exc.problem or exc.context}", where=file) from exc
    if not isinstance(data, dict) or node is None:
        raise CxcertError("line 1: a profile is a YAML mapping of fields", where=file)
    try:
        return CentreProfile.model_validate(data)
    except ValidationError as exc:
        issues = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            issues.append(f"line {_line_of(node, loc)}: {_format(loc)}: {error['msg']}")
        raise ValidationFailed(issues, where=file) from exc


def _format(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(profile)"


def _line_of(node: yaml.Node, loc: Sequence[int | str]) -> int:
    """The line of the deepest node of ``loc`` present in the file (a missing field points at its parent)."""
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if str(key_node.value) == str(part):
                    line = key_node.start_mark.line + 1
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
