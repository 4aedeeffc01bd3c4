"""Mann-Kendall and Theil-Sen, p-charts and XmR charts, against worked examples and reference implementations."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from scipy import stats

from cxcert.performance.control_charts import ChartKind, p_chart, xmr_chart
from cxcert.performance.trend import TrendDirection, mann_kendall


def months(n: int) -> list[dt.date]:
    return [dt.date(2024 + i // 12, i % 12 + 1, 1) for i in range(n)]


def test_mann_kendall_hand_worked_example() -> None:
    # x = 1, 3, 2, 4, 5: of the 10 pairs, 9 increase and (3, 2) decreases → S = 8.
    # Var(S) = 5·4·15/18 = 16.667; Z = (8 − 1)/√16.667 = 1.7146; p = 2(1 − Φ(1.7146)) = 0.0864; tau = 8/10.
    # Theil-Sen: pairwise slopes −1, .5, .5, .667, 1, 1, 1, 1.5, 2, 2 → median 1.
    r = mann_kendall([1, 3, 2, 4, 5])
    assert (r.s, r.tau, r.slope) == (8, 0.8, 1.0)
    assert r.var_s == pytest.approx(16.6667, abs=1e-4)
    assert r.z == pytest.approx(1.7146, abs=1e-4)
    assert r.p_value == pytest.approx(0.0864, abs=1e-4)
    assert r.direction is TrendDirection.NONE  # not significant at 5 %
    assert mann_kendall([1, 3, 2, 4, 5], alpha=0.10).direction is TrendDirection.INCREASING


def test_mann_kendall_ties_correction() -> None:
    # x = 1, 2, 2, 3: S = 5 (the tied pair counts 0); one tie group of 2:
    # Var(S) = (4·3·13 − 2·1·9)/18 = 138/18 = 7.667; Z = 4/√7.667 = 1.4446.
    r = mann_kendall([1, 2, 2, 3])
    assert r.s == 5
    assert r.var_s == pytest.approx(138 / 18)
    assert r.z == pytest.approx(4 / math.sqrt(138 / 18))


@pytest.mark.parametrize("values", [[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], [10, 9, 9, 8, 7, 7, 7, 6, 4, 5, 3, 2]])
def test_mann_kendall_agrees_with_scipy_kendalltau_and_theilslopes(values: list[float]) -> None:
    """scipy's asymptotic Kendall tau-b test of x against time uses the same S and tie-corrected variance, without
    the continuity correction: its p-value equals 2(1 − Φ(|S|/√Var)); its Theil-Sen slope equals ours."""
    r = mann_kendall(values)
    ref = stats.kendalltau(range(len(values)), values, method="asymptotic")
    assert 2 * stats.norm.sf(abs(r.s) / math.sqrt(r.var_s)) == pytest.approx(ref.pvalue, rel=1e-9)
    assert r.slope == pytest.approx(stats.theilslopes(values).slope)


def test_mann_kendall_six_improving_months_is_significant() -> None:
    # S = 15, Var = 6·5·17/18 = 28.33, Z = 14/5.323 = 2.630, p = 0.0085 < 0.05.
    r = mann_kendall([0.70, 0.72, 0.73, 0.75, 0.76, 0.78])
    assert r.direction is TrendDirection.INCREASING
    assert r.p_value == pytest.approx(0.0085, abs=1e-4)


# Montgomery, Introduction to Statistical Quality Control (6th ed.), Example 7.1: 30 samples of n = 50 orange
# juice cans, D = nonconforming cans. Published: p̄ = 347/1500 = 0.2313, UCL = 0.4102, LCL = 0.0524, with samples
# 15 and 23 above the upper limit.
MONTGOMERY_7_1 = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13,
                  9, 6]  # fmt: skip


def test_p_chart_montgomery_example_7_1() -> None:
    chart = p_chart(list(range(30)), MONTGOMERY_7_1, [50] * 30)  # type: ignore[arg-type]
    assert chart.kind is ChartKind.P
    assert sum(MONTGOMERY_7_1) == 347
    assert round(chart.centre, 4) == 0.2313
    assert round(chart.points[0].ucl, 4) == 0.4102
    assert round(chart.points[0].lcl, 4) == 0.0524
    above = [i + 1 for i, p in enumerate(chart.points) if p.value > p.ucl]
    assert above == [15, 23]


def test_p_chart_varying_sample_size() -> None:
    # x = 5, 10, 2 of n = 50, 100, 40: p̄ = 17/190 = 0.08947. For n = 40, σ = √(p̄(1 − p̄)/40) = 0.04513,
    # so p̄ − 3σ < 0 and the LCL clips at 0; for n = 100, σ = 0.02855 and UCL = 0.08947 + 0.08564 = 0.17511.
    chart = p_chart(months(3), [5, 10, 2], [50, 100, 40])
    assert chart.centre == pytest.approx(17 / 190)
    assert chart.points[2].lcl == 0.0
    assert chart.points[2].sigma == pytest.approx(0.04513, abs=1e-5)
    assert chart.points[1].ucl == pytest.approx(0.17511, abs=1e-5)
    assert chart.points[0].ucl != chart.points[1].ucl  # limits vary with n


def test_xmr_chart_hand_calculation() -> None:
    # x = 10, 12, 11, 15, 12: x̄ = 12; moving ranges 2, 1, 4, 3 → MR̄ = 2.5; limits 12 ± 3·2.5/1.128 = 12 ± 6.649
    # (Wheeler's 2.66·MR̄ = 6.65).
    chart = xmr_chart(months(5), [10, 12, 11, 15, 12])
    assert (chart.centre, chart.mr_bar) == (12.0, 2.5)
    assert chart.points[0].ucl == pytest.approx(12 + 3 * 2.5 / 1.128)
    assert chart.points[0].ucl == pytest.approx(12 + 2.66 * 2.5, abs=0.01)
    assert chart.points[0].lcl == pytest.approx(12 - 2.66 * 2.5, abs=0.01)
