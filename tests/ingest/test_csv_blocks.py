"""Parallel CSV blocks keep exact row numbers: the blocks tile the file, a cut never splits a record that the
check lets through, and the reader gives the same rows with the same numbers as the record scanner.

Oracles: the record scanner (``CsvSource(scan_all=True)``: every record found by walking the text with the
parser's quoting rules, independently of the cut blocks); hand-built files whose bad rows are planted at known
lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcert.ingest.csv_blocks import RawBlock, can_cut, cut_blocks, ends_in_quotes, trusted_blanks
from cxcert.ingest.ordered_map import ordered_map
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.ingest.sources import CsvSource
from cxcert.warehouse import Warehouse

HEADER = "contact_id,queue,channel,direction,arrived_at,abandoned,wait_s"


def _rows(source: CsvSource) -> tuple[list[tuple[int, tuple[str | None, ...]]], list[tuple[int, str]]]:
    """Every well-formed row with its number, and every malformed row's number and text."""
    good: list[tuple[int, tuple[str | None, ...]]] = []
    bad: list[tuple[int, str]] = []
    for chunk in source.chunks(source.columns):
        columns = [chunk.data.column(i).to_pylist() for i in range(chunk.data.num_columns)]
        good.extend((chunk.row_number(i), tuple(c[i] for c in columns)) for i in range(chunk.data.num_rows))
        bad.extend((m.row_number, m.text) for m in chunk.malformed)
    return good, sorted(bad)


def _read_at(data: bytes) -> Callable[[int, int], bytes]:
    return lambda offset, size: data[offset : offset + size]


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_blocks_tile_the_file_and_end_on_line_breaks(end: str) -> None:
    data = b"".join(f"{i},q,{'x' * (i % 13)}{end}".encode() for i in range(500))
    blocks = list(cut_blocks(_read_at(data), 0, len(data), 256))
    assert len(blocks) > 10
    assert b"".join(bytes(b.data()) for b in blocks) == data
    assert all(b.end == later.start for b, later in itertools.pairwise(blocks))
    assert all(bytes(b.data()).endswith(end.encode()) for b in blocks)
    assert sum(b.lines for b in blocks) == 500


def test_a_cut_inside_a_quoted_line_break_is_not_trusted(tmp_path: Path) -> None:
    """Blocks are cut at their last line break, quoted or not; a block cut inside a quoted field fails the check,
    so every record is still read whole and numbered as the record scanner numbers it."""
    path = tmp_path / "q.csv"
    path.write_bytes(b"a,b,c\n" + b'1,"two\nlines",3\n' * 40)
    data = path.read_bytes()
    blocks = list(cut_blocks(_read_at(data), 0, len(data), 50))
    assert any(bytes(b.data()).count(b'"') % 2 for b in blocks)  # some cuts do fall inside quotes
    parallel = CsvSource(path, chunk_bytes=50)
    assert _rows(parallel) == _rows(CsvSource(path, scan_all=True))
    assert parallel.scanned_from is not None


def test_a_block_grows_when_a_record_is_longer_than_the_block() -> None:
    data = b"a,b\n" + b"x" * 1000 + b",y\nc,d\n"
    blocks = list(cut_blocks(_read_at(data), 0, len(data), 64))
    assert b"".join(bytes(b.data()) for b in blocks) == data
    assert blocks[1].start == 4 and blocks[1].size >= 1003


@pytest.mark.parametrize(
    ("line", "inside"),
    [
        (b"a,b,c", False),
        (b'a,"b,c', True),
        (b'a,"b"",c', True),  # a doubled quote is a literal quote: still inside
        (b'a,"b""",c', False),
        (b'a,b"c,"d', True),  # a quote inside an unquoted field is literal; the one at a field start opens
        (b'a,b"c,d', False),
    ],
)
def test_ends_in_quotes_follows_the_parser(line: bytes, inside: bool) -> None:
    assert ends_in_quotes(line, ord(",")) is inside


def test_one_record_per_line_check() -> None:
    block = RawBlock(0, b"1,2\n3,4\n", 8)
    assert block.lines == 2
    assert trusted_blanks(block, 2, ",") is not None
    assert trusted_blanks(block, 1, ",") is None  # a value held a line break
    last_open = RawBlock(0, b'1,2\n3,"4\n', 9)
    assert trusted_blanks(last_open, 2, ",") is None  # the cut fell inside a quoted field
    blanks = RawBlock(0, b"\r\n1,2\r\n\r\n\r3,4", 13)
    assert blanks.lines == 5
    assert trusted_blanks(blanks, 2, ",").tolist() == [0, 2, 3]  # type: ignore[union-attr]
    # An open quote whose swallowed lines end blank is not mistaken for one record and a blank line.
    swallowed = RawBlock(0, b'1,"2\n\n', 6)
    assert trusted_blanks(swallowed, 1, ",") is None


def test_encodings_that_can_be_cut() -> None:
    assert can_cut("utf8") and can_cut("latin-1") and can_cut("cp1252")
    assert not can_cut("utf-16") and not can_cut("no-such-codec")


def _write(tmp_path: Path, lines: list[str], name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _line(i: int) -> str:
    return f"c{i},billing,voice,inbound,2024-03-01T08:00:00Z,false,{i % 50}"


def test_many_blocks_number_rows_exactly(tmp_path: Path) -> None:
    """Bad values and short rows planted across many blocks come back with the rows they were planted at."""
    lines = [_line(i) for i in range(3000)]
    planted: dict[int, str] = {}
    for i in range(7, 3000, 97):
        if i % 2:
            lines[i] = f"c{i},billing,voice"  # too few fields
            planted[i + 2] = ""
        else:
            lines[i] = lines[i].replace("voice", "pigeon")
            planted[i + 2] = "channel"
    path = _write(tmp_path, lines)
    source = CsvSource(path, chunk_bytes=1024)
    assert len(list(source.chunks(source.columns))) > 50
    assert source.scanned_from is None
    result = ingest_file(
        Warehouse(tmp_path / "w"),
        "contacts",
        path,
        entity_id="e",
        fmt="canonical",
        program="p",
        chunk_bytes=1024,
        quarantine_dir=tmp_path / "q",
    )
    assert result.chunks > 50
    assert result.accounting.quarantine is not None
    found = {int(r["row_number"]): r["column"] for r in read_quarantine(result.accounting.quarantine)}
    assert found == planted
    assert (result.accounting.read, result.accounting.rejected) == (3000, len(planted))


def test_a_line_break_in_a_value_hands_over_to_the_record_scanner(tmp_path: Path) -> None:
    """Rows are numbered by the line they start on, also after a value that holds a line break (which takes two
    lines: the row planted at list index 300 is on line 303, header and line break counted)."""
    lines = [_line(i) for i in range(400)]
    lines[150] = 'c150,"two\nline queue",voice,inbound,2024-03-01T08:00:00Z,false,1'
    lines[300] = lines[300].replace("voice", "pigeon")
    path = _write(tmp_path, lines)
    parallel = CsvSource(path, chunk_bytes=512)
    good, _ = _rows(parallel)
    assert parallel.scanned_from is not None and parallel.scanned_from > parallel.data_start
    scanned_good, _ = _rows(CsvSource(path, scan_all=True))
    assert good == scanned_good
    assert dict(good)[152][1] == "two\nline queue"
    result = ingest_file(
        Warehouse(tmp_path / "w"),
        "contacts",
        path,
        entity_id="e",
        fmt="canonical",
        program="p",
        chunk_bytes=512,
        quarantine_dir=tmp_path / "q",
    )
    assert result.accounting.quarantine is not None
    assert [r["row_number"] for r in read_quarantine(result.accounting.quarantine)] == ["303"]


FIELD = st.one_of(
    st.sampled_from(["", "a", "b c", "x,y", 'say "hi"', "two\nlines", "NA", '5" screen']),
    st.text(alphabet='ab ,"\n', max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(FIELD, min_size=1, max_size=4), min_size=0, max_size=40),
    quote_all=st.booleans(),
    block=st.integers(min_value=8, max_value=200),
)
def test_cut_blocks_read_as_the_record_scanner_does(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], quote_all: bool, block: int
) -> None:
    """Whatever the text (quotes, delimiters and line breaks in values, stray quotes, short and long rows), the
    blocks cut on line breaks give exactly the record scanner's rows, numbers and malformed rows."""
    root = tmp_path_factory.mktemp("blocks")
    lines = ["h1,h2,h3"]
    for fields in rows:
        if quote_all:
            lines.append(",".join('"' + f.replace('"', '""') + '"' for f in fields))
        else:
            lines.append(",".join(fields))
    path = root / "f.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    try:
        scanned = _rows(CsvSource(path, scan_all=True))
    except Exception as exc:  # the scanner refuses the file: so must the cut blocks
        with pytest.raises(type(exc)):
            _rows(CsvSource(path, chunk_bytes=block))
        return
    assert _rows(CsvSource(path, chunk_bytes=block)) == scanned


def test_ordered_map_keeps_order_and_raises() -> None:
    assert list(ordered_map(lambda x: x * x, range(50), workers=3)) == [x * x for x in range(50)]

    def fail_on_7(x: int) -> int:
        if x == 7:
            raise ValueError("seven")
        return x

    with pytest.raises(ValueError, match="seven"):
        list(ordered_map(fail_on_7, range(20), workers=2))


def test_same_content_under_another_name_is_a_no_op(tmp_path: Path) -> None:
    """The fingerprint is computed while reading; the check before the commit still makes a copy a no-op."""
    path = _write(tmp_path, [_line(i) for i in range(20)] + ["c20,billing,pigeon,inbound,2024-03-01T08:00:00Z,f,1"])
    warehouse = Warehouse(tmp_path / "w")
    first = ingest_file(warehouse, "contacts", path, entity_id="e", fmt="canonical", program="p")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    again = ingest_file(warehouse, "contacts", copy, entity_id="e", fmt="canonical", program="p")
    assert (first.skipped, again.skipped) == (False, True)
    assert again.fingerprint == first.fingerprint
    assert len(warehouse.ingests()) == 1
    assert first.accounting.quarantine is not None
    assert sorted(p.name for p in first.accounting.quarantine.parent.iterdir()) == [first.accounting.quarantine.name]


def test_the_record_scanner_numbers_rows_across_chunks(tmp_path: Path) -> None:
    """The record scanner (used from the first untrusted block on) keeps numbering exact over several chunks."""
    lines = [_line(i) for i in range(40_000)]  # about 2.5 MB: more than one segment
    planted: dict[int, str] = {}
    for i in range(5, 40_000, 4_001):
        lines[i] = f"c{i},billing"
        planted[i + 2] = lines[i]
    lines[30_000] = lines[30_000].replace("billing", "")  # an empty queue, also a rejected row
    path = _write(tmp_path, lines)
    source = CsvSource(path, scan_all=True, chunk_bytes=1 << 20)
    chunks = list(source.chunks(source.columns))
    assert len(chunks) > 1
    bad = {m.row_number: m.text for c in chunks for m in c.malformed}
    assert bad == planted
    numbers = [c.row_number(i) for c in chunks for i in range(c.data.num_rows)]
    assert numbers == [n for n in range(2, 40_002) if n not in planted]
