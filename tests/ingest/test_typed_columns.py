"""Parsing text columns: a bad value fails only its own row, wherever it falls in a long column.

The fast path casts a whole column with Arrow; when that fails, the column is cast again slice by slice and only
the slices holding a bad value go through DuckDB. The oracle is each value parsed on its own (a one-row column,
which never takes the slice path).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from cxcert.canonical import UTC_TS
from cxcert.ingest.typed_columns import SLICE_ROWS, parse_column

ROWS = 3 * SLICE_ROWS + 17


def _one_by_one(texts: list[str | None], target: pa.DataType, timezone: str | None = None) -> list[object]:
    return [parse_column(pa.array([t], pa.string()), target, timezone=timezone).values[0].as_py() for t in texts]


def test_a_bad_number_fails_its_row_only_in_a_long_column() -> None:
    texts: list[str | None] = [f"{i % 97}.5" for i in range(ROWS)]
    bad = {5, SLICE_ROWS + 3, 3 * SLICE_ROWS + 16}
    for i in bad:
        texts[i] = "n/a-ish"
    texts[SLICE_ROWS + 4] = " 12 "  # spaces: Arrow refuses, DuckDB reads 12 (the slice goes to DuckDB)
    texts[2 * SLICE_ROWS] = None
    parsed = parse_column(pa.array(texts, pa.string()), pa.float64())
    assert parsed.values.type == pa.float64() and len(parsed.values) == ROWS
    assert parsed.failed is not None
    assert {i for i, f in enumerate(parsed.failed.to_pylist()) if f} == bad
    values = parsed.values.to_pylist()
    assert values[SLICE_ROWS + 4] == 12.0 and values[2 * SLICE_ROWS] is None
    assert values[:40] == _one_by_one(texts[:40], pa.float64())
    assert values[SLICE_ROWS : SLICE_ROWS + 8] == _one_by_one(texts[SLICE_ROWS : SLICE_ROWS + 8], pa.float64())


@pytest.mark.parametrize("naive_first", [True, False])
def test_timestamps_with_and_without_offsets_and_a_bad_one(naive_first: bool) -> None:
    """Slices of naive local times and slices of UTC times in one column; one bad value in a third slice."""
    start = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
    naive = [(start + dt.timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(SLICE_ROWS)]
    zoned = [(start + dt.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(SLICE_ROWS)]
    tail: list[str | None] = list(zoned[:20])
    tail[7] = "yesterday"
    texts: list[str | None] = [*(naive if naive_first else zoned), *(zoned if naive_first else naive), *tail]
    parsed = parse_column(pa.array(texts, pa.string()), UTC_TS, timezone="America/Chicago")
    assert parsed.values.type == UTC_TS
    assert parsed.failed is not None and parsed.failed.to_pylist().index(True) == 2 * SLICE_ROWS + 7
    assert parsed.failed.to_pylist().count(True) == 1
    sample = [0, 1, SLICE_ROWS - 1, SLICE_ROWS, SLICE_ROWS + 1, 2 * SLICE_ROWS, 2 * SLICE_ROWS + 8]
    expected = _one_by_one([texts[i] for i in sample], UTC_TS, timezone="America/Chicago")
    assert [parsed.values[i].as_py() for i in sample] == expected
    # 08:00 on 1 March read as Chicago wall-clock time (UTC-6 before the spring change) is 14:00 UTC
    first_naive = 0 if naive_first else SLICE_ROWS
    assert parsed.values[first_naive].as_py() == dt.datetime(2025, 3, 1, 14, 0, tzinfo=dt.UTC)
