"""Run rules that raise alerts: a missed threshold, the standard's "three consecutive points below standard",
and the Western Electric zone rules on a correct control chart. Every alert carries its points, limits, rule and
an explanation, so a person can see why it fired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cxcert.explain import Explanation
from cxcert.performance.catalogue import Direction
from cxcert.performance.control_charts import ChartKind, ControlChart
from cxcert.performance.evaluation import PeriodJudgement
from cxcert.performance.performance_rules import PerformanceRuleSet, ZoneRule


@dataclass(frozen=True)
class AlertPoint:
    period: dt.date
    value: float
    target: float | None = None
    centre: float | None = None
    lcl: float | None = None
    ucl: float | None = None


@dataclass(frozen=True)
class Limits:
    chart: ChartKind
    centre: float
    sigma_multiplier: float
    lcl: float  # at the last point involved (p-chart limits vary with n)
    ucl: float


@dataclass(frozen=True)
class Alert:
    metric: str
    program: str
    rule: str
    rule_title: str
    points: tuple[AlertPoint, ...]
    limits: Limits | None
    explanation: Explanation

    @property
    def last_period(self) -> dt.date:
        return self.points[-1].period


def _judged_point(j: PeriodJudgement) -> AlertPoint:
    assert j.actual is not None and j.target is not None
    return AlertPoint(j.period, j.actual, target=j.target.value)


def target_missed(judgements: Sequence[PeriodJudgement], *, metric: str, program: str) -> tuple[Alert, ...]:
    """One alert per period whose actual missed its target."""
    alerts = []
    for j in judgements:
        if j.met is False and j.target is not None and j.actual is not None:
            exp = Explanation(f"{metric} for {program} missed target in {j.period}")
            exp = exp.with_step("target_missed", j.explanation.summary, actual=j.actual, target=j.target.value)
            alerts.append(Alert(metric, program, "target_missed", "Target missed", (_judged_point(j),), None, exp))
    return tuple(alerts)


def consecutive_below(
    judgements: Sequence[PeriodJudgement], *, metric: str, program: str, run: int
) -> tuple[Alert, ...]:
    """The standard's rule: an alert when ``run`` consecutive judged periods miss target (once per run).

    A period without data or target breaks the run: the rule speaks of consecutive *measuring points*.
    """
    alerts = []
    streak: list[PeriodJudgement] = []
    for j in judgements:
        if j.met is False:
            streak.append(j)
            if len(streak) == run:
                pts = tuple(_judged_point(s) for s in streak)
                exp = Explanation(
                    f"{metric} for {program}: {run} consecutive points below standard, "
                    f"{streak[0].period} to {streak[-1].period}"
                )
                for s in streak:
                    exp = exp.with_step("below_standard", s.explanation.summary)
                title = f"{run} consecutive points below standard"
                alerts.append(Alert(metric, program, "consecutive_below", title, pts, None, exp))
        else:
            streak = []
    return tuple(alerts)


def _side_ok(z: float, side: int, rule: ZoneRule) -> bool:
    return z * side > rule.beyond_sigma


def zone_rule(
    chart: ControlChart, rule: ZoneRule, *, metric: str, program: str, direction: Direction, bad_side_only: bool
) -> tuple[Alert, ...]:
    """Western Electric style: ``rule.points`` of ``rule.window`` consecutive points beyond ``rule.beyond_sigma``
    on one side. An alert is raised where the condition starts to hold (not again for each following point)."""
    pts = chart.points
    bad = -1 if direction is Direction.HIGHER_IS_BETTER else 1
    sides = (bad,) if bad_side_only else (1, -1)
    alerts = []
    for side in sides:
        previously = False
        for i in range(len(pts)):
            window = pts[max(0, i - rule.window + 1) : i + 1]
            hits = [p for p in window if _side_ok(p.z, side, rule)]
            holds = len(window) == rule.window and len(hits) >= rule.points and _side_ok(pts[i].z, side, rule)
            if holds and not previously:
                where = "above" if side > 0 else "below"
                exp = Explanation(
                    f"{metric} for {program}: {rule.title} ({where} the centre line), ending {pts[i].period}"
                )
                exp = exp.with_step(
                    rule.id,
                    f"{len(hits)} of the last {rule.window} points beyond {rule.beyond_sigma:g} sigma {where} "
                    f"the centre line on the {chart.kind.label}"
                    + (f" (σ_z = {chart.sigma_z:.3f})" if chart.kind is ChartKind.LANEY_P and chart.sigma_z else ""),
                    centre=chart.centre,
                    lcl=pts[i].lcl,
                    ucl=pts[i].ucl,
                )
                for p in hits:
                    exp = exp.with_step(
                        "point", f"{p.period}: {p.value:.4g} is {p.z:+.2f} sigma", value=p.value, lcl=p.lcl, ucl=p.ucl
                    )
                alert_points = tuple(AlertPoint(p.period, p.value, None, p.centre, p.lcl, p.ucl) for p in hits)
                limits = Limits(chart.kind, chart.centre, chart.sigma_multiplier, pts[i].lcl, pts[i].ucl)
                alerts.append(Alert(metric, program, rule.id, rule.title, alert_points, limits, exp))
            previously = holds
    return tuple(sorted(alerts, key=lambda a: a.last_period))


def evaluate_run_rules(
    judgements: Sequence[PeriodJudgement],
    chart: ControlChart | None,
    rules: PerformanceRuleSet,
    *,
    metric: str,
    program: str,
    direction: Direction,
) -> tuple[Alert, ...]:
    """Every alert the rule set asks for, in period order."""
    alerts: list[Alert] = []
    if rules.alert_on_each_miss:
        alerts += target_missed(judgements, metric=metric, program=program)
    alerts += consecutive_below(judgements, metric=metric, program=program, run=rules.consecutive_below)
    if chart is not None:
        for rule in rules.zone_rules:
            alerts += zone_rule(
                chart, rule, metric=metric, program=program, direction=direction, bad_side_only=rules.bad_side_only
            )
    return tuple(sorted(alerts, key=lambda a: (a.last_period, a.rule)))
