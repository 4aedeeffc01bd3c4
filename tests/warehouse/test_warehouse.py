"""The warehouse: canonical views (empty ones too), atomic batches, stored accounting, schema guard."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxcert.canonical import COSTS, TABLES
from cxcert.errors import CxcertError
from cxcert.ingest.accounting import IngestAccounting
from cxcert.warehouse import Warehouse


def _costs(tmp_path: Path, name: str, amounts: list[float], entity: str = "paris") -> Path:
    n = len(amounts)
    table = pa.table(
        {
            "entity_id": [entity] * n,
            "program": ["care"] * n,
            "source": ["ledger"] * n,
            "period_start": pa.array([19783] * n, pa.date32()),  # 2024-03-01
            "period_end": pa.array([19813] * n, pa.date32()),  # 2024-03-31
            "amount": amounts,
            "currency": ["EUR"] * n,
        },
        schema=COSTS,
    )
    path = tmp_path / name
    pq.write_table(table, path)
    return path


def test_empty_warehouse_has_every_table_with_its_schema(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "nowhere")
    for name, schema in TABLES.items():
        expr = warehouse.table(name)
        assert expr.schema().names == tuple(schema.names)
        assert int(expr.count().execute()) == 0
        assert warehouse.sql(f"SELECT * FROM {name}").schema.names == schema.names
    assert warehouse.ingests() == []
    assert not (tmp_path / "nowhere").exists()  # reading creates nothing


def test_commit_makes_a_batch_visible_and_records_accounting(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    part = _costs(tmp_path, "a.parquet", [100.0, 250.5])
    accounting = IngestAccounting(read=3, accepted=2, rejected=1, quarantine=tmp_path / "q.csv")
    record = warehouse.commit_batch(
        "costs", [part], fingerprint="f1", source="ledger.csv", entity_id="paris", accounting=accounting
    )
    assert not part.exists()  # moved into the warehouse
    assert warehouse.has_fingerprint("f1") and not warehouse.has_fingerprint("f2")
    assert warehouse.sql("SELECT sum(amount) AS s FROM costs").to_pylist() == [{"s": 350.5}]
    (stored,) = warehouse.ingests()
    assert stored == record
    assert (stored.kind, stored.read, stored.accepted, stored.rejected, stored.quarantine) == (
        "costs",
        3,
        2,
        1,
        str(tmp_path / "q.csv"),
    )
    # A second process sees the same state through the manifest.
    assert Warehouse(tmp_path / "warehouse").ingests() == [record]
    with pytest.raises(CxcertError, match="already ingested"):
        warehouse.commit_batch("costs", [], fingerprint="f1", source="x", entity_id="paris", accounting=accounting)


def test_entity_filter_and_connect_views(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    for n, (entity, amounts) in enumerate((("paris", [1.0, 2.0]), ("lyon", [10.0]))):
        part = _costs(tmp_path, f"{entity}.parquet", amounts, entity)
        warehouse.commit_batch(
            "costs",
            [part],
            fingerprint=f"f{n}",
            source=part.name,
            entity_id=entity,
            accounting=IngestAccounting(len(amounts), len(amounts), 0),
        )
    assert int(warehouse.table("costs", entity_id="lyon").amount.sum().execute()) == 10
    assert int(warehouse.table("costs").count().execute()) == 3
    con = warehouse.connect()
    assert set(TABLES) <= set(con.list_tables())
    assert len(warehouse.files("costs", entity_id="paris")) == 1


def test_commit_refuses_a_non_canonical_part(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"amount": [1.0]}), bad)
    with pytest.raises(ValueError, match="canonical schema of costs"):
        warehouse.commit_batch(
            "costs", [bad], fingerprint="f", source="s", entity_id="e", accounting=IngestAccounting(1, 1, 0)
        )
    assert warehouse.ingests() == [] and bad.exists()


def test_accounting_invariant() -> None:
    with pytest.raises(ValueError, match="row accounting broken"):
        IngestAccounting(read=10, accepted=8, rejected=1)
    assert IngestAccounting(10, 9, 1).as_json() == {"read": 10, "accepted": 9, "rejected": 1, "quarantine": None}


def test_unknown_table(tmp_path: Path) -> None:
    with pytest.raises(CxcertError, match="unknown table 'calls'"):
        Warehouse(tmp_path).table("calls")


def test_remove_an_ingest_by_its_id(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    for fingerprint, name, amounts in (("ab12cd34ef", "march.parquet", [1.0, 2.0]), ("ab12ff", "april.parquet", [5.0])):
        warehouse.commit_batch(
            "costs",
            [_costs(tmp_path, name, amounts)],
            fingerprint=fingerprint,
            source=name,
            entity_id="paris",
            accounting=IngestAccounting(len(amounts), len(amounts), 0),
        )
    march, april = warehouse.ingests()
    assert march.ingest_id == "ab12cd34"
    with pytest.raises(CxcertError, match="ingest id ab12 is ambiguous"):
        warehouse.remove_ingest("ab12")
    with pytest.raises(CxcertError, match="'ab1' is not an ingest id"):
        warehouse.remove_ingest("ab1")
    with pytest.raises(CxcertError, match="no ingest ffff"):
        warehouse.remove_ingest("ffff")
    generation = warehouse.manifest().generation
    assert warehouse.sql("SELECT sum(amount) AS s FROM costs").to_pylist() == [{"s": 8.0}]
    removed = warehouse.remove_ingest("AB12C")
    assert removed == march
    assert warehouse.ingests() == [april] and warehouse.manifest().generation == generation + 1
    assert warehouse.sql("SELECT sum(amount) AS s FROM costs").to_pylist() == [{"s": 5.0}]
    assert not (warehouse.root / march.files[0]).parent.exists()  # its files are gone too
    assert (warehouse.root / april.files[0]).exists()
    assert not warehouse.has_fingerprint("ab12cd34ef")  # so the same file can be ingested again
