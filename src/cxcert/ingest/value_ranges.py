"""The range of times, dates and durations a canonical row may hold (``data/value_ranges.yaml``).

A value outside it is a typing or unit mistake, or one that whatever reads the warehouse next cannot hold (a year
past 9999 is no Python datetime, a year past 2262 no pandas timestamp): :func:`cxcert.ingest.validation.validate`
rejects the row, naming the value as written (Arrow's own text of such a timestamp wraps around: year 264168 would
read as 2024, so values are written here from their integer form).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cxcert.yaml_source import load_packaged

SAFE_EARLIEST = dt.datetime(1677, 9, 22, tzinfo=dt.UTC)
SAFE_BEFORE = dt.datetime(2262, 4, 11, tzinfo=dt.UTC)
"""What every reader of the warehouse can hold (pandas' datetime64[ns], the narrowest): bounds stay inside."""


class ValueRanges(BaseModel):
    """Instants and dates from ``earliest`` to before ``before``; durations from 0 to ``max_duration_s``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    earliest: dt.datetime
    before: dt.datetime
    max_duration_s: float = Field(gt=0, allow_inf_nan=False)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _inside_what_readers_hold(self) -> ValueRanges:
        for name, value in (("earliest", self.earliest), ("before", self.before)):
            if value.tzinfo is None:
                raise ValueError(f"{name} needs an offset (Z for UTC)")
            if not SAFE_EARLIEST <= value <= SAFE_BEFORE:
                raise ValueError(f"{name} must lie within {SAFE_EARLIEST:%Y-%m-%d} and {SAFE_BEFORE:%Y-%m-%d}")
        if self.before <= self.earliest:
            raise ValueError("before must be later than earliest")
        return self

    def instant_bounds(self, target: pa.DataType) -> tuple[pa.Scalar, pa.Scalar]:
        """The bounds as scalars of ``target`` (a timestamp or a date type)."""
        if pa.types.is_timestamp(target):
            return pa.scalar(self.earliest, target), pa.scalar(self.before, target)
        first = self.earliest.astimezone(dt.UTC).date()
        last = self.before.astimezone(dt.UTC)
        after = last.date() if last.time() == dt.time(0) else last.date() + dt.timedelta(days=1)
        return pa.scalar(first, target), pa.scalar(after, target)

    def describe(self, target: pa.DataType) -> str:
        """The accepted range in words, for a quarantine reason."""
        if pa.types.is_timestamp(target):
            return f"{iso(self.earliest)} to before {iso(self.before)}"
        first, after = self.instant_bounds(target)
        return f"{first.as_py().isoformat()} to before {after.as_py().isoformat()}"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1)
def value_ranges() -> ValueRanges:
    """The packaged ranges, validated (errors name the file, line and field)."""
    return load_packaged("cxcert.ingest", "value_ranges.yaml", ValueRanges)


def as_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Timestamps (as ISO 8601 UTC) or dates as text from their integer form, right whatever their year."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_timestamp(values.type):
        numbers = pc.fill_null(values.cast(pa.int64()), 0).to_numpy()
        stamps = numbers.astype(f"datetime64[{values.type.unit}]")
        whole = bool(np.all(stamps == stamps.astype("datetime64[s]")))
        text = np.char.add(np.datetime_as_string(stamps, unit="s" if whole else values.type.unit), "Z")
    elif pa.types.is_date32(values.type):
        numbers = pc.fill_null(values.cast(pa.int32()), 0).to_numpy().astype(np.int64)
        text = np.datetime_as_string(numbers.astype("datetime64[D]"))
    else:
        return pc.cast(values, pa.string())
    return pa.array(text.tolist(), pa.string(), mask=pc.is_null(values).to_numpy(zero_copy_only=False))
