"""Accuracy and its confidence intervals: published intervals, statsmodels cross-checks, levels."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from cxcert.quality.accuracy import (
    ANY_CRITICAL,
    IntervalMethod,
    Level,
    accuracy_report,
    clopper_pearson_interval,
    proportion,
    wilson_interval,
)
from cxcert.quality.form import ErrorClass
from cxcert.quality.scoring import error_column


@pytest.mark.parametrize(
    ("x", "n", "wilson", "exact"),
    [
        (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
        (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
        (0, 20, (0.0, 0.1611), (0.0, 0.1684)),
        (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
    ],
)
def test_newcombe_1998_table(x: int, n: int, wilson: tuple[float, float], exact: tuple[float, float]) -> None:
    """Newcombe, R. G. (1998) "Two-sided confidence intervals for the single proportion: comparison of seven
    methods", Statistics in Medicine 17, 857-872, Table II: 95 % intervals by the score (Wilson) method and the
    Clopper-Pearson exact method for 81/263, 15/148, 0/20 and 1/29."""
    assert wilson_interval(x, n, 0.95) == pytest.approx(wilson, abs=6e-5)
    assert clopper_pearson_interval(x, n, 0.95) == pytest.approx(exact, abs=6e-5)


def test_conover_exact_interval() -> None:
    """5 of 25: exact 95 % limits 0.068 to 0.407 (Conover 1999, Practical Nonparametric Statistics, tables)."""
    assert clopper_pearson_interval(5, 25, 0.95) == pytest.approx((0.068, 0.407), abs=5e-4)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=2000),
    share=st.floats(min_value=0, max_value=1),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_intervals_match_statsmodels(n: int, share: float, confidence: float) -> None:
    x = round(share * n)
    alpha = 1 - confidence
    assert wilson_interval(x, n, confidence) == pytest.approx(
        proportion_confint(x, n, alpha=alpha, method="wilson"), abs=1e-9
    )
    assert clopper_pearson_interval(x, n, confidence) == pytest.approx(
        proportion_confint(x, n, alpha=alpha, method="beta"), abs=1e-9
    )


def test_wilson_stays_informative_at_100_percent() -> None:
    """Why not Wald: at 30 of 30 correct Wald gives [1, 1]; Wilson gives a real lower bound (0.886)."""
    result = proportion(30, 30)
    assert result.upper == pytest.approx(1.0) and result.lower == pytest.approx(0.8865, abs=1e-4)


def _scores() -> pd.DataFrame:
    rows = [
        # agent, customer_critical, business_critical, compliance_critical, non_critical
        ("a1", False, False, False, True),
        ("a1", True, False, False, False),
        ("a1", False, False, False, False),
        ("a1", False, False, False, False),
        ("a2", False, False, True, True),
        ("a2", False, False, False, False),
        ("a3", False, True, False, False),
        ("a3", False, False, False, False),
    ]
    frame = pd.DataFrame(rows, columns=["agent_id", *[error_column(c) for c in ErrorClass]])
    frame.insert(0, "evaluation_id", [f"e{i}" for i in range(len(frame))])
    return frame


def test_accuracy_by_agent_team_and_program() -> None:
    """Hand counts: 8 evaluations; customer-critical error in 1 -> 7/8; any critical error in 3 -> 5/8;
    team north = a1 + a2 (6 evaluations, non-critical errors in 2 -> 4/6); a3 has no team mapping."""
    report = accuracy_report(_scores(), team_of={"a1": "north", "a2": "north"})
    program = report.get(Level.PROGRAM, "program", str(ErrorClass.CUSTOMER_CRITICAL))
    assert (program.accurate, program.evaluated) == (7, 8)
    assert program.proportion.lower == pytest.approx(proportion_confint(7, 8, method="wilson")[0])
    assert report.get(Level.PROGRAM, "program", ANY_CRITICAL).accurate == 5
    north = report.get(Level.TEAM, "north", str(ErrorClass.NON_CRITICAL))
    assert (north.accurate, north.evaluated) == (4, 6)
    assert report.get(Level.AGENT, "a1", str(ErrorClass.CUSTOMER_CRITICAL)).accurate == 3
    assert report.get(Level.TEAM, "(no team)", ANY_CRITICAL).evaluated == 2
    assert any(step.rule == "no_team" for step in report.explanation.steps)
    exact = accuracy_report(_scores(), levels=(Level.PROGRAM,), method=IntervalMethod.CLOPPER_PEARSON)
    assert len(exact.rows) == 5 and exact.rows[0].proportion.method is IntervalMethod.CLOPPER_PEARSON
    assert set(report.to_frame()["level"]) == {"agent", "team", "program"}
