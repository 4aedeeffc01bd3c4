"""Arrivals: a non-homogeneous Poisson process with intraday, weekly, monthly shape and growth.

The rate is piecewise constant per interval, so the process is drawn exactly as a Poisson count per interval
with arrival instants uniform inside it (the order statistics of a homogeneous Poisson process on the interval).
The expected rate of queue q in interval i of day d is::

    daily_contacts * scale * share(program) * share(queue) * week(weekday) * season(month)
        * (1 + growth) ** (days since start / 365) * curve(i)

with the week normalised to mean 1 and the curve to sum 1; wall-clock intervals skipped when the clocks go
forward get no arrivals (that day is an hour short).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxcert.synth.calendar import US_PER_S, Calendar
from cxcert.synth.profile import CentreProfile
from cxcert.synth.random_streams import Stream, rng_for

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def expected_rates(profile: CentreProfile, calendar: Calendar, scale: float = 1.0) -> FloatArray:
    """Expected contacts per (day, interval, queue): shape (D, I, Q)."""
    program_total = sum(p.share for p in profile.programs)
    days_since = np.arange(calendar.n_days, dtype=np.float64)
    trend = (1.0 + profile.annual_growth) ** (days_since / 365.0)
    season = np.asarray(profile.seasonality, dtype=np.float64)[calendar.calendar_month - 1]
    rates = np.empty((calendar.n_days, profile.intervals_per_day, len(profile.queues)), dtype=np.float64)
    for q, (program, queue) in enumerate(profile.queues):
        queue_total = sum(x.share for x in program.queues)
        week = np.asarray(profile.weeks[queue.week], dtype=np.float64)
        week = week / week.mean()
        curve = np.asarray(profile.curve(queue.curve), dtype=np.float64)
        curve = curve / curve.sum()
        daily = (
            profile.daily_contacts
            * scale
            * (program.share / program_total)
            * (queue.share / queue_total)
            * week[calendar.weekday]
            * season
            * trend
        )
        rates[:, :, q] = daily[:, None] * curve[None, :] * calendar.interval_exists
    return rates


def volume_scale(profile: CentreProfile, calendar: Calendar, contacts: int | None) -> float:
    """The factor on ``daily_contacts`` that makes the expected total about ``contacts`` (1 when None)."""
    if contacts is None:
        return 1.0
    total = float(expected_rates(profile, calendar).sum())
    return contacts / total


def draw_counts(rates: FloatArray, seed: int) -> IntArray:
    """Poisson counts per (day, interval, queue), one random stream per day."""
    counts = np.empty(rates.shape, dtype=np.int64)
    for d in range(rates.shape[0]):
        counts[d] = rng_for(seed, Stream.ARRIVAL_COUNTS, d).poisson(rates[d])
    return counts


def arrival_instants(
    counts: IntArray, interval_start_us: IntArray, interval_s: int, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """Arrival instants (UTC microseconds, sorted) and their interval index for one day of one queue.

    ``counts`` and ``interval_start_us`` are per interval of the day.
    """
    interval = np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts)
    offsets = rng.random(interval.shape[0]) * (interval_s * US_PER_S)
    instants = interval_start_us[interval] + offsets.astype(np.int64)
    order = np.argsort(instants, kind="stable")
    return instants[order], interval[order]
