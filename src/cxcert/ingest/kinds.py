"""What ``cxcert ingest KIND`` accepts: the canonical tables, by name, and the source formats."""

from __future__ import annotations

from cxcert.canonical import TABLES
from cxcert.errors import CxcertError

FORMATS = ("canonical", "csv", "parquet", "technion")
"""``canonical``: CSV or Parquet already in canonical columns; ``csv``/``parquet``: any columns, with a mapping
file; ``technion``: the Technion "Anonymous Bank" call records (contacts only)."""

LINEAGE = ("entity_id", "program", "source")
"""Columns every table carries for lineage; the ingest fills them when the file does not."""


def table_for_kind(kind: str) -> str:
    """The canonical table for ``kind`` (``agent-states`` and ``agent_states`` both name ``agent_states``)."""
    name = kind.strip().lower().replace("-", "_")
    if name not in TABLES:
        raise CxcertError(f"unknown kind {kind!r}; known kinds: {', '.join(TABLES)}")
    return name


def check_format(fmt: str, table: str) -> str:
    """``fmt`` normalised, or a :class:`CxcertError` when unknown or not available for ``table``."""
    name = fmt.strip().lower()
    if name not in FORMATS:
        raise CxcertError(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    if name == "technion" and table != "contacts":
        raise CxcertError(f"format technion holds call records: use it with kind contacts, not {table}")
    return name
