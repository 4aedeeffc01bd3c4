"""Customer numbers never land raw: keyed hashes in the warehouse, masked fields in quarantine files, in every
format (technion, csv with a mapping, canonical CSV, Parquet), and in what the CLI prints.

Oracle: the standard library's ``hmac`` with the key read from the workspace's key file (``keyed``); the planted
numbers are searched for as bytes in every file the ingest wrote and in the CLI's output.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli.runner import invoke
from cxcert.errors import CxcertError
from cxcert.home import customer_key, customer_key_path
from cxcert.ingest.hashing import Pseudonymiser
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.warehouse import Warehouse

from .conftest import keyed

NUMBERS = ("+33612345678", "0698765432", "+33611112222", "0677778888", "+33655556666")
"""The planted customer numbers (none is a substring of another, nor of any other text in the files)."""


def _everything_written(root: Path) -> bytes:
    """The bytes of every file under ``root`` (warehouse parts and manifest, quarantine files, the key file)."""
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def _warehouse_values(warehouse: Warehouse) -> str:
    """Every value of every committed part, as text (Parquet may compress a literal out of sight)."""
    return json.dumps([pq.read_table(f).to_pylist() for f in sorted(warehouse.root.rglob("*.parquet"))], default=str)


def _assert_nowhere(root: Path, warehouse: Warehouse, *texts: str) -> None:
    blob = _everything_written(root)
    values = _warehouse_values(warehouse)
    for number in NUMBERS:
        assert number.encode() not in blob, f"{number} written raw under {root}"
        assert number not in values
        for text in texts:
            assert number not in text, f"{number} printed"


MAPPING = """\
kind: contacts
columns:
  contact_id: Call ID
  queue: Split
  channel: {const: voice}
  direction: {const: inbound}
  arrived_at: Start
  abandoned: Abandoned
  wait_s: Wait
  customer_key: ANI
codes:
  abandoned: {"Y": true, "N": false}
"""


def test_mapped_csv_keys_and_masks_every_kind_of_rejected_row(tmp_path: Path) -> None:
    rows = [
        "Call ID,Split,Start,Abandoned,Wait,ANI",
        f"c1,care,2024-03-01T08:00:00Z,N,4,{NUMBERS[0]}",  # 2 accepted
        f"c2,care,2024-03-01T08:01:00Z,maybe,4,{NUMBERS[1]}",  # 3 bad code
        f"c3,care,2024-03-01T08:02:00Z,N,4,{NUMBERS[2]},extra",  # 4 one field too many
        f"c4,care,2024-03-01T08:03:00Z,N,{NUMBERS[3]}",  # 5 one field too few
        f"c1,care,2024-03-01T08:04:00Z,N,4,{NUMBERS[4]}",  # 6 repeats contact c1
    ]
    data = tmp_path / "acd.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = tmp_path / "acd.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", data, entity_id="paris", fmt="csv", mapping=mapping, program="care")
    assert (result.accounting.read, result.accounting.accepted, result.accounting.rejected) == (5, 1, 4)
    stored = warehouse.sql("SELECT customer_key FROM contacts").column(0).to_pylist()
    assert stored == [keyed(warehouse.root, NUMBERS[0])]
    assert stored != [hashlib.sha256(NUMBERS[0].encode()).hexdigest()]
    assert result.accounting.quarantine is not None
    quarantined = {int(r["row_number"]): r for r in read_quarantine(result.accounting.quarantine)}
    assert sorted(quarantined) == [3, 4, 5, 6]
    assert json.loads(quarantined[3]["raw"])["ANI"] == keyed(warehouse.root, NUMBERS[1])
    assert quarantined[3]["reason"] == "unknown code 'maybe' (the mapping knows Y, N)"
    assert keyed(warehouse.root, NUMBERS[2]) in quarantined[4]["raw"].split(",")
    assert quarantined[4]["raw"].startswith("c3,care,")
    assert keyed(warehouse.root, NUMBERS[3]) in quarantined[5]["raw"].split(",")
    assert json.loads(quarantined[6]["raw"])["ANI"] == keyed(warehouse.root, NUMBERS[4])
    _assert_nowhere(tmp_path / "warehouse", warehouse)
    _assert_nowhere(tmp_path / "quarantine", warehouse)


def test_columns_listed_as_personal_are_masked_though_not_mapped(tmp_path: Path) -> None:
    """An export repeats the number in a column cxcert never reads (a callback number): the mapping's
    ``personal:`` list masks it in the quarantine, in rows rejected for a value and in malformed lines."""
    rows = [
        "Call ID,Split,Start,Abandoned,Wait,ANI,Callback",
        f"c1,care,2024-03-01T08:00:00Z,N,4,{NUMBERS[0]},{NUMBERS[1]}",  # 2 accepted
        f"c2,care,2024-03-01T08:01:00Z,maybe,4,{NUMBERS[2]},{NUMBERS[3]}",  # 3 bad code
        f"c3,care,2024-03-01T08:02:00Z,N,4,{NUMBERS[4]}",  # 4 one field too few
    ]
    data = tmp_path / "acd.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = tmp_path / "acd.yaml"
    mapping.write_text(MAPPING + "personal: [Callback]\n", encoding="utf-8")
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", data, entity_id="paris", fmt="csv", mapping=mapping, program="care")
    assert (result.accounting.read, result.accounting.accepted, result.accounting.rejected) == (3, 1, 2)
    assert result.accounting.quarantine is not None
    quarantined = {int(r["row_number"]): r for r in read_quarantine(result.accounting.quarantine)}
    assert json.loads(quarantined[3]["raw"])["Callback"] == keyed(warehouse.root, NUMBERS[3])
    assert keyed(warehouse.root, NUMBERS[4]) in quarantined[4]["raw"].split(",")
    _assert_nowhere(tmp_path / "quarantine", warehouse)
    _assert_nowhere(tmp_path / "warehouse", warehouse)

    misspelt = tmp_path / "misspelt.yaml"
    misspelt.write_text(MAPPING + "personal: [Call back]\n", encoding="utf-8")
    with pytest.raises(CxcertError, match="personal column 'Call back' of the mapping is not in the file's header"):
        ingest_file(warehouse, "contacts", data, entity_id="bank", fmt="csv", mapping=misspelt, program="care")


def _canonical_rows(contacts: pa.Table) -> pa.Table:
    n = contacts.num_rows
    keys = [NUMBERS[i % len(NUMBERS)] for i in range(n)]
    table = contacts.set_column(contacts.schema.get_field_index("customer_key"), "customer_key", pa.array(keys))
    # Row 2 (index 1) arrives after it ended: rejected, with its customer number in the row.
    ended = table.column("ended_at").to_pylist()
    ended[1] = table.column("arrived_at")[1].as_py().replace(year=2023)
    return table.set_column(
        table.schema.get_field_index("ended_at"), "ended_at", pa.array(ended, pa.timestamp("us", "UTC"))
    )


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_canonical_files_key_and_mask_customer_key(tmp_path: Path, contacts: object, suffix: str) -> None:
    table = _canonical_rows(contacts(5))  # type: ignore[operator]
    path = tmp_path / f"calls.{suffix}"
    if suffix == "csv":
        import pyarrow.csv as pcsv

        pcsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", path, entity_id="demo", fmt="canonical")
    assert (result.accounting.accepted, result.accounting.rejected) == (4, 1)
    stored = sorted(warehouse.sql("SELECT customer_key FROM contacts").column(0).to_pylist())
    assert stored == sorted(keyed(warehouse.root, NUMBERS[i]) for i in (0, 2, 3, 4))
    assert result.accounting.quarantine is not None
    (row,) = read_quarantine(result.accounting.quarantine)
    assert json.loads(row["raw"])["customer_key"] == keyed(warehouse.root, NUMBERS[1])
    _assert_nowhere(tmp_path / "warehouse", warehouse)
    _assert_nowhere(tmp_path / "quarantine", warehouse)


TECHNION_HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\t"
    "outcome\tser_start\tser_exit\tser_time\tserver"
)


def test_technion_phantoms_and_malformed_lines_mask_the_customer_id(tmp_path: Path) -> None:
    lines = [
        TECHNION_HEADER,
        "AA0101\t1\t612345678\t2\tPS\t990201\t7:00:00\t7:00:05\t5\t7:00:05\t7:00:10\t5\tAGENT\t7:00:10\t7:01:10\t60\tDAN",
        "AA0101\t2\t698765432\t2\tPS\t990201\t7:10:00\t7:10:05\t5\t0:00:00\t0:00:00\t0\tPHANTOM\t0:00:00\t0:00:00\t0\t"
        "NO_SERVER",
        "AA0101\t3\t611112222\t2\tPS\t990201\t7:20:00",
        "AA0101\t4\t0\t2\tPS\t990201\t7:30:00\t7:30:05\t5\t7:30:05\t7:30:09\t4\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    ]
    path = tmp_path / "calls.tsv"
    path.write_text("\n".join(lines), encoding="utf-8")
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", path, entity_id="bank", fmt="technion")
    assert (result.accounting.accepted, result.accounting.rejected) == (2, 2)
    keys = warehouse.sql("SELECT contact_id, customer_key FROM contacts ORDER BY contact_id").to_pylist()
    assert [k["customer_key"] for k in keys] == [keyed(warehouse.root, "612345678"), None]  # 0: unidentified
    assert result.accounting.quarantine is not None
    rows = {int(r["row_number"]): r for r in read_quarantine(result.accounting.quarantine)}
    assert json.loads(rows[3]["raw"])["customer_id"] == keyed(warehouse.root, "698765432")
    assert keyed(warehouse.root, "611112222") in rows[4]["raw"].split("\t")
    blob = _everything_written(tmp_path / "warehouse") + _everything_written(tmp_path / "quarantine")
    for number in ("612345678", "698765432", "611112222"):
        assert number.encode() not in blob


def test_cli_output_and_files_never_show_the_number(workspace: Path, tmp_path: Path) -> None:
    rows = ["program,contact_id,queue,channel,direction,arrived_at,abandoned,wait_s,customer_key"]
    rows += [f"care,c{i},q,{'fax' if i == 1 else 'voice'},inbound,2024-03-01T08:0{i}:00Z,false,3,{n}"
             for i, n in enumerate(NUMBERS)]  # fmt: skip
    data = tmp_path / "calls.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    outputs = [invoke("ingest", "contacts", str(data), "--entity", "paris", *extra, home=workspace)
               for extra in ((), ("--json",))]  # fmt: skip
    outputs.append(invoke("ingest", "log", "--json", home=workspace))
    assert outputs[0].returncode == 0, outputs[0].stderr
    printed = [o.stdout + o.stderr for o in outputs]
    _assert_nowhere(workspace, Warehouse(workspace / "warehouse"), *printed)


def test_the_key_file_is_made_once_private_and_shared(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made: list[bytes] = []
    threads = [threading.Thread(target=lambda: made.append(customer_key(home))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(made)) == 1 and len(made[0]) == 32  # racing first uses agree on one key
    path = customer_key_path(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert customer_key(home) == made[0]
    assert "Pseudonymiser(hmac-sha256:" in repr(Pseudonymiser(made[0])) and made[0].hex() not in repr(
        Pseudonymiser(made[0])
    )


def test_a_readable_or_damaged_key_file_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    customer_key(home)
    path = customer_key_path(home)
    os.chmod(path, 0o644)
    with pytest.raises(CxcertError, match="may be read by others"):
        customer_key(home)
    os.chmod(path, 0o600)
    path.write_text("not a key\n")
    with pytest.raises(CxcertError, match="is not a customer key"):
        customer_key(home)


def test_keys_made_otherwise_are_never_mixed(tmp_path: Path, contacts: object) -> None:
    table = _canonical_rows(contacts(3))  # type: ignore[operator]
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(table.slice(0, 1), first)
    pq.write_table(table.slice(2, 1).set_column(3, "contact_id", pa.array(["other"])), second)
    warehouse = Warehouse(tmp_path / "warehouse")
    ingest_file(warehouse, "contacts", first, entity_id="demo", fmt="canonical")
    # The key file is lost and made again: the new key must not be mixed with the old one's keys.
    customer_key_path(tmp_path).unlink()
    with pytest.raises(CxcertError, match="another workspace key"):
        ingest_file(warehouse, "contacts", second, entity_id="demo", fmt="canonical")
    ingest_file(warehouse, "contacts", second, entity_id="other", fmt="canonical")  # another entity: its own keys


def test_plain_sha256_batches_from_before_are_refused_until_replaced(tmp_path: Path, contacts: object) -> None:
    from cxcert.warehouse.ingest_log import LOG_NAME
    from cxcert.warehouse.manifest import Manifest, write_manifest

    table = _canonical_rows(contacts(3))  # type: ignore[operator]
    old, new = tmp_path / "old.parquet", tmp_path / "new.parquet"
    pq.write_table(table.slice(0, 1), old)
    pq.write_table(table.slice(2, 1), new)
    warehouse = Warehouse(tmp_path / "warehouse")
    before = ingest_file(warehouse, "contacts", old, entity_id="demo", fmt="canonical")
    manifest = warehouse.manifest()  # as a version before keyed hashing recorded it: no key_id
    legacy = [b.__class__(**{**b.to_json(), "committed_at": b.committed_at, "files": b.files, "key_id": None})
              for b in manifest.batches]  # fmt: skip
    (warehouse.root / LOG_NAME).unlink()  # that version kept no ingest log and no part hashes (format 1)
    write_manifest(warehouse.root, Manifest(manifest.generation + 1, tuple(legacy), format=1))
    with pytest.raises(CxcertError, match=rf"plain SHA-256 .*ingests {before.fingerprint[:8]}"):
        ingest_file(warehouse, "contacts", new, entity_id="demo", fmt="canonical")
    warehouse.remove_ingest(before.fingerprint[:8])
    assert ingest_file(warehouse, "contacts", new, entity_id="demo", fmt="canonical").committed


def test_mapped_parquet_with_numbers_as_integers_is_keyed_and_masked(tmp_path: Path) -> None:
    source = pa.table(
        {"Call ID": ["p1", "p2"], "Split": ["care", "care"], "Start": ["2024-03-01T08:00:00Z", "2024-03-01T08:01:00Z"],
         "Abandoned": ["N", "maybe"], "Wait": [4, 5], "ANI": pa.array([612345678, 698765432], pa.int64())}
    )  # fmt: skip
    data, mapping = tmp_path / "acd.parquet", tmp_path / "acd.yaml"
    pq.write_table(source, data)
    mapping.write_text(MAPPING, encoding="utf-8")
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(
        warehouse, "contacts", data, entity_id="paris", fmt="parquet", mapping=mapping, program="care"
    )
    assert (result.accounting.accepted, result.accounting.rejected) == (1, 1)
    assert warehouse.sql("SELECT customer_key FROM contacts").column(0).to_pylist() == [
        keyed(warehouse.root, "612345678")
    ]
    assert result.accounting.quarantine is not None
    (row,) = read_quarantine(result.accounting.quarantine)
    assert json.loads(row["raw"])["ANI"] == keyed(warehouse.root, "698765432")
    blob = _everything_written(tmp_path / "warehouse") + _everything_written(tmp_path / "quarantine")
    assert b"612345678" not in blob and b"698765432" not in blob
