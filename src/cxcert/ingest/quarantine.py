"""The quarantine file: every rejected row with its row number, the column at fault and the reason.

A CSV file with the columns ``row_number, column, reason, raw``:

- ``row_number`` is where the row sits in the source: for a CSV file the line of the file on which the row
  starts, as a text editor numbers lines (the header is line 1; a line ends at LF, CRLF or a lone CR). Blank
  lines are not rows but keep their numbers, and a value holding a line break makes its row take several
  lines, so the numbers are the file's line numbers in every case (a spreadsheet shows the same number unless
  an earlier value holds a line break). For a Parquet file the 1-based row index.
- ``column`` is the first column that failed (source column name where one exists, else the canonical one);
  empty when the whole row is malformed (wrong number of fields).
- ``reason`` says what is wrong, with the offending value where that helps.
- ``raw`` is the source row as a JSON object (source column name to the text read), or the raw text of a
  malformed row (a row of the wrong width; or the one line where a quote opened that never closes, the rest of
  the file being read from the next line: see :mod:`cxcert.ingest.records`); a field holding a customer number
  shows its keyed hash instead (:mod:`cxcert.ingest.personal`).

Rows come in the order they were found: those rejected while the file is read, then those rejected once it is
all read because their natural key is already in the warehouse or repeats an earlier row (each group by row).

The file is written aside (``.part``) and renamed when the ingest finishes, so a killed ingest never leaves a
half-written quarantine file under its final name.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import numpy as np
import pyarrow as pa

from cxcert.ingest.value_ranges import as_text
from cxcert.spreadsheet_cells import csv_cell

_FIELD_LIMIT = 2**31 - 1  # the largest the csv module takes on every platform (a C long)

QUARANTINE_COLUMNS = ("row_number", "column", "reason", "raw")


class QuarantineWriter:
    """Collects rejected rows into ``path`` (created on the first rejected row only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._part = path.with_name(f"{path.name}.{os.getpid()}.part")
        self._handle: TextIO | None = None
        self._writer: csv.DictWriter[str] | None = None
        self._finished = False
        self.count = 0

    def write(self, row_number: int, column: str, reason: str, raw: str) -> None:
        """Add one rejected row."""
        if self._writer is None:
            self._part.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self._part.open("w", newline="", encoding="utf-8")
            self._writer = csv.DictWriter(self._handle, fieldnames=QUARANTINE_COLUMNS)
            self._writer.writeheader()
        # Escaped as every CSV cxcert writes: a source line starting with "=" is text, not a formula, in Excel.
        cells = {"row_number": row_number, "column": column, "reason": reason, "raw": raw}
        self._writer.writerow({k: csv_cell(v) for k, v in cells.items()})
        self.count += 1

    def finish(self, final: Path | None = None) -> Path | None:
        """Close and move the file to its final name (``final`` when given, in the same directory); None when
        nothing was rejected."""
        if self._handle is None:
            return None
        if final is not None:
            self.path = final
        self._handle.close()
        self._handle = None
        os.replace(self._part, self.path)
        self._finished = True
        return self.path

    def discard(self) -> None:
        """Drop the file, finished or not (the ingest failed before its commit)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._part.unlink(missing_ok=True)
        if self._finished:
            self.path.unlink(missing_ok=True)
            self._finished = False

    def __enter__(self) -> QuarantineWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.discard()


def raw_json_rows(
    batch: pa.RecordBatch,
    indices: Sequence[int],
    mask: Callable[[pa.RecordBatch], pa.RecordBatch] | None = None,
) -> list[str]:
    """The ``raw`` text of the rows at ``indices`` of a source chunk: each a JSON object, column name to value
    (after ``mask``, which replaces personal values)."""
    if not len(indices):
        return []
    taken = batch.take(pa.array(indices, pa.int64()))
    if mask is not None:
        taken = mask(taken)
    try:
        rows = taken.to_pylist()
    except (OverflowError, ValueError):  # a time Python cannot hold (year 10000): such columns as ISO text
        rows = pa.RecordBatch.from_arrays(
            [as_text(c) if pa.types.is_temporal(c.type) else c for c in taken.columns], names=taken.schema.names
        ).to_pylist()
    return [json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False, default=str) for row in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


@contextmanager
def quarantine_reader(handle: TextIO) -> Iterator[csv.DictReader[str]]:
    """A reader of a quarantine file's rows. Its raw cell holds a whole rejected line or row, which may be far
    past the csv module's default field limit (128 KiB): the limit is lifted while it reads (the file is
    cxcert's own), then put back, since it is the process's and bounds what an ingest parses."""
    previous = csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield csv.DictReader(handle)
    finally:
        csv.field_size_limit(previous)


def read_quarantine(path: Path) -> list[dict[str, str]]:
    """The rows of a quarantine file (for reports and tests)."""
    with path.open(newline="", encoding="utf-8") as handle, quarantine_reader(handle) as reader:
        return list(reader)
