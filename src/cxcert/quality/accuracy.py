"""Critical error accuracy and non-critical accuracy at agent, team and program level, with confidence intervals.

Accuracy for an error class = share of evaluated transactions with no error of that class (docs/domain.md section 5);
``any_critical`` counts a transaction accurate when it has no critical error of any class.

Intervals are Wilson score intervals by default (Wilson 1927). The textbook Wald interval p +/- z sqrt(p(1-p)/n)
is not used: its coverage is poor at the small n of an agent's month and at accuracies near 100 %, where it
collapses to zero width (p = 1 gives [1, 1]) or leaves [0, 1] (Newcombe 1998; Brown, Cai & DasGupta 2001).
Clopper-Pearson (exact, conservative) is offered for auditors who ask for a guaranteed coverage.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd
from scipy.stats import beta

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.quality.form import ErrorClass
from cxcert.quality.sampling import z_value
from cxcert.quality.scoring import error_column


class IntervalMethod(StrEnum):
    WILSON = "wilson"
    CLOPPER_PEARSON = "clopper_pearson"


def wilson_interval(successes: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (statsmodels ``proportion_confint(method="wilson")``)."""
    _check_counts(successes, n)
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def clopper_pearson_interval(successes: int, n: int, confidence: float) -> tuple[float, float]:
    """Clopper-Pearson exact interval from beta quantiles (statsmodels ``method="beta"``)."""
    _check_counts(successes, n)
    alpha = 1 - confidence
    lower = 0.0 if successes == 0 else float(beta.ppf(alpha / 2, successes, n - successes + 1))
    upper = 1.0 if successes == n else float(beta.ppf(1 - alpha / 2, successes + 1, n - successes))
    return lower, upper


def _check_counts(successes: int, n: int) -> None:
    if n < 1:
        raise CxcertError("a proportion needs at least one observation")
    if not 0 <= successes <= n:
        raise CxcertError(f"successes ({successes}) must be between 0 and n ({n})")


@dataclass(frozen=True)
class Proportion:
    successes: int
    n: int
    estimate: float
    lower: float
    upper: float
    confidence: float
    method: IntervalMethod


def proportion(
    successes: int, n: int, confidence: float = 0.95, method: IntervalMethod = IntervalMethod.WILSON
) -> Proportion:
    """A proportion with its confidence interval."""
    interval = wilson_interval if method is IntervalMethod.WILSON else clopper_pearson_interval
    lower, upper = interval(successes, n, confidence)
    return Proportion(successes, n, successes / n, lower, upper, confidence, method)


class Level(StrEnum):
    AGENT = "agent"
    TEAM = "team"
    PROGRAM = "program"


ANY_CRITICAL = "any_critical"
MEASURES: tuple[str, ...] = (*(str(c) for c in ErrorClass), ANY_CRITICAL)


@dataclass(frozen=True)
class AccuracyRow:
    level: Level
    group: str
    measure: str  # an error class, or 'any_critical'
    accurate: int  # evaluations without such an error
    evaluated: int
    proportion: Proportion


@dataclass(frozen=True)
class AccuracyReport:
    rows: tuple[AccuracyRow, ...]
    explanation: Explanation

    def get(self, level: Level, group: str, measure: str) -> AccuracyRow:
        for row in self.rows:
            if row.level is level and row.group == group and row.measure == measure:
                return row
        raise KeyError((level, group, measure))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "level": str(r.level), "group": r.group, "measure": r.measure, "accurate": r.accurate,
                    "evaluated": r.evaluated, "accuracy": r.proportion.estimate, "lower": r.proportion.lower,
                    "upper": r.proportion.upper,
                }
                for r in self.rows
            ]
        )  # fmt: skip


def accuracy_report(
    scores: pd.DataFrame,
    *,
    team_of: Mapping[str, str] | None = None,
    program: str = "program",
    levels: Sequence[Level] = (Level.AGENT, Level.TEAM, Level.PROGRAM),
    confidence: float = 0.95,
    method: IntervalMethod = IntervalMethod.WILSON,
    overturned: Collection[str] = (),
) -> AccuracyReport:
    """Accuracy per error class (and any critical) at each level.

    ``scores`` has one row per evaluation with ``agent_id`` and the boolean ``error_<class>`` columns of
    :class:`~cxcert.quality.scoring.BatchScores`. ``team_of`` maps agent to team (from the roster); agents
    missing from it are grouped under '(no team)'. ``overturned`` names evaluations found wrong (a dispute
    upheld): they are left out, since their error flags are not what happened (the scores then need an
    ``evaluation_id`` column).
    """
    flags = [error_column(c) for c in ErrorClass]
    needed = ("agent_id", *flags, *(("evaluation_id",) if overturned else ()))
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise CxcertError(f"scores lack column(s): {', '.join(missing)}")
    left_out = 0
    if overturned:
        drop = scores["evaluation_id"].astype(str).isin(set(overturned))
        left_out = int(drop.sum())
        scores = scores[~drop]
    if scores.empty:
        raise CxcertError(
            "no evaluations to compute accuracy from"
            + (f" ({left_out} left out: their disputes were upheld)" if left_out else "")
        )
    frame = pd.DataFrame({"agent": scores["agent_id"].astype(str)})
    for error_class in ErrorClass:
        frame[str(error_class)] = scores[error_column(error_class)].astype(bool).to_numpy()
    frame[ANY_CRITICAL] = frame[[str(c) for c in ErrorClass if c.critical]].any(axis=1)
    unmapped: list[str] = []
    if Level.TEAM in levels:
        teams = team_of or {}
        unmapped = sorted(set(frame["agent"]) - set(teams))
        frame["team"] = frame["agent"].map(lambda a: teams.get(a, "(no team)"))
    frame["program"] = program
    columns = {Level.AGENT: "agent", Level.TEAM: "team", Level.PROGRAM: "program"}
    rows: list[AccuracyRow] = []
    for level in levels:
        grouped = frame.groupby(columns[level], sort=True)
        errors = grouped[list(MEASURES)].sum()
        sizes = grouped.size()
        for group, n in sizes.items():
            counts = errors.loc[[group]].iloc[0]
            for measure in MEASURES:
                accurate = int(n) - int(counts[measure])
                rows.append(
                    AccuracyRow(
                        level, str(group), measure, accurate, int(n), proportion(accurate, int(n), confidence, method)
                    )
                )
    explanation = Explanation(
        f"accuracy of {len(frame)} evaluations per error class at {', '.join(map(str, levels))} level",
    ).with_step(
        "accuracy",
        "accuracy = evaluations without an error of the class / evaluations",
        interval=str(method),
        confidence=confidence,
    )
    if left_out:
        explanation = explanation.with_step(
            "disputes_upheld",
            f"{left_out} evaluation(s) left out: a dispute found them wrong (enter a corrected evaluation to count "
            "the contact)",
            left_out=left_out,
        )
    if unmapped:
        explanation = explanation.with_step(
            "no_team",
            f"{len(unmapped)} agent(s) not in the roster mapping, grouped as '(no team)'",
            agents=len(unmapped),
        )
    return AccuracyReport(tuple(rows), explanation)
