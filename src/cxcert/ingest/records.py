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

from cxcert.ingest.csv_blocks import QUOTE, ReadAt, last_cut, line_bounds, quote_state

PIECE_BYTES = 1 << 22
"""The scanner reads the file in pieces of this size (or of a segment's, when smaller)."""
NO_RECORDS = np.empty(0, dtype=np.int64)


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
    for pos, buffer in whole_lines(read_at, start, end, piece_bytes):
        for line in buffer.splitlines(keepends=True):
            yield pos, line
            pos += len(line)


def whole_lines(read_at: ReadAt, start: int, end: int, piece_bytes: int = PIECE_BYTES) -> Iterator[tuple[int, bytes]]:
    """Bytes ``[start, end)`` in pieces of whole lines (about ``piece_bytes``), each with its file offset; a piece
    grows when a line is longer."""
    carry: list[bytes] = []  # the start of a line that goes on in the next piece (kept as a list: no re-copying)
    carried = 0
    pos = start
    while pos < end:
        want = min(piece_bytes, end - pos - carried)
        data = read_at(pos + carried, want) if want > 0 else b""
        at_end = pos + carried + len(data) >= end or not data
        cut = last_cut(data) if not at_end else len(data)
        if cut < 0:
            carry.append(data)
            carried += len(data)
            continue
        buffer = b"".join([*carry, data[:cut]]) if carry else data[:cut]
        carry, carried = ([data[cut:]], len(data) - cut) if cut < len(data) else ([], 0)
        if buffer:
            yield pos, buffer
            pos += len(buffer)
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
    """One pass; returns where to scan again after a bad line (offset, line), or None at the end.

    A piece of whole lines at a time: where each line starts, whether it is blank, holds a quote, and how many
    delimiters it holds are found for the whole piece at once (numpy); only the lines holding a quote are walked
    one by one (:func:`quote_state`), and the lines between are records as they stand (or, inside quotes, go on
    the open record)."""
    sep = ord(delimiter)
    seg_start = start
    done_lines = 0  # lines in the segments handed out
    seg_lines = 0  # lines of the current segment in the pieces done
    record_parts: list[np.ndarray] = []  # line (in the segment) of each record, piece by piece
    field_parts: list[np.ndarray] = []  # and its width
    in_quotes = False
    open_at = open_line = open_fields = 0  # the record spanning lines: its offset, line in segment, delimiters
    open_sloppy = False  # one of its quoted fields closed with text right after the closing quote
    first_text = b""

    def segment(count: int, stop: int) -> Segment:
        lines = np.concatenate(record_parts) if record_parts else NO_RECORDS
        fields = np.concatenate(field_parts) if field_parts else NO_RECORDS
        # Read again rather than kept: a quote that never closes would keep the rest of the file.
        return Segment(seg_start, read_at(seg_start, stop - seg_start), count, first_line + done_lines, lines, fields)

    def bad_line(closes_on: int | None) -> Iterator[Segment | BadLine]:
        if open_at > seg_start:
            yield segment(open_line, open_at)
        yield BadLine(open_at, first_text, first_line + done_lines + open_line, closes_on, open_fields + 1)

    for base, buffer in whole_lines(read_at, start, end, max(64, min(PIECE_BYTES, segment_bytes))):
        data = np.frombuffer(buffer, dtype=np.uint8)
        starts, ends, nexts = line_bounds(data)
        n = len(starts)
        quoted = np.zeros(n, dtype=bool)
        quoted[np.searchsorted(starts, np.flatnonzero(data == QUOTE), side="right") - 1] = True
        fields = np.bincount(np.searchsorted(starts, np.flatnonzero(data == sep), side="right") - 1, minlength=n) + 1
        is_record = starts != ends  # blank lines start no record
        open_here: int | None = None  # the open record's line in this piece
        done = 0  # lines before this are classified
        for at in np.flatnonzero(quoted).tolist():
            body = buffer[starts[at] : ends[at]]
            if in_quotes:
                is_record[done : at + 1] = False  # the open record goes on
                done = at + 1
                in_quotes, found, sloppy = quote_state(body, sep, True)
                open_fields += found
                open_sloppy = open_sloppy or sloppy
                if in_quotes:
                    continue
                if open_sloppy:  # a quote closed with text after it: the quote opening the record was a stray one
                    if open_here is not None:
                        kept = np.flatnonzero(is_record[:open_here])
                        record_parts.append(kept + seg_lines)
                        field_parts.append(fields[kept])
                    yield from bad_line(first_line + done_lines + seg_lines + at)
                    return open_at + len(first_text), first_line + done_lines + open_line + 1
                if open_here is not None:
                    is_record[open_here] = True
                    fields[open_here] = open_fields + 1
                else:  # opened in an earlier piece: it comes before every record of this one
                    record_parts.append(np.array([open_line], dtype=np.int64))
                    field_parts.append(np.array([open_fields + 1], dtype=np.int64))
                continue
            done = at + 1
            in_quotes, found, open_sloppy = quote_state(body, sep)
            if in_quotes:
                open_at, open_line, open_fields = base + int(starts[at]), seg_lines + at, found
                first_text = buffer[starts[at] : nexts[at]]
                open_here = at
                is_record[at] = False
            else:
                fields[at] = found + 1  # delimiters inside quotes are not field breaks
        if in_quotes:
            is_record[done:] = False
        kept = np.flatnonzero(is_record)
        record_parts.append(kept + seg_lines)
        field_parts.append(fields[kept])
        seg_lines += n
        seg_end = base + len(buffer)
        if not in_quotes and (seg_end - seg_start >= segment_bytes or seg_end - start >= stop_after):
            yield segment(seg_lines, seg_end)
            seg_start = seg_end
            done_lines += seg_lines
            seg_lines, record_parts, field_parts = 0, [], []
            if seg_end - start >= stop_after:
                return None
    if in_quotes:  # the end of the file inside quotes: the quote opened on the record's first line never closed
        yield from bad_line(None)
        return open_at + len(first_text), first_line + done_lines + open_line + 1
    if seg_lines:
        yield segment(seg_lines, end)
    return None
