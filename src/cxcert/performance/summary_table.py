"""The standard's performance summary table (docs/domain.md section 4), built from a monthly scorecard.

One row per required metric and KCRP: item, KCRP, metric type, label (S, Q, C, CS, R), required metric, metric
used, target (the one in force each month, with its kind and benchmark), monthly actuals and a verdict: *met*
(met in k of the last n months), *sustained improvement* (not met, but a significant Mann-Kendall trend in the
good direction), *missed*, or *no data* / *no target*.
Then the two shares audit summaries report (meeting target; meeting target or showing sustained improvement),
judged against the rule set's thresholds for an initial or a re-certification at the base or gold level.
Rows without data or target count against both shares: a required metric must be reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cxcert.explain import Explanation
from cxcert.performance.catalogue import Catalogue, Direction, default_catalogue
from cxcert.performance.engine import Scorecard
from cxcert.performance.evaluation import MajorityVerdict, PeriodJudgement, judge, k_of_last_n, majority_met
from cxcert.performance.performance_rules import PerformanceRuleSet, Purpose, ShareThresholds
from cxcert.performance.series import Point, points_of, slices
from cxcert.performance.targets import Target, TargetBook
from cxcert.performance.trend import TrendDirection, mann_kendall
from cxcert.standards.schema import MetricLabel, Standard

METRIC_TYPES = {
    MetricLabel.SERVICE: "service",
    MetricLabel.QUALITY: "quality",
    MetricLabel.COST: "cost/revenue",
    MetricLabel.SATISFACTION: "client or end-user satisfaction",
    MetricLabel.REVENUE: "revenue generation",
}


class RowVerdict(StrEnum):
    MET = "met"
    SUSTAINED_IMPROVEMENT = "sustained improvement"
    MISSED = "missed"
    NO_TARGET = "no target"
    NO_DATA = "no data"


@dataclass(frozen=True)
class SummaryRow:
    item: str
    item_title: str
    kcrp: str
    metric_type: str
    label: MetricLabel
    required_metric: str
    metric_used: str
    program: str | None
    target: float | None  # the latest target in the window; each month is judged by :attr:`judgements`
    actuals: tuple[Point, ...]
    verdict: RowVerdict
    explanation: Explanation
    judgements: tuple[PeriodJudgement, ...] = ()  # one per month of ``actuals``, against the target then in force

    @property
    def latest_target(self) -> Target | None:
        return next((j.target for j in reversed(self.judgements) if j.target is not None), None)

    def target_changes(self) -> tuple[tuple[dt.date, Target], ...]:
        """The targets in force over the window, each with the first month it applied to (oldest first)."""
        out: list[tuple[dt.date, Target]] = []
        for j in self.judgements:
            if j.target is not None and (not out or out[-1][1] != j.target):
                out.append((j.period, j.target))
        return tuple(out)

    def describe_target(self, show: Callable[[float], str]) -> str:
        """``0.80``, or ``0.80 -> 0.85 from 2025-07`` when the target changed inside the window."""
        changes = self.target_changes()
        if not changes:
            return "-"
        text = show(changes[0][1].value)
        for month, target in changes[1:]:
            text += f" -> {show(target.value)} from {month:%Y-%m}"
        return text

    def describe_kind(self) -> str:
        """The target kind (client SLA or internal), with its change inside the window if any."""
        kinds = list(dict.fromkeys(t.kind.value for _, t in self.target_changes()))
        return " -> ".join(kinds) if kinds else "-"

    def benchmarks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.benchmark for _, t in self.target_changes()))

    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.source for _, t in self.target_changes() if t.source))

    def months_met(self) -> tuple[int, int]:
        """(months met, months judged), each month against the target in force then."""
        judged = [j for j in self.judgements if j.met is not None]
        return sum(1 for j in judged if j.met), len(judged)


@dataclass(frozen=True)
class KcrpRef:
    """One of the entity's KCRPs and the programs (client lines of business) it serves."""

    id: str
    name: str
    programs: tuple[str, ...] = ()


@dataclass(frozen=True)
class KcrpLinks:
    """Which KCRP each program of the scorecard belongs to; programs no KCRP names keep their own name."""

    kcrp_of: Mapping[str, str]
    unlinked: tuple[str, ...]
    explanation: Explanation


def link_kcrps(programs: Iterable[str], kcrps: Sequence[KcrpRef]) -> KcrpLinks:
    """A program belongs to every KCRP that lists it, or whose id or name is the program's name."""
    kcrp_of: dict[str, str] = {}
    unlinked = []
    exp = Explanation("")
    for program in sorted(set(programs)):
        folded = program.casefold()
        names = [k.name for k in kcrps if program in k.programs or folded in (k.id.casefold(), k.name.casefold())]
        if names:
            kcrp_of[program] = ", ".join(names)
            exp = exp.with_step("kcrp", f"program {program}: KCRP {kcrp_of[program]}")
        else:
            unlinked.append(program)
    if unlinked:
        why = "the entity has no KCRPs" if not kcrps else "no KCRP of the entity lists them or bears their name"
        exp = exp.with_step("kcrp", f"programs {', '.join(unlinked)} are shown by program name: {why}")
    summary = f"{len(kcrp_of)} program(s) linked to the entity's KCRPs, {len(unlinked)} shown by program name"
    return KcrpLinks(kcrp_of, tuple(unlinked), Explanation(summary, exp.steps))


@dataclass(frozen=True)
class SummaryTable:
    purpose: Purpose  # whose thresholds judged the shares (initial when the rule set has no re-certification ones)
    level: str
    rows: tuple[SummaryRow, ...]
    share_meeting: float
    share_meeting_or_improving: float
    thresholds: ShareThresholds
    passed: bool
    majority: MajorityVerdict
    explanation: Explanation


def _row_verdict(
    points: tuple[Point, ...],
    *,
    metric: str,
    direction: Direction,
    program: str,
    targets: TargetBook,
    rules: PerformanceRuleSet,
    entity_id: str | None,
) -> tuple[RowVerdict, tuple[PeriodJudgement, ...], Explanation]:
    judgements = judge(
        points, metric=metric, direction=direction, targets=targets, program=program, entity_id=entity_id
    )
    head = f"{metric} for {program}"
    if not any(p.value is not None for p in points):
        return RowVerdict.NO_DATA, judgements, Explanation(f"{head}: no data in the months shown")
    if all(j.target is None for j in judgements):
        return RowVerdict.NO_TARGET, judgements, Explanation(f"{head}: no target in force")
    k_n = k_of_last_n(judgements, rules.months_on_target.k, rules.months_on_target.n)
    exp = Explanation(head)
    changed = list(dict.fromkeys(j.target for j in judgements if j.target is not None))
    for t in changed:
        exp = exp.with_step(
            "target", f"{t.value:.4g} ({t.kind.value}) from {t.valid_from}: {t.benchmark}",
            value=t.value, kind=t.kind.value, valid_from=t.valid_from.isoformat(), benchmark=t.benchmark,
            source=t.source,
        )  # fmt: skip
    exp = exp.with_step("months_on_target", k_n.explanation.summary)
    if k_n.met:
        return RowVerdict.MET, judgements, Explanation(f"{head}: met. {k_n.explanation.summary}", exp.steps)
    values = [p.value for p in points if p.value is not None][-rules.trend.months :]
    if direction is Direction.CLOSER_TO_ZERO:  # improving = moving towards 0, from either side
        values = [abs(v) for v in values]
    if len(values) < rules.trend.min_points:
        exp = exp.with_step("trend", f"only {len(values)} points; the trend test needs {rules.trend.min_points}")
        return RowVerdict.MISSED, judgements, Explanation(f"{head}: missed", exp.steps)
    trend = mann_kendall(values, rules.trend.alpha)
    good = TrendDirection.INCREASING if direction is Direction.HIGHER_IS_BETTER else TrendDirection.DECREASING
    trend_of = "|value|" if direction is Direction.CLOSER_TO_ZERO else "value"
    exp = exp.with_step(
        "trend", f"{trend.explanation.summary} (of {trend_of})", p_value=trend.p_value, slope=trend.slope
    )
    if trend.direction is good:
        return RowVerdict.SUSTAINED_IMPROVEMENT, judgements, Explanation(f"{head}: sustained improvement", exp.steps)
    return RowVerdict.MISSED, judgements, Explanation(f"{head}: missed", exp.steps)


def summary_table(
    standard: Standard,
    card: Scorecard,
    *,
    targets: TargetBook,
    rules: PerformanceRuleSet,
    purpose: Purpose,
    level: str = "base",
    entity_id: str | None = None,
    kcrp_of: Mapping[str, str] | None = None,
    metric_used: Mapping[str, str] | None = None,
    catalogue: Catalogue | None = None,
) -> SummaryTable:
    """Build the table from a monthly ``card`` computed ``by=("program",)``.

    ``kcrp_of`` names the KCRP of each program (default: the program itself); ``metric_used`` maps a required
    metric to the catalogue metric actually used, when the entity reports a variant.
    """
    cat = catalogue or default_catalogue()
    applied, thresholds, thresholds_why = rules.thresholds_for(purpose, level)
    rows: list[SummaryRow] = []
    for item in standard.items():
        for required in item.required_metrics:
            used = (metric_used or {}).get(required.metric, required.metric)
            common = (item.number, item.title)
            mtype = METRIC_TYPES[required.label]
            result = card.results.get(used)
            programs = [s["program"] for s in slices(result)] if result is not None else []
            if result is None or not programs:
                reason = card.missing.get(used, "no rows in the scorecard")
                exp = Explanation(f"{used}: no data ({reason})")
                rows.append(
                    SummaryRow(*common, required.kcrp_scope, mtype, required.label, required.metric, used, None, None,
                               (), RowVerdict.NO_DATA, exp)
                )  # fmt: skip
                continue
            direction = cat.get(used).direction
            for program in programs:
                pts = points_of(result, program=program)
                verdict, judgements, exp = _row_verdict(
                    pts, metric=used, direction=direction, program=program, targets=targets, rules=rules,
                    entity_id=entity_id,
                )  # fmt: skip
                kcrp = (kcrp_of or {}).get(program, program)
                target = next((j.target.value for j in reversed(judgements) if j.target is not None), None)
                rows.append(
                    SummaryRow(*common, kcrp, mtype, required.label, required.metric, used, program, target, pts,
                               verdict, exp, judgements)
                )  # fmt: skip
    total = len(rows)
    meeting = sum(1 for r in rows if r.verdict is RowVerdict.MET)
    improving = sum(1 for r in rows if r.verdict is RowVerdict.SUSTAINED_IMPROVEMENT)
    share_meeting = meeting / total if total else 0.0
    share_either = (meeting + improving) / total if total else 0.0
    passed = (
        total > 0 and share_meeting >= thresholds.meeting_target and share_either >= thresholds.meeting_or_improving
    )
    majority = majority_met(
        [(f"{r.metric_used}/{r.program}", r.verdict is RowVerdict.MET) for r in rows], rules.majority_share
    )
    exp = Explanation(
        f"{applied.value} ({level}): {meeting}/{total} rows meet target ({share_meeting:.0%}), "
        f"{meeting + improving}/{total} meet or show sustained improvement ({share_either:.0%}): "
        f"{'passes' if passed else 'does not pass'}"
    )
    exp = exp.with_step("thresholds", thresholds_why, asked=purpose.value, applied=applied.value, level=level)
    exp = exp.with_step(
        "meeting_target",
        f"{share_meeting:.0%} {'≥' if share_meeting >= thresholds.meeting_target else '<'} "
        f"{thresholds.meeting_target:.0%}",
        share=share_meeting,
        threshold=thresholds.meeting_target,
    )
    exp = exp.with_step(
        "meeting_or_improving",
        f"{share_either:.0%} {'≥' if share_either >= thresholds.meeting_or_improving else '<'} "
        f"{thresholds.meeting_or_improving:.0%}",
        share=share_either,
        threshold=thresholds.meeting_or_improving,
    )
    return SummaryTable(applied, level, tuple(rows), share_meeting, share_either, thresholds, passed, majority, exp)
