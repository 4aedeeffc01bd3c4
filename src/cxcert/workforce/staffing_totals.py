"""Staffing of many intervals summed as a planner reads it: in hours and in full-time equivalents, over the local
days of the site, rounded once at the end by whoever prints it.

scheduled hours = Σ scheduled agents × interval length / 3600 (the scheduled agents are the fractional requirement
after shrinkage, unrounded); FTE = scheduled hours / (FTE hours per week × local days covered / 7), so a week of
intervals needing 400 hours is 10 FTE at 40 hours a week. Days are the site's local dates, not UTC ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import ArrayLike

from cxcert.errors import CxcertError


@dataclass(frozen=True)
class StaffingTotals:
    """One queue's intervals summed: local first and last interval, days covered, hours and FTE."""

    tz: str
    first_local: dt.datetime
    last_local: dt.datetime
    days: int
    on_phone_hours: float
    scheduled_hours: float
    fte_hours_per_week: float

    @property
    def fte(self) -> float:
        return self.scheduled_hours / (self.fte_hours_per_week * self.days / 7)


def staffing_totals(
    starts_utc: list[dt.datetime],
    interval_s: ArrayLike,
    on_phone: ArrayLike,
    scheduled: ArrayLike,
    *,
    tz: str,
    fte_hours_per_week: float,
) -> StaffingTotals:
    """Totals of one queue's intervals (``starts_utc`` tz-aware, one per interval) on the clock of ``tz``."""
    if not starts_utc:
        raise CxcertError("no intervals to sum")
    if fte_hours_per_week <= 0 or fte_hours_per_week > 168:
        raise CxcertError(f"FTE hours per week must be in (0, 168], got {fte_hours_per_week:g}")
    zone = ZoneInfo(tz)
    local = [s.astimezone(zone) for s in starts_utc]
    hours = np.asarray(interval_s, dtype=np.float64) / 3600.0
    return StaffingTotals(
        tz=tz,
        first_local=min(local),
        last_local=max(local),
        days=len({t.date() for t in local}),
        on_phone_hours=float(np.sum(np.asarray(on_phone, dtype=np.float64) * hours)),
        scheduled_hours=float(np.sum(np.asarray(scheduled, dtype=np.float64) * hours)),
        fte_hours_per_week=fte_hours_per_week,
    )
