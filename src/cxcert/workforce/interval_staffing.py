"""One interval, explained: the staffing an interval needs, or how a given staffing performs, with the reasons
("14 agents: 13 give a service level of 79.6 % < 80 %")."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxcert.explain import Explanation
from cxcert.workforce.staffing import (
    QueueMeasures,
    QueueModel,
    StaffingTarget,
    offered_load,
    queue_measures,
    solve_staffing,
)

_MODEL_NAMES = {"erlang-c": "Erlang C", "erlang-a": "Erlang A"}


@dataclass(frozen=True)
class IntervalInputs:
    """The workload of one interval and, for Erlang A, the callers' mean patience."""

    calls: float
    interval_s: float
    aht_s: float
    patience_s: float | None = None


@dataclass(frozen=True)
class IntervalMeasures:
    """Service measures of one staffing level (shares as fractions, times in seconds)."""

    agents: int
    service_level: float
    asa_s: float
    p_wait: float
    abandon_rate: float
    occupancy: float

    @staticmethod
    def of(agents: int, m: QueueMeasures) -> IntervalMeasures:
        return IntervalMeasures(
            agents=agents,
            service_level=float(m.service_level.ravel()[0]),
            asa_s=float(m.asa_s.ravel()[0]),
            p_wait=float(m.p_wait.ravel()[0]),
            abandon_rate=float(m.abandon_rate.ravel()[0]),
            occupancy=float(m.occupancy.ravel()[0]),
        )


@dataclass(frozen=True)
class IntervalStaffing:
    """The staffing one interval needs: integer minimum, fractional requirement, scheduled after shrinkage."""

    model: QueueModel
    inputs: IntervalInputs
    target: StaffingTarget
    load_erlangs: float
    agents_on_phone: int
    agents_required_fractional: float
    scheduled_with_shrinkage: float
    achieved: IntervalMeasures
    one_fewer: IntervalMeasures | None
    explanation: Explanation


@dataclass(frozen=True)
class IntervalPerformance:
    """How a given number of agents performs in one interval, judged against the target."""

    model: QueueModel
    inputs: IntervalInputs
    target: StaffingTarget
    load_erlangs: float
    achieved: IntervalMeasures
    meets_target: bool
    explanation: Explanation


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _secs(x: float) -> str:
    return "infinite (queue never empties)" if math.isinf(x) else f"{x:.1f} s"


def shortfalls(m: IntervalMeasures, target: StaffingTarget) -> list[str]:
    """The targets ``m`` misses, each in words ("service level 79.6 % < 80.0 %")."""
    out: list[str] = []
    if target.service_level is not None and m.service_level < target.service_level - 1e-12:
        out.append(f"service level {_pct(m.service_level)} < {_pct(target.service_level)} in {target.answer_s:g} s")
    if target.asa_s is not None and m.asa_s > target.asa_s * (1 + 1e-12):
        out.append(f"ASA {_secs(m.asa_s)} > {target.asa_s:g} s")
    if target.abandon_rate is not None and m.abandon_rate > target.abandon_rate + 1e-12:
        out.append(f"abandonment {_pct(m.abandon_rate)} > {_pct(target.abandon_rate)}")
    if target.p_wait is not None and m.p_wait > target.p_wait + 1e-12:
        out.append(f"probability of waiting {_pct(m.p_wait)} > {_pct(target.p_wait)}")
    if m.occupancy > target.max_occupancy + 1e-12:
        out.append(f"occupancy {_pct(m.occupancy)} > {_pct(target.max_occupancy)}")
    return out


def _describe(m: IntervalMeasures, model: QueueModel, target: StaffingTarget) -> str:
    parts = [f"service level {_pct(m.service_level)}", f"ASA {_secs(m.asa_s)}", f"occupancy {_pct(m.occupancy)}"]
    if model == "erlang-a":
        parts.append(f"abandonment {_pct(m.abandon_rate)}")
    if target.p_wait is not None:
        parts.append(f"probability of waiting {_pct(m.p_wait)}")
    return ", ".join(parts)


def _load_step(expl: Explanation, inputs: IntervalInputs, load: float) -> Explanation:
    return expl.with_step(
        "offered load = calls × AHT / interval",
        f"{load:.3f} Erlangs",
        calls=inputs.calls,
        aht_s=inputs.aht_s,
        interval_s=inputs.interval_s,
    )


def staff_interval(inputs: IntervalInputs, target: StaffingTarget, model: QueueModel = "erlang-c") -> IntervalStaffing:
    """The fewest agents meeting ``target`` in one interval, with why one fewer is not enough."""
    plan = solve_staffing(
        inputs.calls, inputs.aht_s, inputs.interval_s, target, model=model, patience_s=inputs.patience_s
    )
    n = int(plan.agents_on_phone)
    load = float(plan.load)
    achieved = IntervalMeasures.of(n, plan.measures)
    one_fewer: IntervalMeasures | None = None
    if n > 0:
        below = queue_measures(model, n - 1, load, inputs.aht_s, target.answer_s, inputs.patience_s)
        one_fewer = IntervalMeasures.of(n - 1, below)
    why = "; ".join(shortfalls(one_fewer, target)) if one_fewer is not None else "no calls"
    summary = f"{n} agents on the phone ({_MODEL_NAMES[model]})" + (f": {n - 1} give {why}" if n > 0 else ": no calls")
    expl = _load_step(Explanation(summary), inputs, load)
    if model == "erlang-a":
        expl = expl.with_step(
            "Erlang A (M/M/n+M)", "callers abandon with exponential patience", patience_s=inputs.patience_s
        )
    if one_fewer is not None:
        expl = expl.with_step("one fewer agent misses the target", why, agents=n - 1)
    expl = expl.with_step("smallest staffing meeting every target", _describe(achieved, model, target), agents=n)
    frac = float(plan.agents_required_fractional)
    expl = expl.with_step("fractional requirement (target crossed between n − 1 and n)", f"{frac:.3f} agents")
    sched = float(plan.scheduled_with_shrinkage)
    expl = expl.with_step(
        "scheduled = fractional requirement / (1 − shrinkage), not rounded",
        f"{sched:.3f} agents",
        shrinkage=target.shrinkage,
    )
    return IntervalStaffing(model, inputs, target, load, n, frac, sched, achieved, one_fewer, expl)


def evaluate_interval(
    agents: int, inputs: IntervalInputs, target: StaffingTarget, model: QueueModel = "erlang-c"
) -> IntervalPerformance:
    """How ``agents`` perform in one interval, and whether that meets ``target``."""
    load = float(offered_load(inputs.calls, inputs.aht_s, inputs.interval_s))
    m = IntervalMeasures.of(
        agents, queue_measures(model, agents, load, inputs.aht_s, target.answer_s, inputs.patience_s)
    )
    missed = shortfalls(m, target)
    verdict = "meets the target" if not missed else "misses the target: " + "; ".join(missed)
    expl = _load_step(Explanation(f"{agents} agents ({_MODEL_NAMES[model]}) {verdict}"), inputs, load)
    expl = expl.with_step("measures of the given staffing", _describe(m, model, target), agents=agents)
    return IntervalPerformance(model, inputs, target, load, m, not missed, expl)
