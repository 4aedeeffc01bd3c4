"""Generic sources: CSV or Parquet files in canonical columns (``--format canonical``) or in any columns with a
mapping file (``--format csv|parquet``), turned into canonical chunks.

A source column the mapping (or, for canonical files, the table) requires but the file lacks is a whole-file
error naming the column and the file. Per row, a value that does not parse or an unknown code rejects the row
with the source column and the value. Lineage: ``entity_id`` comes from ``--entity`` (a file's own entity_id
must agree, else the row is rejected), ``program`` from the file or ``--program``, ``source`` from the file or,
when absent, the file's name. ``customer_key``, in every format, and any column a mapping lists under ``hash:``
are stored as keyed hashes of the source text (:mod:`cxcert.ingest.hashing`), never as read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cxcert.canonical import TABLES
from cxcert.errors import CxcertError
from cxcert.ingest.hashing import Pseudonymiser
from cxcert.ingest.kinds import LINEAGE
from cxcert.ingest.mapping import ColumnMapping
from cxcert.ingest.typed_columns import IMPOSSIBLE_TIME, kind_name, parse_column
from cxcert.ingest.verdicts import Problem, RowVerdicts


@dataclass(frozen=True)
class Lineage:
    """The lineage values an ingest supplies: the entity, the program (optional) and the source's name."""

    entity_id: str
    program: str | None
    source: str


@dataclass
class MappedConverter:
    """Canonical chunks from source chunks, following a mapping (identity for canonical files)."""

    table: str
    path: Path
    header: list[str]
    lineage: Lineage
    mapping: ColumnMapping | None = None
    trim: bool = False
    """Trim surrounding white space from text before reading it (a field of spaces is then empty): the ingest
    does so for every CSV file, canonical or mapped (in Parquet, text is kept as typed, but for identifiers,
    normalised in every format by :func:`cxcert.ingest.row_keys.normalise_ids`)."""
    pseudonyms: Pseudonymiser | None = None
    sources: dict[str, str] = field(init=False)
    constants: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        schema = TABLES[self.table]
        if self.mapping is None:
            self.sources = {c: c for c in schema.names if c in self.header}
            self.constants = {}
            missing = [
                f.name
                for f in schema
                if not f.nullable and f.name not in self.sources and f.name not in ("entity_id", "source", "program")
            ]
        else:
            self.sources = self.mapping.source_columns()
            self.constants = self.mapping.constants()
            missing = [c for c in self.sources.values() if c not in self.header]
            missing = list(dict.fromkeys(missing))
        if missing:
            what = "column" if len(missing) == 1 else "columns"
            hint = (
                "" if self.mapping is not None else f" (a {self.table} file needs {', '.join(_required(self.table))})"
            )
            raise CxcertError(f"missing {what} {', '.join(repr(m) for m in missing)}{hint}", where=str(self.path))
        if "program" not in self.sources and "program" not in self.constants and self.lineage.program is None:
            raise CxcertError(
                "no program: the file has no 'program' column; pass --program (the client line of business)",
                where=str(self.path),
            )

    @property
    def wanted(self) -> list[str]:
        """The source columns to read."""
        return list(dict.fromkeys(self.sources.values()))

    @property
    def labels(self) -> dict[str, str]:
        """Canonical column to source column, for messages."""
        return dict(self.sources)

    @property
    def hashed(self) -> set[str]:
        """The canonical columns stored as keyed hashes: ``customer_key`` and the mapping's ``hash:`` list."""
        wanted = {"customer_key", *(self.mapping.hash if self.mapping else ())}
        return {c for c in wanted if c in self.sources}

    @property
    def personal(self) -> dict[str, tuple[str, ...]]:
        """The source columns holding personal data (masked in quarantine files): those of the hashed canonical
        columns and the mapping's ``personal:`` list; none has a "no one" value."""
        named: dict[str, tuple[str, ...]] = {self.sources[c]: () for c in sorted(self.hashed)}
        extra = self.mapping.personal if self.mapping else []
        return named | {c: () for c in extra}

    def convert(self, batch: pa.RecordBatch, verdicts: RowVerdicts) -> pa.Table:
        """The chunk in canonical columns and types; rows that cannot be converted are flagged in ``verdicts``."""
        schema = TABLES[self.table]
        n = batch.num_rows
        spec = self.mapping
        columns: list[pa.Array] = []
        for target in schema:
            name = target.name
            if name in self.sources:
                source = self.sources[name]
                text = batch.column(source)
                if self.trim and pa.types.is_string(text.type):
                    text = _blank_to_null(pc.utf8_trim_whitespace(text))
                codes = spec.codes.get(name) if spec else None
                if codes is not None:
                    text = _apply_codes(text, codes, target.type, source, verdicts, quote=name not in self.hashed)
                time_format = spec.format_of(name) if spec else None
                timezone = spec.timezone if spec else None
                parsed = parse_column(text, target.type, time_format=time_format, timezone=timezone)
                if parsed.impossible is not None:
                    verdicts.flag(parsed.impossible, Problem(source, IMPOSSIBLE_TIME), text)
                if parsed.failed is not None:
                    verdicts.flag(
                        parsed.failed, Problem(source, f"cannot read {{value}} as {kind_name(target.type)}"), text
                    )
                values = parsed.values
                if name in self.hashed:
                    if self.pseudonyms is None:
                        raise ValueError(f"{name} is hashed with the workspace key: give the converter a Pseudonymiser")
                    values = self.pseudonyms.hash(values)
            elif name in self.constants:
                values = _constant(self.constants[name], target.type, n)
            else:
                values = pa.nulls(n, target.type)
            columns.append(self._lineage(name, values, verdicts))
        return pa.Table.from_arrays(columns, schema=nullable(schema))

    def _lineage(self, name: str, values: pa.Array, verdicts: RowVerdicts) -> pa.Array:
        if name not in LINEAGE:
            return values
        if name == "entity_id":
            wanted = pa.scalar(self.lineage.entity_id, pa.string())
            if values.null_count < len(values):
                other = pc.and_(pc.is_valid(values), pc.not_equal(values, wanted))
                verdicts.flag(
                    other,
                    Problem(
                        self.sources.get("entity_id", "entity_id"),
                        f"row is for entity {{value}}, not {self.lineage.entity_id!r} (--entity)",
                    ),
                    values,
                )
            return pa.repeat(wanted, len(values))
        fill = self.lineage.program if name == "program" else self.lineage.source
        if fill is None or values.null_count == 0:
            return values
        return pc.fill_null(values, pa.scalar(fill, pa.string()))


def _required(table: str) -> list[str]:
    return [f.name for f in TABLES[table] if not f.nullable and f.name not in LINEAGE]


def nullable(schema: pa.Schema) -> pa.Schema:
    """``schema`` with every field nullable (chunks hold rows not yet validated)."""
    return pa.schema([f.with_nullable(True) for f in schema])


def _blank_to_null(text: pa.Array) -> pa.Array:
    blank = pc.equal(text, "")
    if not blank.true_count:  # the usual case: no copy
        return text
    result: pa.Array = pc.if_else(blank, pa.scalar(None, text.type), text)
    return result


def _constant(value: Any, target: pa.DataType, n: int) -> pa.Array:
    if value is None:
        return pa.nulls(n, target)
    parsed = parse_column(pa.array([str(value).lower() if isinstance(value, bool) else str(value)]), target)
    if parsed.failed is not None:
        raise CxcertError(f"constant {value!r} is not {kind_name(target)}")
    return pa.repeat(parsed.values[0], n)


def _apply_codes(
    text: pa.Array, codes: dict[str, Any], target: pa.DataType, source: str, verdicts: RowVerdicts, *, quote: bool
) -> pa.Array:
    """Replace source codes by canonical values (as text, parsed afterwards); unknown codes reject the row (the
    reason quotes the code unless ``quote`` is false: a personal column's value never goes into a message)."""
    keys = pa.array(list(codes), pa.string())
    mapped = pa.array(
        [None if v is None else (str(v).lower() if isinstance(v, bool) else str(v)) for v in codes.values()],
        pa.string(),
    )
    text = text.cast(pa.string())
    index = pc.index_in(text, value_set=keys)
    unknown = pc.and_(pc.is_valid(text), pc.is_null(index))
    what = "unknown code {value}" if quote else "unknown code"
    verdicts.flag(unknown, Problem(source, what + " (the mapping knows " + ", ".join(codes) + ")"), text)
    result: pa.Array = pc.take(mapped, index)
    return result
