"""Natural keys are normalised the same way in every format, and rows without a full key have a content key, so
no row is counted twice because of white space, Unicode forms or being sent again.

Oracles: Python's ``str.strip`` over the white space used here and ``unicodedata.normalize("NFC")`` give each
stored id; the content key is recomputed here with ``hashlib.sha256`` over the JSON array the docs describe;
row numbers of hand-written files are known (CSV: the header is row 1).
"""

from __future__ import annotations

import csv
import hashlib
import json
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.runner import invoke, ok_json
from cxcert.canonical import SURVEYS, content_key_columns
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.ingest.row_keys import id_columns, normalise_ids
from cxcert.warehouse import Warehouse

SPACES = " \t\u00a0\u2003\u3000"
"""Space, tab, no-break, em and ideographic spaces: what exports pad fields with (all Unicode White_Space)."""

COLUMNS = ("program", "contact_id", "queue", "channel", "direction", "arrived_at", "abandoned", "wait_s")
MAPPING = "kind: contacts\ncolumns:\n" + "".join(f"  {c}: {c}\n" for c in COLUMNS)
"""A mapping that names every column as it is (``--format csv|parquet``), so all four formats read one table."""
FORMATS = ("canonical-csv", "canonical-parquet", "mapped-csv", "mapped-parquet")


def _write(path: Path, ids: list[str], fmt: str) -> tuple[Path, str, Path | None]:
    """The contacts ``ids`` as a file of ``fmt``; returns the file, the ``--format`` and the mapping (or None)."""
    rows = [["care", i, "q", "voice", "inbound", "2024-03-01T08:00:00Z", "false", "3"] for i in ids]
    if fmt.endswith("csv"):
        path = path.with_suffix(".csv")
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
    else:
        path = path.with_suffix(".parquet")
        pq.write_table(pa.table({c: [r[n] for r in rows] for n, c in enumerate(COLUMNS)}), path)
    if fmt.startswith("canonical"):
        return path, "canonical", None
    mapping = path.with_suffix(".yaml")
    mapping.write_text(MAPPING, encoding="utf-8")
    return path, fmt.split("-")[1], mapping


core = st.text(alphabet="bcdxyz019_-é", min_size=1, max_size=6)  # never a null spelling (NA, null) nor blank
padding = st.text(alphabet=SPACES, max_size=3)


@st.composite
def spelled(draw: st.DrawFn, ident: str) -> str:
    """``ident`` as one export may write it: padded, composed or decomposed."""
    written = unicodedata.normalize("NFD", ident) if draw(st.booleans()) else unicodedata.normalize("NFC", ident)
    return draw(padding) + written + draw(padding)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), ids=st.lists(core, min_size=1, max_size=8, unique_by=lambda i: unicodedata.normalize("NFC", i)))
def test_normalised_keys_never_double_a_row_across_formats(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, ids: list[str]
) -> None:
    work = tmp_path_factory.mktemp("keys")
    first_fmt, second_fmt = data.draw(st.sampled_from(FORMATS)), data.draw(st.sampled_from(FORMATS))
    first = [data.draw(spelled(i)) for i in ids]
    second = [data.draw(spelled(i)) for i in ids]
    warehouse = Warehouse(work / "warehouse")
    expected = sorted(unicodedata.normalize("NFC", i.strip(SPACES)) for i in ids)
    path, fmt, mapping = _write(work / "first", first, first_fmt)
    result = ingest_file(warehouse, "contacts", path, entity_id="e", fmt=fmt, mapping=mapping)
    assert (result.accounting.read, result.accounting.accepted, result.accounting.rejected) == (len(ids), len(ids), 0)
    path, fmt, mapping = _write(work / "second", second, second_fmt)
    result = ingest_file(warehouse, "contacts", path, entity_id="e", fmt=fmt, mapping=mapping)
    if not result.skipped:  # (skipped: byte for byte the first file, recognised before any row is read)
        assert result.accounting.read == result.accounting.rejected == len(ids)  # all known, however spelled
        assert result.accounting.accepted == 0
    stored = warehouse.sql("SELECT contact_id FROM contacts ORDER BY contact_id").column("contact_id").to_pylist()
    assert sorted(stored) == expected  # each once, stored normalised


def test_the_audit_case_through_the_cli(workspace: Path, tmp_path: Path) -> None:
    """200 contacts, then the same 200 with a trailing space in contact_id, both ``--format canonical``: the
    audit found 400 contacts; the service level's offered count must stay 200."""
    header = ",".join(COLUMNS) + "\n"
    plain, padded = tmp_path / "monday.csv", tmp_path / "monday-again.csv"
    plain.write_text(header + "".join(f"care,k{i},q,voice,inbound,2024-03-01T08:00:00Z,false,3\n" for i in range(200)))
    padded.write_text(
        header + "".join(f"care,k{i} ,q,voice,inbound,2024-03-01T08:00:00Z,false,3\n" for i in range(200))
    )
    args = ("--entity", "paris", "--format", "canonical", "--json")
    assert ok_json(invoke("ingest", "contacts", str(plain), *args, home=workspace))["accepted"] == 200
    again = invoke("ingest", "contacts", str(padded), *args, home=workspace)
    assert again.returncode == 2  # every row rejected: nothing committed
    kpi = ok_json(
        invoke("kpi", "--entity", "paris", "--metric", "service_level", "--grain", "day", "--from", "2024-03-01",
               "--to", "2024-03-01", "--tz", "UTC", "--json", home=workspace)
    )  # fmt: skip
    assert [r["denominator"] for r in kpi["rows"]] == [200]  # offered contacts: 200, not 400


def test_identifiers_are_trimmed_composed_and_blank_is_empty() -> None:
    assert id_columns("contacts") == ("contact_id", "agent_id")
    assert id_columns("costs") == ("program", "currency")
    assert id_columns("surveys") == ("contact_id", "instrument")
    chunk = pa.table(
        {
            "contact_id": ["\u00a0C1\u3000", "e\u0301", "  ", None, "a b"],
            "agent_id": [" A1", None, None, None, "A2\t"],
            "queue": [" q", "q", "q", "q", "q"],  # not an identifier: left to the reader's trimming
        }
    )
    out = normalise_ids(chunk, "contacts")
    assert out.column("contact_id").to_pylist() == ["C1", "\u00e9", None, None, "a b"]
    assert out.column("agent_id").to_pylist() == ["A1", None, None, None, "A2"]
    assert out.column("queue").to_pylist() == [" q", "q", "q", "q", "q"]


def test_a_blank_key_is_an_empty_required_column(tmp_path: Path) -> None:
    data, _, _ = _write(tmp_path / "calls", ["\u00a0 "], "canonical-parquet")  # Parquet: the reader trims nothing
    result = ingest_file(Warehouse(tmp_path / "warehouse"), "contacts", data, entity_id="e", fmt="canonical")
    assert result.accounting.quarantine is not None
    rows = read_quarantine(result.accounting.quarantine)
    assert [(r["column"], r["reason"]) for r in rows] == [("contact_id", "contact_id is required but empty")]


SURVEY_HEADER = "program,contact_id,answered_at,instrument,score,scale_min,scale_max\n"


def _content_key(row: dict[str, object]) -> str:
    """The documented content key: SHA-256 of the non-lineage values as a JSON array, times in UTC as DuckDB
    writes them (``2024-03-01 09:00:00+00``), numbers as doubles."""
    values = [row[c] for c in content_key_columns("surveys")]
    return hashlib.sha256(json.dumps(values, separators=(",", ":")).encode()).hexdigest()


def test_re_sent_anonymous_surveys_are_quarantined_by_their_content_key(workspace: Path, tmp_path: Path) -> None:
    assert content_key_columns("surveys") == tuple(
        n for n in SURVEYS.names if n not in ("entity_id", "program", "source")
    )
    answers = [
        "care,,2024-03-01T09:00:00Z,csat,5,1,5\n",
        "care,,2024-03-01T09:00:00Z,csat,4,1,5\n",  # same time, another score: another answer
        "care,c1,2024-03-01T09:05:00Z,csat,2,1,5\n",  # identified by its natural key
        "care,,2024-03-01T09:10:00Z,csat,5,1,5\n",
    ]
    first = tmp_path / "surveys-monday.csv"
    first.write_text(SURVEY_HEADER + "".join(answers))
    args = ("--entity", "paris", "--format", "canonical", "--json")
    assert ok_json(invoke("ingest", "surveys", str(first), *args, home=workspace))["accepted"] == 4
    top_box = ("kpi", "--entity", "paris", "--metric", "csat_top_box", "--grain", "day", "--from", "2024-03-01",
               "--to", "2024-03-01", "--tz", "UTC", "--json")  # fmt: skip
    before = {
        r["program"]: (r["numerator"], r["denominator"]) for r in ok_json(invoke(*top_box, home=workspace))["rows"]
    }
    # Sent again in a new file with one new answer, under another program, and the first answer twice over.
    again = tmp_path / "surveys-monday-resent.csv"
    resent = [a.replace("care,", "sales,", 1) for a in answers]
    again.write_text(SURVEY_HEADER + "".join(resent) + "sales,,2024-03-01T11:00:00Z,csat,1,1,5\n" + resent[0])
    result = ok_json(invoke("ingest", "surveys", str(again), *args, home=workspace))
    assert (result["read"], result["accepted"], result["rejected"]) == (6, 1, 5)
    reasons = {int(r["row_number"]): (r["column"], r["reason"]) for r in read_quarantine(Path(result["quarantine"]))}
    key = _content_key(
        {"contact_id": None, "answered_at": "2024-03-01 09:00:00+00", "instrument": "csat", "score": 5.0,
         "scale_min": 1.0, "scale_max": 5.0}
    )  # fmt: skip
    held = "already in the warehouse (ingest "
    assert reasons[2] == (
        "contact_id",
        f"content key {key[:12]} (a row without contact_id, identified by its content) {held}"
        f"{reasons[2][1].split(held)[1]}",
    )
    assert reasons[4][1].startswith("contact_id 'c1', instrument 'csat', answered_at 2024-03-01 09:05:00+00:00 ")
    assert reasons[7][1] == f"content key {key[:12]} (a row without contact_id, identified by its content) " + (
        f"{held}{reasons[2][1].split(held)[1]}"
    )  # the repeat of row 2 is also already in the warehouse
    assert set(reasons) == {2, 3, 4, 5, 7}
    after = {
        r["program"]: (r["numerator"], r["denominator"]) for r in ok_json(invoke(*top_box, home=workspace))["rows"]
    }
    # The catalogue's top box is 4-5 on 1-5: three of the four answers (5, 4, 5); re-sent under another program
    # they stay care's, and only the one new answer (a 1) is counted, under sales.
    assert before == {"care": (3, 4)} and after == {"care": (3, 4), "sales": (0, 1)}


def test_anonymous_repeats_within_a_file(tmp_path: Path) -> None:
    data = tmp_path / "surveys.csv"
    data.write_text(
        SURVEY_HEADER
        + "care,,2024-03-01T09:00:00Z,csat,5,1,5\n"
        + "care,  ,2024-03-01T09:00:00Z,csat,5,1,5\n"  # a blank contact is no contact: the same row
        + "care,,2024-03-01T09:00:00Z,csat,5,1,5\n"
        + "care,,2024-03-01T09:00:00Z,nps,5,0,10\n"
    )
    result = ingest_file(Warehouse(tmp_path / "warehouse"), "surveys", data, entity_id="e", fmt="canonical")
    assert (result.accounting.accepted, result.accounting.rejected) == (2, 2)
    assert result.accounting.quarantine is not None
    reasons = {int(r["row_number"]): r["reason"] for r in read_quarantine(result.accounting.quarantine)}
    assert set(reasons) == {3, 4} and all(r.endswith("repeats row 2 of this file") for r in reasons.values())
