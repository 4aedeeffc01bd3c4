"""Text to typed columns, vectorised: numbers, booleans, dates and timestamps with per-value failure masks.

The fast path is one Arrow cast per column. When a column holds a value that does not parse, the column is
parsed again with DuckDB's ``TRY_CAST``/``TRY_STRPTIME`` (still vectorised), which turns the bad values into
nulls; a value that was present in the text but is null after parsing is a parse failure for that row.

Naive timestamps (no offset) are local wall-clock time in the given IANA zone (UTC when none) and are
converted to UTC. A wall-clock time repeated by a daylight-saving change is taken as its first occurrence; one
skipped by a change is moved to the start of the gap's earlier side (Arrow's ``earliest``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cxcert.canonical import UTC_TS

_KIND_NAMES: dict[pa.DataType, str] = {
    pa.float64(): "a number",
    pa.int32(): "a whole number",
    pa.int64(): "a whole number",
    pa.bool_(): "true/false",
    pa.date32(): "a date",
    UTC_TS: "a timestamp",
}
_DUCK_TYPES: dict[pa.DataType, str] = {
    pa.float64(): "DOUBLE",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    UTC_TS: "TIMESTAMPTZ",
}

_local = threading.local()


def scratch_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection private to this thread, for vectorised helpers (parsing, hashing)."""
    con: duckdb.DuckDBPyConnection | None = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        _local.con = con
    return con


def kind_name(target: pa.DataType) -> str:
    """How a message names a type ("a number", "a timestamp")."""
    return _KIND_NAMES.get(target, str(target))


@dataclass(frozen=True)
class Parsed:
    """A typed column and the mask of rows whose text did not parse (None when every value parsed)."""

    values: pa.Array
    failed: pa.Array | None


def parse_column(
    text: pa.Array, target: pa.DataType, *, time_format: str | None = None, timezone: str | None = None
) -> Parsed:
    """Parse a string column into ``target`` (one of the canonical types); nulls stay null."""
    if pa.types.is_string(target):
        return Parsed(text.cast(pa.string()), None)
    if not pa.types.is_string(text.type) and not pa.types.is_large_string(text.type):
        return _from_typed(text, target, timezone)
    if target == UTC_TS:
        values = _timestamps(text, time_format, timezone)
    elif target == pa.date32() and time_format:
        stamps = pc.strptime(text, format=time_format, unit="s", error_is_null=True)
        values = stamps.cast(pa.date32())
    else:
        try:
            values = pc.cast(text, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = _duck_try_cast(text, target, None)
    return Parsed(values, _failed(text, values))


def _failed(text: pa.Array, values: pa.Array) -> pa.Array | None:
    if values.null_count == text.null_count:
        return None
    return pc.and_(pc.is_valid(text), pc.is_null(values))


def _timestamps(text: pa.Array, time_format: str | None, timezone: str | None) -> pa.Array:
    if time_format:
        stamps = pc.strptime(text, format=time_format, unit="us", error_is_null=True)
        if stamps.type.tz is not None:  # the format had %z: already absolute
            return stamps.cast(UTC_TS)
        return _localise(stamps, timezone)
    try:
        return pc.cast(text, UTC_TS)  # ISO 8601 with an offset or Z
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if _starts_naive(text):  # a column of naive times; else trying the whole column as naive is slow to fail
        try:
            return _localise(pc.cast(text, pa.timestamp("us")), timezone)  # naive ISO 8601
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return _duck_try_cast(text, UTC_TS, timezone)  # mixed or partly invalid


def _starts_naive(text: pa.Array) -> bool:
    """Whether the column's first value is a time without an offset (so the column may be naive ISO 8601)."""
    position = pc.index(pc.is_valid(text), True).as_py()
    if position is None or position < 0:
        return False
    first = text.slice(position, 1)
    try:
        pc.cast(first, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _localise(naive: pa.Array, timezone: str | None) -> pa.Array:
    if not timezone or timezone == "UTC":
        return naive.cast(UTC_TS)
    local = pc.assume_timezone(naive, timezone=timezone, ambiguous="earliest", nonexistent="earliest")
    return local.cast(UTC_TS)


def _from_typed(values: pa.Array, target: pa.DataType, timezone: str | None) -> Parsed:
    """A column that is already typed (Parquet): cast, localising naive timestamps."""
    if target == UTC_TS and pa.types.is_timestamp(values.type):
        if values.type.tz is None:
            values = _localise(values.cast(pa.timestamp("us")), timezone)
        return Parsed(values.cast(UTC_TS), None)
    try:
        return Parsed(pc.cast(values, target), None)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = pc.cast(values, pa.string())
        return parse_column(text, target, timezone=timezone)


def _duck_try_cast(text: pa.Array, target: pa.DataType, timezone: str | None) -> pa.Array:
    con = scratch_duckdb()
    zoned = target == UTC_TS and timezone not in (None, "UTC")  # only naive times read in a zone need it set
    if zoned:
        con.execute(f"SET TimeZone = '{timezone}'")
    try:
        frame = pa.table({"v": pc.utf8_trim_whitespace(text)})
        con.register("_cxcert_parse", frame)
        result = con.execute(f"SELECT TRY_CAST(v AS {_DUCK_TYPES[target]}) AS v FROM _cxcert_parse").to_arrow_table()
        con.unregister("_cxcert_parse")
    finally:
        if zoned:
            con.execute("SET TimeZone = 'UTC'")
    column: Any = result.column("v").combine_chunks()
    out: pa.Array = column.cast(target)
    return out
