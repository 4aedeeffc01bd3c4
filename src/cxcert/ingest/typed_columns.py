"""Text to typed columns, vectorised: numbers, booleans, dates and timestamps with per-value failure masks.

The fast path is one Arrow cast per column. When a column holds a value that does not parse, the slices of the
column holding one are parsed again with DuckDB's ``TRY_CAST`` (still vectorised), which turns the bad values into
nulls; a value that was present in the text but is null after parsing is a parse failure for that row.

Typed timestamps (Parquet) are read at any unit; nanoseconds are floored to the microsecond, the warehouse's
unit. Naive timestamps (no offset) are local wall-clock time in the given IANA zone (UTC when none) and are
converted to UTC. A wall-clock time repeated by a daylight-saving change is taken as its first occurrence; one
skipped by a change is moved to the start of the gap's earlier side (Arrow's ``earliest``).

A value read with a ``time_format`` that names a day that does not exist (31/02, 29/02 of a common year, 31/04)
is *impossible*: Arrow's ``strptime`` would roll it over into the next month, so every value a roll-over could
have produced (1 to 3 March, the 1st after a 30-day month) is written back with the same format and compared with
the text; where they differ the value is impossible (see :func:`strptime_checked`). A second 60 (a leap second) is
read, as POSIX time reads it, as the next minute's second 0.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
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

IMPOSSIBLE_TIME = "{value} is not a real date"
"""The quarantine reason of a value naming a day that does not exist (31/02/2025)."""

_local = threading.local()


def scratch_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection private to this thread, for vectorised helpers (parsing, hashing)."""
    con: duckdb.DuckDBPyConnection | None = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        # One thread: the callers already run one per core, and DuckDB's own pool on top of them only competed
        # with them for the cores (a tenth more CPU over an ingest for these small queries).
        con.execute("SET threads = 1")
        _local.con = con
    return con


def kind_name(target: pa.DataType) -> str:
    """How a message names a type ("a number", "a timestamp")."""
    return _KIND_NAMES.get(target, str(target))


@dataclass(frozen=True)
class Parsed:
    """A typed column, the mask of rows whose text did not parse and the mask of rows whose text names a date
    or time that does not exist (each None when no row is in it; the two never overlap, both are null in
    ``values``)."""

    values: pa.Array
    failed: pa.Array | None
    impossible: pa.Array | None = None


def parse_column(
    text: pa.Array, target: pa.DataType, *, time_format: str | None = None, timezone: str | None = None
) -> Parsed:
    """Parse a string column into ``target`` (one of the canonical types); nulls stay null."""
    if pa.types.is_string(target):
        return Parsed(text.cast(pa.string()), None)
    if not pa.types.is_string(text.type) and not pa.types.is_large_string(text.type):
        return _from_typed(text, target, timezone)
    impossible: pa.Array | None = None
    if target == UTC_TS and time_format:
        stamps, impossible = strptime_checked(text, time_format, unit="us")
        values = stamps.cast(UTC_TS) if stamps.type.tz is not None else _localise(stamps, timezone)  # %z: absolute
    elif target == UTC_TS:
        values = _timestamps(text, timezone)
    elif target == pa.date32() and time_format:
        stamps, impossible = strptime_checked(text, time_format, unit="s")
        values = stamps.cast(pa.date32())
    else:
        values = _tolerant(text, lambda part: pc.cast(part, target), lambda part: _duck_try_cast(part, target, None))
    failed = _failed(text, values)
    if failed is not None and impossible is not None:
        failed = pc.and_(failed, pc.invert(impossible))
    return Parsed(values, failed, impossible)


def _failed(text: pa.Array, values: pa.Array) -> pa.Array | None:
    if values.null_count == text.null_count:
        return None
    return pc.and_(pc.is_valid(text), pc.is_null(values))


READABLE_DIRECTIVES = "aAbBcdDeFhHIMmnprRStTxXyYz%"
"""The ``strptime`` directives Arrow reads (``%j``, ``%U``, ``%W``, ``%u``, ``%w``, ``%G``, ``%V``, ``%s``, ``%Z`` and
the like are ignored or unknown to it, so a format using them would misread or reject every value)."""
_DIRECTIVE = re.compile(r"%(.?)")


def time_format_problem(time_format: str) -> str | None:
    """Why ``time_format`` cannot read times (an unknown or unreadable directive), or None when it can."""
    found = _DIRECTIVE.findall(time_format)
    if not found:
        return f"{time_format!r} has no %-directive (e.g. %d/%m/%Y %H:%M:%S)"
    for directive in found:
        if not directive:
            return f"{time_format!r} ends with a lone %"
        if directive not in READABLE_DIRECTIVES:
            known = " ".join(f"%{d}" for d in READABLE_DIRECTIVES)
            return f"%{directive} in {time_format!r} cannot be read (directives read: {known})"
    return None


_OFFSET_DIRECTIVE_AT_END = re.compile(r"\s*%z\s*$")
_OFFSET_TEXT_AT_END = r"\s*(?:[+-][0-9]{2}(?::?[0-9]{2})?|Z)\s*$"
_AFTER_30_DAY_MONTHS = pa.array([5, 7, 10, 12], pa.int64())


def strptime_checked(text: pa.Array, time_format: str, *, unit: str) -> tuple[pa.Array, pa.Array | None]:
    """``pc.strptime`` that refuses days that do not exist instead of rolling them over.

    Returns the parsed values (null where the text does not parse or is impossible) and the mask of impossible
    values (None when there is none). A roll-over only ever lands on 1 to 3 March (from 29 to 31 February) or on
    the 1st of the month after a 30-day month (from the 31st), so only those values are written back with the
    format and compared with the text, then, where they differ, by their digit runs, leading zeros aside
    (``3/3/2025`` and ``03/03/2025`` agree). A format with a trailing ``%z`` is checked on the wall-clock part as
    written; an offset elsewhere is not checked.
    """
    stamps = pc.strptime(text, format=time_format, unit=unit, error_is_null=True)
    wall, wall_text, wall_format = stamps, text, time_format
    if stamps.type.tz is not None:  # the offset already moved the instant to UTC: re-read the wall clock
        if not _OFFSET_DIRECTIVE_AT_END.search(time_format):
            return stamps, None
        wall_format = _OFFSET_DIRECTIVE_AT_END.sub("", time_format)
        wall_text = pc.replace_substring_regex(text, _OFFSET_TEXT_AT_END, "")
        wall = pc.strptime(wall_text, format=wall_format, unit=unit, error_is_null=True)
    impossible = _rolled_over(wall_text, wall, wall_format)
    if impossible is None:
        return stamps, None
    cleared: pa.Array = pc.if_else(impossible, pa.scalar(None, stamps.type), stamps)
    return cleared, impossible


def _rolled_over(text: pa.Array, wall: pa.Array, time_format: str) -> pa.Array | None:
    """Mask of the values whose text differs from the parsed value written back (None: no such value)."""
    day, month = pc.day(wall), pc.month(wall)
    suspect = pc.or_(  # where a day past the end of February, April, June, September or November lands
        pc.and_(pc.equal(month, 3), pc.less_equal(day, 3)),
        pc.and_(pc.is_in(month, value_set=_AFTER_30_DAY_MONTHS), pc.equal(day, 1)),
    )
    rows = np.flatnonzero(suspect.fill_null(False).to_numpy(zero_copy_only=False))
    if not len(rows):
        return None
    taken = pa.array(rows)
    try:
        written = pc.strftime(wall.take(taken).cast(pa.timestamp("s"), safe=False), format=time_format)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # a directive strftime cannot write: not checked
        return None
    read = pc.utf8_trim_whitespace(text.take(taken))
    differs = pc.not_equal(read, written).to_numpy(zero_copy_only=False)
    if differs.any():  # the text may be written differently (no leading zeros, other case): compare the digits
        again = np.flatnonzero(differs)
        at = pa.array(again)
        differs[again] = pc.not_equal(_digit_runs(read.take(at)), _digit_runs(written.take(at))).to_numpy(
            zero_copy_only=False
        )
    if not differs.any():
        return None
    mask = np.zeros(len(text), dtype=bool)
    mask[rows[differs]] = True
    return pa.array(mask)


def _digit_runs(text: pa.Array) -> pa.Array:
    """The runs of digits of each text, without leading zeros: ``"31/02/2025 09:04"`` -> ``"31 2 2025 9 4"``."""
    runs = pc.utf8_trim(pc.replace_substring_regex(text, r"[^0-9]+", " "), " ")
    stripped: pa.Array = pc.replace_substring_regex(runs, r"(^| )0+([0-9])", r"\1\2")
    return stripped


SLICE_ROWS = 8192
"""When a column's fast cast fails, it is cast again slice by slice: only the slices holding a bad value are
parsed by DuckDB (one bad value in 10,000 rows used to send every column of every chunk there)."""

_CAST_FAILED = (pa.ArrowInvalid, pa.ArrowNotImplementedError)


def _tolerant(
    text: pa.Array, fast: Callable[[pa.Array], pa.Array], slow: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """``fast(text)`` (an Arrow cast, which fails on one bad value); where it fails, ``fast`` on each slice of
    :data:`SLICE_ROWS` rows and ``slow`` (which turns bad values into nulls) on the slices it fails on."""
    try:
        return fast(text)
    except _CAST_FAILED:
        if len(text) <= SLICE_ROWS:
            return slow(text)
    pieces = []
    for start in range(0, len(text), SLICE_ROWS):
        piece = text.slice(start, SLICE_ROWS)
        try:
            pieces.append(fast(piece))
        except _CAST_FAILED:
            pieces.append(slow(piece))
    return pa.concat_arrays(pieces)


def _timestamps(text: pa.Array, timezone: str | None) -> pa.Array:
    def fast(piece: pa.Array) -> pa.Array:
        try:
            return pc.cast(piece, UTC_TS)  # ISO 8601 with an offset or Z
        except _CAST_FAILED:
            if not _starts_naive(piece):  # not a column of naive times: trying it as naive would be slow to fail
                raise
        return _localise(pc.cast(piece, pa.timestamp("us")), timezone)  # naive ISO 8601

    return _tolerant(text, fast, lambda piece: _duck_try_cast(piece, UTC_TS, timezone))  # mixed or partly invalid


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
        values = whole_microseconds(values)
        if values.type.tz is None:
            values = _localise(values, timezone)
        return Parsed(values.cast(UTC_TS), None)
    try:
        return Parsed(pc.cast(values, target), None)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        text = pc.cast(values, pa.string())
        return parse_column(text, target, timezone=timezone)


def whole_microseconds(values: pa.Array) -> pa.Array:
    """Timestamps in microseconds, the warehouse's unit: nanoseconds (pandas' default ``datetime64[ns]``) are
    floored to the microsecond, seconds and milliseconds widened; the time zone (or its absence) is kept."""
    unit = pa.timestamp("us", values.type.tz)
    if values.type.unit != "ns":
        return values.cast(unit)
    # Floored on the naive UTC values: a zone's offsets are whole minutes, and flooring a zoned value in its
    # local time would trip on the hour repeated or skipped by a daylight-saving change.
    floored = pc.floor_temporal(values.cast(pa.timestamp("ns")), unit="microsecond")
    return floored.cast(pa.timestamp("us")).cast(unit)


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
