"""Generic CSV with a column-mapping file: a small ACD-style export, its codes, zone and formats; bad rows go to
quarantine with row number, column and reason; a missing column fails the whole file.

Oracles: the expected UTC instants are hand conversions (London is UTC+1 in summer time, UTC+0 in winter); the
quarantine rows are the ones planted in the file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cxcert.errors import CxcertError
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.warehouse import Warehouse

from .conftest import keyed

MAPPING = """\
kind: contacts
columns:
  contact_id: Call ID
  queue: Split/Skill
  channel: {const: voice}
  direction: Direction
  arrived_at: Start Time
  answered_at: Answer Time
  ended_at: End Time
  abandoned: Abandoned
  wait_s: Queue Secs
  talk_s: Talk Secs
  hold_s: Hold Secs
  acw_s: ACW Secs
  agent_id: Login ID
  customer_key: ANI
  transferred: Transferred
timezone: Europe/London
time_format: "%d/%m/%Y %H:%M:%S"
codes:
  abandoned: {"Y": true, "N": false}
  transferred: {"Y": true, "N": false}
  direction: {IN: inbound, OUT: outbound}
hash: [customer_key]
delimiter: ";"
"""

HEADER = (
    "Call ID;Split/Skill;Direction;Start Time;Answer Time;End Time;Abandoned;Queue Secs;Talk Secs;Hold Secs;"
    "ACW Secs;Login ID;ANI;Transferred;Site"
)
ROWS = [
    # row 2: answered in summer time (BST, UTC+1)
    "C001;Billing;IN;15/07/2024 09:00:00;15/07/2024 09:00:12;15/07/2024 09:05:12;N;12;300;5;20;a17;+441234567890;N;LDN",
    # row 3: abandoned after 40 s, in winter (GMT)
    "C002;Billing;IN;15/01/2024 10:00:00;;15/01/2024 10:00:40;Y;40;;;;;;N;LDN",
    # row 4: bad abandoned code
    "C003;Sales;IN;15/07/2024 11:00:00;;15/07/2024 11:01:00;maybe;60;;;;;;N;LDN",
    # row 5: a talk time that is not a number
    "C004;Sales;IN;15/07/2024 12:00:00;15/07/2024 12:00:05;15/07/2024 12:02:05;N;5;abc;0;0;a18;;N;LDN",
    # row 6: answered before it arrived
    "C005;Sales;OUT;15/07/2024 13:00:00;15/07/2024 12:59:00;15/07/2024 13:02:00;N;0;120;0;0;a18;;Y;LDN",
    # row 7: wrong number of fields
    "C006;Sales;IN;15/07/2024 14:00:00",
    # row 8: a start time in another format
    "C007;Sales;IN;2024-07-15T15:00:00;;;N;0;;;;;;N;LDN",
    # row 9: a negative queue time
    "C008;Sales;IN;15/07/2024 16:00:00;;15/07/2024 16:00:30;Y;-30;;;;;;N;LDN",
    # row 10: fine
    "C009;Sales;OUT;15/07/2024 17:00:00;15/07/2024 17:00:00;15/07/2024 17:03:00;N;0;180;0;10;a19;;Y;LDN",
]


@pytest.fixture()
def export(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "acd-export.csv"
    data.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    mapping = tmp_path / "acd.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return data, mapping


def test_mapped_csv_accounting_and_values(tmp_path: Path, export: tuple[Path, Path]) -> None:
    data, mapping = export
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", data, entity_id="london", fmt="csv", mapping=mapping, program="care")
    assert result.as_json() == {
        "read": 9,
        "accepted": 3,
        "rejected": 6,
        "quarantine": str(result.accounting.quarantine),
        "skipped": False,
    }
    rows = {r["contact_id"]: r for r in warehouse.sql("SELECT * FROM contacts").to_pylist()}
    assert set(rows) == {"C001", "C002", "C009"}
    c1 = rows["C001"]
    assert c1["arrived_at"] == datetime(2024, 7, 15, 8, 0, 0, tzinfo=UTC)  # 09:00 BST
    assert c1["answered_at"] == datetime(2024, 7, 15, 8, 0, 12, tzinfo=UTC)
    assert (c1["abandoned"], c1["wait_s"], c1["talk_s"], c1["hold_s"], c1["acw_s"]) == (False, 12.0, 300.0, 5.0, 20.0)
    assert c1["customer_key"] == keyed(warehouse.root, "+441234567890")  # keyed, not plain SHA-256
    assert (c1["channel"], c1["direction"], c1["program"], c1["entity_id"], c1["source"]) == (
        "voice",
        "inbound",
        "care",
        "london",
        "acd-export.csv",
    )
    c2 = rows["C002"]
    assert c2["arrived_at"] == datetime(2024, 1, 15, 10, 0, 0, tzinfo=UTC)  # 10:00 GMT
    assert (c2["abandoned"], c2["answered_at"], c2["talk_s"], c2["agent_id"]) == (True, None, None, None)
    assert rows["C009"]["direction"] == "outbound" and rows["C009"]["transferred"] is True


def test_quarantine_names_row_column_and_reason(tmp_path: Path, export: tuple[Path, Path]) -> None:
    data, mapping = export
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", data, entity_id="london", fmt="csv", mapping=mapping, program="care")
    assert result.accounting.quarantine is not None
    assert result.accounting.quarantine.parent == tmp_path / "quarantine"  # CXCERT_HOME/quarantine
    rows = {int(r["row_number"]): r for r in read_quarantine(result.accounting.quarantine)}
    assert sorted(rows) == [4, 5, 6, 7, 8, 9]
    assert (rows[4]["column"], rows[4]["reason"]) == ("Abandoned", "unknown code 'maybe' (the mapping knows Y, N)")
    assert (rows[5]["column"], rows[5]["reason"]) == ("Talk Secs", "cannot read 'abc' as a number")
    assert rows[6]["column"] == "Answer Time" and "is before arrived_at" in rows[6]["reason"]
    assert (rows[7]["column"], rows[7]["reason"]) == ("", "expected 15 fields, found 4")
    # 4 fields of 15: any of fields 2-4 may be the ANI (field 13) shifted left, so they show keyed hashes.
    masked = [keyed(warehouse.root, f) for f in ("Sales", "IN", "15/07/2024 14:00:00")]
    assert rows[7]["raw"] == ";".join(["C006", *masked])
    assert (rows[8]["column"], rows[8]["reason"]) == ("Start Time", "cannot read '2024-07-15T15:00:00' as a timestamp")
    assert (rows[9]["column"], rows[9]["reason"]) == ("Queue Secs", "negative value -30.0")
    assert '"Call ID": "C004"' in rows[5]["raw"] and '"Site": "LDN"' in rows[5]["raw"]


def test_missing_source_column_fails_the_whole_file(tmp_path: Path, export: tuple[Path, Path]) -> None:
    data, mapping = export
    data.write_text(data.read_text().replace("Queue Secs", "Queue Seconds"), encoding="utf-8")
    warehouse = Warehouse(tmp_path / "warehouse")
    with pytest.raises(CxcertError) as caught:
        ingest_file(warehouse, "contacts", data, entity_id="london", fmt="csv", mapping=mapping, program="care")
    assert str(caught.value) == f"{data}: missing column 'Queue Secs'"
    assert warehouse.ingests() == []


def test_program_is_required_somewhere(tmp_path: Path, export: tuple[Path, Path]) -> None:
    data, mapping = export
    with pytest.raises(CxcertError, match="pass --program"):
        ingest_file(Warehouse(tmp_path / "w"), "contacts", data, entity_id="london", fmt="csv", mapping=mapping)


def test_csv_format_needs_a_mapping(tmp_path: Path, export: tuple[Path, Path]) -> None:
    data, _ = export
    with pytest.raises(CxcertError, match="needs --mapping"):
        ingest_file(Warehouse(tmp_path / "w"), "contacts", data, entity_id="london", fmt="csv")
