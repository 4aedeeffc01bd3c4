"""A slice of a source file as the ingest reads it, and how its rows are numbered.

Every reader (:mod:`cxcert.ingest.sources` for delimited text, :mod:`cxcert.ingest.parquet_source` for Parquet)
yields :class:`Chunk` values: the rows, the row number of each, the rows that could not be split into fields, and
how far through the file the reader is (for a progress bar).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa

DEFAULT_CHUNK_BYTES = 16 << 20
"""Default chunk size: 16 MiB of CSV text, or as many Parquet rows as hold about that much data."""
NO_ROWS = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class MalformedRow:
    """A CSV row that could not be split into the header's fields (rejected as a whole)."""

    row_number: int
    text: str
    expected: int
    actual: int
    reason: str = ""

    def __post_init__(self) -> None:
        if not self.reason:
            object.__setattr__(self, "reason", f"expected {self.expected} fields, found {self.actual}")


@dataclass(frozen=True)
class Chunk:
    """A slice of the source and how to number its rows.

    ``data`` holds the well-formed rows (source columns); ``malformed`` the rows of the slice that could not be
    split into fields. Row numbers count from ``first_row``: the (sorted, 0-based) offsets ``skipped`` are taken
    by no row of ``data`` (blank lines, malformed rows, the further lines of values holding a line break) and the
    rows of ``data`` take the others in order. ``bytes_done`` is the progress so far.
    """

    data: pa.RecordBatch
    bytes_done: int
    first_row: int
    skipped: np.ndarray = field(default_factory=lambda: NO_ROWS)
    malformed: tuple[MalformedRow, ...] = ()

    def row_number(self, index: int) -> int:
        """The row number of the ``index``-th (0-based) row of ``data``."""
        if not len(self.skipped):
            return self.first_row + index
        return int(row_numbers(self.first_row, self.skipped, np.asarray([index], dtype=np.int64))[0])

    def row_numbers(self) -> np.ndarray:
        """The row numbers of every row of ``data`` (:meth:`row_number` for all at once)."""
        return row_numbers(self.first_row, self.skipped, np.arange(self.data.num_rows, dtype=np.int64))


def row_numbers(first_row: int, skipped: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The row numbers of the rows at ``indices`` numbered as in :class:`Chunk` (from ``first_row``, around the
    sorted offsets ``skipped``)."""
    if not len(skipped):
        return indices + first_row
    # The k-th free offset is k + (skipped offsets before it); skipped[j] - j is how many free offsets precede it.
    free_before = skipped - np.arange(len(skipped), dtype=np.int64)
    out: np.ndarray = indices + np.searchsorted(free_before, indices, side="right") + first_row
    return out


class Source(Protocol):
    """What the pipeline needs from a reader."""

    path: Path
    columns: list[str]
    total_bytes: int

    def chunks(self, wanted: list[str]) -> Iterator[Chunk]: ...
