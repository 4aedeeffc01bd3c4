"""Every line of a text file is accounted for: line ends, blank lines, stray quotes, headers and encodings.

Oracles: hand-built files whose rows and bad lines are planted at known line numbers (counted by hand in each
test), and Python's ``csv`` module for what a well-quoted file holds.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from cxcert.errors import CxcertError, ValidationFailed
from cxcert.ingest.chunks import Chunk, row_numbers
from cxcert.ingest.mapping import load_mapping
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.ingest.records import Segment
from cxcert.ingest.sources import CsvSource
from cxcert.warehouse import Warehouse

HEADER = "contact_id,queue,channel,direction,arrived_at,abandoned,wait_s"


def _line(i: int) -> str:
    return f"c{i},billing,voice,inbound,2024-03-01T08:00:00Z,false,{i % 50}"


def _rows(source: CsvSource) -> tuple[list[tuple[int, str | None]], list[tuple[int, str]]]:
    """(row number, first field) of every well-formed row, (row number, reason) of every malformed one."""
    good: list[tuple[int, str | None]] = []
    bad: list[tuple[int, str]] = []
    for chunk in source.chunks(source.columns):
        first = chunk.data.column(0).to_pylist()
        good.extend(zip(chunk.row_numbers().tolist(), first, strict=True))
        bad.extend((m.row_number, m.reason) for m in chunk.malformed)
    return good, bad


def _ingest(tmp_path: Path, path: Path, **options: object) -> tuple[int, int, int, list[dict[str, str]]]:
    result = ingest_file(
        Warehouse(tmp_path / "w"), "contacts", path, entity_id="e", fmt="canonical", program="p",
        quarantine_dir=tmp_path / "q", **options,  # type: ignore[arg-type]
    )  # fmt: skip
    q = read_quarantine(result.accounting.quarantine) if result.accounting.quarantine else []
    return result.accounting.read, result.accounting.accepted, result.accounting.rejected, q


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("chunk_bytes", [300, 1 << 20])
def test_every_line_end_reads_every_row(tmp_path: Path, end: str, chunk_bytes: int) -> None:
    lines = [_line(i) for i in range(60)]
    lines[20] = lines[20].replace("voice", "pigeon")  # line 22
    path = tmp_path / "c.csv"
    path.write_bytes(end.join([HEADER, *lines]).encode() + end.encode())
    read, accepted, rejected, q = _ingest(tmp_path, path, chunk_bytes=chunk_bytes)
    assert (read, accepted, rejected) == (60, 59, 1)
    assert [r["row_number"] for r in q] == ["22"]


def test_blank_lines_keep_their_line_numbers(tmp_path: Path) -> None:
    """Blank lines are neither read nor rejected, and rows after them keep the line they are on."""
    text = "\n".join([HEADER, _line(0), "", "", _line(1), _line(2).replace("voice", "pigeon"), "", _line(3), ""])
    path = tmp_path / "c.csv"
    path.write_text(text + "\n", encoding="utf-8")
    # Lines: 1 header, 2 c0, 3-4 blank, 5 c1, 6 c2 (bad), 7 blank, 8 c3, 9 blank.
    for source in (CsvSource(path, chunk_bytes=64), CsvSource(path, scan_all=True)):
        good, _ = _rows(source)
        assert good == [(2, "c0"), (5, "c1"), (6, "c2"), (8, "c3")]
    read, accepted, rejected, q = _ingest(tmp_path, path)
    assert (read, accepted, rejected) == (4, 3, 1)
    assert [(r["row_number"], r["column"]) for r in q] == [("6", "channel")]


def test_an_unterminated_quote_rejects_its_line_and_the_rest_is_read(tmp_path: Path) -> None:
    """The hostile run's case: a quote opened on one of 200 rows read 4 of them. Now the line is rejected alone."""
    lines = [_line(i) for i in range(200)]
    lines[2] = 'c2,"billing,voice,inbound,2024-03-01T08:00:00Z,false,2'  # line 4, never closed
    path = tmp_path / "c.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    read, accepted, rejected, q = _ingest(tmp_path, path)
    assert (read, accepted, rejected) == (200, 199, 1)
    assert [r["row_number"] for r in q] == ["4"]
    assert q[0]["reason"].startswith("unterminated quote")
    assert q[0]["raw"] == lines[2]


def test_a_stray_quote_closed_by_a_later_one_rejects_only_its_line(tmp_path: Path) -> None:
    """A quote opened on line 4 would close at the first quote of line 9, which has text right after it (it opens
    a field there): line 4 is rejected alone and lines 5 to 9 are read as the rows they are."""
    for later in ('c7,billing,"voice",inbound,2024-03-01T08:00:00Z,false,7',  # 6 fields if it closed the quote
                  'c7,"billing",voice,inbound,2024-03-01T08:00:00Z,false,7'):  # 7  # fmt: skip
        lines = [_line(i) for i in range(12)]
        lines[2] = 'c2,"billing,voice,inbound,2024-03-01T08:00:00Z,false,2'
        lines[7] = later
        path = tmp_path / "c.csv"
        path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
        read, accepted, rejected, q = _ingest(tmp_path / later[10:13], path)
        assert (read, accepted, rejected) == (12, 11, 1)
        assert [r["row_number"] for r in q] == ["4"]
        assert "closed only by a quote on line 9" in q[0]["reason"]


def test_a_well_quoted_value_with_line_breaks_in_a_row_of_the_wrong_width_is_one_rejected_row(
    tmp_path: Path,
) -> None:
    """A value holding line breaks that closes cleanly is a value, even when its row is too short: the row is
    rejected whole on the line it starts on (4), and the next row is on line 7."""
    lines = [_line(i) for i in range(4)]
    lines[2] = 'c2,"two\nthree\nfour",voice,inbound,2024-03-01T08:00:00Z,false'
    path = tmp_path / "c.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    read, accepted, rejected, q = _ingest(tmp_path, path)
    assert (read, accepted, rejected) == (4, 3, 1)
    assert [(r["row_number"], r["reason"]) for r in q] == [("4", "expected 7 fields, found 6")]
    good, _ = _rows(CsvSource(path))
    assert good == [(2, "c0"), (3, "c1"), (7, "c3")]


def test_a_header_with_a_line_break_in_a_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('contact_id,"que\nue",channel\nc1,b,voice\n', encoding="utf-8")
    with pytest.raises(CxcertError, match=r"header \(line 1\) has a line break inside a quoted column name"):
        CsvSource(path)


def test_a_header_of_one_huge_field_is_one_error(tmp_path: Path) -> None:
    """30 MB with no line break nor comma: the csv module's field limit (128 KiB) escaped as _csv.Error."""
    path = tmp_path / "c.csv"
    path.write_text("x" * 200_000, encoding="utf-8")
    with pytest.raises(CxcertError, match=r"header \(line 1\) is not a CSV header: field larger than field limit"):
        CsvSource(path)


def test_an_unterminated_quote_before_a_huge_field_is_quarantined_masked(tmp_path: Path) -> None:
    """A quote opened before 200,000 characters on a line of a file with customer numbers: masking the line
    for the quarantine met the csv module's field limit (_csv.Error traceback). The line is rejected with its
    number and kept as its keyed hash, so the customer number on it is not in the quarantine."""
    header = HEADER + ",customer_key"
    lines = [f"{_line(i)},+3361111000{i}" for i in range(5)]
    lines[2] = 'c2,"' + "x" * 200_000 + ",voice,inbound,2024-03-01T08:00:00Z,false,2,+33611110002"
    path = tmp_path / "c.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    read, accepted, rejected, q = _ingest(tmp_path, path)
    assert (read, accepted, rejected) == (5, 4, 1)
    assert [r["row_number"] for r in q] == ["4"] and q[0]["reason"].startswith("unterminated quote")
    assert len(q[0]["raw"]) == 64 and "+33611110002" not in q[0]["raw"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(tmp_path: Path, encoding: str) -> None:
    lines = [_line(i).replace("billing", "café") for i in range(30)]
    lines[9] = lines[9].replace("voice", "pigeon")
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    path = tmp_path / "c.csv"
    path.write_bytes(bom + "\r\n".join([HEADER, *lines, ""]).encode(encoding))
    read, accepted, rejected, q = _ingest(tmp_path, path)  # canonical: no mapping, so declared UTF-8
    assert (read, accepted, rejected) == (30, 29, 1)
    assert [r["row_number"] for r in q] == ["11"]
    assert "café" in q[0]["raw"]


def test_a_byte_order_mark_against_the_declared_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("a,b\n1,2\n".encode("utf-16"))
    with pytest.raises(CxcertError, match="UTF-16 byte-order mark but is declared latin-1"):
        CsvSource(path, encoding="latin-1")


def test_an_unknown_encoding_in_a_mapping_names_its_line(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  contact_id: id\nencoding: klingon-8\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"m\.yaml:3: encoding: .*unknown encoding 'klingon-8'"):
        load_mapping(mapping, "contacts")
    with pytest.raises(CxcertError, match="unknown encoding 'klingon-8'"):
        CsvSource(mapping, encoding="klingon-8")


@pytest.mark.parametrize("chunk_bytes", [256, 1 << 20])
def test_undecodable_bytes_name_the_byte_and_line(tmp_path: Path, chunk_bytes: int) -> None:
    lines = [_line(i) for i in range(40)]
    path = tmp_path / "c.csv"
    data = "\n".join([HEADER, *lines]).encode() + b"\n"
    at = data.index(b"c30,") + 1  # line 32
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    with pytest.raises(CxcertError, match=rf"not utf-8 text: byte {at} \(line 32\) cannot be decoded"):
        _ingest(tmp_path, path, chunk_bytes=chunk_bytes)


def test_undecodable_utf16_names_the_byte_and_line(tmp_path: Path) -> None:
    data = "\n".join([HEADER, *(_line(i) for i in range(10))]).encode("utf-16") + b"\x00\xd8\x41\x00"  # lone surrogate
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    with pytest.raises(CxcertError, match=rf"not utf-16 text: byte {len(data) - 4} \(line 11\)"):
        CsvSource(path)


def test_a_header_that_is_not_text_names_line_1(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"contact_id,qu\xffeue\nc1,b\n")
    with pytest.raises(CxcertError, match=r"byte 13 \(line 1\)"):
        CsvSource(path)


def test_a_disagreement_between_parser_and_record_count_is_an_error_naming_the_lines(tmp_path: Path) -> None:
    """The check itself: a segment whose scanner count says three records where the parser reads two."""
    path = tmp_path / "c.csv"
    path.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    source = CsvSource(path)
    piece = b"1,2\n3,4\n"
    wrong = Segment(4, piece, 2, 2, np.array([0, 1, 1]), np.array([2, 2, 2]))
    parsed = source._parse(wrong, source.columns)
    expected = r"read 2 records \(0 malformed\) in lines 2-3 where the record count finds 3"
    with pytest.raises(CxcertError, match=expected):
        source._chunk(wrong, parsed, 2, source.columns)


def test_row_numbers_around_skipped_offsets() -> None:
    """Oracle: the free offsets listed one by one."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        count = int(rng.integers(0, 30))
        skipped = np.sort(rng.choice(60, size=int(rng.integers(0, 20)), replace=False)).astype(np.int64)
        free = [o for o in range(count + len(skipped) + 1) if o not in set(skipped.tolist())][:count]
        numbers = row_numbers(7, skipped, np.arange(count, dtype=np.int64))
        assert numbers.tolist() == [7 + o for o in free]
        chunk = Chunk(pa.RecordBatch.from_pydict({"a": list(range(count))}), 0, 7, skipped)
        assert [chunk.row_number(i) for i in range(count)] == numbers.tolist()
