"""Where each staged row came from: the source row number of every accepted row, by its place in staging.

The duplicate check finds rows by their staging index (their place among the accepted rows, in file order); the
quarantine needs their row numbers in the source. Each chunk keeps how its rows are numbered and, when some of
its rows were rejected, which rows it kept as a packed mask (one bit a row), so the map stays small whatever the
file's size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxcert.ingest.chunks import Chunk, row_numbers


@dataclass(frozen=True)
class _ChunkRows:
    first_row: int
    skipped: np.ndarray
    count: int
    kept: np.ndarray | None  # np.packbits of the accepted-rows mask; None when every row was accepted

    def accepted_numbers(self) -> np.ndarray:
        numbers = row_numbers(self.first_row, self.skipped, np.arange(self.count, dtype=np.int64))
        if self.kept is None:
            return numbers
        mask = np.unpackbits(self.kept, count=self.count).astype(bool)
        kept: np.ndarray = numbers[mask]
        return kept


class StagedRowNumbers:
    """Source row numbers of the staged rows, added chunk by chunk in file order."""

    def __init__(self) -> None:
        self._chunks: list[_ChunkRows] = []
        self._starts: list[int] = []
        self.rows = 0

    def add(self, chunk: Chunk, accepted: np.ndarray | None) -> None:
        """Record ``chunk``'s accepted rows (``accepted``: its boolean mask; None when all were accepted)."""
        count = chunk.data.num_rows
        kept: np.ndarray | None = None
        taken = count
        if accepted is not None and not bool(accepted.all()):
            kept, taken = np.packbits(accepted), int(np.count_nonzero(accepted))
        if not taken:
            return
        self._chunks.append(_ChunkRows(chunk.first_row, chunk.skipped, count, kept))
        self._starts.append(self.rows)
        self.rows += taken

    def source_rows(self, staged: np.ndarray) -> np.ndarray:
        """The source row number of each staging index in ``staged`` (any order)."""
        staged = np.asarray(staged, dtype=np.int64)
        out = np.empty(len(staged), dtype=np.int64)
        if not len(staged):
            return out
        if staged.min() < 0 or staged.max() >= self.rows:
            raise IndexError(f"staging index out of range 0..{self.rows - 1}")
        which = np.searchsorted(np.asarray(self._starts), staged, side="right") - 1
        order = np.argsort(which, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(which[order])) + 1)
        for group in groups:
            index = int(which[group[0]])
            numbers = self._chunks[index].accepted_numbers()
            out[group] = numbers[staged[group] - self._starts[index]]
        return out
