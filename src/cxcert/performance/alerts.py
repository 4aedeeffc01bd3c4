"""From series to alerts, and from an alert to a corrective action in the certification core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from cxcert.certification.corrective_action import CorrectiveAction
from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.performance.catalogue import Metric, RatioMetric
from cxcert.performance.control_charts import ControlChart, laney_p_chart, overdispersion, p_chart, xmr_chart
from cxcert.performance.evaluation import judge
from cxcert.performance.performance_rules import PerformanceRuleSet, ShareChart
from cxcert.performance.run_rules import Alert, AlertPoint, BelowRun, below_target_runs, evaluate_run_rules
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
    return tuple(r.alert for r in reviewed_alerts(metric, points, program=program, targets=targets, rules=rules,
                                                  entity_id=entity_id or "", item=""))  # fmt: skip


@dataclass(frozen=True)
class ReviewedAlert:
    """An entity's alert, with the standard's item it bears on and, for a missed target or the standard's run
    rule, the run below target it belongs to (every alert of one run leads to one corrective action)."""

    entity_id: str
    item: str
    alert: Alert
    run: BelowRun | None = None

    @property
    def id(self) -> str:
        """``ENTITY:METRIC:PROGRAM:RULE:FIRST-PERIOD``: stable while the alert's condition goes on."""
        a = self.alert
        return ":".join((self.entity_id, a.metric, a.program, a.rule, a.first_period.isoformat()))

    @property
    def action_id(self) -> str:
        """The corrective action this alert opens: one per run below target, else one per alert."""
        a = self.alert
        if self.run is not None:
            return f"{_run_prefix(self.entity_id, a.metric, a.program)}{self.run.first_period.isoformat()}"
        return f"{self.entity_id}/KPI-{a.metric}-{a.program}-{a.rule}-{a.first_period.isoformat()}"


def _run_prefix(entity_id: str, metric: str, program: str) -> str:
    return f"{entity_id}/KPI-{metric}-{program}-below-"


@dataclass(frozen=True)
class AlertKey:
    entity_id: str
    metric: str
    program: str
    rule: str
    first_period: dt.date


def parse_alert_id(text: str) -> AlertKey:
    """The parts of an alert id (the program may itself contain ``:``)."""
    parts = text.strip().split(":")
    if len(parts) >= 5:
        entity_id, metric, *program, rule, first = parts
        try:
            return AlertKey(entity_id, metric, ":".join(program), rule, dt.date.fromisoformat(first))
        except ValueError:
            pass
    raise CxcertError(
        f"{text!r} is not an alert id; ids look like ENTITY:METRIC:PROGRAM:RULE:YYYY-MM-DD "
        "(see `cxcert alerts list --entity ID`)"
    )


def reviewed_alerts(
    metric: Metric,
    points: Sequence[Point],
    *,
    program: str,
    targets: TargetBook,
    rules: PerformanceRuleSet,
    entity_id: str,
    item: str,
) -> tuple[ReviewedAlert, ...]:
    """Every alert of one metric and program for ``entity_id``, each tied to its run below target if any."""
    judgements = judge(
        points, metric=metric.id, direction=metric.direction, targets=targets, program=program, entity_id=entity_id
    )
    chart = chart_for(metric, points, rules.sigma_multiplier, rules)
    found = evaluate_run_rules(
        judgements, chart, rules, metric=metric.id, program=program, direction=metric.direction
    )
    runs = below_target_runs(judgements)
    out = []
    for a in found:
        run = next((r for r in runs if r.covers(a.first_period)), None) if a.rule in _RUN_RULES else None
        out.append(ReviewedAlert(entity_id, item, a, run))
    return tuple(out)


_RUN_RULES = ("target_missed", "consecutive_below")


class ActionChange(StrEnum):
    OPENED = "opened"
    UPDATED = "updated"  # the run went on: description brought up to date, owner and dates kept
    UNCHANGED = "unchanged"
    CLOSED = "closed"  # the action was closed already: left as it is


@dataclass(frozen=True)
class PlannedAction:
    """What raising the corrective action for one run (or one alert) does to the store."""

    action: CorrectiveAction
    change: ActionChange
    alert_ids: tuple[str, ...]
    explanation: Explanation


def _points(points: Sequence[AlertPoint]) -> str:
    return "; ".join(
        f"{p.period}: {p.value:.4g}" + (f" (target {p.target:.4g})" if p.target is not None else "") for p in points
    )


def _description(episode: Sequence[ReviewedAlert]) -> str:
    lead = episode[0]
    a = lead.alert
    titles = ", ".join(dict.fromkeys(e.alert.rule_title for e in episode))
    if lead.run is not None:
        run = lead.run
        n = len(run.points)
        still = ", still below at the latest point" if run.ongoing else ""
        head = (
            f"{a.metric} for {a.program} below target at {n} consecutive point{'s' if n > 1 else ''}, "
            f"{run.first_period} to {run.last_period}{still}"
        )
        return f"{head}. Points: {_points(run.points)}. Rule: {titles}."
    limits = ""
    if a.limits is not None:
        lim = a.limits
        limits = (
            f" Limits: {lim.chart.label} centre {lim.centre:.4g}, LCL {lim.lcl:.4g}, UCL {lim.ucl:.4g} "
            f"({lim.sigma_multiplier:g} sigma)."
        )
    return f"{a.explanation.summary}. Points: {_points(a.points)}.{limits} Rule: {titles}."


def _earlier_open_run(lead: ReviewedAlert, existing: Sequence[CorrectiveAction]) -> CorrectiveAction | None:
    """An open action for a run that began before the window and this run continues (same metric and program)."""
    run = lead.run
    if run is None or not run.from_window_start:
        return None
    prefix = _run_prefix(lead.entity_id, lead.alert.metric, lead.alert.program)
    earlier = []
    for action in existing:
        if action.is_open and action.id.startswith(prefix):
            try:
                began = dt.date.fromisoformat(action.id.removeprefix(prefix))
            except ValueError:
                continue
            if began < run.first_period:
                earlier.append((began, action))
    return max(earlier, key=lambda pair: pair[0])[1] if earlier else None


def plan_action(
    episode: Sequence[ReviewedAlert],
    *,
    owner: str,
    raised_on: dt.date,
    due_on: dt.date,
    existing: Sequence[CorrectiveAction] = (),
    finding_level: FindingLevel = FindingLevel.MINOR,
) -> PlannedAction:
    """The corrective action for one run below target (or one other alert): opened when new, else the stored
    one brought up to date (not a second one), so re-running on the same data changes nothing.

    ``episode`` holds the alerts of one run (all with the same :attr:`ReviewedAlert.action_id`).
    """
    if not episode:
        raise CxcertError("no alert to act on")
    if due_on < raised_on:
        raise CxcertError(f"the due date {due_on} is before {raised_on}, the day the action is raised")
    lead = episode[0]
    ids = tuple(e.id for e in episode)
    description = _description(episode)
    by_id = {a.id: a for a in existing}
    current = by_id.get(lead.action_id) or _earlier_open_run(lead, existing)
    if current is None:
        action = CorrectiveAction(
            id=lead.action_id, entity_id=lead.entity_id, item=lead.item, finding_level=finding_level,
            description=description, owner=owner, raised_on=raised_on, due_on=due_on,
        )  # fmt: skip
        why = f"opened {action.id} (owner {owner}, due {due_on})"
        return PlannedAction(action, ActionChange.OPENED, ids, Explanation(why).with_step("alert", description))
    if not current.is_open:
        why = f"{current.id} was closed on {current.closed_on}: left as it is"
        return PlannedAction(current, ActionChange.CLOSED, ids, Explanation(why).with_step("alert", description))
    if current.description == description:
        why = f"{current.id} is open and up to date (owner {current.owner}, due {current.due_on})"
        return PlannedAction(current, ActionChange.UNCHANGED, ids, Explanation(why))
    updated = current.model_copy(update={"description": description})
    why = f"updated {current.id}: the run goes on (owner {current.owner} and due date {current.due_on} kept)"
    return PlannedAction(updated, ActionChange.UPDATED, ids, Explanation(why).with_step("alert", description))
