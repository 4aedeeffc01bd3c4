"""Trend with a proper test: Mann-Kendall (normal approximation, ties-corrected variance) and Theil-Sen slope.

S = Σ_{i<j} sign(x_j − x_i); Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18 over tie groups t;
Z = (S − 1)/√Var if S > 0, (S + 1)/√Var if S < 0, else 0 (continuity correction); two-sided p = 2(1 − Φ(|Z|)).
References: Mann (1945), Kendall (1975), Gilbert (1987) section 16.4; Sen (1968) for the slope.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from scipy.stats import norm

from cxcert.explain import Explanation


class TrendDirection(StrEnum):
    INCREASING = "increasing"
    DECREASING = "decreasing"
    NONE = "no trend"


@dataclass(frozen=True)
class TrendResult:
    n: int
    s: int
    var_s: float
    z: float
    p_value: float
    tau: float
    slope: float  # Theil-Sen, per period
    alpha: float
    direction: TrendDirection
    explanation: Explanation


def mann_kendall(values: Sequence[float], alpha: float = 0.05) -> TrendResult:
    """Mann-Kendall trend test on equally spaced ``values`` (at least 3)."""
    x = [float(v) for v in values]
    n = len(x)
    if n < 3:
        raise ValueError("the Mann-Kendall test needs at least 3 points")
    s = 0
    slopes = []
    for i in range(n - 1):
        for j in range(i + 1, n):
            diff = x[j] - x[i]
            s += (diff > 0) - (diff < 0)
            slopes.append(diff / (j - i))
    ties = Counter(x).values()
    var_s = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    z = 0.0
    if var_s > 0 and s != 0:
        z = (s - (1 if s > 0 else -1)) / math.sqrt(var_s)
    p = float(2 * (1 - norm.cdf(abs(z))))
    tau = s / (n * (n - 1) / 2)
    slope = float(statistics.median(slopes))
    if p < alpha:
        direction = TrendDirection.INCREASING if z > 0 else TrendDirection.DECREASING
    else:
        direction = TrendDirection.NONE
    exp = Explanation(f"Mann-Kendall over {n} points: {direction.value} (p = {p:.4f}, alpha {alpha})")
    exp = exp.with_step(
        "mann_kendall", "S from pairwise signs, ties-corrected variance, continuity-corrected Z", s=s, var_s=var_s, z=z
    )
    exp = exp.with_step("theil_sen", f"median pairwise slope {slope:.4g} per period", slope=slope)
    return TrendResult(n, s, var_s, z, p, tau, slope, alpha, direction, exp)
