"""Per-row verdicts of one chunk: which rows fail, on which column, and why, computed with whole-column masks.

Checks run as vectorised masks over the chunk; a row keeps the first problem flagged against it. Only the
rejected rows are turned into text (the unhappy path), so a clean chunk costs a few array operations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class Problem:
    """What is wrong with a flagged row: the column at fault and a message template.

    ``template`` may use ``{value}``, filled with the row's entry in the ``values`` array given to
    :meth:`RowVerdicts.flag` (the text read, or the canonical value).
    """

    column: str
    template: str


def to_mask(mask: pa.Array | pa.ChunkedArray | np.ndarray, length: int) -> np.ndarray:
    """A boolean numpy mask from an Arrow boolean array (nulls count as "not flagged")."""
    if isinstance(mask, np.ndarray):
        return mask.astype(bool, copy=False)
    if isinstance(mask, pa.ChunkedArray):
        mask = mask.combine_chunks() if mask.num_chunks != 1 else mask.chunk(0)
    if mask.null_count:
        mask = mask.fill_null(False)
    out: np.ndarray = mask.to_numpy(zero_copy_only=False).astype(bool, copy=False)
    assert len(out) == length
    return out


class RowVerdicts:
    """The problems flagged against the rows of one chunk (first problem per row wins)."""

    def __init__(self, length: int) -> None:
        self.length = length
        self._code = np.full(length, -1, dtype=np.int32)
        self._problems: list[tuple[Problem, pa.Array | pa.ChunkedArray | None]] = []

    def flag(
        self,
        mask: pa.Array | pa.ChunkedArray | np.ndarray,
        problem: Problem,
        values: pa.Array | pa.ChunkedArray | None = None,
    ) -> int:
        """Flag the rows where ``mask`` is true (and no earlier problem was flagged); returns how many."""
        bad = to_mask(mask, self.length)
        fresh = bad & (self._code < 0)
        count = int(fresh.sum())
        if count:
            self._code[fresh] = len(self._problems)
            self._problems.append((problem, values))
        return count

    def flag_all(self, problem: Problem) -> None:
        """Flag every row still clean."""
        self.flag(np.ones(self.length, dtype=bool), problem)

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask of the rows with no problem."""
        ok: np.ndarray = self._code < 0
        return ok

    @property
    def rejected_count(self) -> int:
        return int((self._code >= 0).sum())

    def rejected(self) -> Iterator[tuple[int, str, str]]:
        """``(index in chunk, column, reason)`` for every rejected row, in row order."""
        for index in np.flatnonzero(self._code >= 0):
            problem, values = self._problems[int(self._code[index])]
            value = values[int(index)].as_py() if values is not None else None
            yield int(index), problem.column, problem.template.format(value=show_value(value))


def show_value(value: object) -> str:
    """A value as a message quotes it: text in quotes, "(empty)" for a missing one."""
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    return str(value)
