"""The run's calendar: local days and intervals of the site, and their UTC instants.

Everything local (intraday curves, weekly shape, shifts) is bucketed in the site's IANA time zone; everything
written is UTC. Interval starts are converted one by one through ``zoneinfo`` so daylight-saving days are right.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from cxcert.errors import CxcertError
from cxcert.synth.profile import CentreProfile

US_PER_S = 1_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months (the day of month clamped to the target month's length)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (next_first - dt.timedelta(days=1)).day))


def to_us(moment: dt.datetime) -> int:
    """Microseconds since the epoch of a tz-aware datetime."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * US_PER_S + delta.microseconds


@dataclass(frozen=True)
class Calendar:
    """The days of a run and their intervals (``D`` days by ``I`` intervals)."""

    days: tuple[dt.date, ...]
    interval_s: int
    interval_start_us: npt.NDArray[np.int64]  # (D, I) UTC microseconds of each local interval start
    interval_exists: npt.NDArray[np.bool_]  # (D, I) False for wall times skipped by a daylight-saving change
    day_start_us: npt.NDArray[np.int64]  # (D,) UTC microseconds of local midnight
    day_end_us: npt.NDArray[np.int64]  # (D,) UTC microseconds of the next local midnight
    weekday: npt.NDArray[np.int64]  # (D,) 0 = Monday
    month_index: npt.NDArray[np.int64]  # (D,) 0 = first month of the run
    calendar_month: npt.NDArray[np.int64]  # (D,) 1..12

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def n_months(self) -> int:
        return int(self.month_index.max()) + 1

    def month_start(self, month_index: int) -> dt.date:
        return add_months(self.days[0], month_index)


def build_calendar(profile: CentreProfile, months: int, last_day: dt.date | None = None) -> Calendar:
    """The calendar of ``months`` months from the profile's start date, in the profile's time zone; with
    ``last_day`` it stops after that day (which must fall within the months)."""
    zone = ZoneInfo(profile.timezone)
    start = profile.start_date
    end = add_months(start, months)
    if last_day is not None:
        if not start <= last_day < end:
            raise CxcertError(f"the last day {last_day} must be from {start} to {end - dt.timedelta(days=1)}")
        end = last_day + dt.timedelta(days=1)
    days = tuple(start + dt.timedelta(days=i) for i in range((end - start).days))
    per_day = profile.intervals_per_day
    starts = np.empty((len(days), per_day), dtype=np.int64)
    exists = np.ones((len(days), per_day), dtype=bool)
    day_start = np.empty(len(days), dtype=np.int64)
    day_end = np.empty(len(days), dtype=np.int64)
    for d, day in enumerate(days):
        midnight = dt.datetime(day.year, day.month, day.day)
        day_start[d] = to_us(midnight.replace(tzinfo=zone))
        nxt = midnight + dt.timedelta(days=1)
        day_end[d] = to_us(nxt.replace(tzinfo=zone))
        for i in range(per_day):
            local = midnight + dt.timedelta(minutes=i * profile.interval_minutes)
            aware = local.replace(tzinfo=zone)
            starts[d, i] = to_us(aware)
            # A wall time that does not survive the round trip was skipped when the clocks went forward.
            exists[d, i] = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == local
    weekday = np.array([d.weekday() for d in days], dtype=np.int64)
    month_index = np.array([(d.year - start.year) * 12 + d.month - start.month for d in days], dtype=np.int64)
    if start.day != 1:  # a run starting mid-month counts months from the start date, not calendar months
        month_index = np.array(
            [next(m for m in range(months) if add_months(start, m + 1) > d) for d in days], dtype=np.int64
        )
    calendar_month = np.array([d.month for d in days], dtype=np.int64)
    return Calendar(
        days=days,
        interval_s=profile.interval_minutes * 60,
        interval_start_us=starts,
        interval_exists=exists,
        day_start_us=day_start,
        day_end_us=day_end,
        weekday=weekday,
        month_index=month_index,
        calendar_month=calendar_month,
    )
