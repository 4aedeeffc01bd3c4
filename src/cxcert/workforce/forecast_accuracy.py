"""Forecast accuracy at interval, day or month grain: share of periods within ±X %, MAPE, WAPE and bias.

Definitions (per grain, after summing forecast and actual over each period):
- within tolerance: |forecast − actual| <= X × actual; a period with no actual contacts is within only when
  its forecast is 0 too;
- MAPE: mean of |forecast − actual| / actual over periods with actual > 0 (periods with zero actuals are
  left out, and counted, because the ratio is undefined there);
- WAPE: Σ|forecast − actual| / Σ actual; bias: Σ(forecast − actual) / Σ actual (positive = over-forecast).
Days and months are taken on the timestamps as given: convert UTC to the site's time zone first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.yaml_source import load_packaged

Grain = Literal["interval", "day", "month"]
GRAINS: tuple[Grain, ...] = ("interval", "day", "month")


@dataclass(frozen=True)
class ForecastAccuracy:
    """Accuracy of a forecast at one grain. Ratios are ``None`` where undefined (no actual contacts)."""

    grain: Grain
    tolerance: float
    periods: int
    share_within_tolerance: float
    mape: float | None
    mape_periods_excluded: int
    wape: float | None
    bias: float | None
    explanation: Explanation


def _pct(x: float | None) -> str:
    return "undefined" if x is None else f"{100 * x:.1f} %"


def forecast_accuracy(
    interval_start: ArrayLike, forecast: ArrayLike, actual: ArrayLike, *, tolerance: float, grain: Grain = "interval"
) -> ForecastAccuracy:
    """Accuracy of ``forecast`` against ``actual`` (one value per interval) at ``grain``."""
    if grain not in GRAINS:
        raise CxcertError(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    if not 0 < tolerance < 1:
        raise CxcertError(f"tolerance must be a fraction between 0 and 1, got {tolerance}")
    ts = pd.DatetimeIndex(pd.to_datetime(np.asarray(interval_start)))
    f = np.asarray(forecast, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    if not (len(ts) == f.size == a.size):
        raise CxcertError("interval_start, forecast and actual must have the same length")
    if f.size == 0:
        raise CxcertError("no intervals to compare")
    if np.any(~np.isfinite(f)) or np.any(~np.isfinite(a)) or np.any(a < 0) or np.any(f < 0):
        raise CxcertError("forecast and actual must be finite and >= 0")
    frame = pd.DataFrame({"f": f, "a": a}, index=ts)
    if grain == "day":
        frame = frame.groupby(ts.floor("D")).sum()
    elif grain == "month":
        frame = frame.groupby(ts.to_period("M")).sum()
    fv, av = frame["f"].to_numpy(), frame["a"].to_numpy()
    err = np.abs(fv - av)
    within = np.where(av > 0, err <= tolerance * av + 1e-12, fv == 0)
    positive = av > 0
    total = float(av.sum())
    mape = float(np.mean(err[positive] / av[positive])) if positive.any() else None
    wape = float(err.sum() / total) if total > 0 else None
    bias = float((fv - av).sum() / total) if total > 0 else None
    share = float(within.mean())
    excluded = int((~positive).sum())
    expl = (
        Explanation(f"{_pct(share)} of {len(av)} {grain} periods within ±{100 * tolerance:g} %; WAPE {_pct(wape)}")
        .with_step(
            "within tolerance: |forecast − actual| <= tolerance × actual",
            _pct(share),
            periods=len(av),
            within=int(within.sum()),
        )
        .with_step("MAPE over periods with actual > 0", _pct(mape), excluded_zero_actuals=excluded)
        .with_step("WAPE = Σ|forecast − actual| / Σ actual", _pct(wape))
        .with_step("bias = Σ(forecast − actual) / Σ actual", _pct(bias))
    )
    return ForecastAccuracy(grain, tolerance, len(av), share, mape, excluded, wape, bias, expl)


class ForecastAccuracyDefaults(BaseModel):
    """Default grain (``data/forecast_defaults.yaml``), with the date it applies from and source. The default
    tolerance is the KPI catalogue's ``forecast_accuracy.tolerance``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    effective_from: dt.date
    grain: Grain
    source: str = Field(min_length=1)


@lru_cache(maxsize=1)
def forecast_accuracy_defaults() -> ForecastAccuracyDefaults:
    """The packaged defaults, validated (errors name the file, line and field)."""
    return load_packaged("cxcert.workforce", "forecast_defaults.yaml", ForecastAccuracyDefaults)
