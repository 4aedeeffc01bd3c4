"""The DuckDB warehouse over Parquet: canonical operational tables, committed atomically, queried via Ibis."""

from cxcert.warehouse.manifest import IngestRecord, WarehouseDamaged
from cxcert.warehouse.warehouse import Warehouse

__all__ = ["IngestRecord", "Warehouse", "WarehouseDamaged"]
