"""A seasonal baseline forecast: each interval is the average of the same weekday and time of day over the
previous ``weeks`` weeks, optionally rescaled by the recent level.

It is the benchmark any better forecast must beat; ``weeks=1`` is the naive "same time last week" forecast.
:func:`seasonal_baseline` back-tests it on a history (one week ahead of every interval); :func:`forecast_ahead`
forecasts the days after the history, in the site's local weekdays and times of day, for as many days as asked
(each future interval takes the last ``weeks`` weeks of history that have a value at its weekday and time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.yaml_source import load_packaged

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


class BaselineDefaults(BaseModel):
    """Weeks averaged, interval and horizon of the baseline (``data/baseline_forecast.yaml``), dated and sourced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    effective_from: dt.date
    weeks: int = Field(ge=1)
    interval_s: int = Field(gt=0)
    horizon_days: int = Field(ge=1)
    source: str = Field(min_length=1)


@lru_cache(maxsize=1)
def baseline_defaults() -> BaselineDefaults:
    """The packaged defaults, validated (errors name the file, line and field)."""
    return load_packaged("cxcert.workforce", "baseline_forecast.yaml", BaselineDefaults)


@dataclass(frozen=True)
class BaselineForecast:
    """A forecast for the days after a history: one row per series (``keys``) and future interval.

    ``intervals`` has the key columns, ``interval_start`` (UTC), ``interval_s``, ``contacts_forecast`` and
    ``aht_forecast_s`` (NaN where the history holds no handled contacts there, or no handle times at all);
    ``left_out`` counts future intervals with no history at their weekday and time (not forecast, not zero).
    """

    intervals: pd.DataFrame
    first_day: dt.date
    days: int
    weeks: int
    history_days: int
    left_out: int
    explanation: Explanation


def forecast_ahead(
    history: pd.DataFrame,
    *,
    zone: str,
    first_day: dt.date,
    days: int,
    interval_s: int,
    weeks: int,
    keys: Sequence[str] = ("queue",),
) -> BaselineForecast:
    """Forecast local days ``first_day`` .. ``first_day + days - 1`` in ``zone`` from ``history``.

    ``history`` holds one row per series and observed interval: the ``keys`` columns, ``interval_start``
    (tz-aware), ``contacts`` and optionally ``handled`` and ``handle_s`` (handled contacts and their total
    handle seconds, for the AHT). Only rows before ``first_day`` are used. Write intervals that had no contacts
    as 0: a missing row is unknown and is skipped, a zero is a zero. Future intervals are the ``interval_s``
    steps from each local midnight in UTC; each takes the mean of the last ``weeks`` history days with the same
    local weekday that have a value at its local time of day (and the AHT as Σ handle_s / Σ handled there).
    """
    _check(history, days, interval_s, weeks, keys)
    key_cols = list(keys)
    hist = history[history["interval_start"].notna()].copy()
    hist["interval_start"] = pd.to_datetime(hist["interval_start"], utc=True)
    local = hist["interval_start"].dt.tz_convert(zone).dt.tz_localize(None)
    hist["day"] = local.dt.normalize()
    hist["weekday"] = hist["day"].dt.day_of_week
    hist["tod_s"] = (local - hist["day"]).dt.total_seconds().astype(np.int64)
    hist = hist[(hist["day"] < pd.Timestamp(first_day)) & hist["contacts"].notna()]
    if hist.empty:
        raise CxcertError(f"no history before {first_day} to forecast from")
    has_aht = "handled" in hist.columns and "handle_s" in hist.columns
    if not has_aht:
        hist = hist.assign(handled=0.0, handle_s=0.0)
    slot = [*key_cols, "weekday", "tod_s"]
    # One value per day and slot (a fall-back hour holds two intervals at one local time), then the last weeks.
    per_day = hist.groupby([*slot, "day"], sort=False).agg(
        contacts=("contacts", "mean"), handled=("handled", "sum"), handle_s=("handle_s", "sum")
    )
    recent = per_day.reset_index().sort_values("day").groupby(slot, sort=False).tail(weeks)
    profile = recent.groupby(slot, sort=False).agg(
        contacts_forecast=("contacts", "mean"), handled=("handled", "sum"), handle_s=("handle_s", "sum")
    )
    future = _future_grid(zone, first_day, days, interval_s)
    series = hist[key_cols].drop_duplicates().reset_index(drop=True)
    grid = series.merge(future, how="cross")
    out = grid.merge(profile.reset_index(), on=slot, how="left")
    left_out = int(out["contacts_forecast"].isna().sum())
    out = out[out["contacts_forecast"].notna()].copy()
    # AHT where the slot's weeks hold handled contacts with a handle time; else the series' AHT over the same weeks
    # (a slot whose few contacts all abandoned still gets a handle time for staffing).
    totals = recent.groupby(key_cols, sort=False)[["handle_s", "handled"]].sum()
    fallback = (totals["handle_s"] / totals["handled"].where(totals["handled"] > 0)).rename("fallback")
    out = out.merge(fallback.reset_index(), on=key_cols, how="left")
    slot_aht = out["handle_s"] / out["handled"].where(out["handled"] > 0)
    slot_aht = slot_aht.where(slot_aht > 0, out["fallback"])  # zero recorded handle time is no AHT either
    out["aht_forecast_s"] = slot_aht.where(slot_aht > 0) if has_aht else np.nan
    out["interval_s"] = interval_s
    out = out.sort_values([*key_cols, "interval_start"], kind="stable").reset_index(drop=True)
    result = out[[*key_cols, "interval_start", "interval_s", "contacts_forecast", "aht_forecast_s"]]
    history_days = int(hist["day"].nunique())
    last = first_day + dt.timedelta(days=days - 1)
    expl = (
        Explanation(
            f"{len(result)} intervals forecast for {len(series)} series, {first_day} to {last}: mean of the same "
            f"weekday and time over the last {weeks} weeks"
            + (f" ({left_out} intervals left out: no history at their weekday and time)" if left_out else "")
        )
        .with_step("history used", f"{history_days} local days before {first_day}", zone=zone)
        .with_step(
            "forecast = mean contacts of the same weekday and time over the last weeks that have a value",
            f"{float(result['contacts_forecast'].sum()):,.1f} contacts in all",
            weeks=weeks,
            interval_s=interval_s,
        )
    )
    if has_aht:
        expl = expl.with_step(
            "AHT forecast = Σ handle time / Σ handled contacts, same weekday, time and weeks (else the series')",
            f"{int(result['aht_forecast_s'].notna().sum())} of {len(result)} intervals have one",
        )
    return BaselineForecast(result, first_day, days, weeks, history_days, left_out, expl)


def to_intervals(history: pd.DataFrame, interval_s: int, keys: Sequence[str] = ("queue",)) -> pd.DataFrame:
    """Sum a finer history (``keys``, ``interval_start``, ``contacts``) into ``interval_s`` intervals, on the
    clock of its own timestamps. An interval is kept only when every finer step of it is present (a partial sum
    would read as a quiet interval); a history coarser than ``interval_s`` is a user mistake."""
    frame = history.sort_values([*keys, "interval_start"], kind="stable")
    steps = frame.groupby(list(keys), sort=False)["interval_start"].diff().dropna()
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        raise CxcertError("history must have at least two intervals per series")
    step_s = int(steps.min().total_seconds())
    if step_s > interval_s or interval_s % step_s:
        raise CxcertError(
            f"the history's interval ({step_s} s) must divide the forecast interval ({interval_s} s); "
            "pass --interval-s with a multiple of it"
        )
    if step_s == interval_s:
        return frame.reset_index(drop=True)
    start = frame["interval_start"].dt.floor(pd.Timedelta(seconds=interval_s))
    grouped = frame.assign(interval_start=start).groupby([*keys, "interval_start"], sort=True)["contacts"]
    summed = grouped.agg(["sum", "count"]).reset_index()
    complete = summed[summed["count"] == interval_s // step_s]
    return complete.rename(columns={"sum": "contacts"}).drop(columns="count").reset_index(drop=True)


def _check(history: pd.DataFrame, days: int, interval_s: int, weeks: int, keys: Sequence[str]) -> None:
    if weeks < 1:
        raise CxcertError(f"weeks must be >= 1, got {weeks}")
    if days < 1:
        raise CxcertError(f"the horizon must be at least 1 day, got {days}")
    if interval_s <= 0 or 86_400 % interval_s:
        raise CxcertError(f"an interval must divide a day evenly, got {interval_s} s")
    missing = [c for c in (*keys, "interval_start", "contacts") if c not in history.columns]
    if missing:
        raise CxcertError(f"history needs the columns {', '.join(missing)}")


def _future_grid(zone: str, first_day: dt.date, days: int, interval_s: int) -> pd.DataFrame:
    """The future intervals' UTC starts with their local weekday and time of day (DST-correct: a spring-forward
    day has fewer intervals, a fall-back day two at the repeated local times)."""
    start = pd.Timestamp(first_day).tz_localize(zone, nonexistent="shift_forward").tz_convert("UTC")
    end = (pd.Timestamp(first_day) + pd.Timedelta(days=days)).tz_localize(zone, nonexistent="shift_forward")
    utc = pd.date_range(start, end.tz_convert("UTC"), freq=pd.Timedelta(seconds=interval_s), inclusive="left")
    local = utc.tz_convert(zone).tz_localize(None)
    day = local.normalize()
    return pd.DataFrame(
        {
            "interval_start": utc,
            "weekday": day.day_of_week,
            "tod_s": ((local - day).total_seconds()).astype(np.int64),
        }
    )
