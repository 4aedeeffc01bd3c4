"""The seasonal baseline forecast ahead: by hand, across DST, against the one-week back-test, and on real volumes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxcert.errors import CxcertError
from cxcert.workforce.baseline_forecast import baseline_defaults, forecast_ahead, seasonal_baseline, to_intervals
from cxcert.workforce.forecast_accuracy import forecast_accuracy


def _weeks_of(values: list[float], start: str = "2026-01-05", freq: str = "h") -> pd.DataFrame:
    """One queue, hourly, each week at a constant value (weeks from Monday ``start``)."""
    per_week = 7 * 24
    idx = pd.date_range(start, periods=len(values) * per_week, freq=freq, tz="UTC")
    return pd.DataFrame({"queue": "q", "interval_start": idx, "contacts": np.repeat(values, per_week)})


def test_by_hand_mean_of_the_last_weeks() -> None:
    """Weeks of 10, 20 and 30 contacts an hour; 2 weeks averaged: (20 + 30)/2 = 25 for every hour of the 9 days
    after the history (the days past the first week repeat the same weekday-and-time profile)."""
    f = forecast_ahead(_weeks_of([10, 20, 30]), zone="UTC", first_day=dt.date(2026, 1, 26), days=9, interval_s=3600,
                       weeks=2)  # fmt: skip
    assert len(f.intervals) == 9 * 24 and f.left_out == 0
    assert (f.intervals["contacts_forecast"] == 25.0).all()
    assert f.intervals["interval_start"].iloc[0] == pd.Timestamp("2026-01-26", tz="UTC")
    assert f.intervals["aht_forecast_s"].isna().all()  # no handle times in the history
    assert "mean of the same weekday and time over the last 2 weeks" in f.explanation.summary


def test_gaps_reach_further_back_and_unknown_slots_are_left_out() -> None:
    """Monday 09:00 is missing in the last week, so its 2-week mean takes weeks 1 and 2: (10 + 20)/2 = 15, not
    (20 + 30)/2. A slot with no history at all (Tuesday 03:00, dropped everywhere) is left out and counted,
    never forecast as 0."""
    h = _weeks_of([10, 20, 30])
    local = h["interval_start"].dt.tz_localize(None)
    monday_9_last_week = (local == pd.Timestamp("2026-01-19 09:00"))
    tuesday_3 = (local.dt.day_of_week == 1) & (local.dt.hour == 3)
    h = h[~monday_9_last_week & ~tuesday_3]
    f = forecast_ahead(h, zone="UTC", first_day=dt.date(2026, 1, 26), days=7, interval_s=3600, weeks=2)
    at = f.intervals.set_index("interval_start")["contacts_forecast"]
    assert at[pd.Timestamp("2026-01-26 09:00", tz="UTC")] == 15.0
    assert at[pd.Timestamp("2026-01-26 10:00", tz="UTC")] == 25.0
    assert f.left_out == 1 and len(f.intervals) == 7 * 24 - 1


def test_aht_from_handle_time_with_a_series_fallback() -> None:
    """AHT = Σ handle_s / Σ handled over the same weeks: 2 handled contacts of 300 s and 2 of 100 s -> 200 s. A
    slot whose contacts were all abandoned takes the series' AHT over those weeks (here 200 s too)."""
    h = _weeks_of([2, 2]).assign(handled=2.0, handle_s=np.repeat([600.0, 200.0], 7 * 24))
    h.loc[h["interval_start"].dt.hour == 4, ["handled", "handle_s"]] = 0.0
    f = forecast_ahead(h, zone="UTC", first_day=dt.date(2026, 1, 19), days=1, interval_s=3600, weeks=2)
    assert np.allclose(f.intervals["aht_forecast_s"], 200.0)


def test_local_weekdays_and_daylight_saving() -> None:
    """Europe/London: the history's Sunday 10:00 local is 10:00 UTC in winter; the forecast Sunday 29 March 2026
    (clocks go forward at 01:00) has 46 half-hours and its 10:00 local is 09:00 UTC, forecast from the Sunday
    10:00 local history. Sunday 25 October (clocks go back) has 50, two of them at 01:00 and 01:30 local."""
    idx = pd.date_range("2026-02-02", "2026-03-23", freq="30min", tz="UTC", inclusive="left")
    local = idx.tz_convert("Europe/London")
    value = np.where((local.day_of_week == 6) & (local.hour == 10), 42.0, 1.0)
    h = pd.DataFrame({"queue": "q", "interval_start": idx, "contacts": value})
    f = forecast_ahead(h, zone="Europe/London", first_day=dt.date(2026, 3, 29), days=1, interval_s=1800, weeks=4)
    assert len(f.intervals) == 46
    at = f.intervals.set_index("interval_start")["contacts_forecast"]
    assert at[pd.Timestamp("2026-03-29 09:00", tz="UTC")] == 42.0
    assert at[pd.Timestamp("2026-03-29 10:00", tz="UTC")] == 1.0
    autumn = forecast_ahead(h, zone="Europe/London", first_day=dt.date(2026, 10, 25), days=1, interval_s=1800,
                            weeks=4)  # fmt: skip
    assert len(autumn.intervals) == 50


def test_weekly_origins_equal_the_one_week_back_test() -> None:
    """Forecasting each week from the history before its Monday is the one-week-ahead back-test of
    :func:`seasonal_baseline` (lags 1..k weeks) wherever the history has no gaps: the same numbers."""
    rng = np.random.default_rng(5)
    idx = pd.date_range("2026-01-05", periods=10 * 7 * 48, freq="30min", tz="UTC")
    h = pd.DataFrame({"queue": "q", "interval_start": idx, "contacts": rng.poisson(40, idx.size).astype(float)})
    back = seasonal_baseline(h.set_index(h["interval_start"].dt.tz_localize(None))["contacts"], weeks=3)
    for week in (3, 6, 9):
        monday = dt.date(2026, 1, 5) + dt.timedelta(weeks=week)
        f = forecast_ahead(h, zone="UTC", first_day=monday, days=7, interval_s=1800, weeks=3)
        want = back.loc[pd.Timestamp(monday) : pd.Timestamp(monday) + pd.Timedelta(days=7) - pd.Timedelta("30min")]
        assert np.allclose(f.intervals["contacts_forecast"].to_numpy(), want.to_numpy())


def test_to_intervals_keeps_complete_intervals_only() -> None:
    """5-minute rows summed into half-hours; a half-hour with one 5-minute row missing is dropped (a partial sum
    would look like a quiet half-hour); a history coarser than the interval is refused."""
    idx = pd.date_range("2026-01-05 09:00", periods=12, freq="5min", tz="UTC")
    h = pd.DataFrame({"queue": "q", "interval_start": idx, "contacts": 1.0}).drop(index=8)
    out = to_intervals(h, 1800)
    assert out["interval_start"].tolist() == [pd.Timestamp("2026-01-05 09:00", tz="UTC")]
    assert out["contacts"].tolist() == [6.0]
    with pytest.raises(CxcertError, match="must divide the forecast interval"):
        to_intervals(_weeks_of([1]), 1800)


def test_mistakes_and_defaults() -> None:
    h = _weeks_of([1])
    with pytest.raises(CxcertError, match="no history before"):
        forecast_ahead(h, zone="UTC", first_day=dt.date(2025, 1, 1), days=7, interval_s=3600, weeks=4)
    with pytest.raises(CxcertError, match="divide a day"):
        forecast_ahead(h, zone="UTC", first_day=dt.date(2026, 1, 12), days=7, interval_s=7000, weeks=4)
    d = baseline_defaults()
    assert (d.weeks, d.interval_s, d.horizon_days) == (4, 1800, 7) and "back-test" in d.source


@pytest.mark.realdata
def test_us_bank_2003_weekly_back_test(shared_data: Path) -> None:
    """The US bank's 5-minute volumes (weekdays 07:00-21:00, March to October 2003) summed into half-hours; every
    week after the first 8 forecast from the history before its Monday (4 weeks averaged, 7 days ahead) and
    scored by our forecast_accuracy: 3,528 half-hours, WAPE 6.83 %, MAPE 7.25 %, bias -0.06 %, 75.7 % within
    ±10 %. Checked here by an independent pandas computation: a day x time-of-day table, for each weekday the
    mean of the previous 4 rows (days with data), and WAPE and MAPE written out."""
    raw = pd.read_csv(shared_data / "call-volumes" / "us-bank-2003-5min.csv", parse_dates=["DateTime"])
    five = pd.DataFrame({"queue": "bank", "interval_start": raw["DateTime"].dt.tz_localize("UTC"),
                         "contacts": raw["Calls"]})  # fmt: skip
    half = to_intervals(five, 1800)
    monday, last = dt.date(2003, 3, 3) + dt.timedelta(weeks=8), half["interval_start"].max().date()
    weeks = []
    while monday <= last:
        weeks.append(forecast_ahead(half, zone="UTC", first_day=monday, days=7, interval_s=1800, weeks=4).intervals)
        monday += dt.timedelta(weeks=1)
    scored = pd.concat(weeks).merge(half, on=["queue", "interval_start"])
    r = forecast_accuracy(scored["interval_start"].dt.tz_localize(None), scored["contacts_forecast"],
                          scored["contacts"], tolerance=0.1)  # fmt: skip
    assert r.periods == 3528
    assert r.wape is not None and round(r.wape, 4) == 0.0683
    assert r.mape is not None and round(r.mape, 4) == 0.0725
    assert r.bias is not None and round(r.bias, 4) == -0.0006
    assert round(r.share_within_tolerance, 3) == 0.757
    # Independent: pandas only, no cxcert code.
    local = half["interval_start"].dt.tz_localize(None)
    wide = half.assign(day=local.dt.normalize(), tod=local.dt.time).pivot_table(
        index="day", columns="tod", values="contacts"
    )
    prior = wide.groupby(pd.DatetimeIndex(wide.index).day_of_week, group_keys=False).apply(
        lambda g: g.shift(1).rolling(4, min_periods=1).mean()
    )
    prior = prior[prior.index >= pd.Timestamp("2003-04-28")]
    actual = wide.loc[prior.index]
    both = prior.notna() & actual.notna()
    assert int(both.to_numpy().sum()) == r.periods
    f, a = prior.to_numpy(dtype=float)[both.to_numpy()], actual.to_numpy(dtype=float)[both.to_numpy()]
    assert float(np.abs(f - a).sum() / a.sum()) == pytest.approx(r.wape, rel=1e-12)
    assert float(np.mean(np.abs(f - a) / a)) == pytest.approx(r.mape, rel=1e-12)
