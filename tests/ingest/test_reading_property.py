"""Property: whatever the text looks like, every row of a file is accounted for, on the right line, and the
warehouse holds exactly the accepted rows.

Files are generated with any mix of LF, CRLF and CR line ends, values holding delimiters, quotes and line
breaks, fields quoted or not, blank lines, a missing final line break, UTF-8 (with or without BOM), Latin-1 or
UTF-16, comma, semicolon or tab, bad values (an unknown channel, a duration that is not a number), rows of the
wrong width, and a quote that never closes. They are read through a mapping (``--format csv``) in small blocks,
so cut blocks and the record scanner both take turns.

Oracles: Python's ``csv`` module reads the file (without the unterminated line, which it would swallow the rest
of the file into) and must give back the generated rows, so the generator's quoting is checked independently;
``str.splitlines`` counts the lines before each row for its expected row number; which rows are bad is known
from how they were made.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.warehouse import Warehouse

COLUMNS = ("contact_id", "queue", "channel", "direction", "arrived_at", "abandoned", "wait_s")
ENDS = ("\n", "\r\n", "\r")
TEXT = st.text(alphabet='ab ,;\t"\n\ré', max_size=8)
"""Queue text: delimiters, quotes, line breaks, a character outside ASCII (in Latin-1, so every encoding has it)."""
ONE_LINE_TEXT = st.text(alphabet='ab ,;\t"é', max_size=8)
"""Without line breaks: a file whose values hold none is read in blocks cut on line breaks, not by the scanner."""


@dataclass(frozen=True)
class Row:
    fields: tuple[str, ...]
    bad: str | None  # the column expected in the quarantine ("" for a row of the wrong width); None when good
    unterminated: bool = False


@st.composite
def rows(draw: st.DrawFn) -> list[Row]:
    out: list[Row] = []
    text = TEXT if draw(st.booleans()) else ONE_LINE_TEXT
    for i in range(draw(st.integers(0, 25))):
        queue = "q" + draw(text) + "q"  # never empty, never trimmed: the csv format trims spaces
        fields = [f"c{i}", queue, "voice", "inbound", "2024-03-01T08:00:00Z", "false", str(i % 50)]
        kind = draw(st.sampled_from(["good"] * 6 + ["channel", "wait_s", "width"]))
        if kind == "channel":
            fields[2] = "pigeon"
        elif kind == "wait_s":
            fields[6] = "soon"
        elif kind == "width":
            fields.pop()
        out.append(Row(tuple(fields), None if kind == "good" else ("" if kind == "width" else kind)))
    return out


def _plain(value: str) -> str:
    """``value`` without anything that would need quotes."""
    return "".join(c for c in value if c not in ',;\t"\n\r')


@dataclass(frozen=True)
class Generated:
    data: bytes
    text_without_unterminated: str
    rows: list[Row]
    lines: list[int]  # the line each row starts on
    delimiter: str
    encoding: str


@st.composite
def files(draw: st.DrawFn) -> Generated:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    quote_all = draw(st.booleans())
    records = draw(rows())
    with_stray: bool = draw(st.booleans())
    stray = draw(st.integers(0, len(records))) if records and with_stray else None
    if stray is not None and stray < len(records):
        # A quote that never closes: no quote may follow it, so the rows after it are plain.
        plain = [Row(tuple(_plain(f) for f in r.fields), r.bad) for r in records[stray + 1 :]]
        broken = (f"c{stray}", '"qopenq', *records[stray].fields[2:])
        records = [*records[:stray], Row(broken, "", unterminated=True), *plain]

    def field(value: str, plain: bool) -> str:
        special = any(c in value for c in (delimiter, '"', "\n", "\r"))
        if special or (quote_all and not plain):
            return '"' + value.replace('"', '""') + '"'
        return value

    pieces = [delimiter.join(COLUMNS) + draw(st.sampled_from(ENDS))]
    kept = [pieces[0]]  # the text without the unterminated line, for the csv module
    lines: list[int] = []
    line = 1 + len(pieces[0].splitlines())
    after_stray = False
    for n, row in enumerate(records):
        for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 2)) == 0 else 0):
            end = draw(st.sampled_from(ENDS))
            if pieces[-1].endswith("\r") and end == "\n":
                end = "\r"  # an LF after a CR would make one CRLF, not a blank line
            pieces.append(end)
            kept.append(end)
            line += 1
        last = n == len(records) - 1
        end = "" if last and draw(st.booleans()) else draw(st.sampled_from(ENDS))
        if row.unterminated:
            text = delimiter.join(row.fields) + (end or "\n")
            after_stray = True
        else:
            text = delimiter.join(field(f, after_stray) for f in row.fields) + end
            kept.append(text)
        pieces.append(text)
        lines.append(line)
        line += len(text.splitlines())
    text = "".join(pieces)
    return Generated(text.encode(encoding), "".join(kept), records, lines, delimiter, encoding)


MAPPING = "kind: contacts\ncolumns:\n" + "".join(f"  {c}: {c}\n" for c in COLUMNS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=files(), chunk_bytes=st.integers(16, 400))
def test_every_row_is_accounted_for_on_its_line(
    tmp_path_factory: pytest.TempPathFactory, generated: Generated, chunk_bytes: int
) -> None:
    root = tmp_path_factory.mktemp("property")
    path = root / "contacts.csv"
    path.write_bytes(generated.data)
    mapping = root / "map.yaml"
    delimiter = {"\t": '"\\t"'}.get(generated.delimiter, f'"{generated.delimiter}"')
    mapping.write_text(MAPPING + f"delimiter: {delimiter}\nencoding: {generated.encoding}\n", encoding="utf-8")

    # The oracle reads the generated text back: the generator's quoting gives the rows it meant.
    parsed = [r for r in csv.reader(io.StringIO(generated.text_without_unterminated, newline=""),
                                    delimiter=generated.delimiter) if r]  # fmt: skip
    assert parsed[0] == list(COLUMNS)
    assert parsed[1:] == [list(r.fields) for r in generated.rows if not r.unterminated]

    warehouse = Warehouse(root / "warehouse")
    result = ingest_file(
        warehouse, "contacts", path, entity_id="e", fmt="csv", mapping=mapping, program="p",
        chunk_bytes=chunk_bytes, quarantine_dir=root / "quarantine",
    )  # fmt: skip
    accounting = result.accounting
    bad = {line: row.bad for row, line in zip(generated.rows, generated.lines, strict=True) if row.bad is not None}
    assert accounting.read == len(generated.rows)
    assert accounting.read == accounting.accepted + accounting.rejected
    assert accounting.rejected == len(bad)
    quarantined = read_quarantine(accounting.quarantine) if accounting.quarantine else []
    assert {int(q["row_number"]): q["column"] for q in quarantined} == bad

    good = [row.fields for row in generated.rows if row.bad is None]
    expected = sorted((f[0], f[1], f[2], float(f[6])) for f in good)
    stored = warehouse.sql("SELECT contact_id, queue, channel, wait_s FROM contacts").to_pylist() if good else []
    assert sorted((r["contact_id"], r["queue"], r["channel"], r["wait_s"]) for r in stored) == expected
