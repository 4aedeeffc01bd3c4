"""The Technion "Anonymous Bank" months, ingested end to end (real data; skipped where absent).

Oracles: record counts and outcome counts come from the files themselves (``awk -F'\\t' 'NR>1{n[$13]++}
END{for(k in n) print k, n[k]}' calls-1999-02.tsv`` and the same with ``-F,`` for August), single calls were
read off the raw rows by eye, and the daily figures were computed directly from the raw files with the awk
one-off quoted below, never through the adapter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cxcert.ingest.pipeline import IngestResult, ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.ingest.technion import PHANTOM_REASON
from cxcert.warehouse import Warehouse

from .conftest import keyed

pytestmark = pytest.mark.realdata

FEB = "anonymous-bank-1999/calls-1999-02.tsv"
AUG = "anonymous-bank-1999/calls-1999-08.csv"

SERVICE_LEVEL_THRESHOLD_S = 20
"""The conventional voice threshold (80 % in 20 s); in the product it comes from the KPI catalogue YAML."""


class Ingested:
    def __init__(self, warehouse: Warehouse, feb: IngestResult, aug: IngestResult, quarantine: Path) -> None:
        self.warehouse = warehouse
        self.feb = feb
        self.aug = aug
        self.quarantine = quarantine


@pytest.fixture(scope="module")
def bank(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    root = tmp_path_factory.mktemp("technion")
    warehouse = Warehouse(root / "warehouse")
    results = [
        ingest_file(
            warehouse,
            "contacts",
            shared_data / name,
            entity_id="bank",
            fmt="technion",
            quarantine_dir=root / "quarantine",
        )
        for name in (FEB, AUG)
    ]
    return Ingested(warehouse, results[0], results[1], root / "quarantine")


def test_february_row_accounting(bank: Ingested) -> None:
    # 33,344 records (README); 278 PHANTOM, 27,162 AGENT, 5,904 HANG (awk count above).
    assert bank.feb.accounting.read == 33_344
    assert bank.feb.accounting.rejected == 278
    assert bank.feb.accounting.accepted == 27_162 + 5_904
    assert bank.feb.accounting.read == bank.feb.accounting.accepted + bank.feb.accounting.rejected


def test_august_row_accounting(bank: Ingested) -> None:
    # 42,078 records (README); 310 PHANTOM, 31,402 AGENT, 10,366 HANG (awk count above).
    assert bank.aug.accounting.read == 42_078
    assert bank.aug.accounting.rejected == 310
    assert bank.aug.accounting.accepted == 31_402 + 10_366


def test_accounting_is_stored_with_the_batch(bank: Ingested) -> None:
    records = {Path(r.file).name: r for r in bank.warehouse.ingests()}
    feb = records["calls-1999-02.tsv"]
    assert (feb.read, feb.accepted, feb.rejected, feb.fmt, feb.entity_id) == (33_344, 33_066, 278, "technion", "bank")
    rows = bank.warehouse.sql("SELECT source, count(*) AS n FROM contacts GROUP BY source ORDER BY source")
    assert rows.to_pylist() == [
        {"source": "calls-1999-02.tsv", "n": 33_066},
        {"source": "calls-1999-08.csv", "n": 41_768},
    ]


def test_phantoms_are_quarantined_with_row_number_and_reason(bank: Ingested) -> None:
    assert bank.feb.accounting.quarantine is not None
    rows = read_quarantine(bank.feb.accounting.quarantine)
    assert len(rows) == 278
    assert {(r["column"], r["reason"]) for r in rows} == {("outcome", PHANTOM_REASON)}
    # The first PHANTOM is on line 109 of the TSV (header = line 1): AA0101 call 34645 on 990202.
    first = rows[0]
    assert first["row_number"] == "109"
    assert '"call_id": "34645"' in first["raw"] and '"outcome": "PHANTOM"' in first["raw"]


def test_contact_ids_are_unique(bank: Ingested) -> None:
    counts = bank.warehouse.sql("SELECT count(*) AS n, count(DISTINCT contact_id) AS d FROM contacts").to_pylist()
    assert counts == [{"n": 74_834, "d": 74_834}]


def _contact(bank: Ingested, contact_id: str) -> dict[str, object]:
    rows = bank.warehouse.sql(f"SELECT * FROM contacts WHERE contact_id = '{contact_id}'").to_pylist()
    assert len(rows) == 1, contact_id
    row: dict[str, object] = rows[0]
    return row


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_call_passing_midnight(bank: Ingested) -> None:
    # Raw: AA0102 31056 990215 vru 23:59:54-23:59:54, q 0:00:00-0:00:27 (27 s), AGENT 0:00:26-0:01:33 (67 s), AVNI.
    # q_start is 0:00:00 but q_time is 27: the call entered the queue at midnight exactly. Israel is UTC+2 in Feb.
    row = _contact(bank, "1999-02-15/AA0102/31056")
    assert row["arrived_at"] == utc(1999, 2, 15, 21, 59, 54)
    assert row["answered_at"] == utc(1999, 2, 15, 22, 0, 26)
    assert row["ended_at"] == utc(1999, 2, 15, 22, 1, 33)
    assert (row["wait_s"], row["talk_s"], row["agent_id"], row["abandoned"]) == (27.0, 67.0, "AVNI", False)


def test_negative_vru_time_is_kept(bank: Ingested) -> None:
    # Raw: AA0102 30456 990207 vru 9:48:14-9:47:17 (-57 s), q 9:47:17-9:50:11 (174 s), AGENT 9:50:11-9:51:28, KAZAV.
    row = _contact(bank, "1999-02-07/AA0102/30456")
    assert row["arrived_at"] == utc(1999, 2, 7, 7, 48, 14)
    assert row["answered_at"] == utc(1999, 2, 7, 7, 50, 11)
    assert (row["wait_s"], row["talk_s"], row["outcome"]) == (174.0, 77.0, "answered")


def test_agent_without_server_is_answered_with_no_agent(bank: Ingested) -> None:
    # Raw: AA0101 34537 990201 AGENT 7:31:54-7:31:59 (5 s) NO_SERVER, never queued (q_time 0).
    row = _contact(bank, "1999-02-01/AA0101/34537")
    assert row["agent_id"] is None
    assert (row["outcome"], row["abandoned"], row["wait_s"], row["talk_s"]) == ("answered", False, 0.0, 5.0)
    assert row["customer_key"] is None  # customer_id 0 = unidentified


def test_hang_up_in_the_vru_is_not_offered(bank: Ingested) -> None:
    # Raw (first August record): AA0204 43678 1999-08-01 vru 0:10:10-0:10:27, never queued, HANG. UTC+3 in August.
    row = _contact(bank, "1999-08-01/AA0204/43678")
    assert row["arrived_at"] == utc(1999, 7, 31, 21, 10, 10)
    assert (row["outcome"], row["abandoned"], row["wait_s"], row["answered_at"]) == ("ivr_hangup", False, None, None)
    assert row["ended_at"] == utc(1999, 7, 31, 21, 10, 27)


def test_abandoned_in_queue(bank: Ingested) -> None:
    # Raw: AA0101 34539 990201 customer 23317894 PS, q 8:09:22-8:09:27 (5 s), HANG, NO_SERVER.
    row = _contact(bank, "1999-02-01/AA0101/34539")
    assert (row["outcome"], row["abandoned"], row["wait_s"], row["answered_at"]) == ("abandoned", True, 5.0, None)
    assert row["ended_at"] == utc(1999, 2, 1, 6, 9, 27)
    # customer_key = HMAC-SHA-256 of the text "23317894" under the workspace key, never plain SHA-256
    assert row["customer_key"] == keyed(bank.warehouse.root, "23317894")
    assert row["customer_key"] != hashlib.sha256(b"23317894").hexdigest()
    assert row["queue"] == "PS"


def test_spreadsheet_mangled_call_id_is_kept(bank: Ingested) -> None:
    row = _contact(bank, "1999-08-23/AA0216/2010-08-")
    assert (row["outcome"], row["wait_s"], row["talk_s"], row["agent_id"]) == ("answered", 30.0, 76.0, "DORIT")


# Daily figures computed from the raw files, not through the adapter, with (for each file, separator, day):
#   awk -F"$sep" -v D="$day" 'NR>1 && $6==D && $13!="PHANTOM" { q=($12>0 || $10!="0:00:00");
#     if ($13=="AGENT") {off++; ans++; qs+=$12; if ($12<=20) sl++; if ($16>0 || $14!="0:00:00") {ns++; ss+=$16}}
#     else if ($13=="HANG" && q) {off++; hang++; qs+=$12} else ivr++ }
#     END { printf "offered=%d answered=%d hung_up=%d ivr=%d mean_service=%.6f mean_queue=%.6f sl=%d/%d\n",
#           off, ans, hang, ivr, ss/ns, qs/off, sl, off }' FILE
# (fields: $6 date, $10 q_start, $12 q_time, $13 outcome, $14 ser_start, $16 ser_time).
# offered = answered + hung up after reaching the queue; mean service time over answered calls with a recorded
# service; mean queue time over offered calls; service level = answered within 20 s / offered.
DAILY = {
    "1999-02-01": (1499, 1354, 145, 52, 164.081301, 37.000667, 842),
    "1999-02-15": (1435, 1251, 184, 58, 179.987149, 45.088502, 716),
    "1999-08-02": (2217, 1577, 640, 131, 216.682540, 111.366261, 359),
    "1999-08-23": (1403, 1274, 129, 156, 164.328088, 17.748396, 1055),
}

DAILY_SQL = f"""
SELECT CAST(timezone('Asia/Jerusalem', arrived_at) AS DATE)::VARCHAR AS day,
       count(*) FILTER (WHERE outcome <> 'ivr_hangup') AS offered,
       count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered,
       count(*) FILTER (WHERE abandoned) AS hung_up,
       count(*) FILTER (WHERE outcome = 'ivr_hangup') AS ivr,
       avg(talk_s) FILTER (WHERE answered_at IS NOT NULL) AS mean_service,
       avg(wait_s) FILTER (WHERE outcome <> 'ivr_hangup') AS mean_queue,
       count(*) FILTER (WHERE answered_at IS NOT NULL AND wait_s <= {SERVICE_LEVEL_THRESHOLD_S}) AS within
FROM contacts GROUP BY 1
"""


@pytest.mark.parametrize("day", sorted(DAILY))
def test_daily_figures_match_the_raw_file(bank: Ingested, day: str) -> None:
    figures = {r["day"]: r for r in bank.warehouse.sql(DAILY_SQL).to_pylist()}[day]
    offered, answered, hung_up, ivr, mean_service, mean_queue, within = DAILY[day]
    assert (figures["offered"], figures["answered"], figures["hung_up"], figures["ivr"]) == (
        offered,
        answered,
        hung_up,
        ivr,
    )
    assert figures["mean_service"] == pytest.approx(mean_service, abs=1e-6)
    assert figures["mean_queue"] == pytest.approx(mean_queue, abs=1e-6)
    assert figures["within"] == within
    assert figures["within"] / figures["offered"] == pytest.approx(within / offered)


def test_daily_figures_through_ibis(bank: Ingested) -> None:
    """The same 1999-08-23 service level (1055 / 1403, awk above) through the Ibis expression other modules use.

    The local day in Israel (UTC+3 in August) is the UTC window 1999-08-22 21:00 to 1999-08-23 21:00.
    """
    t = bank.warehouse.table("contacts", entity_id="bank")
    day = t.filter(
        (t.arrived_at >= utc(1999, 8, 22, 21, 0, 0)) & (t.arrived_at < utc(1999, 8, 23, 21, 0, 0)),
        t.outcome != "ivr_hangup",
    )
    within = day.filter(day.answered_at.notnull() & (day.wait_s <= SERVICE_LEVEL_THRESHOLD_S))
    assert (int(within.count().execute()), int(day.count().execute())) == (1055, 1403)
    assert int(t.count().execute()) == 74_834
    assert int(bank.warehouse.table("contacts", entity_id="another").count().execute()) == 0


def test_reingest_is_a_no_op(bank: Ingested, shared_data: Path) -> None:
    before = len(bank.warehouse.ingests())
    again = ingest_file(
        bank.warehouse, "contacts", shared_data / FEB, entity_id="bank", fmt="technion", quarantine_dir=bank.quarantine
    )
    assert again.skipped
    assert again.accounting == bank.feb.accounting
    assert len(bank.warehouse.ingests()) == before
    assert bank.warehouse.sql("SELECT count(*) AS n FROM contacts").to_pylist() == [{"n": 74_834}]


@pytest.mark.parametrize("how", ["trailing newline", "other program"])
def test_the_same_calls_again_are_not_counted_twice(
    bank: Ingested, shared_data: Path, tmp_path: Path, how: str
) -> None:
    """The audit's re-ingests (a trailing newline added; ``--program other``) doubled 1 February's service level."""
    path, program = shared_data / FEB, None
    if how == "trailing newline":
        path = tmp_path / "calls-1999-02-copy.tsv"
        path.write_bytes((shared_data / FEB).read_bytes() + b"\n")
    else:
        program = "other"
    before = bank.warehouse.ingests()
    again = ingest_file(
        bank.warehouse, "contacts", path, entity_id="bank", fmt="technion", program=program, quarantine_dir=tmp_path
    )
    assert not again.skipped and not again.committed  # every row rejected: nothing committed
    assert (again.accounting.read, again.accounting.accepted, again.accounting.rejected) == (33_344, 0, 33_344)
    assert again.accounting.quarantine is not None
    rows = read_quarantine(again.accounting.quarantine)
    held = f"already in the warehouse (ingest {bank.feb.fingerprint[:8]} of calls-1999-02.tsv)"
    assert sum(r["reason"] == PHANTOM_REASON for r in rows) == 278
    assert sum(r["reason"].startswith("contact_id '1999-02-") and r["reason"].endswith(held) for r in rows) == 33_066
    first = next(r for r in rows if r["row_number"] == "2")  # AA0101 call 34536 on 990201
    assert first["column"] == "call_id"
    assert first["reason"] == f"contact_id '1999-02-01/AA0101/34536' {held}"
    assert bank.warehouse.ingests() == before
    assert bank.warehouse.sql("SELECT count(*) AS n FROM contacts").to_pylist() == [{"n": 74_834}]


@pytest.mark.parametrize("day", sorted(DAILY))
def test_kpi_catalogue_service_level_matches_the_raw_file(bank: Ingested, day: str) -> None:
    """The KPI catalogue's service level, computed by the engine in the site's zone, equals the awk figure.

    With short abandons counted (short_abandon_s = 0, the plain definition the awk command uses), service level
    is answered within 20 s over contacts offered to the queue (the VRU hang-ups are not offered).
    """
    from cxcert.performance.engine import compute
    from cxcert.performance.periods import DAY

    offered, _, _, _, _, _, within = DAILY[day]
    on = dt.date.fromisoformat(day)
    result = compute(
        "service_level",
        {"contacts": bank.warehouse.table("contacts", entity_id="bank")},
        grain=DAY,
        tz="Asia/Jerusalem",
        start=on,
        end=on,
        by=(),
        parameters={"threshold_s": SERVICE_LEVEL_THRESHOLD_S, "short_abandon_s": 0},
    )
    [row] = result.rows()
    assert (row["numerator"], row["denominator"]) == (within, offered)


@pytest.mark.parametrize("saved", ["cr", "crlf", "utf-16"])
def test_february_saved_otherwise_reads_the_same(shared_data: Path, tmp_path: Path, saved: str) -> None:
    """The hostile run saved February with CR line ends and read 0 of 33,344 rows. Saved with CR or CRLF, or as
    UTF-16 with its byte-order mark, it reads as the LF file does (the counts of test_february_row_accounting)."""
    path = tmp_path / f"calls-1999-02-{saved}.tsv"
    data = (shared_data / FEB).read_bytes()
    if saved == "utf-16":
        path.write_bytes(data.decode("ascii").encode("utf-16"))
    else:
        path.write_bytes(data.replace(b"\n", b"\r" if saved == "cr" else b"\r\n"))
    result = ingest_file(
        Warehouse(tmp_path / "w"), "contacts", path, entity_id="bank", fmt="technion", quarantine_dir=tmp_path / "q"
    )
    assert (result.accounting.read, result.accounting.accepted, result.accounting.rejected) == (33_344, 33_066, 278)
    assert result.accounting.quarantine is not None
    assert all(r["reason"] == PHANTOM_REASON for r in read_quarantine(result.accounting.quarantine))


def test_february_with_a_stray_quote_loses_only_that_line(shared_data: Path, tmp_path: Path) -> None:
    """The hostile run put a quote at the start of a field on row 100 and read 100 of 33,344 rows. Now that line
    (101: the header is line 1) is rejected alone and every other row reads as before."""
    lines = (shared_data / FEB).read_bytes().split(b"\n")
    lines[100] = lines[100].replace(b"\t", b'\t"', 1)
    path = tmp_path / "calls-1999-02-quote.tsv"
    path.write_bytes(b"\n".join(lines))
    result = ingest_file(
        Warehouse(tmp_path / "w"), "contacts", path, entity_id="bank", fmt="technion", quarantine_dir=tmp_path / "q"
    )
    assert (result.accounting.read, result.accounting.rejected) == (33_344, 279)
    assert result.accounting.quarantine is not None
    quote = [r for r in read_quarantine(result.accounting.quarantine) if r["reason"] != PHANTOM_REASON]
    assert [(r["row_number"], r["reason"].split(":")[0]) for r in quote] == [("101", "unterminated quote")]
