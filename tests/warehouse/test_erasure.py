"""Erasing one customer: their contacts out of one entity's batches in one atomic step, their rejected rows out of
the quarantine files, matched by the keyed hash (and by plain SHA-256 in batches from before keyed hashing);
other customers and other entities untouched; a fault before the manifest swap leaves everything as it was.

Oracle: the rows planted per customer and entity (counted by hand below); the bytes of every file left.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli.runner import invoke, ok_json, user_error
from cxcert.canonical import CONTACTS
from cxcert.errors import CxcertError
from cxcert.ingest.hashing import Pseudonymiser
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.warehouse import Warehouse
from cxcert.warehouse.erasure import erase_customer
from cxcert.warehouse.ingest_log import LOG_NAME
from cxcert.warehouse.manifest import IngestRecord, Manifest, write_manifest

ALICE, BOB = "+33611110000", "+33622220000"


def _contacts(prefix: str, customers: list[str | None], *, entity: str = "paris", bad: int | None = None) -> pa.Table:
    """One contact per entry of ``customers``; the contact at index ``bad`` ends before it arrives (rejected)."""
    import datetime as dt

    t0 = dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC)
    n = len(customers)
    arrived = [t0 + dt.timedelta(minutes=i) for i in range(n)]
    ended = [a + dt.timedelta(minutes=5) for a in arrived]
    if bad is not None:
        ended[bad] = arrived[bad] - dt.timedelta(minutes=5)
    return pa.table(
        {"entity_id": [entity] * n, "program": ["care"] * n, "source": ["t"] * n,
         "contact_id": [f"{prefix}{i}" for i in range(n)], "queue": ["q"] * n, "channel": ["voice"] * n,
         "direction": ["inbound"] * n, "arrived_at": arrived, "answered_at": [None] * n, "ended_at": ended,
         "abandoned": [True] * n, "wait_s": [5.0] * n, "talk_s": [None] * n, "hold_s": [None] * n,
         "acw_s": [None] * n, "agent_id": [None] * n, "customer_key": customers, "transferred": [None] * n,
         "outcome": [None] * n},
        schema=CONTACTS,
    )  # fmt: skip


@pytest.fixture()
def filled(tmp_path: Path) -> Warehouse:
    """Entity paris: two batches (Alice 3 + 1 rejected, Bob 2, one without a customer); entity lyon: Alice 1."""
    warehouse = Warehouse(tmp_path / "warehouse")
    for name, entity, table in (
        ("a", "paris", _contacts("a", [ALICE, BOB, ALICE, None, ALICE], bad=4)),
        ("b", "paris", _contacts("b", [ALICE, BOB])),
        ("c", "lyon", _contacts("c", [ALICE], entity="lyon")),
    ):
        pq.write_table(table, tmp_path / f"{name}.parquet")
        ingest_file(warehouse, "contacts", tmp_path / f"{name}.parquet", entity_id=entity, fmt="canonical")
    return warehouse


def _keys(warehouse: Warehouse, number: str) -> dict[str | None, frozenset[str]]:
    p = Pseudonymiser.of_workspace(warehouse.root.parent)
    return {p.key_id: frozenset({p.one(number) or ""}), None: frozenset({hashlib.sha256(number.encode()).hexdigest()})}


def _count(warehouse: Warehouse, entity: str, number: str) -> int:
    key = Pseudonymiser.of_workspace(warehouse.root.parent).one(number)
    rows = warehouse.sql(f"SELECT count(*) AS n FROM contacts WHERE entity_id = '{entity}' AND customer_key = '{key}'")
    return int(rows.column(0)[0].as_py())


def test_erases_one_customer_of_one_entity_everywhere(filled: Warehouse) -> None:
    before = {b.ingest_id: b for b in filled.ingests()}
    dry = erase_customer(filled, "paris", _keys(filled, ALICE), apply=False)
    assert (dry.total, sum(dry.quarantined.values())) == (3, 1)
    assert _count(filled, "paris", ALICE) == 3  # counting changed nothing
    done = erase_customer(filled, "paris", _keys(filled, ALICE))
    assert done.as_json()["rows_erased"] == 3 and done.as_json()["quarantine_rows_erased"] == 1
    assert (_count(filled, "paris", ALICE), _count(filled, "paris", BOB), _count(filled, "lyon", ALICE)) == (0, 2, 1)
    left = filled.sql("SELECT count(*) FROM contacts WHERE entity_id = 'paris'").column(0)[0].as_py()
    assert left == (4 - 2) + (2 - 1)
    after = {b.ingest_id: b for b in filled.ingests()}
    assert set(after) == set(before)  # same ingests, same ids and accounting, erased counted
    assert {i: (b.accepted, b.erased) for i, b in after.items() if b.entity_id == "paris"} == {
        i: (b.accepted, 2 if b.accepted == 4 else 1) for i, b in before.items() if b.entity_id == "paris"
    }
    key = Pseudonymiser.of_workspace(filled.root.parent).one(ALICE) or ""
    paris_parts = [filled.root / f for b in after.values() if b.entity_id == "paris" for f in b.files]
    assert all(key not in json.dumps(pq.read_table(p).to_pylist(), default=str) for p in paris_parts)
    old_dirs = {(filled.root / f).parent for b in before.values() if b.entity_id == "paris" for f in b.files}
    assert not any(d.exists() for d in old_dirs)  # the old copies are gone, not only hidden
    quarantine = next(b.quarantine for b in after.values() if b.quarantine)
    assert quarantine is not None and read_quarantine(Path(quarantine)) == []
    again = erase_customer(filled, "paris", _keys(filled, ALICE))
    assert again.total == 0 and again.quarantined == {}


def test_a_fault_before_the_swap_leaves_everything_as_it_was(
    filled: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cxcert.warehouse.ingest_log as module

    manifest = (filled.root / "manifest.json").read_bytes()

    def broken(root: Path, entry: object, **_: object) -> None:  # the log line is the commit point
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "append", broken)
    with pytest.raises(OSError):
        erase_customer(filled, "paris", _keys(filled, ALICE))
    monkeypatch.undo()
    assert (filled.root / "manifest.json").read_bytes() == manifest
    assert _count(filled, "paris", ALICE) == 3
    filled.cleanup()  # the unnamed copies go with the next commit or cleanup
    named = {f.split("/")[1] for b in filled.ingests() for f in b.files}
    assert {d.name for d in (filled.root / "contacts").iterdir()} == named


def _as_before_keyed_hashing(warehouse: Warehouse, number: str) -> None:
    """Rewrite the warehouse as a version before keyed hashing left it: plain SHA-256 keys, no key_id."""
    manifest = warehouse.manifest()
    p = Pseudonymiser.of_workspace(warehouse.root.parent)
    old = {p.one(n): hashlib.sha256(n.encode()).hexdigest() for n in (ALICE, BOB)}
    for f in manifest.files_of_all():
        table = pq.read_table(warehouse.root / f)
        keys = [old.get(k, k) for k in table.column("customer_key").to_pylist()]
        pq.write_table(table.set_column(table.schema.get_field_index("customer_key"), "customer_key",
                                        pa.array(keys, pa.string())), warehouse.root / f)  # fmt: skip
    batches = tuple(IngestRecord.from_json({**b.to_json(), "key_id": None}) for b in manifest.batches)
    (warehouse.root / LOG_NAME).unlink()  # that version kept no ingest log and no part hashes (format 1)
    write_manifest(warehouse.root, Manifest(manifest.generation + 1, batches, format=1))


def test_batches_from_before_keyed_hashing_are_matched_by_plain_sha256(filled: Warehouse) -> None:
    _as_before_keyed_hashing(filled, ALICE)
    done = erase_customer(filled, "paris", _keys(filled, ALICE))
    assert done.total == 3
    remaining = filled.sql("SELECT customer_key FROM contacts WHERE entity_id = 'paris'").column(0).to_pylist()
    assert hashlib.sha256(ALICE.encode()).hexdigest() not in remaining
    assert remaining.count(hashlib.sha256(BOB.encode()).hexdigest()) == 2


def test_keys_under_another_workspace_key_stop_the_erasure_before_any_change(filled: Warehouse) -> None:
    manifest = (filled.root / "manifest.json").read_bytes()
    other: dict[str | None, frozenset[str]] = {"hmac-sha256:0000000000000000": frozenset({"x"})}
    with pytest.raises(CxcertError, match=r"not this workspace's key.*nothing was erased"):
        erase_customer(filled, "paris", other)
    assert (filled.root / "manifest.json").read_bytes() == manifest


def test_cli_erase_asks_for_yes_audits_and_never_prints_the_number(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ok_json(invoke("init", "--json", home=home))
    ok_json(invoke("entity", "create", "--id", "paris", "--name", "Paris", "--organisation", "acme",
                   "--location", "par:Paris:FR:Europe/Paris", "--json", home=home))  # fmt: skip
    data = tmp_path / "calls.parquet"
    pq.write_table(_contacts("a", [ALICE, BOB, ALICE]), data)
    ok_json(invoke("ingest", "contacts", str(data), "--entity", "paris", "--json", home=home))
    asked = invoke("customer", "erase", "--entity", "paris", "--customer", ALICE, home=home)
    assert "would erase 2 contact(s)" in user_error(asked) and ALICE not in asked.stderr
    assert "unknown entity" in user_error(
        invoke("customer", "erase", "--entity", "nobody", "--customer", ALICE, "--yes", home=home)
    )
    done = invoke("customer", "erase", "--entity", "paris", "--customer", ALICE, "--yes", "--json", home=home)
    assert ok_json(done)["rows_erased"] == 2 and ALICE not in done.stdout + done.stderr
    warehouse = Warehouse(home / "warehouse")
    assert warehouse.sql("SELECT count(*) FROM contacts").column(0)[0].as_py() == 1
    from cxcert.store.audit_trail import AuditTrail
    from cxcert.store.db import open_database

    db = open_database(f"sqlite:///{home / 'cxcert.sqlite'}")
    try:
        with db.session() as session:
            (entry,) = [e for e in AuditTrail(session).entries("entity:paris") if e.action == "customer.erased"]
    finally:
        db.dispose()
    assert entry.payload["rows_erased"] == 2 and ALICE not in json.dumps(entry.payload)
    key = Pseudonymiser.of_workspace(home).one(ALICE) or ""
    assert key not in json.dumps(entry.payload)  # not even the pseudonym


def test_warehouse_check_counts_the_rows_left_after_an_erasure(filled: Warehouse) -> None:
    """`warehouse check` said the accepted rows (4 + 2 + 1 = 7) after Alice's 3 paris rows were erased; the
    parts hold 4 (oracle: the count of rows in the parts, read back)."""
    from cxcert.warehouse.repair import check

    erase_customer(filled, "paris", _keys(filled, ALICE))
    held = filled.sql("SELECT count(*) FROM contacts").column(0)[0].as_py()
    report = check(filled.root, None)
    assert (held, report.rows, report.ok) == (4, 4, True)


def test_a_quarantined_row_past_the_csv_field_limit_is_found_and_erased(tmp_path: Path) -> None:
    """A rejected row whose contact_id is 300,000 characters: its raw cell is past the csv module's 128 KiB
    field limit, and reading the quarantine file back raised _csv.Error (a traceback of `customer erase`)."""
    warehouse = Warehouse(tmp_path / "warehouse")
    table = _contacts("h", [ALICE, BOB], bad=0)
    ids = table.column("contact_id").to_pylist()
    table = table.set_column(3, CONTACTS.field("contact_id"), pa.array(["x" * 300_000, ids[1]], pa.string()))
    pq.write_table(table, tmp_path / "h.parquet")
    ingest_file(warehouse, "contacts", tmp_path / "h.parquet", entity_id="paris", fmt="canonical")
    done = erase_customer(warehouse, "paris", _keys(warehouse, ALICE))
    assert (done.total, sum(done.quarantined.values())) == (0, 1)
    (batch,) = warehouse.ingests()
    assert batch.quarantine is not None and read_quarantine(Path(batch.quarantine)) == []
