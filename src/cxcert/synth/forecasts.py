"""Forecasts: what the planners believed, i.e. the true rate times a lognormal error.

The error has a day-level part (the whole day's volume misjudged) and an interval part, both mean-one
lognormal, so the forecast is unbiased on average but rarely right in a given interval. The AHT forecast is
the queue's true mean handle time for the month times its own mean-one lognormal error per day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxcert.synth.arrivals import FloatArray
from cxcert.synth.calendar import Calendar
from cxcert.synth.profile import CentreProfile
from cxcert.synth.random_streams import Stream, rng_for


@dataclass(frozen=True)
class Forecast:
    contacts: FloatArray  # (D, I, Q) forecast contacts per interval
    aht_s: FloatArray  # (D, Q) forecast handle time of each day
    true_aht_s: FloatArray  # (D, Q) the true mean handle time of each day (month multiplier applied)


def _mean_one_lognormal(rng: np.random.Generator, sigma: float, shape: tuple[int, ...]) -> FloatArray:
    draws: FloatArray = np.exp(rng.normal(-(sigma**2) / 2, sigma, size=shape)) if sigma > 0 else np.ones(shape)
    return draws


def true_aht(profile: CentreProfile, calendar: Calendar) -> FloatArray:
    """Mean handle time per (day, queue): the queue's lognormal means times its program's monthly multiplier."""
    out = np.empty((calendar.n_days, len(profile.queues)), dtype=np.float64)
    for q, (program, queue) in enumerate(profile.queues):
        multiplier = np.array([program.monthly.at("aht", int(m)) for m in calendar.month_index])
        out[:, q] = queue.handle.mean_s * multiplier
    return out


def make_forecast(profile: CentreProfile, calendar: Calendar, rates: FloatArray, seed: int) -> Forecast:
    """The forecast of every interval of the run (one random stream per day)."""
    staffing = profile.staffing
    contacts = np.empty_like(rates)
    aht = np.empty((calendar.n_days, rates.shape[2]), dtype=np.float64)
    truth = true_aht(profile, calendar)
    for d in range(calendar.n_days):
        rng = rng_for(seed, Stream.FORECAST, d)
        day_error = _mean_one_lognormal(rng, staffing.forecast_bias_sigma, (1, rates.shape[2]))
        interval_error = _mean_one_lognormal(rng, staffing.forecast_error_sigma, rates.shape[1:])
        contacts[d] = rates[d] * day_error * interval_error
        aht[d] = truth[d] * _mean_one_lognormal(rng, staffing.aht_forecast_error_sigma, (rates.shape[2],))
    return Forecast(contacts=contacts, aht_s=aht, true_aht_s=truth)


def open_intervals(profile: CentreProfile) -> npt.NDArray[np.bool_]:
    """(I, Q): whether each queue takes contacts in each interval of the day (its curve is positive)."""
    return np.stack([np.asarray(profile.curve(q.curve)) > 0 for _, q in profile.queues], axis=1)
