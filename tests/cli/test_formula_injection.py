"""A program, queue or agent named like a formula is written as text by every writer a user opens in a
spreadsheet: `kpi --csv`, the evidence workbook, quarantine files, `qa sample --out`.

Oracle: OWASP's CSV injection advice (a leading single quote in CSV) and openpyxl reading the workbook back:
no cell anywhere is a formula, and the hostile names are string cells holding exactly the text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .runner import invoke, ok_json

LINK = '=HYPERLINK("http://x","y")'
PROGRAMS = (LINK, "@SUM(1)")
QUEUE = "-2+3"
AGENT = "\t+cmd"


@pytest.fixture()
def hostile(workspace: Path, tmp_path: Path) -> Path:
    """The shared workspace with 200 contacts whose program, queue and agent names start formulas."""
    t0 = dt.datetime(2025, 3, 3, 14, 0, tzinfo=dt.UTC)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["program", "contact_id", "queue", "channel", "direction", "arrived_at", "answered_at",
                     "ended_at", "abandoned", "wait_s", "talk_s", "agent_id"])  # fmt: skip
    for i in range(200):
        at = t0 + dt.timedelta(minutes=7 * i)
        writer.writerow([PROGRAMS[i % 2], f"c{i}", QUEUE, "voice", "inbound", at.isoformat(),
                         (at + dt.timedelta(seconds=10)).isoformat(), (at + dt.timedelta(seconds=200)).isoformat(),
                         "false", 10, 150, AGENT])  # fmt: skip
    writer.writerow(["=1+1"])  # a malformed line, starting a formula, for the quarantine file
    path = tmp_path / "calls.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = ok_json(invoke("ingest", "contacts", str(path), "--entity", "acme-care", "--json", home=workspace))
    assert (result["accepted"], result["rejected"]) == (200, 1)
    return Path(result["quarantine"])


def _kpi_csv(home: Path, by: str) -> list[list[str]]:
    result = invoke("kpi", "--entity", "acme-care", "--metric", "service_level", "--grain", "month", "--from",
                    "2025-03-01", "--to", "2025-03-31", "--by", by, "--csv", home=home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout)))


def test_kpi_csv_quotes_names_that_start_a_formula(workspace: Path, hostile: Path) -> None:
    rows = _kpi_csv(workspace, "program")
    assert rows[0][:2] == ["period_start", "program"]
    assert sorted(r[1] for r in rows[1:]) == sorted("'" + p for p in PROGRAMS)
    assert {r[4] for r in rows[1:]} == {"1"}  # numbers are left alone
    assert [r[1] for r in _kpi_csv(workspace, "queue")[1:]] == ["'" + QUEUE]


def test_quarantine_file_quotes_a_line_that_starts_a_formula(hostile: Path) -> None:
    with hostile.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["raw"] == "'=1+1"


def test_the_evidence_workbook_holds_no_formula(workspace: Path, hostile: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "evidence.xlsx"
    result = invoke("evidence", "--entity", "acme-care", "--months", "1", "--end", "2025-03-31", "--xlsx", str(xlsx),
                    home=workspace)  # fmt: skip
    assert result.returncode == 0, result.stderr
    book = load_workbook(xlsx)
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    named = {c.value: c.data_type for c in cells if c.value in PROGRAMS}
    assert named == dict.fromkeys(PROGRAMS, "s")


def test_qa_sample_out_quotes_ids_that_start_a_formula(tmp_path: Path, home: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("contact_id,agent_id\n=1+1,a\n@x,b\nc3,c\n", encoding="utf-8")
    out = tmp_path / "sample.csv"
    result = invoke("qa", "sample", "--contacts", str(contacts), "--n", "3", "--seed", "1", "--out", str(out),
                    home=home)  # fmt: skip
    assert result.returncode == 0, result.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        ids = sorted(r["contact_id"] for r in csv.DictReader(handle))
    assert ids == ["'=1+1", "'@x", "c3"]
