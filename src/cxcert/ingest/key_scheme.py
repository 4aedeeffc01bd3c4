"""One key per entity's customer keys: an ingest never mixes keys made under different schemes or keys.

Repeat contacts are found by equal customer keys within an entity, and a customer's rows are erased by their
key: keys made two ways would silently miss both. Every batch records the key that made its customer keys
(``IngestRecord.key_id``). An ingest is refused, with what to do, when the entity already holds customer keys
made under another workspace key (the key file was lost and made again: restore it from the backup) or with
plain SHA-256 by a version of cxcert before keyed hashing (remove those ingests and ingest their files again,
which also replaces keys anyone could reverse by hashing every number). A batch from before whose customer keys
are all empty holds nothing to mix and is no obstacle.
"""

from __future__ import annotations

import pyarrow.parquet as pq

from cxcert.errors import CxcertError
from cxcert.warehouse import IngestRecord, Warehouse


def check_key_scheme(warehouse: Warehouse, table: str, entity_id: str, key_id: str) -> None:
    """Refuse to add ``entity_id``'s rows of ``table`` with customer keys made under ``key_id`` if the warehouse
    holds that entity's customer keys made otherwise."""
    others = [b for b in warehouse.ingests() if b.table == table and b.entity_id == entity_id and b.key_id != key_id]
    keyed = [b for b in others if b.key_id is not None]
    if keyed:
        raise CxcertError(
            f"the {table} of entity {entity_id} already hold customer keys made under another workspace key "
            f"({keyed[0].key_id}, ingest {keyed[0].ingest_id}) than this workspace's ({key_id}): restore the key "
            "file from your backup (docs/privacy.md), or remove those ingests and ingest their files again"
        )
    legacy = [b for b in others if b.key_id is None and holds_customer_keys(warehouse, b)]
    if legacy:
        ids = ", ".join(b.ingest_id for b in legacy[:5]) + (" ..." if len(legacy) > 5 else "")
        raise CxcertError(
            f"the {table} of entity {entity_id} hold customer keys made with plain SHA-256 before keyed hashing "
            f"(ingests {ids}): new keys would not match them, and anyone can reverse them by hashing every number; "
            "remove those ingests (`cxcert ingest remove ID --yes`) and ingest their files again (docs/privacy.md)"
        )


def holds_customer_keys(warehouse: Warehouse, record: IngestRecord) -> bool:
    """Whether any row of the batch has a customer key (only the one column is read)."""
    for relative in record.files:
        column = pq.read_table(warehouse.root / relative, columns=["customer_key"]).column(0)
        if column.null_count < len(column):
            return True
    return False
