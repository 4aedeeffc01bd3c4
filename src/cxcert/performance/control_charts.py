"""Control charts for KPI series: p-chart and Laney p′-chart with varying n for shares, XmR for means.

p-chart: centre p̄ = Σx / Σn; for point i, σ_i = √(p̄(1 − p̄)/n_i) and limits p̄ ± L·σ_i, clipped to [0, 1]
(Montgomery, Introduction to Statistical Quality Control, section 7.2, variable sample size).
Laney p′-chart: z_i = (p_i − p̄)/σ_i, σ_z = MR̄(z)/d2 (average moving range of consecutive z's), limits
p̄ ± L·σ_z·σ_i (D. B. Laney, "Improved control charts for attributes", Quality Engineering 14(4), 2002). With
monthly n in the tens of thousands the binomial σ_i is far smaller than the real month-to-month variation
(over-dispersion, σ_z ≫ 1) and a p-chart flags ordinary months; σ_z measures that and widens the limits by it.
XmR: centre x̄, average moving range MR̄ = mean |x_i − x_{i−1}|, σ̂ = MR̄ / d2 with d2 = 1.128 for ranges of two,
limits x̄ ± L·σ̂ (L = 3 gives the familiar x̄ ± 2.66·MR̄; Wheeler, Understanding Variation; Montgomery 6.4).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cxcert.explain import Explanation

D2_RANGE_OF_TWO = 1.128  # the bias-correction constant d2 for subgroups of size 2 (mathematical, not domain)


class ChartKind(StrEnum):
    P = "p"
    LANEY_P = "laney_p"
    XMR = "xmr"

    @property
    def label(self) -> str:
        """How a person names the chart."""
        return {"p": "p-chart", "laney_p": "Laney p′-chart", "xmr": "XmR chart"}[self.value]


@dataclass(frozen=True)
class ChartPoint:
    period: dt.date
    value: float
    centre: float
    sigma: float
    lcl: float
    ucl: float

    @property
    def z(self) -> float:
        """Distance from the centre in sigmas (0 when sigma is 0)."""
        return (self.value - self.centre) / self.sigma if self.sigma > 0 else 0.0


@dataclass(frozen=True)
class ControlChart:
    kind: ChartKind
    centre: float
    sigma_multiplier: float
    points: tuple[ChartPoint, ...]
    explanation: Explanation
    mr_bar: float | None = None  # XmR: MR̄ of the values; Laney p′: MR̄ of the z's
    sigma_z: float | None = None  # Laney p′ (and a p-chart chosen after measuring it): the over-dispersion ratio


def _share_rows(
    periods: Sequence[dt.date], counts: Sequence[float], sizes: Sequence[float], chart: str
) -> tuple[list[tuple[dt.date, float, float]], float, float, float]:
    """The periods with a positive size, Σx, Σn and p̄."""
    rows = [(p, x, n) for p, x, n in zip(periods, counts, sizes, strict=True) if n > 0]
    if not rows:
        raise ValueError(f"a {chart} needs at least one period with a positive sample size")
    total_x = sum(x for _, x, _ in rows)
    total_n = sum(n for _, _, n in rows)
    return rows, total_x, total_n, total_x / total_n


def _share_point(period: dt.date, x: float, n: float, centre: float, sigma: float, multiplier: float) -> ChartPoint:
    return ChartPoint(
        period, x / n, centre, sigma, max(0.0, centre - multiplier * sigma), min(1.0, centre + multiplier * sigma)
    )


def p_chart(
    periods: Sequence[dt.date], counts: Sequence[float], sizes: Sequence[float], sigma_multiplier: float = 3.0
) -> ControlChart:
    """p-chart of ``counts``/``sizes`` per period (sizes may vary; periods with size 0 are left out)."""
    rows, total_x, total_n, centre = _share_rows(periods, counts, sizes, "p-chart")
    points = [
        _share_point(period, x, n, centre, math.sqrt(centre * (1 - centre) / n), sigma_multiplier)
        for period, x, n in rows
    ]
    exp = Explanation(f"p-chart over {len(points)} periods: p̄ = {total_x:g}/{total_n:g} = {centre:.4f}")
    exp = exp.with_step("p_chart", f"limits p̄ ± {sigma_multiplier:g}·√(p̄(1−p̄)/n_i), clipped to [0, 1]", centre=centre)
    return ControlChart(ChartKind.P, centre, sigma_multiplier, tuple(points), exp)


@dataclass(frozen=True)
class Overdispersion:
    """Laney's σ_z of a share series: how much wider the month-to-month variation is than the binomial one."""

    centre: float
    z: tuple[float, ...]
    mr_bar: float
    sigma_z: float


def overdispersion(counts: Sequence[float], sizes: Sequence[float]) -> Overdispersion:
    """σ_z = MR̄(z)/1.128 of ``counts``/``sizes`` (periods with size 0 left out; at least 2 periods).

    z_i = (p_i − p̄)/√(p̄(1 − p̄)/n_i); at p̄ of 0 or 1 every point sits on the centre, so every z is 0.
    """
    rows = [(x, n) for x, n in zip(counts, sizes, strict=True) if n > 0]
    if len(rows) < 2:
        raise ValueError("σ_z needs at least 2 periods with a positive sample size (one moving range)")
    centre = sum(x for x, _ in rows) / sum(n for _, n in rows)
    var = centre * (1 - centre)
    z = tuple((x / n - centre) / math.sqrt(var / n) if var > 0 else 0.0 for x, n in rows)
    mr_bar = sum(abs(b - a) for a, b in itertools.pairwise(z)) / (len(z) - 1)
    return Overdispersion(centre, z, mr_bar, mr_bar / D2_RANGE_OF_TWO)


def laney_p_chart(
    periods: Sequence[dt.date], counts: Sequence[float], sizes: Sequence[float], sigma_multiplier: float = 3.0
) -> ControlChart:
    """Laney p′-chart of ``counts``/``sizes`` per period: the p-chart's σ_i widened (or narrowed) by σ_z.

    Each point's ``sigma`` is σ_z·σ_i, so run rules read distances in Laney sigmas. Periods with size 0 are left
    out; at least 2 periods are needed for a moving range.
    """
    rows, total_x, total_n, centre = _share_rows(periods, counts, sizes, "Laney p′-chart")
    od = overdispersion([x for _, x, _ in rows], [n for _, _, n in rows])
    points = [
        _share_point(period, x, n, centre, od.sigma_z * math.sqrt(centre * (1 - centre) / n), sigma_multiplier)
        for period, x, n in rows
    ]
    if od.sigma_z > 1:
        why = f"the shares vary {od.sigma_z:.2f}× more from period to period than binomial sampling alone explains"
    else:
        why = f"the shares vary less from period to period than binomial sampling predicts (×{od.sigma_z:.2f})"
    exp = Explanation(
        f"Laney p′-chart over {len(points)} periods: p̄ = {total_x:g}/{total_n:g} = {centre:.4f}, σ_z = {od.sigma_z:.3f}"
    )
    exp = exp.with_step(
        "sigma_z",
        f"z_i = (p_i − p̄)/√(p̄(1−p̄)/n_i); MR̄(z) = {od.mr_bar:.4g}; σ_z = MR̄/{D2_RANGE_OF_TWO} = {od.sigma_z:.3f}: {why}",
        mr_bar=od.mr_bar,
        sigma_z=od.sigma_z,
    )
    exp = exp.with_step(
        "laney_p_chart",
        f"limits p̄ ± {sigma_multiplier:g}·σ_z·√(p̄(1−p̄)/n_i), clipped to [0, 1] (Laney 2002)",
        centre=centre,
        sigma_z=od.sigma_z,
    )
    return ControlChart(ChartKind.LANEY_P, centre, sigma_multiplier, tuple(points), exp, od.mr_bar, od.sigma_z)


def xmr_chart(periods: Sequence[dt.date], values: Sequence[float], sigma_multiplier: float = 3.0) -> ControlChart:
    """Individuals and moving-range chart of ``values`` (at least 2)."""
    if len(values) < 2:
        raise ValueError("an XmR chart needs at least 2 points")
    xs = [float(v) for v in values]
    centre = sum(xs) / len(xs)
    mr_bar = sum(abs(b - a) for a, b in itertools.pairwise(xs)) / (len(xs) - 1)
    sigma = mr_bar / D2_RANGE_OF_TWO
    lcl, ucl = centre - sigma_multiplier * sigma, centre + sigma_multiplier * sigma
    points = tuple(ChartPoint(p, x, centre, sigma, lcl, ucl) for p, x in zip(periods, xs, strict=True))
    exp = Explanation(f"XmR chart over {len(xs)} periods: x̄ = {centre:.4g}, MR̄ = {mr_bar:.4g}")
    exp = exp.with_step(
        "xmr_chart",
        f"limits x̄ ± {sigma_multiplier:g}·MR̄/{D2_RANGE_OF_TWO} = [{lcl:.4g}, {ucl:.4g}]",
        centre=centre,
        mr_bar=mr_bar,
    )
    return ControlChart(ChartKind.XMR, centre, sigma_multiplier, points, exp, mr_bar)
