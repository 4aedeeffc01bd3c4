"""Pseudonymising identifiers: SHA-256 of the text, vectorised (DuckDB), so personal data never lands raw."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from cxcert.ingest.typed_columns import scratch_duckdb


def sha256_hex(values: pa.Array, *, blank: tuple[str, ...] = ()) -> pa.Array:
    """Hex SHA-256 of each value; nulls and values in ``blank`` (e.g. ``"0"`` for "unidentified") give null."""
    con = scratch_duckdb()
    con.register("_cxcert_hash", pa.table({"v": values.cast(pa.string())}))
    try:
        blanks = ", ".join("'" + b.replace("'", "''") + "'" for b in blank) or "NULL"
        result = con.execute(
            f"SELECT CASE WHEN v IS NULL OR v IN ({blanks}) THEN NULL ELSE sha256(v) END AS h FROM _cxcert_hash"
        ).to_arrow_table()
    finally:
        con.unregister("_cxcert_hash")
    column: Any = result.column("h").combine_chunks()
    out: pa.Array = column.cast(pa.string())
    return out
