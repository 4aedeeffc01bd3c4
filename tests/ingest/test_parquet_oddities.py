"""Parquet files as other tools write them: pandas' defaults are read, damaged or unusable files are one line.

Every file here is a real Parquet file written by pyarrow or pandas. Oracles: the instants written (pandas'
``datetime64[ns]`` values, floored to the warehouse's microsecond); the CLI's contract (an error is one line
``error: ...`` and exit 2, never a traceback).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli.runner import invoke, ok_json, user_error
from cxcert.errors import CxcertError
from cxcert.ingest.pipeline import IngestResult, ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.warehouse import Warehouse

ARRIVED = "2024-03-01 08:00:00.123456789"
"""Nanoseconds past the microsecond: the value pandas keeps and the warehouse cannot."""


def _frame(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "program": ["care"] * n,
            "contact_id": [f"c{i}" for i in range(n)],
            "queue": ["billing"] * n,
            "channel": ["voice"] * n,
            "direction": ["inbound"] * n,
            "arrived_at": pd.to_datetime([ARRIVED] * n, utc=True) + pd.to_timedelta(range(n), unit="min"),
            "abandoned": [False] * n,
            "wait_s": [1.5] * n,
        }
    )


def _ingest(tmp_path: Path, name: str, data: pa.Table) -> tuple[Warehouse, IngestResult]:
    path = tmp_path / f"{name}.parquet"
    pq.write_table(data, path)
    warehouse = Warehouse(tmp_path / f"warehouse-{name}")
    return warehouse, ingest_file(warehouse, "contacts", path, entity_id="e", fmt="canonical")


def _stored(warehouse: Warehouse, column: str) -> list[Any]:
    values: list[Any] = warehouse.sql(f"SELECT {column} FROM contacts ORDER BY contact_id").column(column).to_pylist()
    return values


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", None])
def test_pandas_nanosecond_timestamps_are_read(tmp_path: Path, zone: str | None) -> None:
    frame = _frame()
    assert str(frame["arrived_at"].dtype) == "datetime64[ns, UTC]"  # pandas' default, as the audit found it
    if zone is None:
        frame["arrived_at"] = frame["arrived_at"].dt.tz_localize(None)  # naive: wall-clock time in UTC (no mapping)
    else:
        frame["arrived_at"] = frame["arrived_at"].dt.tz_convert(zone)
    path = tmp_path / "calls.parquet"
    frame.to_parquet(path, index=False)
    assert pq.read_schema(path).field("arrived_at").type.unit == "ns"
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", path, entity_id="e", fmt="canonical")
    assert (result.accounting.read, result.accounting.accepted, result.accounting.rejected) == (4, 4, 0)
    first = dt.datetime(2024, 3, 1, 8, 0, 0, 123456, tzinfo=dt.UTC)  # 123456789 ns floored to 123456 us
    assert _stored(warehouse, "arrived_at") == [first + dt.timedelta(minutes=i) for i in range(4)]


def test_dictionary_large_and_widened_columns_are_read(tmp_path: Path) -> None:
    frame = _frame()
    frame["queue"] = frame["queue"].astype("category")  # written dictionary-encoded, read back as a dictionary
    frame["wait_s"] = [1, 2, 3, 4]  # int64 for a float column
    table = pa.Table.from_pandas(frame, preserve_index=False)
    assert pa.types.is_dictionary(table.schema.field("queue").type)
    table = table.set_column(1, "contact_id", table.column("contact_id").cast(pa.large_string()))
    table = table.append_column("agent_id", pa.nulls(4))  # an all-empty column of Arrow's null type
    table = table.append_column("talk_s", pa.array([10, 20, 30, 40], pa.decimal128(6, 1)))
    table = table.append_column("hold_s", pa.array([1, 2, 3, 4], pa.float32()))
    table = table.append_column("acw_s", pa.array([1, 2, 3, 4], pa.uint16()))
    warehouse, result = _ingest(tmp_path, "typed", table)
    assert (result.accounting.accepted, result.accounting.rejected) == (4, 0)
    assert _stored(warehouse, "queue") == ["billing"] * 4
    assert _stored(warehouse, "contact_id") == ["c0", "c1", "c2", "c3"]
    assert _stored(warehouse, "wait_s") == [1.0, 2.0, 3.0, 4.0]
    assert _stored(warehouse, "talk_s") == [10.0, 20.0, 30.0, 40.0]
    assert _stored(warehouse, "acw_s") == [1.0, 2.0, 3.0, 4.0]
    assert _stored(warehouse, "agent_id") == [None] * 4


def test_typed_values_that_do_not_fit_reject_their_rows(tmp_path: Path) -> None:
    table = pa.Table.from_pandas(_frame(), preserve_index=False)
    table = table.set_column(6, "abandoned", pa.array(["false", "no", "1", "perhaps"]))  # text for a flag
    table = table.set_column(7, "wait_s", pa.array([1, 2, 3, 2**63], pa.uint64()))  # 2**63 s: no duration
    _, result = _ingest(tmp_path, "misfits", table)
    quarantine = result.accounting.quarantine
    assert quarantine is not None
    rows = {int(r["row_number"]): (r["column"], r["reason"]) for r in read_quarantine(quarantine)}
    assert rows == {4: ("abandoned", "cannot read 'perhaps' as true/false")}
    times = pa.Table.from_pandas(_frame(), preserve_index=False)
    times = times.set_column(5, "arrived_at", pa.array([dt.time(8)] * 4, pa.time64("us")))  # a time of day
    _, result = _ingest(tmp_path, "clock", times)
    assert result.accounting.rejected == 4
    big = pa.Table.from_pandas(_frame(), preserve_index=False)
    big = big.set_column(7, "wait_s", pa.array([1, 2, 3, 2**63], pa.uint64()))
    _, result = _ingest(tmp_path, "huge", big)
    assert result.accounting.quarantine is not None
    reasons = [r["reason"] for r in read_quarantine(result.accounting.quarantine)]
    assert reasons == ["9.223372036854776e+18 s is longer than the longest accepted duration, 31622400 s"]


def _truncated(path: Path) -> Path:
    path.write_bytes(path.with_name("good.parquet").read_bytes()[:-300])  # the footer cut off, as by a full disk
    return path


def _corrupt_in_the_middle(path: Path) -> Path:
    table = pa.Table.from_pandas(_frame(), preserve_index=False)
    pq.write_table(pa.concat_tables([table] * 5000), path, row_group_size=2000, write_page_checksum=True)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    damaged = path.with_name("damaged.parquet")
    damaged.write_bytes(bytes(data))
    return damaged


def _nested(path: Path, column: str, values: pa.Array) -> Path:
    table = pa.Table.from_pandas(_frame(), preserve_index=False)
    pq.write_table(table.set_column(table.schema.get_field_index(column), column, values), path)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_truncated, "cannot read as Parquet: "),
        (_corrupt_in_the_middle, "cannot read as Parquet"),
        (
            lambda p: _nested(p, "queue", pa.array([{"name": "billing"}] * 4)),
            "column 'queue' holds struct<name: string> values, not one plain value per row",
        ),
        (
            lambda p: _nested(p, "wait_s", pa.array([[1.0]] * 4)),
            "column 'wait_s' holds list<element: double> values, not one plain value per row",
        ),
        (
            lambda p: _nested(p, "queue", pa.array([[("k", "v")]] * 4, pa.map_(pa.string(), pa.string()))),
            "column 'queue' holds map<string, string",
        ),
        (
            lambda p: _nested(p, "contact_id", pa.array([b"c0", b"c1", b"\xff\xfe", b"c3"])),
            "column 'contact_id' holds bytes that are not UTF-8 text",
        ),
    ],
    ids=["truncated", "corrupt-page", "struct", "list", "map", "not-utf8"],
)
def test_unusable_files_are_one_line(workspace: Path, tmp_path: Path, make: object, message: str) -> None:
    good = tmp_path / "good.parquet"
    _frame().to_parquet(good, index=False)
    path = make(tmp_path / "odd.parquet")  # type: ignore[operator]
    result = invoke("ingest", "contacts", str(path), "--entity", "paris", "--format", "canonical", home=workspace)
    line = user_error(result)  # exit 2, one line on stderr, no traceback
    assert line.startswith("error: ") and message in line, line


def test_a_name_given_to_two_columns_is_refused(tmp_path: Path) -> None:
    table = pa.Table.from_pandas(_frame(), preserve_index=False)
    twice = pa.Table.from_arrays([*table.columns, table.column("queue")], names=[*table.schema.names, "queue"])
    with pytest.raises(CxcertError, match="column 'queue' appears twice in the file"):
        _ingest(tmp_path, "twice", twice)


def test_a_mapped_parquet_file_reads_nanoseconds_in_its_zone(workspace: Path, tmp_path: Path) -> None:
    """Through the CLI with ``--format parquet``: naive pandas times are wall-clock time in the mapping's zone."""
    frame = pd.DataFrame(
        {
            "Call ID": ["k1", "k2"],
            "Start": pd.to_datetime(
                ["2024-03-01 09:00:00.000000500", "2024-07-01 09:00:00"], format="ISO8601"
            ),  # naive, ns
            "Skill": pd.Categorical(["billing", "sales"]),
            "Wait": [3, 4],
        }
    )
    path = tmp_path / "acd.parquet"
    frame.to_parquet(path, index=False)
    mapping = tmp_path / "acd.yaml"
    mapping.write_text(
        "kind: contacts\ncolumns:\n  contact_id: Call ID\n  arrived_at: Start\n  queue: Skill\n  wait_s: Wait\n"
        "  channel: {const: voice}\n  direction: {const: inbound}\n  abandoned: {const: false}\n"
        "timezone: Europe/Paris\n",
        encoding="utf-8",
    )
    result = ok_json(
        invoke("ingest", "contacts", str(path), "--entity", "paris", "--format", "parquet", "--mapping", str(mapping),
               "--program", "care", "--json", home=workspace)
    )  # fmt: skip
    assert (result["read"], result["accepted"], result["rejected"]) == (2, 2, 0)
    warehouse = Warehouse(workspace / "warehouse")
    stored = warehouse.sql("SELECT arrived_at FROM contacts ORDER BY contact_id").column("arrived_at").to_pylist()
    # Paris is UTC+1 in March and UTC+2 in July (EU summer time from the last Sunday of March).
    assert stored == [dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC), dt.datetime(2024, 7, 1, 7, tzinfo=dt.UTC)]
