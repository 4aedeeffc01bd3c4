"""Cutting delimited text into blocks that can be parsed in parallel without losing a single row number.

Rows are numbered by the line of the file they start on (header = line 1), so a row's number depends on how many
lines precede it; a parallel parser only knows that when every block starts and ends on a record boundary and
its records' lines are known. Blocks are therefore cut on raw bytes and each cut is *verified*:

- a line ends at LF, CRLF or a lone CR (old Mac and some spreadsheet exports); a block is cut after its last line
  break (which may fall inside a quoted field: the check below finds out);
- after parsing, the block is trusted only when every line of it that is not blank holds exactly one record
  (well-formed and malformed rows together: records + blank lines = lines) and its last line that is not blank
  does not end inside quotes. Then every line break in it ends a record, the cut was a record boundary, and each
  record's row number is its line's.

The check is an independent count: the parser counts records, the block counts line breaks. A block that fails
it (a value holding a line break, a stray quote, a cut inside quotes) is handed to the record scanner
(:mod:`cxcert.ingest.records`), which finds record boundaries itself and numbers every record exactly.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

QUOTE = ord('"')
LF = ord("\n")
CR = ord("\r")

ReadAt = Callable[[int, int], bytes]
"""``read_at(offset, size)``: up to ``size`` bytes of the file from byte ``offset`` (``os.pread`` shaped)."""

ASCII_SAFE_CODECS = frozenset({"utf-8", "utf-8-sig", "ascii", "iso8859-1", "iso8859-15", "cp1250", "cp1252"})
"""Encodings in which a line break, a quote and a delimiter are the single ASCII byte they look like and never
part of another character, so a text file can be cut on raw bytes."""


def codec_name(encoding: str) -> str | None:
    """Python's name for ``encoding`` (``utf8`` -> ``utf-8``); None when Python does not know it."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def can_cut(encoding: str) -> bool:
    """Whether files in ``encoding`` can be cut into blocks on raw bytes."""
    return codec_name(encoding) in ASCII_SAFE_CODECS


def count_line_breaks(data: bytes) -> int:
    """Line breaks in ``data``: LF, CRLF and a lone CR each count once."""
    lf = data.count(b"\n")
    cr = data.count(b"\r")
    return lf + cr - data.count(b"\r\n") if cr else lf


@dataclass(frozen=True)
class RawBlock:
    """Bytes ``[start, end)`` of the file, held as ``piece[:size]`` (no copy): whole lines, the last one possibly
    without its line break at the end of the file."""

    start: int
    piece: bytes
    size: int

    @property
    def end(self) -> int:
        return self.start + self.size

    def data(self) -> memoryview:
        """The block's bytes (zero copy)."""
        return memoryview(self.piece)[: self.size]

    @cached_property
    def lines(self) -> int:
        """Lines in the block (a final line without a line break counts)."""
        count = self.piece.count(b"\n", 0, self.size)
        if self.piece.find(b"\r", 0, self.size) >= 0:  # a find is much quicker than a count: most files have no CR
            count += self.piece.count(b"\r", 0, self.size) - self.piece.count(b"\r\n", 0, self.size)
        return count + (1 if self.size and self.piece[self.size - 1] not in (LF, CR) else 0)

    def line_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Start and end (exclusive, before the line break) of every line of the block."""
        starts, ends, _ = line_bounds(np.frombuffer(self.piece, dtype=np.uint8, count=self.size))
        return starts, ends

    def blank_lines(self) -> np.ndarray:
        """0-based indices of the block's blank lines (nothing between two line breaks)."""
        starts, ends = self.line_bounds()
        return np.flatnonzero(starts == ends)


def line_bounds(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every line of ``data`` (bytes as uint8): its start, its end before the line break, and the start of the next
    line (after the break: LF, CRLF or a lone CR). A last line without a line break counts."""
    size = len(data)
    if not size:
        nothing = np.empty(0, dtype=np.int64)
        return nothing, nothing, nothing
    lf = data == LF
    cr = data == CR
    is_break = lf | cr
    is_break[1:] &= ~(lf[1:] & cr[:-1])  # the LF of a CRLF belongs to the CR's line break
    ends = np.flatnonzero(is_break)
    crlf = np.zeros(len(ends), dtype=bool)
    inside = ends + 1 < size
    crlf[inside] = cr[ends[inside]] & lf[ends[inside] + 1]
    nexts = ends + 1 + crlf
    if (int(nexts[-1]) if len(nexts) else 0) < size:  # a last line without a line break
        ends = np.concatenate((ends, [size]))
        nexts = np.concatenate((nexts, [size]))
    starts = np.concatenate(([0], nexts[:-1])).astype(np.int64)
    return starts, ends, nexts


def cut_blocks(
    read_at: ReadAt, start: int, end: int, block_bytes: int, *, max_bytes: int = 1 << 30
) -> Iterator[RawBlock]:
    """Read bytes ``[start, end)`` (``start`` a record boundary) in blocks of about ``block_bytes`` ending on line
    breaks.

    Each block is read from its own start (the partial line after a cut is read again with the next block, which
    costs a few bytes and saves copying the block). A block grows past ``block_bytes`` only when it holds no line
    break, up to ``max_bytes``. A cut is not guessed any cleverer (counting quotes cost a third of a second of the
    reading thread per 500 MB): a block whose cut fell inside a quoted field fails the check anyway, as does any
    block holding a line break inside a value, and the record scanner takes over from its start.
    """
    offset = start
    while offset < end:
        size = block_bytes
        while True:
            piece = read_at(offset, min(size, end - offset))
            at_end = offset + len(piece) >= end
            cut = len(piece) if at_end else last_cut(piece)
            if cut > 0 or size >= max_bytes:
                break
            size *= 2  # no usable line break yet: read a larger block
        if not piece:
            return
        cut = cut if cut > 0 else len(piece)
        yield RawBlock(offset, piece, cut)
        offset += cut


def last_cut(data: bytes) -> int:
    """Index just after the last line break that is surely whole; -1 when there is none.

    A CR as the very last byte may be the first half of a CRLF whose LF is not read yet: it is not a cut. Any
    other CR after the last LF is a lone CR (a CRLF's CR would have an LF after it)."""
    last = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1))
    return last + 1 if last >= 0 else -1


def quote_state(line: bytes, delimiter: int, in_quotes: bool = False) -> tuple[bool, int, bool]:
    """Scan one line (without its line break) the way the parser does: whether it ends inside a quoted field, how
    many delimiters it holds outside quotes, and whether a quoted field closed with something other than a
    delimiter or the line's end right after its closing quote (``"abc"def``: the parser reads ``abcdef``, but a
    well-quoted file never has it, so it marks a quote that was not meant to close there).

    ``in_quotes``: the line continues a quoted field of the line before. A quote opens a quoted field only at the
    start of a field; inside one, a doubled quote is a literal quote and a single quote closes it (what follows
    up to the next delimiter is literal text, quotes included). Steps from quote to delimiter with ``find``, so
    the cost is per field, not per byte.
    """
    i = 0
    n = len(line)
    delimiters = 0
    sloppy = False
    sep = bytes((delimiter,))
    while True:
        if in_quotes:
            j = line.find(b'"', i)
            if j < 0:
                return True, delimiters, sloppy
            if j + 1 < n and line[j + 1] == QUOTE:
                i = j + 2
                continue
            in_quotes = False
            i = j + 1
            sloppy = sloppy or (i < n and line[i] != delimiter)
            k = line.find(sep, i)  # the rest of the field is literal text, quotes included
            if k < 0:
                return False, delimiters, sloppy
            delimiters += 1
            i = k + 1
            continue
        # At the start of a field: every field up to the next quote is unquoted.
        q = line.find(b'"', i)
        if q < 0:
            return False, delimiters + line.count(sep, i), sloppy
        delimiters += line.count(sep, i, q)
        if q == i or line[q - 1] == delimiter:
            in_quotes = True  # the quote opens a field
            i = q + 1
            continue
        k = line.find(sep, q)  # a quote inside an unquoted field is literal: on to the next field
        if k < 0:
            return False, delimiters, sloppy
        delimiters += 1
        i = k + 1


def ends_in_quotes(line: bytes, delimiter: int) -> bool:
    """Whether a record starting at ``line``'s first byte is still inside a quoted field at its end."""
    return quote_state(line, delimiter)[0]


def trusted_blanks(block: RawBlock, records: int, delimiter: str) -> np.ndarray | None:
    """The check that makes a parallel block's row numbers exact (see the module docstring): None when the block
    cannot be trusted, else the 0-based indices of its blank lines (mostly none)."""
    lines = block.lines
    if records == lines:
        blanks = np.empty(0, dtype=np.int64)
        last = _last_line(block.piece, block.size)
    elif records < lines:
        blanks = block.blank_lines()
        if records + len(blanks) != lines:
            return None
        starts, ends = block.line_bounds()
        solid = np.flatnonzero(starts != ends)
        if not len(solid):
            return blanks
        last = block.piece[int(starts[solid[-1]]) : int(ends[solid[-1]])]
    else:
        return None
    return None if ends_in_quotes(last, ord(delimiter)) else blanks


def _last_line(piece: bytes, size: int) -> bytes:
    stop = size
    if stop and piece[stop - 1] == LF:
        stop -= 1
    if stop and piece[stop - 1] == CR:
        stop -= 1
    begin = max(piece.rfind(b"\n", 0, stop), piece.rfind(b"\r", 0, stop)) + 1
    return piece[begin:stop]
