"""Judging actuals against dated targets: met or missed per period, met in k of the last n, majority met."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cxcert.explain import Explanation
from cxcert.performance.catalogue import Direction
from cxcert.performance.series import Point
from cxcert.performance.targets import Target, TargetBook


def meets(direction: Direction, actual: float, target: float) -> bool:
    """At or better than target, 'better' as the metric's direction says (for a metric best at 0, the target is
    the tolerance either side: |actual| ≤ target)."""
    if direction is Direction.HIGHER_IS_BETTER:
        return actual >= target
    if direction is Direction.CLOSER_TO_ZERO:
        return abs(actual) <= target
    return actual <= target


COMPARISON = {
    Direction.HIGHER_IS_BETTER: "actual ≥ target",
    Direction.LOWER_IS_BETTER: "actual ≤ target",
    Direction.CLOSER_TO_ZERO: "|actual| ≤ target",
}


@dataclass(frozen=True)
class PeriodJudgement:
    period: dt.date
    actual: float | None
    target: Target | None
    met: bool | None  # None: no data or no target in force
    explanation: Explanation


def judge(
    points: Sequence[Point],
    *,
    metric: str,
    direction: Direction,
    targets: TargetBook,
    program: str,
    entity_id: str | None = None,
) -> tuple[PeriodJudgement, ...]:
    """Each period's actual against the target in force on the period's first day."""
    out = []
    for p in points:
        target = targets.target_on(metric, program, p.period, entity_id)
        head = f"{metric} {program} {p.period}"
        if p.value is None:
            exp = Explanation(f"{head}: no data (denominator 0)")
            out.append(PeriodJudgement(p.period, None, target, None, exp))
            continue
        if target is None:
            exp = Explanation(f"{head}: no target in force")
            out.append(PeriodJudgement(p.period, p.value, None, None, exp))
            continue
        met = meets(direction, p.value, target.value)
        exp = Explanation(f"{head}: {'met' if met else 'missed'} ({p.value:.4g} vs target {target.value:.4g})")
        exp = exp.with_step(
            "target",
            f"{COMPARISON[direction]} is {'true' if met else 'false'}",
            actual=p.value,
            numerator=p.numerator,
            denominator=p.denominator,
            target=target.value,
            target_kind=target.kind.value,
            target_valid_from=target.valid_from.isoformat(),
            benchmark=target.benchmark,
        )
        out.append(PeriodJudgement(p.period, p.value, target, met, exp))
    return tuple(out)


@dataclass(frozen=True)
class KOfNVerdict:
    met: bool
    met_count: int
    judged: int
    k: int
    n: int
    explanation: Explanation


def k_of_last_n(judgements: Sequence[PeriodJudgement], k: int, n: int) -> KOfNVerdict:
    """Met in at least ``k`` of the last ``n`` periods; periods without data or target count as not met."""
    last = list(judgements)[-n:]
    met_count = sum(1 for j in last if j.met)
    judged = sum(1 for j in last if j.met is not None)
    ok = met_count >= k
    periods = ", ".join(f"{j.period}:{'met' if j.met else 'missed' if j.met is False else 'n/a'}" for j in last)
    exp = Explanation(f"met in {met_count} of the last {len(last)} periods; needs {k} of {n}: {'yes' if ok else 'no'}")
    exp = exp.with_step("k_of_n", periods or "no periods", k=k, n=n, met=met_count, judged=judged)
    return KOfNVerdict(ok, met_count, judged, k, n, exp)


@dataclass(frozen=True)
class MajorityVerdict:
    met: bool
    share: float
    met_count: int
    total: int
    threshold: float
    explanation: Explanation


def majority_met(verdicts: Sequence[tuple[str, bool]], threshold: float) -> MajorityVerdict:
    """'Majority of targets met': the share of (name, met) verdicts that are met exceeds ``threshold``."""
    total = len(verdicts)
    met_count = sum(1 for _, ok in verdicts if ok)
    share = met_count / total if total else 0.0
    ok = share > threshold
    exp = Explanation(f"{met_count} of {total} targets met ({share:.0%}); majority needs more than {threshold:.0%}")
    for name, good in verdicts:
        exp = exp.with_step("target", f"{name}: {'met' if good else 'not met'}")
    return MajorityVerdict(ok, share, met_count, total, threshold, exp)
