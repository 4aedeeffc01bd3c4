"""Judgements, k of n, majority, the standard's three-consecutive rule, Western Electric rules, alerts → actions."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.certification.corrective_action import CorrectiveAction
from cxcert.errors import CxcertError
from cxcert.performance.alerts import (
    ActionChange,
    ReviewedAlert,
    alerts_for,
    chart_for,
    parse_alert_id,
    plan_action,
    reviewed_alerts,
)
from cxcert.performance.catalogue import Direction, default_catalogue
from cxcert.performance.control_charts import p_chart, xmr_chart
from cxcert.performance.evaluation import judge, k_of_last_n, majority_met, meets
from cxcert.performance.performance_rules import default_rule_set
from cxcert.performance.run_rules import consecutive_below, zone_rule
from cxcert.performance.series import Point
from cxcert.performance.targets import parse_targets
from cxcert.standards.rule_set import FindingLevel

from .test_statistics import MONTGOMERY_7_1, months

BOOK = parse_targets(
    "targets:\n  - {metric: service_level, kind: client_sla, benchmark: 'contract B', values: {2020-01-01: 0.80}}\n"
    "  - {metric: aht, kind: internal, benchmark: 'planning AHT', values: {2020-01-01: 300}}\n",
    where="t.yaml",
)


def series(values: list[float | None], n: float = 100.0) -> list[Point]:
    return [
        Point(p, (v or 0) * n, n if v is not None else 0.0, v) for p, v in zip(months(len(values)), values, strict=True)
    ]


def sl_judgements(values: list[float | None]) -> list:  # type: ignore[type-arg]
    return list(judge(series(values), metric="service_level", direction=Direction.HIGHER_IS_BETTER, targets=BOOK,
                      program="p1"))  # fmt: skip


def test_meets_follows_direction() -> None:
    assert meets(Direction.HIGHER_IS_BETTER, 0.80, 0.80) and not meets(Direction.HIGHER_IS_BETTER, 0.79, 0.80)
    assert meets(Direction.LOWER_IS_BETTER, 300, 300) and not meets(Direction.LOWER_IS_BETTER, 301, 300)


def test_judge_explains_each_period_and_k_of_n() -> None:
    js = sl_judgements([0.85, 0.79, None, 0.81])
    assert [j.met for j in js] == [True, False, None, True]
    assert "missed (0.79 vs target 0.8)" in js[1].explanation.summary
    assert js[1].explanation.steps[0].inputs["benchmark"] == "contract B"
    # Last 3 periods: missed, no data, met → 1 of 3; 2 of 3 needed.
    verdict = k_of_last_n(js, 2, 3)
    assert (verdict.met, verdict.met_count, verdict.judged) == (False, 1, 2)
    assert k_of_last_n(js, 1, 3).met


def test_majority_is_strictly_more_than_half() -> None:
    assert not majority_met([("a", True), ("b", False)], 0.5).met
    v = majority_met([("a", True), ("b", True), ("c", False)], 0.5)
    assert v.met and v.share == pytest.approx(2 / 3)
    assert "2 of 3 targets met" in v.explanation.summary


def test_three_consecutive_below_is_one_alert_per_run_covering_the_whole_run() -> None:
    assert (
        consecutive_below(sl_judgements([0.7, 0.7, 0.9, 0.7, 0.7]), metric="service_level", program="p1", run=3) == ()
    )
    js = sl_judgements([0.9, 0.7, 0.75, 0.78, 0.6, 0.5, 0.9, 0.7, 0.7, 0.7])
    alerts = consecutive_below(js, metric="service_level", program="p1", run=3)
    # Months 2-6 are five misses in a row: one alert from the first to the last point below, not one at the 3rd.
    assert [[p.period for p in a.points] for a in alerts] == [
        [j.period for j in js[1:6]],
        [j.period for j in js[7:10]],
    ]
    first, last = alerts
    assert first.rule == "consecutive_below" and not first.ongoing
    assert last.ongoing  # the run reaches the latest point: it may go on
    assert [p.target for p in first.points] == [0.8] * 5
    assert first.explanation.summary == (
        f"service_level for p1: 5 consecutive points below standard, {js[1].period} to {js[5].period}"
    )
    text = first.explanation.render()
    assert "0.7 vs target 0.8" in text and "length=5" in text


def test_a_run_that_goes_on_keeps_its_alert_id_and_action() -> None:
    """Twelve months below target seen at month 3 and again at month 12: the same alert and the same action."""
    metric = default_catalogue().get("service_level")
    rules = default_rule_set()

    def run_alert(values: list[float | None]) -> ReviewedAlert:
        found = reviewed_alerts(metric, series(values), program="p1", targets=BOOK, rules=rules, entity_id="e1",
                                item="4.1")  # fmt: skip
        return next(a for a in found if a.alert.rule == "consecutive_below")

    early, late = run_alert([0.7] * 3), run_alert([0.7] * 12)
    assert early.id == late.id == "e1:service_level:p1:consecutive_below:2024-01-01"
    assert early.action_id == late.action_id == "e1/KPI-service_level-p1-below-2024-01-01"
    assert late.alert.explanation.summary.startswith("service_level for p1: 12 consecutive points below standard, "
                                                     "2024-01-01 to 2024-12-01")  # fmt: skip
    opened = plan_action([early], owner="ops", raised_on=dt.date(2024, 4, 2), due_on=dt.date(2024, 6, 1))
    assert opened.change is ActionChange.OPENED
    again = plan_action([early], owner="x", raised_on=dt.date(2024, 5, 2), due_on=dt.date(2024, 7, 1),
                        existing=[opened.action])  # fmt: skip
    assert again.change is ActionChange.UNCHANGED and again.action == opened.action
    extended = plan_action([late], owner="x", raised_on=dt.date(2025, 1, 2), due_on=dt.date(2025, 3, 1),
                           existing=[opened.action])  # fmt: skip
    assert extended.change is ActionChange.UPDATED
    assert extended.action.id == opened.action.id
    # Owner and dates are the stored action's: updating a plan does not re-raise it.
    assert (extended.action.owner, extended.action.raised_on, extended.action.due_on) == (
        "ops", dt.date(2024, 4, 2), dt.date(2024, 6, 1)
    )
    assert "12 consecutive points, 2024-01-01 to 2024-12-01" in extended.action.description
    closed = opened.action.close(dt.date(2024, 5, 1), "verified")
    left = plan_action([late], owner="x", raised_on=dt.date(2025, 1, 2), due_on=dt.date(2025, 3, 1),
                       existing=[closed])  # fmt: skip
    assert left.change is ActionChange.CLOSED and left.action == closed


def test_a_run_from_the_window_start_continues_an_earlier_open_action() -> None:
    """A run longer than the window starts at the window's first month; the open action of the run that began
    earlier (same metric and program) is the one brought up to date."""
    metric = default_catalogue().get("service_level")
    found = reviewed_alerts(metric, series([0.7, 0.7, 0.7]), program="p1", targets=BOOK, rules=default_rule_set(),
                            entity_id="e1", item="4.1")  # fmt: skip
    run = next(a for a in found if a.alert.rule == "consecutive_below")
    assert run.run is not None and run.run.from_window_start
    earlier = CorrectiveAction(id="e1/KPI-service_level-p1-below-2023-10-01", entity_id="e1", item="4.1",
                               finding_level=FindingLevel.MINOR, description="old", owner="ops",
                               raised_on=dt.date(2023, 12, 2), due_on=dt.date(2024, 2, 1))  # fmt: skip
    plan = plan_action([run], owner="x", raised_on=dt.date(2024, 4, 2), due_on=dt.date(2024, 6, 1),
                       existing=[earlier])  # fmt: skip
    assert plan.change is ActionChange.UPDATED and plan.action.id == earlier.id


def test_no_data_breaks_a_run() -> None:
    js = sl_judgements([0.7, 0.7, None, 0.7])
    assert consecutive_below(js, metric="service_level", program="p1", run=3) == ()


def test_western_electric_rule_1_on_montgomery_example() -> None:
    # Nonconforming share: lower is better, so only points above the UCL are unfavourable: samples 15 and 23.
    chart = p_chart(months(30), MONTGOMERY_7_1, [50] * 30)
    rules = {r.id: r for r in default_rule_set().zone_rules}
    alerts = zone_rule(chart, rules["we1"], metric="defects", program="p", direction=Direction.LOWER_IS_BETTER,
                       bad_side_only=True)  # fmt: skip
    assert [a.last_period for a in alerts] == [months(30)[14], months(30)[22]]
    alert = alerts[0]
    assert alert.limits is not None and round(alert.limits.ucl, 4) == 0.4102 and round(alert.limits.centre, 4) == 0.2313
    assert alert.points[0].value == 22 / 50
    assert "beyond 3 sigma" in alert.explanation.render()


def test_western_electric_rules_2_3_4_fire_on_constructed_patterns() -> None:
    rules = {r.id: r for r in default_rule_set().zone_rules}
    periods = months(12)
    # Centre 10, sigma 1 everywhere (built by hand through an XmR chart would move the centre, so use points).
    from cxcert.explain import Explanation
    from cxcert.performance.control_charts import ChartKind, ChartPoint, ControlChart

    def chart(values: list[float]) -> ControlChart:
        pts = tuple(ChartPoint(p, v, 10.0, 1.0, 7.0, 13.0) for p, v in zip(periods, values, strict=False))
        return ControlChart(ChartKind.XMR, 10.0, 3.0, pts, Explanation("test"))

    def fired(rule: str, values: list[float]) -> list[int]:
        found = zone_rule(chart(values), rules[rule], metric="m", program="p", direction=Direction.HIGHER_IS_BETTER,
                          bad_side_only=True)  # fmt: skip
        return [periods.index(a.last_period) for a in found]

    # Rule 2: two of three beyond 2 sigma below (7.5 is −2.5σ): points 3 and 5 → fires at 5.
    assert fired("we2", [10, 10, 10, 7.5, 9, 7.5, 10, 10]) == [5]
    assert fired("we2", [10, 10, 10, 7.5, 9, 9, 7.5, 10]) == []  # 2 in a window of 4: no
    assert fired("we2", [10, 10, 10, 12.5, 9, 12.5]) == []  # favourable side ignored
    # Rule 3: four of five beyond 1 sigma below (8.5 is −1.5σ).
    assert fired("we3", [10, 8.5, 8.5, 9.5, 8.5, 8.5, 10]) == [5]
    # Rule 4: eight in a row below the centre, fired once at the eighth.
    assert fired("we4", [11, 9.9, 9.8, 9.9, 9.7, 9.9, 9.9, 9.9, 9.9, 9.5, 9.5, 11]) == [8]


def test_correct_chart_per_metric_type() -> None:
    cat = default_catalogue()
    pts = series([0.8, 0.82, 0.79])
    assert chart_for(cat.get("service_level"), pts, 3).kind.value == "p"  # type: ignore[union-attr]
    assert chart_for(cat.get("aht"), pts, 3).kind.value == "xmr"  # type: ignore[union-attr]
    occupancy = chart_for(cat.get("occupancy"), pts, 3)  # seconds over seconds: not a binomial share
    assert occupancy is not None and occupancy.kind.value == "xmr"
    assert chart_for(cat.get("aht"), pts[:1], 3) is None


def test_alerts_for_a_series_and_corrective_action() -> None:
    # 0.85 met, then 0.78, 0.76, 0.75 missed: three target_missed alerts and one consecutive_below, all one run.
    metric = default_catalogue().get("service_level")
    alerts = alerts_for(metric, series([0.85, 0.78, 0.76, 0.75]), program="p1", targets=BOOK, rules=default_rule_set())
    rules = [a.rule for a in alerts]
    assert rules.count("target_missed") == 3 and rules.count("consecutive_below") == 1
    reviewed = reviewed_alerts(metric, series([0.85, 0.78, 0.76, 0.75]), program="p1", targets=BOOK,
                               rules=default_rule_set(), entity_id="e1", item="4.1")  # fmt: skip
    assert {a.action_id for a in reviewed} == {"e1/KPI-service_level-p1-below-2024-02-01"}
    miss = next(a for a in reviewed if a.alert.rule == "target_missed")
    assert miss.alert.explanation.steps[0].inputs["benchmark"] == "contract B"
    plan = plan_action(reviewed, owner="ops-manager", raised_on=dt.date(2024, 5, 2), due_on=dt.date(2024, 6, 1))
    action = plan.action
    assert isinstance(action, CorrectiveAction)
    assert action.id == "e1/KPI-service_level-p1-below-2024-02-01"
    assert (action.item, action.finding_level, action.due_on) == ("4.1", FindingLevel.MINOR, dt.date(2024, 6, 1))
    assert "3 consecutive points, 2024-02-01 to 2024-04-01" in action.description
    assert "2024-02-01: 0.78 (target 0.8)" in action.description
    assert "Rule: Target missed, 3 consecutive points below standard." in action.description
    assert len(plan.alert_ids) == 4
    with pytest.raises(CxcertError, match="before"):
        plan_action(reviewed, owner="o", raised_on=dt.date(2024, 5, 2), due_on=dt.date(2024, 5, 1))


def test_alert_ids_parse_back_even_with_colons_in_the_program() -> None:
    key = parse_alert_id("e1:service_level:bank:retail:consecutive_below:2024-01-01")
    assert (key.entity_id, key.metric, key.program, key.rule, key.first_period) == (
        "e1", "service_level", "bank:retail", "consecutive_below", dt.date(2024, 1, 1)
    )  # fmt: skip
    with pytest.raises(CxcertError, match="not an alert id"):
        parse_alert_id("e1:service_level:2024-01-01")


def test_xmr_zone_rules_on_a_mean_metric_lower_is_better() -> None:
    # AHT drifting up: 8 months above the centre line raise rule 4 on the unfavourable (upper) side.
    values = [280, 282, 279, 281, 280, 278, 300, 301, 302, 303, 304, 305, 306, 307]
    chart = xmr_chart(months(len(values)), values)
    we4 = next(r for r in default_rule_set().zone_rules if r.id == "we4")
    alerts = zone_rule(chart, we4, metric="aht", program="p1", direction=Direction.LOWER_IS_BETTER, bad_side_only=True)
    assert [a.last_period for a in alerts] == [months(len(values))[13]]
    assert len(alerts[0].points) == 8


BIAS_BOOK = parse_targets(
    "targets:\n  - {metric: forecast_bias, kind: internal, benchmark: 'WFM plan', values: {2020-01-01: 0.05}}\n",
    where="t.yaml",
)


def test_a_metric_best_at_zero_meets_its_tolerance_on_either_side() -> None:
    assert default_catalogue().get("forecast_bias").direction is Direction.CLOSER_TO_ZERO
    assert meets(Direction.CLOSER_TO_ZERO, 0.05, 0.05) and meets(Direction.CLOSER_TO_ZERO, -0.05, 0.05)
    assert not meets(Direction.CLOSER_TO_ZERO, -0.06, 0.05) and not meets(Direction.CLOSER_TO_ZERO, 0.06, 0.05)
    js = judge(series([0.02, -0.08, 0.07]), metric="forecast_bias", direction=Direction.CLOSER_TO_ZERO,
               targets=BIAS_BOOK, program="p1")  # fmt: skip
    assert [j.met for j in js] == [True, False, False]  # under-forecasting by 8 % misses too
    assert "|actual| ≤ target is false" in js[1].explanation.render()


def test_zone_rules_on_a_metric_best_at_zero_watch_both_sides() -> None:
    from cxcert.explain import Explanation
    from cxcert.performance.control_charts import ChartKind, ChartPoint, ControlChart

    periods = months(8)
    we2 = next(r for r in default_rule_set().zone_rules if r.id == "we2")

    def fired(values: list[float]) -> list[int]:
        pts = tuple(ChartPoint(p, v, 0.0, 1.0, -3.0, 3.0) for p, v in zip(periods, values, strict=False))
        chart = ControlChart(ChartKind.XMR, 0.0, 3.0, pts, Explanation("test"))
        found = zone_rule(chart, we2, metric="forecast_bias", program="p", direction=Direction.CLOSER_TO_ZERO,
                          bad_side_only=True)  # fmt: skip
        return [periods.index(a.last_period) for a in found]

    assert fired([0, 0, 2.5, 0, 2.5, 0]) == [4]  # over-forecasting drifts out
    assert fired([0, 0, -2.5, 0, -2.5, 0]) == [4]  # and under-forecasting, which lower-is-better would call good
