"""Control charts for KPI series: p-chart with varying n for shares, XmR (individuals) for means.

p-chart: centre p̄ = Σx / Σn; for point i, σ_i = √(p̄(1 − p̄)/n_i) and limits p̄ ± L·σ_i, clipped to [0, 1]
(Montgomery, Introduction to Statistical Quality Control, section 7.2, variable sample size).
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
    XMR = "xmr"


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
    mr_bar: float | None = None


def p_chart(
    periods: Sequence[dt.date], counts: Sequence[float], sizes: Sequence[float], sigma_multiplier: float = 3.0
) -> ControlChart:
    """p-chart of ``counts``/``sizes`` per period (sizes may vary; periods with size 0 are left out)."""
    rows = [(p, x, n) for p, x, n in zip(periods, counts, sizes, strict=True) if n > 0]
    if not rows:
        raise ValueError("a p-chart needs at least one period with a positive sample size")
    total_x = sum(x for _, x, _ in rows)
    total_n = sum(n for _, _, n in rows)
    centre = total_x / total_n
    points = []
    for period, x, n in rows:
        sigma = math.sqrt(centre * (1 - centre) / n)
        points.append(
            ChartPoint(
                period,
                x / n,
                centre,
                sigma,
                max(0.0, centre - sigma_multiplier * sigma),
                min(1.0, centre + sigma_multiplier * sigma),
            )
        )
    exp = Explanation(f"p-chart over {len(points)} periods: p̄ = {total_x:g}/{total_n:g} = {centre:.4f}")
    exp = exp.with_step("p_chart", f"limits p̄ ± {sigma_multiplier:g}·√(p̄(1−p̄)/n_i), clipped to [0, 1]", centre=centre)
    return ControlChart(ChartKind.P, centre, sigma_multiplier, tuple(points), exp)


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
