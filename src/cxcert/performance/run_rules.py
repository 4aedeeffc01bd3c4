"""Run rules that raise alerts: a missed threshold, the standard's "three consecutive points below standard",
and the Western Electric zone rules on a correct control chart. Every alert carries its points, limits, rule and
an explanation, so a person can see why it fired. A run below target is one alert from its first to its last
point, however long it lasts, so re-running on next month's data extends the alert instead of adding one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

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


class _Span:
    """A run of points, first to last (an alert's, or a run below target's)."""

    points: tuple[AlertPoint, ...]

    @property
    def first_period(self) -> dt.date:
        return self.points[0].period

    @property
    def last_period(self) -> dt.date:
        return self.points[-1].period


@dataclass(frozen=True)
class Alert(_Span):
    metric: str
    program: str
    rule: str
    rule_title: str
    points: tuple[AlertPoint, ...]
    limits: Limits | None
    explanation: Explanation
    ongoing: bool = False  # the condition still holds at the latest point of the series


@dataclass(frozen=True)
class BelowRun(_Span):
    """A maximal run of consecutive judged periods that missed target (length 1 or more).

    ``from_window_start``: the run begins at the series' first period, so it may have begun earlier.
    ``ongoing``: it reaches the series' last period, so it may continue.
    """

    points: tuple[AlertPoint, ...]
    from_window_start: bool
    ongoing: bool

    def covers(self, period: dt.date) -> bool:
        return self.first_period <= period <= self.last_period


def _judged_point(j: PeriodJudgement) -> AlertPoint:
    assert j.actual is not None and j.target is not None
    return AlertPoint(j.period, j.actual, target=j.target.value)


def below_target_runs(judgements: Sequence[PeriodJudgement]) -> tuple[BelowRun, ...]:
    """Every run of consecutive missed periods. A period without data or target ends a run: the standard speaks
    of consecutive *measuring points*."""
    runs: list[BelowRun] = []
    streak: list[PeriodJudgement] = []
    js = list(judgements)

    def close(ends_at: int) -> None:
        if streak:
            starts_at = ends_at - len(streak) + 1
            pts = tuple(_judged_point(s) for s in streak)
            runs.append(BelowRun(pts, from_window_start=starts_at == 0, ongoing=ends_at == len(js) - 1))
            streak.clear()

    for i, j in enumerate(js):
        if j.met is False:
            streak.append(j)
        else:
            close(i - 1)
    close(len(js) - 1)
    return tuple(runs)


def target_missed(judgements: Sequence[PeriodJudgement], *, metric: str, program: str) -> tuple[Alert, ...]:
    """One alert per period whose actual missed its target."""
    alerts = []
    last = judgements[-1].period if judgements else None
    for j in judgements:
        if j.met is False and j.target is not None and j.actual is not None:
            exp = Explanation(f"{metric} for {program} missed target in {j.period}")
            exp = exp.with_step(
                "target_missed", j.explanation.summary, actual=j.actual, target=j.target.value,
                target_kind=j.target.kind.value, benchmark=j.target.benchmark,
            )  # fmt: skip
            point = (_judged_point(j),)
            alerts.append(Alert(metric, program, "target_missed", "Target missed", point, None, exp, j.period == last))
    return tuple(alerts)


def consecutive_below(
    judgements: Sequence[PeriodJudgement], *, metric: str, program: str, run: int
) -> tuple[Alert, ...]:
    """The standard's rule: one alert per run of ``run`` or more consecutive judged periods below target, covering
    the whole run (first to last point below, with its length), so a run that goes on stays one alert.
    """
    alerts = []
    title = f"{run} consecutive points below standard"
    for below in below_target_runs(judgements):
        length = len(below.points)
        if length < run:
            continue
        still = " (still below at the latest point)" if below.ongoing else ""
        exp = Explanation(
            f"{metric} for {program}: {length} consecutive points below standard, "
            f"{below.first_period} to {below.last_period}{still}"
        )
        exp = exp.with_step(
            "consecutive_below", f"{length} consecutive points missed target; the rule fires at {run}",
            length=length, rule_points=run, first=below.first_period.isoformat(), last=below.last_period.isoformat(),
        )  # fmt: skip
        for s in judgements:
            if below.covers(s.period):
                exp = exp.with_step("below_standard", s.explanation.summary)
        alerts.append(Alert(metric, program, "consecutive_below", title, below.points, None, exp, below.ongoing))
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
    # A metric best at 0 (bias) goes wrong on either side of its centre line.
    sides = (bad,) if bad_side_only and direction is not Direction.CLOSER_TO_ZERO else (1, -1)
    alerts: list[Alert] = []
    for side in sides:
        previously = False
        side_alerts: list[Alert] = []
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
                side_alerts.append(Alert(metric, program, rule.id, rule.title, alert_points, limits, exp))
            previously = holds
        if previously and side_alerts:  # the condition still holds at the last point
            side_alerts[-1] = replace(side_alerts[-1], ongoing=True)
        alerts += side_alerts
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
