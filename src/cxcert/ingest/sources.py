"""Streaming readers: a CSV or Parquet file as a sequence of bounded chunks, with row numbers and progress.

Memory stays bounded by the chunk size whatever the file size: CSV is parsed block by block by Arrow's
streaming reader (every column read as text, so that a bad value rejects one row instead of failing the file);
Parquet is read batch by batch. Each chunk knows how far through the file the reader is, for a progress bar.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from cxcert.errors import CxcertError

DEFAULT_CHUNK_BYTES = 16 << 20
"""Default chunk size: 16 MiB of CSV text, or as many Parquet rows as hold about that much data."""

PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class Chunk:
    """A slice of the source: ``data`` holds the source columns; ``bytes_done`` is the progress so far."""

    data: pa.RecordBatch
    bytes_done: int


@dataclass(frozen=True)
class MalformedRow:
    """A CSV row that could not be split into the header's fields (rejected as a whole)."""

    row_number: int
    text: str
    expected: int
    actual: int


class Source(Protocol):
    """What the pipeline needs from a reader."""

    path: Path
    columns: list[str]
    total_bytes: int

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]: ...

    def row_number(self, index: int) -> int: ...

    def take_malformed(self) -> list[MalformedRow]: ...


def is_parquet(path: Path) -> bool:
    """Whether the file starts with the Parquet magic bytes (the extension is not trusted)."""
    with path.open("rb") as handle:
        return handle.read(4) == PARQUET_MAGIC


class _CountingFile(io.RawIOBase):
    """A binary file that counts the bytes read through it (read by the main thread for progress)."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("rb")
        self.done = 0

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


class CsvSource:
    """A delimited text file with a header row; row numbers count the header as row 1."""

    def __init__(
        self,
        path: Path,
        *,
        delimiter: str | None = None,
        encoding: str = "utf8",
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    ) -> None:
        self.path = path
        self.total_bytes = path.stat().st_size
        self.encoding = encoding
        self.chunk_bytes = chunk_bytes
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
        self._malformed: list[MalformedRow] = []
        self._skipped_numbers: list[int] = []

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        """The rows, ``wanted`` columns only, all as text (empty fields are null)."""
        counting = _CountingFile(self.path)
        stream = pa.PythonFile(counting, mode="r")
        try:
            reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(block_size=self.chunk_bytes, use_threads=False, encoding=self.encoding),
                parse_options=pcsv.ParseOptions(
                    delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=self._on_invalid
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={c: pa.string() for c in self.columns},
                    include_columns=wanted,
                    strings_can_be_null=True,
                ),
            )
            for batch in reader:
                yield Chunk(batch, min(counting.done, self.total_bytes))
        except pa.ArrowInvalid as exc:
            raise CxcertError(f"cannot read as CSV: {exc}", where=str(self.path)) from None
        finally:
            stream.close()

    def _on_invalid(self, row: Any) -> str:
        # Arrow numbers rows from 1 with the header as row 1 when reading single-threaded.
        number = int(row.number) if row.number is not None else -1
        self._malformed.append(MalformedRow(number, str(row.text), int(row.expected_columns), int(row.actual_columns)))
        self._skipped_numbers.append(number)
        return "skip"

    def take_malformed(self) -> list[MalformedRow]:
        """Malformed rows met since the last call (they are not in any chunk)."""
        found, self._malformed = self._malformed, []
        return found

    def row_number(self, index: int) -> int:
        """The row number of the ``index``-th (0-based) well-formed record, skipping over malformed rows."""
        number = index + 2
        for skipped in sorted(self._skipped_numbers):
            if skipped <= number:
                number += 1
            else:
                break
        return number


class ParquetSource:
    """A Parquet file; row numbers are 1-based row indices."""

    def __init__(self, path: Path, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        self.path = path
        self.total_bytes = path.stat().st_size
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise CxcertError(f"cannot read as Parquet: {exc}", where=str(path)) from None
        metadata = self._file.metadata
        self.columns = list(self._file.schema_arrow.names)
        self.num_rows = int(metadata.num_rows)
        size = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        self.batch_rows = max(1, chunk_bytes * self.num_rows // size) if size else 65536

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]:
        done = 0
        for batch in self._file.iter_batches(batch_size=self.batch_rows, columns=wanted, use_threads=True):
            done += batch.num_rows
            yield Chunk(batch, self.total_bytes * done // max(1, self.num_rows))

    def take_malformed(self) -> list[MalformedRow]:
        return []

    def row_number(self, index: int) -> int:
        return index + 1


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
