"""A real warehouse with a few committed ingests (through the ingest pipeline), and how to count what it holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxcert.canonical import COSTS
from cxcert.ingest.pipeline import ingest_file
from cxcert.warehouse import Warehouse

AMOUNTS = {"march": [1.0, 2.0], "april": [10.0, 20.0, 30.0], "may": [100.0, 200.0, 300.0, 400.0]}
"""Three cost files: 9 rows that sum to 1063 (the oracle of every count below: added by hand)."""
ROWS, TOTAL = 9, 1063.0


def costs_file(folder: Path, name: str, amounts: list[float], entity: str = "paris", day: int | None = None) -> Path:
    """Costs of one period (``day``: its first day, in days since 1970; by default from the month ``name``)."""
    n = len(amounts)
    month = day if day is not None else {"march": 19783, "april": 19814, "may": 19844, "june": 19875}.get(name, 19905)
    table = pa.table(
        {
            "entity_id": [entity] * n,
            "program": [f"program-{i}" for i in range(n)],  # costs' key: program, period and currency
            "source": ["ledger"] * n,
            "period_start": pa.array([month] * n, pa.date32()),
            "period_end": pa.array([month + 27] * n, pa.date32()),
            "amount": amounts,
            "currency": ["EUR"] * n,
        },
        schema=COSTS,
    )
    path = folder / f"{name}.parquet"
    pq.write_table(table, path)
    return path


@dataclass
class Built:
    warehouse: Warehouse
    files: dict[str, Path]

    def ingest(self, name: str, amounts: list[float] | None = None) -> None:
        path = self.files.get(name) or costs_file(self.files["march"].parent, name, amounts or [1000.0])
        self.files[name] = path
        ingest_file(self.warehouse, "costs", path, entity_id="paris", fmt="canonical")


def totals(warehouse: Warehouse) -> tuple[int, float]:
    """(rows, sum of amount) of the committed costs, read by a fresh reader as a new process would."""
    fresh = Warehouse(warehouse.root)
    row = fresh.sql("SELECT count(*) AS n, coalesce(sum(amount), 0) AS s FROM costs").to_pylist()[0]
    fresh.release()
    return int(row["n"]), float(row["s"])


@pytest.fixture()
def built(tmp_path: Path) -> Built:
    """``tmp_path/home/warehouse`` holding the three cost files of :data:`AMOUNTS`, ingested in order."""
    data = tmp_path / "data"
    data.mkdir()
    warehouse = Warehouse(tmp_path / "home" / "warehouse")
    made = Built(warehouse, {name: costs_file(data, name, amounts) for name, amounts in AMOUNTS.items()})
    for name in AMOUNTS:
        made.ingest(name)
    assert totals(warehouse) == (ROWS, TOTAL)
    return made


Break = Callable[[Path], None]
