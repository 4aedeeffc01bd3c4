"""Column-mapping files: how a source file's columns, codes, time zone and time formats become canonical.

A mapping is YAML, for example (an ACD export of queue calls)::

    kind: contacts                 # optional; when present it must match the ingest's KIND
    columns:                       # canonical column: source column, or {const: value}
      contact_id: Call ID
      queue: Split
      channel: {const: voice}
      direction: {const: inbound}
      arrived_at: Start Time
      answered_at: Answer Time
      abandoned: Abandoned
      wait_s: Queue Secs
      agent_id: Login ID
      customer_key: ANI
    timezone: Europe/London        # naive timestamps are wall-clock time there (default UTC)
    time_format: "%d/%m/%Y %H:%M:%S"   # default format of timestamps and dates (default ISO 8601)
    time_formats: {answered_at: "%d/%m/%Y %H:%M"}
    codes:                         # source text -> canonical value, per canonical column
      abandoned: {"Y": true, "N": false}
    hash: [agent_id]               # also keyed-hash these (customer_key always is: docs/privacy.md)
    personal: [Callback Number]    # other source columns holding personal data, mapped or not: masked in quarantine
    delimiter: ";"                 # CSV only (default ",")

Every canonical column that is required must be mapped, except ``entity_id`` and ``source`` (the ingest fills
them) and ``program`` (``--program`` fills it). A key given twice and a time format Arrow cannot read (``%Q``,
``%j``) are errors too. Errors name the file, the line and the field.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cxcert.canonical import TABLES, UTC_TS
from cxcert.errors import ValidationFailed
from cxcert.ingest.csv_blocks import codec_name
from cxcert.ingest.typed_columns import time_format_problem
from cxcert.limits import read_yaml_file, yaml_bounds
from cxcert.yaml_guard import check_yaml

Scalar = str | bool | int | float


class Constant(BaseModel):
    """A value used for every row (``{const: voice}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    const: Scalar | None


class ColumnMapping(BaseModel):
    """A parsed mapping file, before it is checked against a canonical table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str | None = None
    columns: dict[str, str | Constant] = Field(min_length=1)
    timezone: str | None = None
    time_format: str | None = None
    time_formats: dict[str, str] = Field(default_factory=dict)
    codes: dict[str, dict[str, Scalar | None]] = Field(default_factory=dict)
    hash: list[str] = Field(default_factory=list)
    personal: list[str] = Field(default_factory=list)
    """Source columns (mapped or not) that hold personal data: their text is a keyed hash in quarantine files."""
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    encoding: str = "utf8"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if codec_name(value) is None:
            raise ValueError(f"unknown encoding {value!r} (use a name such as utf-8, latin-1, cp1252 or utf-16)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)") from None
        return value

    def source_columns(self) -> dict[str, str]:
        """Canonical column to source column, for the mapped (non-constant) columns."""
        return {k: v for k, v in self.columns.items() if isinstance(v, str)}

    def constants(self) -> dict[str, Scalar | None]:
        return {k: v.const for k, v in self.columns.items() if isinstance(v, Constant)}

    def format_of(self, column: str) -> str | None:
        return self.time_formats.get(column, self.time_format)


class LoadedMapping(BaseModel):
    """A mapping checked against its canonical table, with where it came from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    path: Path
    table: str
    text: str
    spec: ColumnMapping


def load_mapping(path: Path, table: str) -> LoadedMapping:
    """Read and check a mapping file for ``table``; a :class:`ValidationFailed` naming file, line and field."""
    text = read_yaml_file(path, "mapping")  # size and encoding checked before parsing
    check_yaml(text, str(path), yaml_bounds())  # depth, aliases and tags before the tree is composed
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ValidationFailed([f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    if root is None or not isinstance(root, yaml.MappingNode):
        raise ValidationFailed([f"{path}:1: a mapping file is a YAML mapping with at least 'columns'"])
    repeated = [f"{path}:{line}: {field}: {msg}" for line, field, msg in _duplicate_keys(root, "")]
    if repeated:
        raise ValidationFailed(repeated)
    data = _construct(root)
    try:
        spec = ColumnMapping.model_validate(data)
    except ValidationError as exc:
        issues = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p in ("str", "Constant")))
            field = ".".join(str(p) for p in loc) or "(top)"
            issues.append(f"{path}:{_line_of(root, loc)}: {field}: {error['msg']}")
        raise ValidationFailed(issues) from None
    issues = [f"{path}:{_line_of(root, loc)}: {field}: {msg}" for loc, field, msg in _check_against(spec, table)]
    if issues:
        raise ValidationFailed(issues)
    return LoadedMapping(path=path, table=table, text=text, spec=spec)


def _check_against(spec: ColumnMapping, table: str) -> list[tuple[tuple[Any, ...], str, str]]:
    schema = TABLES[table]
    found: list[tuple[tuple[Any, ...], str, str]] = []
    if spec.kind is not None and spec.kind.replace("-", "_") != table:
        found.append((("kind",), "kind", f"this mapping is for {spec.kind!r}, not {table!r}"))
    for column in spec.columns:
        if column not in schema.names:
            found.append((("columns", column), f"columns.{column}", f"{table} has no column {column!r}"))
    for field in schema:
        if (
            not field.nullable
            and field.name not in spec.columns
            and field.name not in ("entity_id", "source", "program")
        ):
            found.append((("columns",), "columns", f"required column {field.name!r} of {table} is not mapped"))
    for key, where in (("codes", spec.codes), ("time_formats", spec.time_formats)):
        for column in where:
            if column not in spec.columns:
                found.append(((key, column), f"{key}.{column}", f"{column!r} is not a mapped column"))
    for column in spec.time_formats:
        if column in schema.names and schema.field(column).type not in (UTC_TS, pa.date32()):
            found.append((("time_formats", column), f"time_formats.{column}", f"{column!r} is not a time column"))
    formats: list[tuple[tuple[str, ...], str, str]] = []
    if spec.time_format is not None:
        formats.append((("time_format",), "time_format", spec.time_format))
    formats += [(("time_formats", c), f"time_formats.{c}", f) for c, f in spec.time_formats.items()]
    for loc, field_name, time_format in formats:
        problem = time_format_problem(time_format)
        if problem is not None:
            found.append((loc, field_name, problem))
    for n, column in enumerate(spec.hash):
        if column not in spec.source_columns() or schema.field(column).type != pa.string():
            found.append((("hash", n), f"hash[{n}]", f"{column!r} is not a mapped text column"))
    return found


def _duplicate_keys(node: yaml.Node, where: str) -> list[tuple[int, str, str]]:
    """Keys given twice in one mapping, by their text (YAML keeps the last silently), at every depth."""
    found: list[tuple[int, str, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            text = str(key_node.value)
            line = int(key_node.start_mark.line) + 1
            field = f"{where}.{text}" if where else text
            if text in seen:
                found.append((line, field, f"duplicate key {text!r} (first given on line {seen[text]})"))
            else:
                seen[text] = line
            found += _duplicate_keys(value_node, field)
    elif isinstance(node, yaml.SequenceNode):
        for n, item in enumerate(node.value):
            found += _duplicate_keys(item, f"{where}[{n}]")
    return found


def _construct(root: yaml.Node) -> Any:
    """Build Python data from the node tree; keys under ``codes`` keep their source text (``yes`` stays "yes")."""
    data = yaml.SafeLoader("").construct_document(root)
    codes = _child(root, "codes")
    if isinstance(data, dict) and isinstance(codes, yaml.MappingNode) and isinstance(data.get("codes"), dict):
        fixed: dict[Any, Any] = {}
        for key_node, value_node in codes.value:
            inner = data["codes"].get(yaml.SafeLoader("").construct_object(key_node))
            if isinstance(value_node, yaml.MappingNode) and isinstance(inner, dict):
                inner = {str(k.value): yaml.SafeLoader("").construct_object(v) for k, v in value_node.value}
            fixed[key_node.value] = inner
        data["codes"] = fixed
    return data


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if str(key_node.value) == str(key):
                found: yaml.Node = value_node
                return found
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        child: yaml.Node = node.value[key]
        return child
    return None


def _line_of(root: yaml.Node, loc: tuple[Any, ...]) -> int:
    """1-based line of the deepest key (or list item) along ``loc`` that exists in the file."""
    node: yaml.Node = root
    line = int(root.start_mark.line) + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                break
            line, node = int(match[0].start_mark.line) + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = int(node.start_mark.line) + 1
        else:
            break
    return line
