"""Values that parse but do not exist are rejected, never rolled over or let through: 31/02, 31/04, inf, NaN.

Oracles: the calendar (30 days hath September, April, June and November; February has 28, 29 in a leap year,
Python's ``calendar.monthrange``); Python's ``datetime.strftime`` writes the valid texts the parser must read
back unchanged; IEEE 754 ``inf``/``NaN`` are no duration.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.canonical import UTC_TS
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.ingest.typed_columns import parse_column
from cxcert.warehouse import Warehouse

from .conftest import MakeContacts

FORMATS = ("%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%d %b %Y %H:%M:%S", "%d.%m.%y %H:%M:%S")
SHORT_MONTHS = (2, 4, 6, 9, 11)

instants = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2099, 12, 31, 23, 59, 59))


@settings(max_examples=200, deadline=None)
@given(moments=st.lists(instants, min_size=1, max_size=40), fmt=st.sampled_from(FORMATS))
def test_every_real_time_reads_back_as_written(moments: list[dt.datetime], fmt: str) -> None:
    texts = [m.strftime(fmt) for m in moments]
    parsed = parse_column(pa.array(texts), UTC_TS, time_format=fmt)
    assert parsed.failed is None and parsed.impossible is None
    expected = [dt.datetime.strptime(t, fmt).replace(tzinfo=dt.UTC) for t in texts]
    assert parsed.values.to_pylist() == expected


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(1971, 2098),
    month=st.sampled_from(SHORT_MONTHS),
    day=st.integers(29, 31),
    hour=st.integers(0, 23),
    real=st.lists(instants, max_size=10),
)
def test_a_day_past_the_end_of_its_month_is_impossible(
    year: int, month: int, day: int, hour: int, real: list[dt.datetime]
) -> None:
    if day <= calendar.monthrange(year, month)[1]:  # 29/02 of a leap year, or day 29/30 of a 30-day month: real
        return
    fmt = "%d/%m/%Y %H:%M:%S"
    texts = [f"{day:02d}/{month:02d}/{year} {hour:02d}:04:00", *(m.strftime(fmt) for m in real)]
    parsed = parse_column(pa.array(texts), UTC_TS, time_format=fmt, timezone="Europe/Paris")
    assert parsed.impossible is not None
    assert parsed.impossible.to_pylist() == [True] + [False] * len(real)
    assert parsed.values[0].as_py() is None and parsed.values.null_count == 1
    assert parsed.failed is None or not any(parsed.failed.to_pylist())  # impossible, not "cannot read"


def test_unpadded_and_leap_day_texts_are_real() -> None:
    texts = ["3/3/2025 9:04:00", "29/02/2024 10:00:00", "1/1/2025 0:00:01"]
    parsed = parse_column(pa.array(texts), UTC_TS, time_format="%d/%m/%Y %H:%M:%S")
    assert parsed.impossible is None and parsed.failed is None
    assert parsed.values.to_pylist()[1] == dt.datetime(2024, 2, 29, 10, 0, tzinfo=dt.UTC)


def test_offsets_dates_and_leap_seconds() -> None:
    leap = parse_column(pa.array(["31/12/2016 23:59:60"]), UTC_TS, time_format="%d/%m/%Y %H:%M:%S")
    assert leap.impossible is None  # a real leap second, read as POSIX time does: the next second
    assert leap.values.to_pylist() == [dt.datetime(2017, 1, 1, tzinfo=dt.UTC)]
    zoned = parse_column(
        pa.array(["31/02/2025 09:04 +0100", "01/03/2025 00:30 +01:00"]), UTC_TS, time_format="%d/%m/%Y %H:%M %z"
    )
    assert zoned.impossible is not None and zoned.impossible.to_pylist() == [True, False]
    assert zoned.values.to_pylist()[1] == dt.datetime(2025, 2, 28, 23, 30, tzinfo=dt.UTC)  # 00:30 at UTC+1
    days = parse_column(pa.array(["31/04/2025", "30/04/2025"]), pa.date32(), time_format="%d/%m/%Y")
    assert days.impossible is not None and days.impossible.to_pylist() == [True, False]
    assert days.values.to_pylist() == [None, dt.date(2025, 4, 30)]


MAPPING = """\
columns:
  contact_id: id
  queue: {const: q}
  channel: {const: voice}
  direction: {const: inbound}
  arrived_at: start
  abandoned: {const: false}
  talk_s: talk
time_format: "%d/%m/%Y %H:%M:%S"
"""


def test_mapped_csv_quarantines_impossible_dates_and_infinite_numbers(tmp_path: Path) -> None:
    """The audit's cases: 31/02/2025 was stored as 2025-03-03, talk_s=inf was accepted."""
    data = tmp_path / "acd.csv"
    data.write_text(
        "id,start,talk\n"
        "c1,28/02/2025 09:04:00,60\n"
        "c2,31/02/2025 09:04:00,60\n"
        "c3,01/03/2025 09:04:00,inf\n"
        "c4,01/03/2025 09:05:00,-inf\n"
        "c5,01/03/2025 09:06:00,NaN\n",  # a CSV null spelling: no talk time
        encoding="utf-8",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    warehouse = Warehouse(tmp_path / "warehouse")
    result = ingest_file(warehouse, "contacts", data, entity_id="e", fmt="csv", mapping=mapping, program="p")
    assert (result.accounting.accepted, result.accounting.rejected) == (2, 3)
    assert result.accounting.quarantine is not None
    rows = {int(r["row_number"]): (r["column"], r["reason"]) for r in read_quarantine(result.accounting.quarantine)}
    assert rows == {
        3: ("start", "'31/02/2025 09:04:00' is not a real date"),
        4: ("talk", "inf is not a finite number"),
        5: ("talk", "'-inf is not a finite number"),  # a cell starting with '-' is formula-escaped in CSV
    }
    stored = warehouse.sql("SELECT contact_id, arrived_at, talk_s FROM contacts ORDER BY contact_id").to_pylist()
    assert [r["contact_id"] for r in stored] == ["c1", "c5"] and stored[1]["talk_s"] is None


def test_non_finite_numbers_in_parquet_are_rejected_in_every_numeric_column(
    tmp_path: Path, contacts: MakeContacts
) -> None:
    table = contacts(4)
    for column, row, value in (("wait_s", 1, float("nan")), ("talk_s", 2, float("inf")), ("acw_s", 3, -float("inf"))):
        values = table.column(column).to_pylist()
        values[row] = value
        table = table.set_column(table.schema.get_field_index(column), column, pa.array(values, pa.float64()))
    path = tmp_path / "contacts.parquet"
    pq.write_table(table, path)
    result = ingest_file(Warehouse(tmp_path / "warehouse"), "contacts", path, entity_id="demo", fmt="canonical")
    assert result.accounting.quarantine is not None
    rows = {int(r["row_number"]): (r["column"], r["reason"]) for r in read_quarantine(result.accounting.quarantine)}
    assert rows == {
        2: ("wait_s", "nan is not a finite number"),
        3: ("talk_s", "inf is not a finite number"),
        4: ("acw_s", "'-inf is not a finite number"),  # a cell starting with '-' is formula-escaped in CSV
    }


def test_technion_date_of_a_day_that_does_not_exist(tmp_path: Path) -> None:
    header = "vru+line,call_id,customer_id,priority,type,date,vru_entry,vru_exit,vru_time,q_start,q_exit,q_time,"
    header += "outcome,ser_start,ser_exit,ser_time,server"
    good = "AA0101,1,0,0,PS,990228,9:00:00,9:00:10,10,9:00:10,9:00:20,10,AGENT,9:00:20,9:01:20,60,DORIT"
    path = tmp_path / "calls.csv"
    path.write_text("\n".join([header, good, good.replace("990228", "990231")]) + "\n", encoding="utf-8")
    result = ingest_file(Warehouse(tmp_path / "warehouse"), "contacts", path, entity_id="bank", fmt="technion")
    assert (result.accounting.accepted, result.accounting.rejected) == (1, 1)
    assert result.accounting.quarantine is not None
    (row,) = read_quarantine(result.accounting.quarantine)
    assert (row["row_number"], row["column"], row["reason"]) == ("3", "date", "'990231' is not a real date")
