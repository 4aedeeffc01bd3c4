"""Nothing half-done: a failed or killed ingest leaves the warehouse exactly as before, and its leftovers are
cleaned by the next commit; re-ingesting the same file is a no-op, a changed file is not (but its rows already
in the warehouse are quarantined, not added again).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cxcert.ingest.pipeline import ingest_file
from cxcert.warehouse import Warehouse
from cxcert.warehouse.leftovers import STAGING

from .conftest import MakeContacts


def _state(warehouse: Warehouse) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rows = warehouse.sql("SELECT contact_id FROM contacts ORDER BY contact_id").column(0).to_pylist()
    return (tuple(r.batch_id for r in warehouse.ingests()), tuple(rows))


@pytest.fixture()
def seeded(tmp_path: Path, contacts: MakeContacts) -> tuple[Warehouse, Path]:
    """A warehouse holding one batch, and a second file not yet ingested."""
    warehouse = Warehouse(tmp_path / "warehouse")
    first, second = tmp_path / "first.parquet", tmp_path / "second.parquet"
    pq.write_table(contacts(50), first)
    pq.write_table(contacts(80).slice(50), second)
    ingest_file(warehouse, "contacts", first, entity_id="demo", fmt="canonical")
    return warehouse, second


def test_failure_before_commit_changes_nothing(seeded: tuple[Warehouse, Path]) -> None:
    warehouse, second = seeded
    before = _state(warehouse)

    def crash() -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        ingest_file(warehouse, "contacts", second, entity_id="demo", fmt="canonical", before_commit=crash)
    assert _state(warehouse) == before
    assert list((warehouse.root / STAGING).iterdir()) == []
    assert not (warehouse.root.parent / "quarantine").exists() or not any(
        (warehouse.root.parent / "quarantine").iterdir()
    )
    result = ingest_file(warehouse, "contacts", second, entity_id="demo", fmt="canonical")
    assert not result.skipped and result.accounting.accepted == 30


KILLER = """
import os, signal, sys
from pathlib import Path
from cxcert.ingest.pipeline import ingest_file
from cxcert.warehouse import Warehouse

ingest_file(Warehouse(Path(sys.argv[1])), "contacts", Path(sys.argv[2]), entity_id="demo", fmt="canonical",
            before_commit=lambda: os.kill(os.getpid(), signal.SIGKILL))
"""


@pytest.mark.parametrize("known_rows", [0, 20])
def test_killed_ingest_leaves_the_warehouse_as_before(
    seeded: tuple[Warehouse, Path], contacts: MakeContacts, known_rows: int
) -> None:
    """Killed after staging, the duplicate check and the rewrite of the parts holding duplicates (under the lock)."""
    warehouse, second = seeded
    if known_rows:  # 20 rows already in the first batch, 30 new ones
        pq.write_table(contacts(80).slice(50 - known_rows), second)
    before = _state(warehouse)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run([sys.executable, "-c", KILLER, str(warehouse.root), str(second)], env=env, check=False)
    assert done.returncode == -9  # really killed, after staging every part
    leftovers = list((warehouse.root / STAGING).iterdir())
    assert len(leftovers) == 1 and any(leftovers[0].iterdir())  # the dead ingest's parts are still there...
    assert _state(warehouse) == before  # ...but invisible
    result = ingest_file(warehouse, "contacts", second, entity_id="demo", fmt="canonical")
    assert not result.skipped and (result.accounting.accepted, result.accounting.rejected) == (30, known_rows)
    assert list((warehouse.root / STAGING).iterdir()) == []  # the commit removed the dead ingest's staging
    assert len(_state(warehouse)[1]) == 80


def test_orphan_batch_directory_is_ignored_then_removed(seeded: tuple[Warehouse, Path]) -> None:
    """A kill between moving a batch into place and writing the manifest leaves an unnamed batch directory."""
    warehouse, _ = seeded
    before = _state(warehouse)
    (committed,) = warehouse.files("contacts")
    orphan = warehouse.root / "contacts" / "batch-20990101T000000-deadbeef"
    orphan.mkdir()
    (orphan / "part-00000.parquet").write_bytes(committed.read_bytes())
    assert _state(warehouse) == before
    assert orphan in warehouse.cleanup()
    assert not orphan.exists() and _state(warehouse) == before


def test_reingest_is_a_no_op_but_a_changed_file_is_not(
    seeded: tuple[Warehouse, Path], tmp_path: Path, contacts: MakeContacts
) -> None:
    warehouse, second = seeded
    first = ingest_file(warehouse, "contacts", second, entity_id="demo", fmt="canonical")
    again = ingest_file(warehouse, "contacts", second, entity_id="demo", fmt="canonical")
    assert again.skipped and again.as_json() == {**first.as_json(), "skipped": True}
    assert len(warehouse.ingests()) == 2
    other_program = ingest_file(warehouse, "contacts", second, entity_id="demo", fmt="canonical", program="x")
    assert not other_program.skipped  # options are part of the fingerprint...
    assert not other_program.committed and other_program.accounting.rejected == 30  # ...but the rows are known
    assert len(warehouse.ingests()) == 2
    changed = tmp_path / "changed.parquet"
    pq.write_table(contacts(81).slice(80), changed)
    assert not ingest_file(warehouse, "contacts", changed, entity_id="demo", fmt="canonical").skipped
