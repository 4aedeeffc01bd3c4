"""A seasonal baseline forecast: each interval is the average of the same weekday and time of day over the
previous ``weeks`` weeks (one week ahead), optionally rescaled by the recent level.

It is the benchmark any better forecast must beat; ``weeks=1`` is the naive "same time last week" forecast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxcert.errors import CxcertError

_WEEK = pd.Timedelta(days=7)


def seasonal_baseline(history: pd.Series, *, weeks: int, level_weeks: int = 0) -> pd.Series:
    """Forecast for every timestamp of ``history`` (a series on a regular time grid, gaps allowed): the mean of
    the values 1..``weeks`` weeks earlier (missing ones skipped; NaN where none exist).

    With ``level_weeks`` > 0 each forecast is multiplied by the ratio of the last ``level_weeks`` weeks'
    volume to the same weeks' seasonal-baseline volume (a one-week-old level correction).
    """
    if weeks < 1:
        raise CxcertError(f"weeks must be >= 1, got {weeks}")
    if not isinstance(history.index, pd.DatetimeIndex) or len(history) < 2:
        raise CxcertError("history must be a time series with at least two intervals")
    step = pd.Series(history.index).diff().dropna().min()
    if step <= pd.Timedelta(0) or _WEEK % step != pd.Timedelta(0):
        raise CxcertError(f"interval length {step} must divide a week")
    grid = pd.date_range(history.index.min(), history.index.max(), freq=step)
    values = history.astype(np.float64).reindex(grid)
    lag = int(_WEEK / step)
    shifted = np.vstack([values.shift(lag * k).to_numpy() for k in range(1, weeks + 1)])
    counts = np.sum(~np.isnan(shifted), axis=0)
    with np.errstate(invalid="ignore"):
        base = np.where(counts > 0, np.nansum(shifted, axis=0) / np.maximum(counts, 1), np.nan)
    forecast = pd.Series(base, index=grid)
    if level_weeks > 0:
        window = lag * level_weeks
        actual_sum = values.shift(lag).rolling(window, min_periods=1).sum()
        base_sum = forecast.shift(lag).where(values.shift(lag).notna()).rolling(window, min_periods=1).sum()
        ratio = (actual_sum / base_sum).where(base_sum > 0, 1.0)
        forecast = forecast * ratio.fillna(1.0)
    return forecast.reindex(history.index)
