"""A metric's values over time for one slice (e.g. one program): the input of every evaluation rule."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from cxcert.errors import NotFound
from cxcert.performance.engine import KpiResult


@dataclass(frozen=True)
class Point:
    """One period's value with the ratio it came from (``value`` is None when the denominator is 0)."""

    period: dt.date
    numerator: float
    denominator: float
    value: float | None


def points_of(result: KpiResult, **dims: str) -> tuple[Point, ...]:
    """The points of ``result`` whose dimensions equal ``dims`` (every ``by`` dimension must be given)."""
    missing = [d for d in result.by if d not in dims]
    if missing:
        raise NotFound(f"name the slice: {', '.join(f'{d}=...' for d in missing)}")
    out = []
    for row in result.rows():
        if all(row[d] == v for d, v in dims.items()):
            value, num, den, start = row["value"], row["numerator"], row["denominator"], row["period_start"]
            assert isinstance(start, dt.datetime) and isinstance(num, float) and isinstance(den, float)
            clean = float(value) if isinstance(value, float) and not math.isnan(value) else None
            out.append(Point(start.date(), num, den, clean))
    return tuple(sorted(out, key=lambda p: p.period))


def slices(result: KpiResult) -> tuple[dict[str, str], ...]:
    """The distinct dimension combinations present in ``result``."""
    seen: dict[tuple[str, ...], dict[str, str]] = {}
    for row in result.rows():
        key = tuple(str(row[d]) for d in result.by)
        seen.setdefault(key, {d: str(row[d]) for d in result.by})
    return tuple(seen[k] for k in sorted(seen))
