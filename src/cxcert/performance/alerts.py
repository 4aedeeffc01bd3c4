"""From series to alerts, and from an alert to a corrective action in the certification core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from cxcert.certification.corrective_action import CorrectiveAction
from cxcert.errors import CxcertError
from cxcert.performance.catalogue import Metric, RatioMetric
from cxcert.performance.control_charts import ControlChart, laney_p_chart, overdispersion, p_chart, xmr_chart
from cxcert.performance.evaluation import judge
from cxcert.performance.performance_rules import PerformanceRuleSet, ShareChart
from cxcert.performance.run_rules import Alert, evaluate_run_rules
from cxcert.performance.series import Point
from cxcert.performance.targets import TargetBook
from cxcert.standards.rule_set import FindingLevel

# Kinds whose numerator counts items out of a denominator that counts items: a binomial share, so a p-chart.
_COUNT_SHARE_KINDS = {"share_within", "box_share", "repeat_free", "error_free", "interval_accuracy"}


def is_count_share(metric: Metric) -> bool:
    if metric.kind in _COUNT_SHARE_KINDS:
        return True
    if isinstance(metric, RatioMetric):
        return all(m.agg == "count" for m in (*metric.numerator, *metric.denominator)) and metric.numerator_scale == 1
    return False


def share_chart(
    periods: Sequence[dt.date],
    counts: Sequence[float],
    sizes: Sequence[float],
    sigma_multiplier: float,
    *,
    choice: ShareChart,
    laney_above_sigma_z: float,
) -> ControlChart:
    """The chart for a count share: the p-chart, the Laney p′-chart, or (``auto``) Laney when σ_z exceeds
    ``laney_above_sigma_z`` and the p-chart otherwise. The chart's explanation says which and why."""
    if choice is ShareChart.P:
        return p_chart(periods, counts, sizes, sigma_multiplier)
    if choice is ShareChart.LANEY_P:
        return laney_p_chart(periods, counts, sizes, sigma_multiplier)
    od = overdispersion(counts, sizes)
    if od.sigma_z > laney_above_sigma_z:
        chart = laney_p_chart(periods, counts, sizes, sigma_multiplier)
        why = f"σ_z = {od.sigma_z:.3f} > {laney_above_sigma_z:g}: over-dispersed, so the Laney p′-chart"
    else:
        chart = p_chart(periods, counts, sizes, sigma_multiplier)
        why = f"σ_z = {od.sigma_z:.3f} ≤ {laney_above_sigma_z:g}: binomial variation explains the spread: the p-chart"
    exp = chart.explanation.with_step("share_chart", f"auto: {why}", sigma_z=od.sigma_z, threshold=laney_above_sigma_z)
    return replace(chart, explanation=exp, sigma_z=od.sigma_z)


def chart_for(
    metric: Metric, points: Sequence[Point], sigma_multiplier: float, rules: PerformanceRuleSet | None = None
) -> ControlChart | None:
    """The correct chart: for count shares the p-chart (or, as ``rules`` choose, the Laney p′-chart), XmR for
    everything else; None if too few points. Without ``rules``, count shares get the textbook p-chart."""
    usable = [p for p in points if p.value is not None and p.denominator > 0]
    if len(usable) < 2:
        return None
    periods = [p.period for p in usable]
    if is_count_share(metric):
        counts, sizes = [p.numerator for p in usable], [p.denominator for p in usable]
        if rules is None:
            return p_chart(periods, counts, sizes, sigma_multiplier)
        return share_chart(
            periods, counts, sizes, sigma_multiplier, choice=rules.share_chart,
            laney_above_sigma_z=rules.laney_above_sigma_z,
        )  # fmt: skip
    return xmr_chart(periods, [p.value for p in usable if p.value is not None], sigma_multiplier)


def alerts_for(
    metric: Metric,
    points: Sequence[Point],
    *,
    program: str,
    targets: TargetBook,
    rules: PerformanceRuleSet,
    entity_id: str | None = None,
) -> tuple[Alert, ...]:
    """Judge ``points`` against targets, chart them, and apply every run rule of ``rules``."""
    judgements = judge(
        points, metric=metric.id, direction=metric.direction, targets=targets, program=program, entity_id=entity_id
    )
    chart = chart_for(metric, points, rules.sigma_multiplier, rules)
    return evaluate_run_rules(judgements, chart, rules, metric=metric.id, program=program, direction=metric.direction)


def to_corrective_action(
    alert: Alert,
    *,
    entity_id: str,
    owner: str,
    raised_on: dt.date,
    due_in_days: int,
    item: str,
    finding_level: FindingLevel = FindingLevel.MINOR,
) -> CorrectiveAction:
    """Open a corrective action for ``alert`` against the standard's ``item`` (the performance item it serves).

    The id is stable (entity, metric, program, rule, last period), so raising it twice gives the same action.
    """
    if due_in_days < 0:
        raise CxcertError(f"due_in_days must be 0 or more, not {due_in_days}")
    points = "; ".join(f"{p.period}: {p.value:.4g}" for p in alert.points)
    return CorrectiveAction(
        id=f"{entity_id}/KPI-{alert.metric}-{alert.program}-{alert.rule}-{alert.last_period.isoformat()}",
        entity_id=entity_id,
        item=item,
        finding_level=finding_level,
        description=f"{alert.explanation.summary}. Points: {points}. Rule: {alert.rule_title}.",
        owner=owner,
        raised_on=raised_on,
        due_on=raised_on + dt.timedelta(days=due_in_days),
    )
