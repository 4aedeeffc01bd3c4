"""Streaming readers: a CSV or Parquet file as a sequence of bounded chunks, with row numbers and progress.

Memory stays bounded by the chunk size whatever the file size: CSV is cut into blocks parsed by Arrow on a few
threads at once (every column read as text, so that a bad value rejects one row instead of failing the file),
with the exact row number of every row kept; Parquet is read batch by batch (:mod:`cxcert.ingest.parquet_source`).
Each chunk (:mod:`cxcert.ingest.chunks`) knows its rows' numbers and how far through the file the reader is, for
a progress bar.

A CSV row's number is the line of the file it starts on (the header is line 1; a line ends at LF, CRLF or a lone
CR). Blank lines are not rows but keep their line numbers, and a value holding a line break makes its row take
several lines. Every record is counted twice, independently: blocks cut on line breaks must hold one record per
line (:mod:`cxcert.ingest.csv_blocks`), and where they do not, the record scanner finds every record itself and
the parser must agree with it (:mod:`cxcert.ingest.records`); a disagreement is an error naming the lines. A
quote that never closes rejects its line and the rest of the file is read (see :mod:`cxcert.ingest.records`).
"""

from __future__ import annotations

import csv
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from cxcert.errors import CxcertError
from cxcert.ingest.chunks import DEFAULT_CHUNK_BYTES, Chunk, MalformedRow
from cxcert.ingest.csv_blocks import (
    RawBlock,
    ReadAt,
    can_cut,
    count_line_breaks,
    cut_blocks,
    ends_in_quotes,
    trusted_blanks,
)
from cxcert.ingest.encodings import is_utf8, resolve_encoding, transcode, undecodable
from cxcert.ingest.parquet_source import ParquetSource, is_parquet
from cxcert.ingest.records import BadLine, Segment, file_lines, line_body, scan_records

MAX_WORKERS = 4
"""At most this many threads parse CSV blocks (the machine's CPU count when smaller)."""
MAX_BLOCK_BYTES = 1 << 30
"""A block that had to grow this large (no usable line break) is left to the record scanner."""
HEADER_BYTES = 1 << 16
NULL_SPELLINGS: tuple[str, ...] = tuple(pcsv.ConvertOptions().null_values)
"""CSV fields read as empty, in any column: Arrow's defaults ("", NA, N/A, NULL, null, NaN, nan, #N/A...)."""
_SPELLED_NULLS = pa.array([s for s in NULL_SPELLINGS if s], pa.string())


def _spelled_nulls_to_null(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Every field spelled as one of :data:`NULL_SPELLINGS` made null. The parser is told only that an empty field
    is null: matching every field against the whole list in the parser took a quarter of its time, a hash lookup
    per column afterwards a third of that (and a column without any such field is left as it is)."""
    columns = list(batch.columns)
    changed = False
    for i, column in enumerate(columns):
        spelled = pc.is_in(column, value_set=_SPELLED_NULLS)
        if spelled.true_count:
            columns[i] = pc.if_else(spelled, pa.scalar(None, column.type), column)
            changed = True
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema) if changed else batch


@dataclass(frozen=True)
class _Parsed:
    batch: pa.RecordBatch
    malformed: list[tuple[int, str, int, int]]  # (0-based record index in the unit, text, expected, actual)
    error: str | None = None  # the parser refused the unit
    undecodable: tuple[int, str] | None = None  # (byte offset in the unit, reason)
    blanks: np.ndarray | None = None  # a cut block's blank lines, when the block can be trusted (checked here)

    @property
    def records(self) -> int:
        return int(self.batch.num_rows) + len(self.malformed)


Unit = RawBlock | Segment | BadLine


class CsvSource:
    """A delimited text file with a header row; a row's number is the line it starts on (header = line 1).

    Blocks of the file cut on line breaks are parsed on ``workers`` threads and each is checked to hold one record
    per line (:mod:`cxcert.ingest.csv_blocks`); from a block that fails the check, the record scanner finds the
    records for a while (:mod:`cxcert.ingest.records`), then cutting on line breaks resumes. ``scan_all``: the
    scanner finds every record (the reference the cut blocks are tested against). Either way every column is read
    as text and the rows and their numbers are the same.
    """

    def __init__(
        self,
        path: Path,
        *,
        delimiter: str | None = None,
        encoding: str = "utf8",
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        workers: int | None = None,
        scan_all: bool = False,
    ) -> None:
        self.path = path
        self.encoding = resolve_encoding(path, encoding)
        self.chunk_bytes = chunk_bytes
        self.workers = workers if workers is not None else min(MAX_WORKERS, os.cpu_count() or 1)
        self.scan_all = scan_all
        # Encodings that cannot be cut on bytes are read from a UTF-8 copy; UTF-8 itself is parsed as is.
        self._copy: IO[bytes] | None = None if can_cut(self.encoding) else transcode(path, self.encoding)
        self._parse_encoding = "utf8" if self._copy is not None or is_utf8(self.encoding) else self.encoding
        self._text_encoding = "utf-8" if self._parse_encoding == "utf8" else self.encoding
        self.total_bytes = os.fstat(self._copy.fileno()).st_size if self._copy is not None else path.stat().st_size
        with self._reader() as read_at:
            first = next(file_lines(read_at, 0, self.total_bytes, HEADER_BYTES), (0, b""))[1]
        self.data_start = len(first)
        self.delimiter, self.columns = self._header(first, delimiter)
        self.scanned_from: int | None = None
        """Byte offset where the record scanner first took over (None while every cut block was trusted)."""

    def _header(self, first: bytes, delimiter: str | None) -> tuple[str, list[str]]:
        body = line_body(first)
        try:
            text = body.decode("utf-8-sig" if self._text_encoding == "utf-8" else self._text_encoding)
        except UnicodeDecodeError as exc:
            raise undecodable(self.path, self.encoding, exc.start, 1, exc.reason) from None
        if not text.strip():
            raise CxcertError("the file is empty (no header row)", where=str(self.path))
        sep = delimiter or ("\t" if "\t" in text else ",")
        if ends_in_quotes(body, ord(sep)):
            raise CxcertError(
                "the header (line 1) has a line break inside a quoted column name: column names must fit on one line",
                where=str(self.path),
            )
        try:
            columns = next(csv.reader([text], delimiter=sep))
        except csv.Error as exc:  # e.g. a 'name' of megabytes: a file with no line break, not a CSV header
            raise CxcertError(f"the header (line 1) is not a CSV header: {exc}", where=str(self.path)) from None
        if not columns or columns == [""]:
            raise CxcertError("the file has no header row", where=str(self.path))
        seen: set[str] = set()
        for name in columns:
            if name in seen:
                raise CxcertError(f"column {name!r} appears twice in the header", where=str(self.path))
            seen.add(name)
        return sep, columns

    @contextmanager
    def _reader(self) -> Iterator[ReadAt]:
        """``read_at(offset, size)`` over the bytes to parse (the file, or its UTF-8 copy)."""
        handle: IO[bytes] = (
            os.fdopen(os.dup(self._copy.fileno()), "rb") if self._copy is not None else self.path.open("rb")
        )
        fd = handle.fileno()
        try:
            yield lambda offset, size: os.pread(fd, size, offset)
        finally:
            handle.close()

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        """The rows, ``wanted`` columns only, all as text (empty fields are null)."""
        with self._reader() as read_at:
            yield from self._chunks(read_at, wanted)

    def _chunks(self, read_at: ReadAt, wanted: list[str]) -> Iterator[Chunk]:
        row = 2
        done = self.data_start
        failures = 0
        units = self._units(read_at, done, row, float("inf") if self.scan_all else 0)
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="cxcert-csv") as pool:
            pending: deque[tuple[Unit, Future[_Parsed]]] = deque()
            while True:
                while len(pending) <= self.workers and (unit := next(units, None)) is not None:
                    pending.append((unit, pool.submit(self._parse, unit, wanted)))
                if not pending:
                    break
                unit, future = pending.popleft()
                chunk = self._chunk(unit, future.result(), row, wanted)
                if chunk is None:  # a cut block that cannot be trusted: the scanner reads on from its start
                    for _, later in pending:
                        later.cancel()
                    pending.clear()
                    if self.scanned_from is None:
                        self.scanned_from = unit.start
                    failures += 1  # scan further each time, so a file full of line breaks in values is not cut twice
                    units = self._units(read_at, unit.start, row, self.chunk_bytes * 2 ** min(failures, 20))
                    continue
                yield chunk
                row += unit.lines
                done = unit.end
        if done != self.total_bytes:
            raise CxcertError(f"read {done} of {self.total_bytes} bytes, up to line {row}", where=str(self.path))

    def _units(self, read_at: ReadAt, start: int, line: int, scan: float) -> Iterator[Unit]:
        """Scanned segments for ``scan`` bytes from ``start`` (file line ``line``), then blocks cut on line breaks."""
        if scan > 0:
            for unit in scan_records(
                read_at, start, self.total_bytes, line, delimiter=self.delimiter, expected=len(self.columns),
                segment_bytes=self.chunk_bytes, stop_after=scan,
            ):  # fmt: skip
                yield unit
                start = unit.end
        yield from cut_blocks(read_at, start, self.total_bytes, self.chunk_bytes, max_bytes=MAX_BLOCK_BYTES)

    def _parse(self, unit: Unit, wanted: list[str]) -> _Parsed:
        """Parse one unit on a worker thread."""
        if isinstance(unit, BadLine):
            return _Parsed(_empty(wanted), [])
        if isinstance(unit, RawBlock):
            if unit.size >= MAX_BLOCK_BYTES:
                return _Parsed(_empty(wanted), [], error="no line break")
            data: bytes | memoryview = unit.data()
            ascii_only = unit.piece.isascii()
        else:
            data = unit.piece
            ascii_only = data.isascii()
        if not ascii_only:  # found here, so the parser never meets bytes it cannot decode
            try:
                str(data, self._text_encoding)
            except UnicodeDecodeError as exc:
                return _Parsed(_empty(wanted), [], undecodable=(exc.start, exc.reason))
        malformed: list[tuple[int, str, int, int]] = []

        def on_invalid(row: Any) -> str:
            # Numbered from 1 at the unit's first record (blank lines not counted; column names given, no header).
            malformed.append((int(row.number) - 1, str(row.text), int(row.expected_columns), int(row.actual_columns)))
            return "skip"

        try:
            table = pcsv.read_csv(
                pa.py_buffer(data),
                read_options=pcsv.ReadOptions(
                    block_size=len(data) + 1,
                    use_threads=False,
                    encoding=self._parse_encoding,
                    column_names=self.columns,
                ),
                parse_options=pcsv.ParseOptions(
                    delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={c: pa.string() for c in self.columns},
                    include_columns=wanted,
                    null_values=[""],  # the other spellings: _spelled_nulls_to_null
                    strings_can_be_null=True,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            return _Parsed(_empty(wanted), [], error=str(exc))
        batches = table.combine_chunks().to_batches()
        batch = _spelled_nulls_to_null(batches[0] if batches else _empty(wanted))
        if isinstance(unit, RawBlock):  # the check on this thread too: counting lines takes a while
            records = batch.num_rows + len(malformed)
            blanks = None if any(m[0] < 0 for m in malformed) else trusted_blanks(unit, records, self.delimiter)
            return _Parsed(batch, malformed, blanks=blanks)
        return _Parsed(batch, malformed)

    def _chunk(self, unit: Unit, parsed: _Parsed, row: int, wanted: list[str]) -> Chunk | None:
        """The chunk of a parsed unit starting on line ``row``; None for a cut block that cannot be trusted."""
        if parsed.undecodable is not None:
            at, reason = parsed.undecodable
            data = unit.piece if not isinstance(unit, BadLine) else unit.text
            line = row + count_line_breaks(bytes(data[:at]))
            raise undecodable(self.path, self.encoding, unit.start + at, line, reason)
        if isinstance(unit, RawBlock):
            return self._block_chunk(unit, parsed, row)
        if isinstance(unit, Segment):
            return self._segment_chunk(unit, parsed, row)
        return self._bad_line_chunk(unit, row, wanted)

    def _block_chunk(self, block: RawBlock, parsed: _Parsed, row: int) -> Chunk | None:
        blanks = parsed.blanks
        if parsed.error is not None or blanks is None:
            return None
        offsets = np.asarray([m[0] for m in parsed.malformed], dtype=np.int64)
        if len(blanks):  # record k is on the k-th line that is not blank
            solid = np.setdiff1d(np.arange(block.lines, dtype=np.int64), blanks, assume_unique=True)
            offsets = solid[offsets]
        skipped = np.union1d(blanks, offsets) if len(blanks) else offsets
        malformed = tuple(
            MalformedRow(row + int(at), text, e, a)
            for at, (_, text, e, a) in zip(offsets.tolist(), parsed.malformed, strict=True)
        )
        return Chunk(parsed.batch, block.end, row, skipped, malformed)

    def _segment_chunk(self, segment: Segment, parsed: _Parsed, row: int) -> Chunk:
        last = segment.first_line + max(segment.lines - 1, 0)
        where = f"lines {segment.first_line}-{last}" if last > segment.first_line else f"line {last}"
        if parsed.error is not None:
            raise CxcertError(f"cannot read as CSV ({where}): {parsed.error}", where=str(self.path))
        found = len(segment.record_lines)
        bad = np.flatnonzero(segment.fields != len(self.columns))
        parsed_bad = np.asarray([m[0] for m in parsed.malformed], dtype=np.int64)
        if parsed.records != found or not np.array_equal(bad, parsed_bad):
            first_diff = _first_difference(bad, parsed_bad) if parsed.records == found else None
            at = segment.first_line + int(segment.record_lines[first_diff]) if first_diff is not None else None
            raise CxcertError(
                f"the CSV parser read {parsed.records} records ({len(parsed_bad)} malformed) in {where} where the "
                f"record count finds {found} ({len(bad)} malformed)"
                + (f", first differing at line {at}" if at is not None else "")
                + ": refusing the file rather than miscounting its rows",
                where=str(self.path),
            )
        taken = np.delete(segment.record_lines, bad)
        skipped = np.setdiff1d(np.arange(segment.lines, dtype=np.int64), taken, assume_unique=True)
        malformed = tuple(
            MalformedRow(row + int(segment.record_lines[k]), text, e, a)
            for k, (_, text, e, a) in zip(bad, parsed.malformed, strict=True)
        )
        return Chunk(parsed.batch, segment.end, row, skipped, malformed)

    def _bad_line_chunk(self, bad: BadLine, row: int, wanted: list[str]) -> Chunk:
        body = line_body(bad.text)
        try:
            text = body.decode(self._text_encoding)
        except UnicodeDecodeError as exc:
            raise undecodable(self.path, self.encoding, bad.start + exc.start, row, exc.reason) from None
        expected = len(self.columns)
        if bad.closes_on is None:
            reason = "unterminated quote: the quoted field opened on this line never closes (read on from the next one)"
        else:
            reason = (
                f"unterminated quote: the quoted field opened on this line is closed only by a quote on line "
                f"{bad.closes_on} with text right after it (read on from the next line)"
            )
        malformed = (MalformedRow(row, text, expected, bad.fields, reason),)
        return Chunk(_empty(wanted), bad.end, row, np.zeros(1, dtype=np.int64), malformed)


def _empty(wanted: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([], schema=pa.schema([(c, pa.string()) for c in wanted]))


def _first_difference(a: np.ndarray, b: np.ndarray) -> int | None:
    """The first record index at which two sorted index lists differ (None when they are equal)."""
    for x, y in zip(a.tolist(), b.tolist(), strict=False):
        if x != y:
            return int(min(x, y))
    if len(a) != len(b):
        return int((a if len(a) > len(b) else b)[min(len(a), len(b))])
    return None


def open_source(
    path: Path, *, delimiter: str | None = None, encoding: str = "utf8", chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> CsvSource | ParquetSource:
    """A reader for ``path``: Parquet when it carries the Parquet magic bytes, delimited text otherwise."""
    if is_parquet(path):
        return ParquetSource(path, chunk_bytes=chunk_bytes)
    return CsvSource(path, delimiter=delimiter, encoding=encoding, chunk_bytes=chunk_bytes)
