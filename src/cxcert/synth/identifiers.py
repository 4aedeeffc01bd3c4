"""Arrow columns built without Python loops: prefixed ids, UTC timestamps, constant strings.

Generating a hundred million contacts one Python string at a time would take minutes; Arrow's compute kernels
build the same columns in C++.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cxcert.canonical import UTC_TS


def prefixed(prefix: str, numbers: npt.NDArray[np.int64], width: int) -> pa.Array:
    """``prefix`` + the zero-padded decimal of each number, e.g. ``C0000000042``."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def timestamps(micros: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """UTC timestamps from epoch microseconds (null where ``mask`` is True)."""
    return pa.array(micros, type=pa.int64(), mask=mask).cast(UTC_TS)


def constant(value: str, size: int) -> pa.Array:
    """A string column holding ``value`` ``size`` times."""
    return pa.repeat(pa.scalar(value, type=pa.string()), size)
