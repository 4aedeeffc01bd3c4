"""What identifies a canonical row: its natural key, normalised the same way whatever the file's format, or,
when a key column is empty, its content key (:func:`cxcert.canonical.content_key_columns`).

Identifiers are text a person or a system typed and exported: the same contact id arrives as ``"C001"`` from
one export and ``"C001 "`` from another (a fixed-width field, a spreadsheet), and a name may be composed
(``é``) or decomposed (``e`` + accent) by two systems. Every text column of a CSV file, canonical or mapped,
has its surrounding white space trimmed as it is read (:class:`cxcert.ingest.generic.MappedConverter`); here,
after conversion and for every format (Parquet and Technion's too), the identifier columns, the natural key's
text and every other ``..._id`` column (they join tables), are trimmed (Unicode's white space, which includes
no-break and ideographic spaces) and put in Unicode NFC, and an identifier left blank is empty. Case and inner
spaces are kept: systems that tell ``c001`` from ``C001`` exist. The normalised value is the one stored and
compared. (Trimming every text column of a Parquet file too cost a fifth of its ingest, measured on 300 k
contacts; its other text is kept as typed.)"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cxcert.canonical import CONTENT_KEY_LEAVES_OUT, NATURAL_KEYS, TABLES, content_key_columns


def id_columns(table: str) -> tuple[str, ...]:
    """The text columns of ``table`` normalised as identifiers: its natural key's text and every ``..._id``."""
    schema = TABLES[table]
    keys = NATURAL_KEYS[table]
    return tuple(
        f.name
        for f in schema
        if pa.types.is_string(f.type) and f.name not in ("entity_id", "source")
        and (f.name in keys or f.name.endswith("_id"))
    )  # fmt: skip


def normalise_ids(chunk: pa.Table, table: str) -> pa.Table:
    """``chunk`` (canonical columns of ``table``) with its identifier columns normalised (see the module)."""
    for name in id_columns(table):
        index = chunk.schema.get_field_index(name)
        values = chunk.column(index)
        if values.null_count == len(values):
            continue
        trimmed = pc.utf8_trim_whitespace(values)
        if not pc.all(pc.string_is_ascii(trimmed)).as_py():  # only non-ASCII text can have two Unicode forms
            trimmed = pc.utf8_normalize(trimmed, form="NFC")
        blank = pc.equal(trimmed, "")
        if pc.any(blank).as_py():
            trimmed = pc.if_else(blank, pa.scalar(None, pa.string()), trimmed)
        chunk = chunk.set_column(index, chunk.schema.field(index), trimmed)
    return chunk


def content_key_sql(table: str, quote: str = '"') -> str:
    """The DuckDB expression of a row's content key (hex SHA-256 of its content as a JSON array); the session's
    time zone must be UTC, so that times are written in UTC."""
    columns = ", ".join(quote + c.replace(quote, quote * 2) + quote for c in content_key_columns(table))
    return f"sha256(CAST(json_array({columns}) AS VARCHAR))"


__all__ = ["CONTENT_KEY_LEAVES_OUT", "content_key_sql", "id_columns", "normalise_ids"]
