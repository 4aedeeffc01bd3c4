"""The record scanner: where each record of delimited text starts and ends, found without the parser.

Used where a block cut on line breaks could not be trusted (:mod:`cxcert.ingest.csv_blocks`): from there the
scanner walks the text line by line with the parser's quoting rules (:func:`~cxcert.ingest.csv_blocks.quote_state`)
and hands out *segments* of whole records, each with the line every record starts on and its number of fields.
The parser then reads each segment, and its record count must equal the scanner's: two independent counts, so a
disagreement is an error naming the lines, never a silently shorter file.

A quoted field that never closes would otherwise swallow the rest of the file into one value. The scanner reads
such a record as a *bad line*: a record spanning several lines that ends inside quotes at the end of the file,
or in which a quote closes with text right after it (``"abc"def``: a well-quoted file never holds that, while a
stray quote is closed by the next quote met, which opens a later field and so has its text right after it), is
taken to be an unterminated quote on its first line. A record spanning lines that closes cleanly is a value
holding line breaks, kept whole (rejected whole if its width is wrong). That line alone is rejected
(with its line number) and the scan starts again on the next line, so every later record is read as if the stray
quote were not there.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass

import numpy as np

from cxcert.ingest.csv_blocks import QUOTE, ReadAt, quote_state

PIECE_BYTES = 1 << 22
"""The scanner reads the file in pieces of this size."""


@dataclass(frozen=True)
class Segment:
    """Whole records: bytes ``[start, start + len(piece))``, ``lines`` lines from file line ``first_line``.

    ``record_lines``: the 0-based line (within the segment) on which each record starts, in order; blank lines
    and the continuation lines of values holding a line break start none. ``fields``: each record's field count.
    """

    start: int
    piece: bytes
    lines: int
    first_line: int
    record_lines: np.ndarray
    fields: np.ndarray

    @property
    def end(self) -> int:
        return self.start + len(self.piece)


@dataclass(frozen=True)
class BadLine:
    """One line read as the start of an unterminated quoted field (``fields``: the record's width as quoted)."""

    start: int
    text: bytes
    first_line: int
    closes_on: int | None  # the file line on which the quote would have closed; None: never
    fields: int
    lines: int = 1

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def file_lines(read_at: ReadAt, start: int, end: int, piece_bytes: int = PIECE_BYTES) -> Iterator[tuple[int, bytes]]:
    """Every line of bytes ``[start, end)`` with its file offset, line break included (LF, CRLF or CR)."""
    carry: list[bytes] = []  # the start of a line that goes on in the next piece (kept as a list: no re-copying)
    carried = 0
    pos = start
    while True:
        want = min(piece_bytes, end - pos - carried)
        data = read_at(pos + carried, want) if want > 0 else b""
        at_end = pos + carried + len(data) >= end or not data
        if not at_end and data.find(b"\n") < 0 and data.find(b"\r") < 0:
            carry.append(data)
            carried += len(data)
            continue
        buffer = b"".join([*carry, data]) if carry else data
        lines = buffer.splitlines(keepends=True)
        last = lines.pop() if lines and not at_end else b""  # the last line may go on (or be half a CRLF)
        carry, carried = ([last], len(last)) if last else ([], 0)
        for line in lines:
            yield pos, line
            pos += len(line)
        if at_end:
            return


def line_body(line: bytes) -> bytes:
    """``line`` without its line break."""
    if line.endswith(b"\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith((b"\n", b"\r")) else line


def scan_records(
    read_at: ReadAt,
    start: int,
    end: int,
    first_line: int,
    *,
    delimiter: str,
    expected: int,
    segment_bytes: int,
    stop_after: float = float("inf"),
) -> Iterator[Segment | BadLine]:
    """Segments of about ``segment_bytes`` and bad lines, in file order, from byte ``start`` (a record boundary,
    file line ``first_line``) to ``end`` or, at the first record boundary once ``stop_after`` bytes are
    scanned, earlier (the caller goes on from the last segment's end)."""
    while start < end:
        restart = yield from _scan(read_at, start, end, first_line, delimiter, expected, segment_bytes, stop_after)
        if restart is None:
            return
        stop_after -= restart[0] - start
        start, first_line = restart


def _scan(
    read_at: ReadAt,
    start: int,
    end: int,
    first_line: int,
    delimiter: str,
    expected: int,
    segment_bytes: int,
    stop_after: float,
) -> Generator[Segment | BadLine, None, tuple[int, int] | None]:
    """One pass; returns where to scan again after a bad line (offset, line), or None at the end."""
    sep = ord(delimiter)
    sep_byte = delimiter.encode()
    seg_start = start
    seg_end = start  # the end of the last whole record (or blank line) of the segment
    done_lines = 0  # lines in the segments handed out
    lines = 0  # lines in the segment so far
    record_lines: list[int] = []
    fields: list[int] = []
    in_quotes = False
    open_at = open_line = open_fields = 0  # the record spanning lines: its offset, line in segment, delimiters
    open_sloppy = False  # a quoted field of the open record closed with text right after its closing quote
    first_text = b""

    def segment(count: int, stop: int) -> Segment:
        # Read again rather than kept line by line: a quote that never closes would keep the rest of the file.
        return Segment(
            seg_start, read_at(seg_start, stop - seg_start), count, first_line + done_lines,
            np.asarray(record_lines, dtype=np.int64), np.asarray(fields, dtype=np.int64),
        )  # fmt: skip

    def bad_line(closes_on: int | None) -> Iterator[Segment | BadLine]:
        if open_at > seg_start:
            yield segment(open_line, open_at)
        yield BadLine(open_at, first_text, first_line + done_lines + open_line, closes_on, open_fields + 1)

    for offset, line in file_lines(read_at, start, end):
        body = line_body(line)
        if in_quotes:
            lines += 1
            if QUOTE not in body:
                continue
            in_quotes, found, sloppy = quote_state(body, sep, True)
            open_fields += found
            open_sloppy = open_sloppy or sloppy
            if in_quotes:
                continue
            if open_sloppy:  # a quote closed with text after it: the quote that opened the record was a stray one
                yield from bad_line(first_line + done_lines + lines - 1)
                return open_at + len(first_text), first_line + done_lines + open_line + 1
            record_lines.append(open_line)
            fields.append(open_fields + 1)
        elif not body:
            lines += 1  # a blank line: no record
        elif QUOTE not in body:
            record_lines.append(lines)
            fields.append(body.count(sep_byte) + 1)
            lines += 1
        else:
            in_quotes, found, open_sloppy = quote_state(body, sep)
            if in_quotes:
                open_at, open_line, open_fields, first_text = offset, lines, found, line
                lines += 1
                continue
            record_lines.append(lines)
            fields.append(found + 1)
            lines += 1
        # At a record boundary: hand out the segment when it is large enough.
        seg_end = offset + len(line)
        if seg_end - seg_start >= segment_bytes or seg_end - start >= stop_after:
            yield segment(lines, seg_end)
            seg_start = seg_end
            done_lines += lines
            lines, record_lines, fields = 0, [], []
            if seg_end - start >= stop_after:
                return None
    if in_quotes:  # the end of the file inside quotes: the quote opened on the record's first line never closed
        yield from bad_line(None)
        return open_at + len(first_text), first_line + done_lines + open_line + 1
    if seg_end > seg_start or lines:
        yield segment(lines, seg_end)
    return None
