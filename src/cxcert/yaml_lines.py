"""The line of a value in a YAML file, from the field path pydantic reports for it.

PyYAML's node tree keeps every key's line; pydantic reports each mistake's field path; joining them points at
the value to fix. Inside a discriminated union pydantic puts the union's tag (e.g. ``mean``) in the location,
which YAML has no key for: that part is skipped, not the end of the search. Date keys (``2024-01-01:``) are
matched by their ISO form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import yaml

_DATE_REPR = re.compile(r"^datetime\.date\((\d+), (\d+), (\d+)\)$")


def part_name(part: int | str) -> int | str:
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
        found = _child(node, part_name(part))
        if found is None:
            continue
        if isinstance(node, yaml.MappingNode):  # a field's line is its key's line
            key = next(k for k, v in node.value if v is found)
            line = key.start_mark.line + 1
        else:
            line = found.start_mark.line + 1
        node = found
    return line


def field_name(loc: Sequence[int | str]) -> str:
    """``loc`` as the dotted field path a user sees (``targets.0.values.2024-01-01``)."""
    return ".".join(str(part_name(p)) for p in loc) or "(top level)"
