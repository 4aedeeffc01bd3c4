"""Times, dates and durations outside what the warehouse's readers can hold, or that no contact centre records,
are refused at ingest with their row and column; they never reach the warehouse to break a later ingest.

Oracles: Python's ``datetime`` stops at year 9999 and pandas' ``datetime64[ns]`` at 2262-04-11 (their documented
limits); the bounds are read from the packaged ``value_ranges.yaml``; the row numbers of hand-written files are
known (CSV: header is row 1); the KPI value is computed by hand from the rows accepted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from cli.runner import invoke, ok_json
from cxcert.canonical import SCHEDULES, UTC_TS
from cxcert.ingest.accounting import IngestAccounting
from cxcert.ingest.duplicates import key_ranges
from cxcert.ingest.parts import PartWriter
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import raw_json_rows, read_quarantine
from cxcert.ingest.value_ranges import ValueRanges, as_text, value_ranges
from cxcert.warehouse import Warehouse

SCHEDULE_HEADER = "program,agent_id,activity,start,end\n"


def _reasons(path: Path | None) -> dict[int, tuple[str, str]]:
    assert path is not None
    return {int(r["row_number"]): (r["column"], r["reason"]) for r in read_quarantine(path)}


def test_the_packaged_bounds_are_inside_what_every_reader_holds() -> None:
    ranges = value_ranges()
    assert ranges.earliest == dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    assert ranges.before == dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
    assert ranges.max_duration_s == 366 * 86400
    with pytest.raises(ValidationError, match="must lie within 1677-09-22 and 2262-04-11"):
        ValueRanges(
            earliest=ranges.earliest, before=dt.datetime(9999, 1, 1, tzinfo=dt.UTC), max_duration_s=1, source="x"
        )
    with pytest.raises(ValidationError, match="needs an offset"):
        ValueRanges(earliest=dt.datetime(1900, 1, 1), before=ranges.before, max_duration_s=1, source="x")
    with pytest.raises(ValidationError, match="later than earliest"):
        ValueRanges(earliest=ranges.before, before=ranges.earliest, max_duration_s=1, source="x")


def test_out_of_range_times_are_written_as_they_are() -> None:
    """Arrow's own text of year 264168 wraps around to 2024; the quarantine must quote the real value."""
    micros = [8_274_174_883_200_000_000, 253_402_300_800_000_000, None, 1_709_280_000_500_000]
    assert as_text(pa.array(micros, pa.int64()).cast(UTC_TS)).to_pylist() == [
        "264168-03-01T00:00:00.000000Z",
        "10000-01-01T00:00:00.000000Z",
        None,
        "2024-03-01T08:00:00.500000Z",
    ]
    days = pa.array([-10_000_000, 0, None], pa.int32()).cast(pa.date32())
    assert as_text(days).to_pylist() == ["-25410-12-06", "1970-01-01", None]


def test_a_schedule_past_9999_is_refused_and_the_next_ingest_and_kpi_work(workspace: Path, tmp_path: Path) -> None:
    """The audit's case: one schedule row of year 10000 made every later schedules ingest fail with a traceback."""
    first = tmp_path / "week1.csv"
    first.write_text(
        SCHEDULE_HEADER
        + "care,a1,work,2024-03-04T08:00:00Z,2024-03-04T16:00:00Z\n"
        + "care,a2,work,10000-01-01T08:00:00Z,10000-01-01T12:00:00Z\n"
        + "care,a3,work,264168-03-01T08:00:00Z,2024-03-04T12:00:00Z\n"  # Arrow's text would say 2024-03-01
        + "care,a4,work,1899-12-31T23:59:59Z,2024-03-04T12:00:00Z\n"
        + "care,a5,lunch,2024-03-04T12:00:00Z,2024-03-04T13:00:00Z\n",
        encoding="utf-8",
    )
    result = ok_json(
        invoke(
            "ingest", "schedules", str(first), "--entity", "paris", "--format", "canonical", "--json", home=workspace
        )
    )
    assert (result["read"], result["accepted"], result["rejected"]) == (5, 2, 3)
    accepted = "1900-01-01T00:00:00Z to before 2200-01-01T00:00:00Z"
    assert _reasons(Path(result["quarantine"])) == {
        3: ("start", f"'10000-01-01T08:00:00Z' is not in the accepted range, {accepted}"),
        4: ("start", f"'264168-03-01T08:00:00Z' is not in the accepted range, {accepted}"),
        5: ("start", f"'1899-12-31T23:59:59Z' is not in the accepted range, {accepted}"),
    }
    second = tmp_path / "week2.csv"
    second.write_text(SCHEDULE_HEADER + "care,a1,work,2024-03-05T08:00:00Z,2024-03-05T16:00:00Z\n", encoding="utf-8")
    again = ok_json(
        invoke(
            "ingest", "schedules", str(second), "--entity", "paris", "--format", "canonical", "--json", home=workspace
        )
    )
    assert (again["read"], again["accepted"], again["rejected"]) == (1, 1, 0)
    absences = tmp_path / "absences.csv"
    absences.write_text(
        "program,agent_id,day,scheduled_s,absent_s,planned\ncare,a1,2024-03-04,28800,3600,false\n", encoding="utf-8"
    )
    ok_json(
        invoke(
            "ingest", "absences", str(absences), "--entity", "paris", "--format", "canonical", "--json", home=workspace
        )
    )
    kpi = ok_json(
        invoke("kpi", "--entity", "paris", "--metric", "shrinkage", "--grain", "day", "--from", "2024-03-04",
               "--to", "2024-03-05", "--tz", "UTC", "--json", home=workspace)
    )  # fmt: skip
    by_day = {r["period_start"]: r for r in kpi["rows"]}
    # By hand, 4 March: absent 1 h (a1) + a5's 1 h lunch, over 8 h of a1's work + a5's lunch = 2 h / 9 h.
    assert (by_day["2024-03-04"]["numerator"], by_day["2024-03-04"]["denominator"]) == (7200, 9 * 3600)
    assert by_day["2024-03-04"]["value"] == pytest.approx(2 / 9)
    assert by_day["2024-03-05"]["denominator"] == 8 * 3600  # the second file's shift


def test_dates_and_durations_out_of_range(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "program,agent_id,hired_on,exited_on\ncare,a1,2023-01-02,\ncare,a2,1850-05-01,\ncare,a3,2023-01-02,2200-01-01\n",
        encoding="utf-8",
    )
    result = ingest_file(warehouse, "roster", roster, entity_id="e", fmt="canonical")
    assert _reasons(result.accounting.quarantine) == {
        3: ("hired_on", "'1850-05-01' is not in the accepted range, 1900-01-01 to before 2200-01-01"),
        4: ("exited_on", "'2200-01-01' is not in the accepted range, 1900-01-01 to before 2200-01-01"),
    }
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "program,contact_id,queue,channel,direction,arrived_at,abandoned,wait_s,talk_s\n"
        "care,c1,q,voice,inbound,2024-03-01T08:00:00Z,false,31622400,60\n"  # exactly a leap year: accepted
        "care,c2,q,voice,inbound,2024-03-01T08:00:00Z,false,3,31622401\n"  # a second more: refused
        "care,c3,q,voice,inbound,2024-03-01T08:00:00Z,false,1e305,60\n",  # the corrupted AHT's order of size
        encoding="utf-8",
    )
    result = ingest_file(warehouse, "contacts", calls, entity_id="e", fmt="canonical")
    assert result.accounting.accepted == 1
    assert _reasons(result.accounting.quarantine) == {
        3: ("talk_s", "31622401.0 s is longer than the longest accepted duration, 31622400 s"),
        4: ("wait_s", "1e+305 s is longer than the longest accepted duration, 31622400 s"),
    }


def test_typed_parquet_times_out_of_range_reach_the_quarantine(tmp_path: Path) -> None:
    """A Parquet timestamp of year 10000 is no Python datetime: the raw row must still be written."""
    stamps = pa.array([1_709_280_000_000_000, 253_402_300_800_000_000], pa.int64()).cast(UTC_TS)
    table = pa.table({"agent_id": ["a1", "a2"], "activity": ["work"] * 2, "start": stamps, "end": stamps})
    path = tmp_path / "schedules.parquet"
    pq.write_table(table, path)
    result = ingest_file(
        Warehouse(tmp_path / "warehouse"), "schedules", path, entity_id="e", fmt="canonical", program="care"
    )
    assert (result.accounting.accepted, result.accounting.rejected) == (1, 1)
    rows = read_quarantine(result.accounting.quarantine) if result.accounting.quarantine else []
    assert [r["row_number"] for r in rows] == ["2"]
    assert '"start": "10000-01-01T00:00:00Z"' in rows[0]["raw"]
    usual = "2024-03-01 08:00:00+00:00"  # in-range rows keep their usual text
    assert raw_json_rows(table.to_batches()[0], [0]) == [
        f'{{"agent_id": "a1", "activity": "work", "start": "{usual}", "end": "{usual}"}}'
    ]


def test_a_batch_committed_before_the_check_existed_does_not_break_later_ingests(tmp_path: Path) -> None:
    """Warehouses filled before the range check may hold a year-10000 key: the key-range pruning reads it from
    the footer, which Python cannot turn into a datetime; it must fall back to the exact check."""
    warehouse = Warehouse(tmp_path / "warehouse")
    old = pa.table(
        {
            "entity_id": ["e"], "program": ["care"], "source": ["old.csv"], "agent_id": ["a1"], "activity": ["work"],
            "start": pa.array([253_402_300_800_000_000], pa.int64()).cast(UTC_TS),
            "end": pa.array([253_402_300_900_000_000], pa.int64()).cast(UTC_TS),
        },
        schema=SCHEDULES,
    )  # fmt: skip
    staging = warehouse.new_staging()
    writer = PartWriter(staging, SCHEDULES)
    writer.write(old)
    parts = writer.close()
    with pytest.raises(OverflowError):
        pq.ParquetFile(parts[0]).metadata.row_group(0).column(5).statistics.min  # noqa: B018 (what used to fail)
    assert key_ranges(parts, ("agent_id", "start")) is None
    with warehouse.lock():
        warehouse.commit_batch(
            "schedules", parts, fingerprint="0" * 64, source="old.csv", entity_id="e",
            accounting=IngestAccounting(read=1, accepted=1, rejected=0, quarantine=None), fmt="canonical",
        )  # fmt: skip
    new = tmp_path / "new.csv"
    new.write_text(SCHEDULE_HEADER + "care,a1,work,2024-03-05T08:00:00Z,2024-03-05T16:00:00Z\n", encoding="utf-8")
    result = ingest_file(warehouse, "schedules", new, entity_id="e", fmt="canonical")
    assert (result.accounting.read, result.accounting.accepted) == (1, 1)
    assert np.array_equal(warehouse.sql("SELECT count(*) AS n FROM schedules").column("n").to_numpy(), np.array([2]))
