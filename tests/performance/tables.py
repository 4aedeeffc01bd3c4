"""Small canonical tables for hand-checked tests: rows as dicts, lineage and absent nullable columns filled in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cxcert.canonical import TABLES

ENTITY = "e1"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def arrow(name: str, rows: Sequence[Mapping[str, object]]) -> pa.Table:
    """An Arrow table following the canonical schema ``name``."""
    schema = TABLES[name]
    defaults: dict[str, object] = {"entity_id": ENTITY, "program": "p1", "source": "test"}
    columns: dict[str, list[object]] = {f.name: [] for f in schema}
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, f"{name} has no column {unknown}"
        for f in schema:
            columns[f.name].append(row.get(f.name, defaults.get(f.name)))
    return pa.table(columns, schema=schema)


def tables(**named: Sequence[Mapping[str, object]]) -> dict[str, ir.Table]:
    """Ibis tables on a fresh in-memory DuckDB, one per keyword (the canonical table name)."""
    con = ibis.duckdb.connect()
    return {name: con.create_table(name, arrow(name, rows)) for name, rows in named.items()}


def contact(
    cid: str,
    arrived: dt.datetime,
    *,
    wait: float | None = None,
    abandoned: bool = False,
    channel: str = "voice",
    queue: str = "q1",
    program: str = "p1",
    talk: float | None = None,
    hold: float | None = None,
    acw: float | None = None,
    customer: str | None = None,
    transferred: bool | None = None,
    ended: dt.datetime | None = None,
    direction: str = "inbound",
) -> dict[str, object]:
    """A contact; answered (answered_at = arrived + wait) unless abandoned."""
    answered = None if abandoned or wait is None else arrived + dt.timedelta(seconds=wait)
    return {
        "contact_id": cid,
        "queue": queue,
        "channel": channel,
        "direction": direction,
        "program": program,
        "arrived_at": arrived,
        "answered_at": answered,
        "ended_at": ended,
        "abandoned": abandoned,
        "wait_s": wait,
        "talk_s": talk,
        "hold_s": hold,
        "acw_s": acw,
        "customer_key": customer,
        "transferred": transferred,
    }


def workspace_with_entity(home: Path, entity_id: str, *zones: str) -> None:
    """``cxcert init`` and an entity with one location per zone (``loc0``, ``loc1``...), through the CLI."""
    from cli.runner import invoke, ok_json

    ok_json(invoke("init", "--json", home=home))
    locations = [arg for i, z in enumerate(zones or ("UTC",)) for arg in ("--location", f"loc{i}:Site {i}:GB:{z}")]
    ok_json(invoke("entity", "create", "--id", entity_id, "--name", f"Entity {entity_id}", "--organisation", "org",
                   "--organisation-name", "Org Ltd", *locations, "--service", "inbound_customer_service",
                   "--on", "2026-01-02", "--json", home=home))  # fmt: skip


def ingest_csv(home: Path, tmp: Path, kind: str, text: str, entity_id: str, program: str = "care") -> None:
    """``cxcert ingest KIND`` of CSV ``text`` for ``entity_id``."""
    from cli.runner import invoke, ok_json

    path = tmp / f"{kind}.csv"
    path.write_text(text)
    ok_json(invoke("ingest", kind, str(path), "--entity", entity_id, "--program", program, "--json", home=home))
