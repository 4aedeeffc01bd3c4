"""Streaming readers: a CSV or Parquet file as a sequence of bounded chunks, with row numbers and progress.

Memory stays bounded by the chunk size whatever the file size: CSV is cut into blocks parsed by Arrow on a few
threads at once (every column read as text, so that a bad value rejects one row instead of failing the file),
with the exact row number of every row kept (see :mod:`cxcert.ingest.csv_blocks`); Parquet is read batch by
batch. Each chunk knows its rows' numbers and how far through the file the reader is, for a progress bar.
"""

from __future__ import annotations

import csv
import io
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from cxcert.errors import CxcertError
from cxcert.ingest.csv_blocks import RawBlock, can_cut, cut_blocks, is_one_record_per_line

DEFAULT_CHUNK_BYTES = 16 << 20
"""Default chunk size: 16 MiB of CSV text, or as many Parquet rows as hold about that much data."""

PARQUET_MAGIC = b"PAR1"
MAX_WORKERS = 4
"""At most this many threads parse CSV blocks (the machine's CPU count when smaller)."""
MIN_SERIAL_BLOCK_BYTES = 1 << 20
"""The serial reader's blocks are at least this large: Arrow's serial reader needs a record to fit in a block."""
MAX_BLOCK_BYTES = 1 << 30
"""A block that had to grow this large (no usable line break) is left to the serial reader."""
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
class MalformedRow:
    """A CSV row that could not be split into the header's fields (rejected as a whole)."""

    row_number: int
    text: str
    expected: int
    actual: int


@dataclass(frozen=True)
class Chunk:
    """A slice of the source and how to number its rows.

    ``data`` holds the well-formed rows (source columns); ``malformed`` the rows met since the previous chunk that
    could not be split into fields. Row numbers count from ``first_row``: ``before`` well-formed rows precede
    ``data`` and the records at the (sorted, 0-based) offsets ``skipped`` were malformed. ``bytes_done`` is the
    progress so far.
    """

    data: pa.RecordBatch
    bytes_done: int
    first_row: int
    before: int = 0
    skipped: tuple[int, ...] = ()
    malformed: tuple[MalformedRow, ...] = ()

    def row_number(self, index: int) -> int:
        """The row number of the ``index``-th (0-based) row of ``data``."""
        number = self.before + index
        for offset in self.skipped:
            if offset > number:
                break
            number += 1
        return self.first_row + number

    def row_numbers(self) -> np.ndarray:
        """The row numbers of every row of ``data`` (:meth:`row_number` for all at once)."""
        return row_numbers(self.first_row, self.before, self.skipped, self.data.num_rows)


def row_numbers(first_row: int, before: int, skipped: tuple[int, ...], count: int) -> np.ndarray:
    """The row numbers of ``count`` rows numbered as in :class:`Chunk` (from ``first_row``, after ``before``
    well-formed rows, around the malformed records at the sorted offsets ``skipped``)."""
    numbers: np.ndarray = before + np.arange(count, dtype=np.int64)
    for offset in skipped:  # each malformed record pushes the rows at or after it one further
        numbers += numbers >= offset
    return numbers + first_row


class Source(Protocol):
    """What the pipeline needs from a reader."""

    path: Path
    columns: list[str]
    total_bytes: int

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]: ...


def is_parquet(path: Path) -> bool:
    """Whether the file starts with the Parquet magic bytes (the extension is not trusted)."""
    with path.open("rb") as handle:
        return handle.read(4) == PARQUET_MAGIC


class _CountingFile(io.RawIOBase):
    """A binary file from byte ``start`` on that counts the bytes read through it (for progress)."""

    def __init__(self, path: Path, start: int = 0) -> None:
        self._handle = path.open("rb")
        self._handle.seek(start)
        self.done = start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._handle.readinto(buffer)
        self.done += n or 0
        return n or 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.done += len(data)
        return data

    def close(self) -> None:
        self._handle.close()
        super().close()


@dataclass(frozen=True)
class _ParsedBlock:
    batch: pa.RecordBatch
    malformed: list[tuple[int, str, int, int]]  # (0-based record offset in the block, text, expected, actual)

    @property
    def records(self) -> int:
        return int(self.batch.num_rows) + len(self.malformed)


class CsvSource:
    """A delimited text file with a header row; row numbers count the header as row 1.

    Blocks of the file are parsed on ``workers`` threads when the text can be cut on raw bytes
    (:mod:`cxcert.ingest.csv_blocks` explains how row numbers stay exact); from the first block whose cut cannot
    be trusted to the end of the file, one thread reads serially (all of it with ``parallel=False``). Either way
    every column is read as text and the rows and their numbers are the same.
    """

    def __init__(
        self,
        path: Path,
        *,
        delimiter: str | None = None,
        encoding: str = "utf8",
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        workers: int | None = None,
        parallel: bool = True,
    ) -> None:
        self.path = path
        self.total_bytes = path.stat().st_size
        self.encoding = encoding
        self.chunk_bytes = chunk_bytes
        self.workers = workers if workers is not None else min(MAX_WORKERS, os.cpu_count() or 1)
        self.parallel = parallel
        first = _first_line(path, encoding)
        self.delimiter = delimiter or ("\t" if "\t" in first else ",")
        self.columns = next(csv.reader([first], delimiter=self.delimiter))
        if not self.columns or self.columns == [""]:
            raise CxcertError("the file has no header row", where=str(path))
        seen: set[str] = set()
        for name in self.columns:
            if name in seen:
                raise CxcertError(f"column {name!r} appears twice in the header", where=str(path))
            seen.add(name)
        self.data_start = _after_first_line(path)
        self.serial_from: int | None = None
        """Byte offset where the serial reader took over (None while every block was parsed in parallel)."""

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        """The rows, ``wanted`` columns only, all as text (empty fields are null)."""
        if self.parallel and can_cut(self.encoding):
            yield from self._parallel(wanted)
        else:
            yield from self._serial(wanted, self.data_start, 2)

    def _parallel(self, wanted: list[str]) -> Iterator[Chunk]:
        row = 2
        resume: int | None = None
        with (
            self.path.open("rb") as handle,
            ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="cxcert-csv") as pool,
        ):
            blocks = cut_blocks(handle, self.data_start, self.chunk_bytes, max_bytes=MAX_BLOCK_BYTES)
            pending: deque[tuple[RawBlock, Future[_ParsedBlock | None]]] = deque()
            while True:
                while len(pending) <= self.workers and (block := next(blocks, None)) is not None:
                    pending.append((block, pool.submit(self._parse_block, block, wanted)))
                if not pending:
                    return
                block, future = pending.popleft()
                parsed = future.result()
                if parsed is None:  # the block's cut cannot be trusted: read serially from its start
                    for _, later in pending:
                        later.cancel()
                    resume = block.start
                    break
                malformed = tuple(MalformedRow(row + k, text, e, a) for k, text, e, a in parsed.malformed)
                yield Chunk(parsed.batch, block.end, row, 0, tuple(m[0] for m in parsed.malformed), malformed)
                row += parsed.records
        self.serial_from = resume
        yield from self._serial(wanted, resume, row)

    def _parse_block(self, block: RawBlock, wanted: list[str]) -> _ParsedBlock | None:
        """Parse one block on a worker thread; None when its row numbers would not be exact (see csv_blocks)."""
        if block.size >= MAX_BLOCK_BYTES:
            return None
        malformed: list[tuple[int, str, int, int]] = []

        def on_invalid(row: Any) -> str:
            # Numbered from 1 at the block's first record (the column names are given, so no header row).
            malformed.append((int(row.number) - 1, str(row.text), int(row.expected_columns), int(row.actual_columns)))
            return "skip"

        try:
            table = pcsv.read_csv(
                block.buffer(),
                read_options=pcsv.ReadOptions(
                    block_size=block.size + 1,
                    use_threads=False,
                    encoding=self.encoding,
                    column_names=self.columns,
                ),
                parse_options=self._parse_options(on_invalid),
                convert_options=self._convert_options(wanted),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        records = table.num_rows + len(malformed)
        if any(m[0] < 0 for m in malformed) or not is_one_record_per_line(block, records, self.delimiter):
            return None
        batches = table.combine_chunks().to_batches()
        batch = batches[0] if batches else pa.RecordBatch.from_pylist([], schema=table.schema)
        return _ParsedBlock(_spelled_nulls_to_null(batch), malformed)

    def _serial(self, wanted: list[str], start: int, first_row: int) -> Iterator[Chunk]:
        """Rows from byte ``start`` (a record boundary, row ``first_row``) to the end, on one thread."""
        counting = _CountingFile(self.path, start)
        stream = pa.PythonFile(counting, mode="r")
        skipped: list[int] = []
        malformed: list[MalformedRow] = []

        def on_invalid(row: Any) -> str:
            # Arrow numbers records from 1 at ``start`` when reading on one thread with the column names given.
            offset = int(row.number) - 1 if row.number is not None else -1
            skipped.append(offset)
            malformed.append(MalformedRow(first_row + offset, str(row.text), row.expected_columns, row.actual_columns))
            return "skip"

        before = 0
        try:
            if start >= self.total_bytes:
                return
            reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(
                    block_size=max(self.chunk_bytes, MIN_SERIAL_BLOCK_BYTES),
                    use_threads=False,
                    encoding=self.encoding,
                    column_names=self.columns,
                ),
                parse_options=self._parse_options(on_invalid),
                convert_options=self._convert_options(wanted),
            )
            for batch in reader:
                taken, malformed[:] = tuple(malformed), []
                batch = _spelled_nulls_to_null(batch)
                yield Chunk(batch, min(counting.done, self.total_bytes), first_row, before, tuple(skipped), taken)
                before += batch.num_rows
            if malformed:
                empty = pa.RecordBatch.from_pylist([], schema=reader.schema)
                yield Chunk(empty, self.total_bytes, first_row, before, tuple(skipped), tuple(malformed))
        except pa.ArrowInvalid as exc:
            raise CxcertError(f"cannot read as CSV: {exc}", where=str(self.path)) from None
        finally:
            stream.close()

    def _parse_options(self, on_invalid: Any) -> pcsv.ParseOptions:
        return pcsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid)

    def _convert_options(self, wanted: list[str]) -> pcsv.ConvertOptions:
        return pcsv.ConvertOptions(
            column_types={c: pa.string() for c in self.columns},
            include_columns=wanted,
            null_values=[""],  # the other spellings: _spelled_nulls_to_null
            strings_can_be_null=True,
        )


_PARQUET_FAILED = (pa.ArrowException, OSError)
"""What pyarrow raises on a damaged Parquet file (truncated, a corrupt page or footer, a bad encoding)."""


class ParquetSource:
    """A Parquet file; row numbers are 1-based row indices.

    Columns come out flat, as the converter reads them: dictionary-encoded values decoded, large and binary text
    as text. A column the ingest needs that holds nested values (struct, list, map) or bytes that are not UTF-8,
    a name given to two columns, and a file damaged anywhere (footer or page) are one error naming the file.
    """

    def __init__(self, path: Path, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        self.path = path
        self.total_bytes = path.stat().st_size
        try:
            self._file = pq.ParquetFile(path, page_checksum_verification=True)  # where the writer wrote them
            metadata = self._file.metadata
            schema = self._file.schema_arrow
        except _PARQUET_FAILED as exc:
            raise CxcertError(f"cannot read as Parquet: {exc}", where=str(path)) from None
        self.columns = list(schema.names)
        seen: set[str] = set()
        for name in self.columns:
            if name in seen:
                raise CxcertError(f"column {name!r} appears twice in the file", where=str(path))
            seen.add(name)
        self._types = {f.name: f.type for f in schema}
        self.num_rows = int(metadata.num_rows)
        size = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        self.batch_rows = max(1, chunk_bytes * self.num_rows // size) if size else 65536

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        for name in wanted:
            kind = self._types[name]
            if pa.types.is_nested(kind) or pa.types.is_union(kind):
                raise CxcertError(
                    f"column {name!r} holds {kind} values, not one plain value per row (text, number, "
                    "true/false, date or time)",
                    where=str(self.path),
                )
        done = 0
        batches = self._file.iter_batches(batch_size=self.batch_rows, columns=wanted, use_threads=True)
        while True:
            try:
                batch = next(batches, None)
            except _PARQUET_FAILED as exc:
                raise CxcertError(f"cannot read as Parquet after row {done}: {exc}", where=str(self.path)) from None
            if batch is None:
                return
            progress = self.total_bytes * (done + batch.num_rows) // max(1, self.num_rows)
            yield Chunk(self._flat(batch), progress, done + 1)
            done += batch.num_rows

    def _flat(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``batch`` with dictionaries decoded and large or binary text as plain text."""
        columns = list(batch.columns)
        changed = False
        for i, column in enumerate(columns):
            kind = column.type
            if pa.types.is_dictionary(kind):
                column, kind = column.dictionary_decode(), kind.value_type
            if pa.types.is_large_string(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
                try:
                    column = column.cast(pa.string())
                except pa.ArrowInvalid:
                    name = batch.schema.names[i]
                    raise CxcertError(
                        f"column {name!r} holds bytes that are not UTF-8 text", where=str(self.path)
                    ) from None
            if column is not columns[i]:
                columns[i], changed = column, True
        return pa.RecordBatch.from_arrays(columns, names=batch.schema.names) if changed else batch


def open_source(
    path: Path, *, delimiter: str | None = None, encoding: str = "utf8", chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> CsvSource | ParquetSource:
    """A reader for ``path``: Parquet when it carries the Parquet magic bytes, delimited text otherwise."""
    if is_parquet(path):
        return ParquetSource(path, chunk_bytes=chunk_bytes)
    return CsvSource(path, delimiter=delimiter, encoding=encoding, chunk_bytes=chunk_bytes)


def _first_line(path: Path, encoding: str) -> str:
    codec = "utf-8-sig" if encoding.replace("-", "").lower() == "utf8" else encoding
    try:
        with path.open(encoding=codec, newline="") as handle:
            line = handle.readline()
    except UnicodeDecodeError as exc:
        raise CxcertError(f"not {encoding} text ({exc.reason} at byte {exc.start})", where=str(path)) from None
    if not line.strip():
        raise CxcertError("the file is empty (no header row)", where=str(path))
    return line.rstrip("\r\n")


def _after_first_line(path: Path) -> int:
    """Byte offset just after the header line (the file's size when it has no line break)."""
    with path.open("rb") as handle:
        offset = 0
        while block := handle.read(1 << 16):
            found = block.find(b"\n")
            if found >= 0:
                return offset + found + 1
            offset += len(block)
    return offset
