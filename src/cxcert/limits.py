"""Resource limits on the files a user gives cxcert, as data: ``cxcert/data/limits.yaml``, validated.

A workspace may change any value in ``CXCERT_HOME/limits.yaml`` (same layout, only the values that change); that
file is itself read within the packaged limits, and a mistake in it names its line. :func:`read_yaml_file` is
how every entry point reads a user's YAML file (size, encoding); the parsers then walk it within
:func:`yaml_bounds` (:mod:`cxcert.yaml_guard`). The Excel limits are applied by :mod:`cxcert.workbook_file`.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from cxcert.errors import ValidationFailed
from cxcert.home import cxcert_home
from cxcert.yaml_guard import YamlBounds, check_yaml, decode_text, read_limited
from cxcert.yaml_lines import field_name, line_of

PACKAGED = "cxcert/data/limits.yaml"
USER_FILE = "limits.yaml"

_UNITS = {"B": 1, "bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|bytes|KiB|MiB|GiB)\s*$")


def _to_bytes(value: object) -> object:
    """``4 MiB`` -> 4194304; plain integers are bytes. Anything else is left for pydantic to refuse."""
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match is None:
            raise ValueError(f"{value!r} is not a size: give bytes, or a number with KiB, MiB or GiB (e.g. 4 MiB)")
        return int(float(match.group(1)) * _UNITS[match.group(2)])
    return value


ByteSize = Annotated[int, BeforeValidator(_to_bytes), Field(ge=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class YamlSizes(_Frozen):
    """The largest YAML file of each kind, in bytes."""

    standard: ByteSize
    targets: ByteSize
    entity: ByteSize
    mapping: ByteSize
    profile: ByteSize
    form: ByteSize
    pins: ByteSize
    kpis: ByteSize
    feedback: ByteSize
    limits: ByteSize


YamlKind = Literal[
    "standard", "targets", "entity", "mapping", "profile", "form", "pins", "kpis", "feedback", "limits"
]

_WHAT: dict[YamlKind, str] = {
    "standard": "standard file",
    "targets": "targets file",
    "entity": "entity file",
    "mapping": "mapping file",
    "profile": "profile file",
    "form": "QA form file",
    "pins": "form pins file",
    "kpis": "KPI catalogue file",
    "feedback": "feedback overrides file",
    "limits": "limits file",
}


class YamlLimits(_Frozen):
    max_bytes: YamlSizes
    # These apply to cxcert's own packaged files too (8 levels deep, 3 aliases and 1,268 values at most): the
    # floors keep a workspace from refusing them. Python's recursion limit (1000 frames, a few per level in PyYAML's
    # composer) caps the depth.
    max_depth: int = Field(ge=16, le=200)
    max_aliases: int = Field(ge=100)
    max_nodes: int = Field(ge=10_000)

    def bounds(self) -> YamlBounds:
        return YamlBounds(self.max_depth, self.max_aliases, self.max_nodes)


class XlsxLimits(_Frozen):
    max_bytes: ByteSize
    max_uncompressed_bytes: ByteSize
    max_ratio: float = Field(gt=1)
    ratio_checked_above: ByteSize
    max_parts: int = Field(ge=1)
    max_cells: int = Field(ge=1)


class Limits(_Frozen):
    yaml: YamlLimits
    xlsx: XlsxLimits


@cache
def packaged_limits() -> Limits:
    """The limits shipped with cxcert (trusted: read without the limits they define)."""
    text = resources.files("cxcert").joinpath("data", "limits.yaml").read_text(encoding="utf-8")
    return parse_limits(text, PACKAGED, base=None)


def current_limits() -> Limits:
    """The packaged limits, with the workspace's ``CXCERT_HOME/limits.yaml`` on top when there is one."""
    path = cxcert_home() / USER_FILE
    try:
        stat = path.stat()
    except OSError:  # no such file (the usual case), or a home that cannot be read: the packaged limits
        return packaged_limits()
    return _with_user_file(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _with_user_file(path: str, _mtime_ns: int, _size: int) -> Limits:
    """Cached by the file's time and size, so a changed file is read again."""
    base = packaged_limits()
    data = read_limited(Path(path), base.yaml.max_bytes.limits, what=_WHAT["limits"],
                        setting="yaml.max_bytes.limits")  # fmt: skip
    return parse_limits(decode_text(data, where=path), path, base=base)


def _merged(base: dict[str, Any], changes: dict[Any, Any]) -> dict[Any, Any]:
    out: dict[Any, Any] = dict(base)
    for key, value in changes.items():
        inner = base.get(key) if isinstance(key, str) else None
        out[key] = _merged(inner, value) if isinstance(inner, dict) and isinstance(value, dict) else value
    return out


def parse_limits(text: str, where: str, *, base: Limits | None) -> Limits:
    """A limits file; with ``base``, a workspace file whose values replace ``base``'s."""
    if base is not None:
        check_yaml(text, where, base.yaml.bounds(), duplicates=True)
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        at = f"line {exc.problem_mark.line + 1}: " if exc.problem_mark is not None else ""
        raise ValidationFailed([f"{at}not valid YAML: {exc.problem}"], where=where) from None
    except yaml.YAMLError as exc:
        raise ValidationFailed([f"not valid YAML: {exc}"], where=where) from None
    if base is not None:
        if data is None:
            return base  # an empty (or all-comment) workspace file changes nothing
        if not isinstance(data, dict):
            raise ValidationFailed(["line 1: expected a mapping with yaml: and xlsx: limits"], where=where)
        data = _merged(base.model_dump(), data)
    try:
        return Limits.model_validate(data)
    except ValidationError as exc:
        root = yaml.compose(text)
        issues = [f"line {line_of(root, e['loc']) or 1}, field {field_name(e['loc'])}: {e['msg']}"
                  for e in exc.errors()]  # fmt: skip
        raise ValidationFailed(issues, where=where) from None


def yaml_bounds() -> YamlBounds:
    """Nesting, alias and node bounds every YAML reader applies."""
    return current_limits().yaml.bounds()


def read_yaml_file(path: Path, kind: YamlKind) -> str:
    """The text of a user's YAML file of ``kind``: refused, with one line naming the file, when missing, a
    folder, over the kind's size limit (before it is read further), or not UTF-8 text."""
    limit = getattr(current_limits().yaml.max_bytes, kind)
    data = read_limited(path, limit, what=_WHAT[kind], setting=f"yaml.max_bytes.{kind}")
    return decode_text(data, where=str(path))
