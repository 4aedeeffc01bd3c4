"""Cutting delimited text into blocks that can be parsed in parallel without losing a single row number.

The rows of a CSV file are numbered as a spreadsheet numbers them (header = row 1), so a row's number depends on
how many records precede it; a parallel parser only knows that when every block starts and ends on a record
boundary and its record count is known. Blocks are therefore cut on raw bytes and each cut is *verified*:

- a block is cut after its last line break (which may fall inside a quoted field: the check below finds out);
- after parsing, the block is trusted only when it holds exactly one record per line (well-formed and malformed
  rows together) and its last line does not end inside quotes. Then every line break in it ends a record, the
  cut was a record boundary, and record ``k`` of the block is row ``first_row + k`` of the file.

A block that fails the check (a value holding a line break, a blank line, a stray quote, bytes that are not
text) is handed with everything after it to the serial reader, which numbers records exactly in every case.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa

QUOTE = ord('"')
NEWLINE = b"\n"

ASCII_SAFE_CODECS = frozenset({"utf-8", "utf-8-sig", "ascii", "iso8859-1", "iso8859-15", "cp1250", "cp1252"})
"""Encodings in which a line break, a quote and a delimiter are the single ASCII byte they look like and never
part of another character, so a text file can be cut on raw bytes."""


def can_cut(encoding: str) -> bool:
    """Whether files in ``encoding`` can be cut into blocks on raw bytes."""
    try:
        name = codecs.lookup(encoding.replace("utf8", "utf-8")).name
    except LookupError:
        return False
    return name in ASCII_SAFE_CODECS


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

    def buffer(self) -> pa.Buffer:
        """The block's bytes as an Arrow buffer (zero copy)."""
        return pa.py_buffer(self.piece).slice(0, self.size)

    @property
    def lines(self) -> int:
        """Lines in the block (a final line without a line break counts)."""
        count = self.piece.count(NEWLINE, 0, self.size)
        return count + (1 if self.size and self.piece[self.size - 1] != NEWLINE[0] else 0)

    def last_line(self) -> bytes:
        stop = self.size - 1 if self.size and self.piece[self.size - 1] == NEWLINE[0] else self.size
        return self.piece[self.piece.rfind(NEWLINE, 0, stop) + 1 : stop]


def cut_blocks(handle: BinaryIO, start: int, block_bytes: int, *, max_bytes: int = 1 << 30) -> Iterator[RawBlock]:
    """Read ``handle`` from ``start`` (a record boundary) in blocks of about ``block_bytes`` ending on line breaks.

    Each block is read from its own start (the partial line after a cut is read again with the next block, which
    costs a few bytes and saves copying the block). A block grows past ``block_bytes`` only when it holds no line
    break, up to ``max_bytes``. A cut is not guessed any cleverer (counting quotes cost a third of a second of the
    reading thread per 500 MB): a block whose cut fell inside a quoted field fails the check anyway, as does any
    block holding a line break inside a value, and the serial reader takes over from its start.
    """
    offset = start
    while True:
        size = block_bytes
        while True:
            handle.seek(offset)
            piece = handle.read(size)
            at_end = len(piece) < size
            cut = len(piece) if at_end else _cut(piece)
            if cut > 0 or size >= max_bytes:
                break
            size *= 2  # no usable line break yet: read a larger block
        if not piece:
            return
        cut = cut if cut > 0 else len(piece)
        yield RawBlock(offset, piece, cut)
        offset += cut
        if at_end and cut == len(piece):
            return


def _cut(data: bytes) -> int:
    """Index just after the last line break; -1 when there is none."""
    end = data.rfind(NEWLINE)
    return end + 1 if end >= 0 else -1


def ends_in_quotes(line: bytes, delimiter: int) -> bool:
    """Whether a record starting at ``line``'s first byte is still inside a quoted field at its end.

    Follows the parser's rules: a quote opens a quoted field only at the start of a field; inside one, a doubled
    quote is a literal quote and a single quote closes it.
    """
    in_quotes = False
    at_field_start = True
    i = 0
    n = len(line)
    while i < n:
        byte = line[i]
        if in_quotes:
            if byte == QUOTE:
                if i + 1 < n and line[i + 1] == QUOTE:
                    i += 2
                    continue
                in_quotes = False
        elif byte == delimiter:
            at_field_start = True
            i += 1
            continue
        elif byte == QUOTE and at_field_start:
            in_quotes = True
        at_field_start = False
        i += 1
    return in_quotes


def is_one_record_per_line(block: RawBlock, records: int, delimiter: str) -> bool:
    """The check that makes a parallel block's row numbers exact (see the module docstring)."""
    return records == block.lines and not ends_in_quotes(block.last_line(), ord(delimiter))
