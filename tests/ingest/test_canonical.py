"""Canonical files (the generator's output): Parquet and CSV in canonical columns, streamed in bounded chunks,
with the table rules applied to every table and the row accounting invariant under random damage.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcert.canonical import TABLES
from cxcert.errors import CxcertError
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.warehouse import Warehouse

from .conftest import MakeContacts


def test_canonical_parquet_round_trip_in_several_chunks(tmp_path: Path, contacts: MakeContacts) -> None:
    table = contacts(5000)
    path = tmp_path / "contacts.parquet"
    pq.write_table(table, path, row_group_size=1000)
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", path, entity_id="demo", fmt="canonical", chunk_bytes=32 << 10)
    assert result.chunks > 1  # streamed: the file is bigger than one chunk
    assert (result.accounting.read, result.accounting.accepted, result.accounting.rejected) == (5000, 5000, 0)
    back = warehouse.sql("SELECT * FROM contacts ORDER BY contact_id")
    assert back.equals(table.cast(back.schema))


def test_canonical_csv_streams_with_a_progress_callback(tmp_path: Path, contacts: MakeContacts) -> None:
    table = contacts(4000)
    path = tmp_path / "contacts.csv"
    pcsv.write_csv(table, path)
    seen: list[tuple[int, int]] = []
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(
        warehouse,
        "contacts",
        path,
        entity_id="demo",
        fmt="canonical",
        chunk_bytes=64 << 10,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.chunks > 1 and len(seen) == result.chunks
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert result.accounting.accepted == 4000
    figures = warehouse.sql("SELECT count(*) FILTER (WHERE abandoned) AS ab, sum(wait_s) AS w FROM contacts")
    # 400 abandoned (every 10th); waits: 400 x 30 s + sum of i % 40 over the 3600 answered rows.
    assert figures.to_pylist() == [{"ab": 400, "w": 400 * 30.0 + sum(float(i % 40) for i in range(4000) if i % 10)}]


def test_lineage_filled_and_entity_checked(tmp_path: Path, contacts: MakeContacts) -> None:
    table = contacts(10).drop_columns(["program", "source"])
    table = table.set_column(0, "entity_id", pa.array(["demo"] * 9 + ["other"]))
    path = tmp_path / "c.parquet"
    pq.write_table(table, path)
    warehouse = Warehouse(tmp_path / "warehouse")
    with pytest.raises(CxcertError, match="--program"):
        ingest_file(warehouse, "contacts", path, entity_id="demo", fmt="canonical")
    result = ingest_file(warehouse, "contacts", path, entity_id="demo", fmt="canonical", program="care")
    assert (result.accounting.accepted, result.accounting.rejected) == (9, 1)
    assert result.accounting.quarantine is not None
    (bad,) = read_quarantine(result.accounting.quarantine)
    assert (bad["row_number"], bad["column"]) == ("10", "entity_id")
    assert bad["reason"] == "row is for entity 'other', not 'demo' (--entity)"
    lineage = warehouse.sql("SELECT DISTINCT entity_id, program, source FROM contacts").to_pylist()
    assert lineage == [{"entity_id": "demo", "program": "care", "source": "c.parquet"}]


def test_missing_required_canonical_column(tmp_path: Path, contacts: MakeContacts) -> None:
    path = tmp_path / "c.parquet"
    pq.write_table(contacts(3).drop_columns(["arrived_at"]), path)
    with pytest.raises(CxcertError) as caught:
        ingest_file(Warehouse(tmp_path / "w"), "contacts", path, entity_id="demo", fmt="canonical")
    assert str(caught.value).startswith(f"{path}: missing column 'arrived_at'")


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return path


CASES = {
    "surveys": (
        "program,contact_id,answered_at,instrument,score,scale_min,scale_max\n"
        "care,c1,2024-03-01T10:00:00Z,csat,5,1,5\n"
        "care,c2,2024-03-01T10:00:00Z,csat,6,1,5\n"
        "care,c3,2024-03-01T10:00:00Z,smiley,3,1,5\n"
        "care,c4,2024-03-01 10:00:00,nps,10,0,10\n",
        {3: ("score", "6.0 is more than scale_max"), 4: ("instrument", "'smiley' is not one of csat, nps, ces")},
    ),
    "evaluation_items": (
        "program,evaluation_id,parameter_id,result,points,error_class\n"
        "care,e1,greet,pass,1,non_critical\n"
        "care,e1,verify,fail,0,fatal\n"
        "care,e1,close,maybe,,non_critical\n",
        {
            3: (
                "error_class",
                "'fatal' is not one of customer_critical, business_critical, compliance_critical, non_critical",
            ),
            4: ("result", "'maybe' is not one of pass, fail, na"),
        },
    ),
    "roster": (
        "program,agent_id,job,team,hired_on,exited_on,exit_voluntary\n"
        "care,a1,agent,t1,2023-01-10,,\n"
        "care,a2,agent,t1,2023-01-10,2022-12-31,true\n"
        "care,a3,agent,t1,,,\n",
        {3: ("exited_on", "2022-12-31 is before hired_on"), 4: ("hired_on", "hired_on is required but empty")},
    ),
    "absences": (
        "program,agent_id,day,scheduled_s,absent_s,planned\n"
        "care,a1,2024-03-01,28800,3600,false\n"
        "care,a1,2024-03-02,28800,30000,true\n",
        {3: ("absent_s", "30000.0 is more than scheduled_s")},
    ),
    "costs": (
        "program,period_start,period_end,amount,currency\n"
        "care,2024-03-01,2024-03-31,125000.5,EUR\n"
        "care,2024-04-01,2024-04-30,1000,euro\n",
        {3: ("currency", "'euro' is not an ISO 4217 code")},
    ),
    "schedules": (
        "program,agent_id,activity,start,end\n"
        "care,a1,phone,2024-03-01T08:00:00Z,2024-03-01T12:00:00Z\n"
        "care,a1,phone,2024-03-01T13:00:00Z,2024-03-01T12:00:00Z\n",
        {3: ("end", "2024-03-01 12:00:00+00:00 is before start")},
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_table_rules(tmp_path: Path, kind: str) -> None:
    text, expected = CASES[kind]
    path = _csv(tmp_path, kind, text)
    result = ingest_file(Warehouse(tmp_path / "w"), kind, path, entity_id="demo", fmt="canonical")
    lines = text.count("\n") - 1
    assert (result.accounting.read, result.accounting.rejected) == (lines, len(expected))
    assert result.accounting.quarantine is not None
    found = {int(r["row_number"]): (r["column"], r["reason"]) for r in read_quarantine(result.accounting.quarantine)}
    assert found == expected


def test_every_table_is_ingestible(tmp_path: Path) -> None:
    """A header-only canonical file of each table ingests to zero rows (kinds and schemas line up)."""
    warehouse = Warehouse(tmp_path / "w")
    for name, schema in TABLES.items():
        path = _csv(tmp_path, name, ",".join(schema.names) + "\n")
        result = ingest_file(warehouse, name.replace("_", "-"), path, entity_id="demo", fmt="canonical")
        assert (result.table, result.accounting.read) == (name, 0)
        assert warehouse.table(name).schema().names == tuple(schema.names)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    damage=st.lists(st.sampled_from(["ok", "channel", "wait", "time", "empty_id", "fields"]), min_size=1, max_size=40)
)
def test_accounting_invariant_under_random_damage(tmp_path_factory: pytest.TempPathFactory, damage: list[str]) -> None:
    """Whatever rows are damaged, read = accepted + rejected, and exactly the damaged rows are rejected."""
    root = tmp_path_factory.mktemp("damage")
    lines = ["contact_id,queue,channel,direction,arrived_at,abandoned,wait_s"]
    for i, how in enumerate(damage):
        row = [f"c{i}", "q", "voice", "inbound", "2024-03-01T08:00:00Z", "false", "12"]
        if how == "channel":
            row[2] = "pigeon"
        elif how == "wait":
            row[6] = "-1"
        elif how == "time":
            row[4] = "yesterday"
        elif how == "empty_id":
            row[0] = ""
        elif how == "fields":
            row = row[:3]
        lines.append(",".join(row))
    path = root / "c.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    warehouse = Warehouse(root / "w")
    result = ingest_file(
        warehouse, "contacts", path, entity_id="e", fmt="canonical", program="p", quarantine_dir=root / "q"
    )
    bad = [i for i, how in enumerate(damage) if how != "ok"]
    assert result.accounting.read == len(damage)
    assert result.accounting.accepted == len(damage) - len(bad)
    assert result.accounting.rejected == len(bad)
    if bad:
        assert result.accounting.quarantine is not None
        rows = read_quarantine(result.accounting.quarantine)
        assert sorted(int(r["row_number"]) for r in rows) == [i + 2 for i in bad]
    assert warehouse.sql("SELECT count(*) AS n FROM contacts").to_pylist() == [{"n": len(damage) - len(bad)}]
