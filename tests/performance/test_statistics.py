"""Mann-Kendall and Theil-Sen, p-charts and XmR charts, against worked examples and reference implementations."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxcert.performance.control_charts import ChartKind, laney_p_chart, overdispersion, p_chart, xmr_chart
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


def test_laney_p_chart_hand_calculation() -> None:
    """Laney's p′-chart (D. B. Laney, Quality Engineering 14(4), 2002; formulas as in Minitab's "Methods and formulas
    for Laney P′ Chart"), worked by hand. No published data set with its numbers was found to pin instead.

    x = 40, 220, 45, 195 of n = 100, 400, 100, 400: p̄ = 500/1000 = 0.5.
    σ_pi = √(0.25/n): 0.05 for n = 100, 0.025 for n = 400.
    p_i = 0.40, 0.55, 0.45, 0.4875 → z_i = −0.10/0.05 = −2, +0.05/0.025 = +2, −0.05/0.05 = −1, −0.0125/0.025 = −0.5.
    Moving ranges |Δz| = 4, 3, 0.5 → MR̄ = 7.5/3 = 2.5; σ_z = 2.5/1.128 = 2.21631.
    Limits p̄ ± 3·σ_z·σ_pi: n = 100 → 0.5 ± 0.332447 = [0.167553, 0.832447]; n = 400 → 0.5 ± 0.166223 =
    [0.333777, 0.666223] (the p-chart's would be 0.5 ± 0.15 and 0.5 ± 0.075).
    """
    chart = laney_p_chart(months(4), [40, 220, 45, 195], [100, 400, 100, 400])
    assert chart.kind is ChartKind.LANEY_P
    assert chart.centre == 0.5
    assert chart.mr_bar == pytest.approx(2.5)
    assert chart.sigma_z == pytest.approx(2.5 / 1.128) and chart.sigma_z == pytest.approx(2.21631, abs=1e-5)
    assert overdispersion([40, 220, 45, 195], [100, 400, 100, 400]).z == pytest.approx((-2, 2, -1, -0.5))
    assert [p.value for p in chart.points] == [0.40, 0.55, 0.45, 0.4875]
    assert [round(p.lcl, 6) for p in chart.points] == [0.167553, 0.333777, 0.167553, 0.333777]
    assert [round(p.ucl, 6) for p in chart.points] == [0.832447, 0.666223, 0.832447, 0.666223]
    # Each point's sigma is σ_z·σ_pi, so run rules read Laney sigmas: point 1 is −2/σ_z = −0.902 of them.
    assert chart.points[0].z == pytest.approx(-2 * 1.128 / 2.5)
    text = chart.explanation.render()
    assert "σ_z = 2.216" in text and "2.22× more" in text and "Laney 2002" in text


def test_laney_p_chart_under_dispersion_narrows_and_says_so() -> None:
    # p = 0.49, 0.51, 0.49, 0.51 at n = 100: p̄ = 0.5, σ_pi = 0.05, z = ∓0.2, MR̄ = 0.4, σ_z = 0.4/1.128 = 0.3546.
    chart = laney_p_chart(months(4), [49, 51, 49, 51], [100] * 4)
    assert chart.sigma_z == pytest.approx(0.4 / 1.128)
    assert chart.points[0].ucl == pytest.approx(0.5 + 3 * 0.05 * 0.4 / 1.128)
    assert "less from period to period than binomial sampling predicts" in chart.explanation.render()


def test_laney_p_chart_edge_cases() -> None:
    # p̄ = 0: every σ_pi and z is 0, so σ_z = 0 and the limits sit on the centre line; size-0 periods are left out.
    flat = laney_p_chart(months(3), [0, 0, 5], [100, 100, 0])
    assert (flat.centre, flat.sigma_z, len(flat.points)) == (0.0, 0.0, 2)
    assert all(p.lcl == p.ucl == 0.0 and p.z == 0.0 for p in flat.points)
    with pytest.raises(ValueError, match="at least 2 periods"):
        laney_p_chart(months(2), [5, 5], [100, 0])


@st.composite
def share_series(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    k = draw(st.integers(min_value=2, max_value=24))
    sizes = draw(st.lists(st.integers(min_value=1, max_value=100_000), min_size=k, max_size=k))
    counts = [draw(st.integers(min_value=0, max_value=n)) for n in sizes]
    return counts, sizes


@given(share_series(), st.sampled_from([2.0, 3.0]))
def test_laney_limits_are_p_chart_limits_times_sigma_z(series: tuple[list[int], list[int]], mult: float) -> None:
    """Laney's definition: the p′ half-width is the p-chart half-width L·σ_pi times σ_z (before clipping to
    [0, 1]); the centre line is the same; σ_z is MR̄ of the p-chart's own z's over 1.128."""
    counts, sizes = series
    p = p_chart(months(len(sizes)), counts, sizes, mult)
    lp = laney_p_chart(months(len(sizes)), counts, sizes, mult)
    assert lp.centre == p.centre and lp.sigma_z is not None
    zs = [pt.z for pt in p.points]
    mr_bar = sum(abs(b - a) for a, b in itertools.pairwise(zs)) / (len(zs) - 1)
    assert lp.sigma_z == pytest.approx(mr_bar / 1.128, abs=1e-9)
    for a, b in zip(p.points, lp.points, strict=True):
        assert b.sigma == pytest.approx(lp.sigma_z * a.sigma, abs=1e-12)
        assert b.ucl == pytest.approx(min(1.0, p.centre + lp.sigma_z * mult * a.sigma), abs=1e-12)
        assert b.lcl == pytest.approx(max(0.0, p.centre - lp.sigma_z * mult * a.sigma), abs=1e-12)
        if min(a.lcl, b.lcl) > 0 and max(a.ucl, b.ucl) < 1:  # neither clipped: the ratio is exactly σ_z
            assert b.ucl - p.centre == pytest.approx(lp.sigma_z * (a.ucl - p.centre), rel=1e-9)
