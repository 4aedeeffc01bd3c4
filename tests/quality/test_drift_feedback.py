"""Evaluator drift from the calibration anchor; dispute windows and coaching acknowledgement."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cxcert.errors import CxcertError, IllegalTransition
from cxcert.quality.drift import calibration_thresholds, evaluator_drift
from cxcert.quality.feedback import (
    CoachingRecord,
    DisputedEvaluation,
    DisputeOutcome,
    acknowledge,
    acknowledgement_due,
    acknowledgement_overdue,
    can_dispute,
    decide_dispute,
    feedback_policy,
    feedback_rules,
    raise_dispute,
)
from cxcert.quality.form_registry import FormRegistry


def session() -> pd.DataFrame:
    # 5 calls scored 0-100 by the anchor (expert) and two evaluators; critical = called a critical error
    rows = [
        ("c1", "expert", 90, False), ("c2", "expert", 60, True), ("c3", "expert", 80, False),
        ("c4", "expert", 40, True), ("c5", "expert", 100, False),
        ("c1", "q1", 90, False), ("c2", "q1", 60, True), ("c3", "q1", 80, False),
        ("c4", "q1", 40, True), ("c5", "q1", 100, False),
        ("c1", "q2", 95, False), ("c2", "q2", 80, False), ("c3", "q2", 80, True),
        ("c4", "q2", 50, True), ("c5", "q2", 100, False),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["item_id", "evaluator_id", "score", "critical"])


def test_drift_from_anchor_by_hand() -> None:
    """q2 vs expert: differences +5, +20, 0, +10, 0 -> mean +7 (lenient), |mean| 7, agreement 2/5;
    the expert called 2 critical errors (c2, c4), q2 missed c2 -> 1/2, and called one the expert did not (c3)."""
    report = evaluator_drift(session(), "expert")
    q1, q2 = report.of("q1"), report.of("q2")
    assert (q1.mean_difference, q1.agreement_rate, q1.missed_critical) == (0.0, 1.0, 0)
    assert not q1.needs_recalibration
    assert q2.mean_difference == pytest.approx(7.0) and q2.mean_abs_difference == pytest.approx(7.0)
    assert q2.agreement_rate == pytest.approx(0.4)
    assert (q2.anchor_critical_calls, q2.missed_critical, q2.missed_critical_share, q2.extra_critical) == (2, 1, 0.5, 1)
    assert q2.needs_recalibration and "missed 1 of 2 critical calls" in q2.explanation.summary
    assert "recalibrate: q2" in report.explanation.summary
    assert evaluator_drift(session(), "expert", tolerance=5).of("q2").agreement_rate == pytest.approx(0.6)


def test_drift_needs_the_anchor() -> None:
    with pytest.raises(CxcertError, match="anchor 'boss' scored nothing"):
        evaluator_drift(session(), "boss")
    assert calibration_thresholds().min_agreement_rate == 0.9


def evaluation_on(day: dt.date, program: str | None = None) -> DisputedEvaluation:
    form = FormRegistry.packaged().get("voice_cs", 2)
    return DisputedEvaluation(
        entity_id="site", evaluation_id="e1", agent_id="a1", program=program, evaluated_on=day,
        parameter_ids=tuple(p.id for p in form.parameters),
    )  # fmt: skip


def test_dispute_window_from_yaml() -> None:
    """Window of 5 days (feedback_rules.yaml): evaluated 3 Aug -> open through 8 Aug, closed on 9 Aug."""
    evaluation = evaluation_on(dt.date(2026, 8, 3))
    windows = feedback_policy().for_program(None)
    assert feedback_rules().dispute_window_days == windows.dispute_window_days == 5
    assert can_dispute("e1", evaluation.evaluated_on, dt.date(2026, 8, 8), windows).open
    closed = can_dispute("e1", evaluation.evaluated_on, dt.date(2026, 8, 9), windows)
    assert not closed.open and closed.closes_on == dt.date(2026, 8, 8)
    early = can_dispute("e1", evaluation.evaluated_on, dt.date(2026, 8, 2), windows)
    assert not early.open and "before" in early.explanation.summary
    args: dict[str, Any] = {"dispute_id": "d1", "raised_by": "a1", "windows": windows}
    with pytest.raises(CxcertError, match=r"the 5-day dispute window closed on 2026-08-08 .*feedback_rules\.yaml"):
        raise_dispute(evaluation, raised_on=dt.date(2026, 8, 9), reason="late", **args)
    with pytest.raises(CxcertError, match="no parameter"):
        raise_dispute(evaluation, raised_on=dt.date(2026, 8, 4), reason="x", parameter_ids=("smile",), **args)
    dispute = raise_dispute(
        evaluation, raised_on=dt.date(2026, 8, 4), reason="the caller was verified by IVR",
        parameter_ids=("verify_identity",), **args,
    )  # fmt: skip
    assert dispute.window_days == 5 and dispute.outcome is DisputeOutcome.PENDING
    with pytest.raises(IllegalTransition, match="already has dispute d1"):
        raise_dispute(evaluation, raised_on=dt.date(2026, 8, 5), reason="again", earlier=(dispute,), **args)
    with pytest.raises(CxcertError, match="own evaluation"):
        decide_dispute(dispute, DisputeOutcome.UPHELD, by="a1", on=dt.date(2026, 8, 6))
    decided = decide_dispute(dispute, DisputeOutcome.UPHELD, by="qa_lead", on=dt.date(2026, 8, 6))
    assert decided.outcome is DisputeOutcome.UPHELD and decided.decided_on == dt.date(2026, 8, 6)
    with pytest.raises(IllegalTransition):
        decide_dispute(decided, DisputeOutcome.REJECTED, by="qa_lead", on=dt.date(2026, 8, 7))
    withdrawn = decide_dispute(dispute, DisputeOutcome.WITHDRAWN, by="a1", on=dt.date(2026, 8, 5))
    again = raise_dispute(evaluation, raised_on=dt.date(2026, 8, 6), reason="with the log", earlier=(withdrawn,),
                          **{**args, "dispute_id": "d2"})  # fmt: skip
    assert again.id == "d2"  # a withdrawn dispute does not use up the evaluation's dispute


def test_program_windows_from_a_user_file(tmp_path: Path) -> None:
    """A user's file overrides the default and gives one program its own window; errors name file and line."""
    user = tmp_path / "feedback_rules.yaml"
    user.write_text(
        "source: client quality procedure QP-7\n"
        "acknowledgement_due_days: 2\n"
        "programs:\n"
        "  cards: {dispute_window_days: 10, source: Cards SLA schedule 4}\n"
    )
    policy = feedback_policy(user)
    cards, other = policy.for_program("cards"), policy.for_program("care")
    assert (cards.dispute_window_days, cards.acknowledgement_due_days) == (10, 2)
    assert (other.dispute_window_days, other.acknowledgement_due_days) == (5, 2)
    assert "programs.cards: Cards SLA schedule 4" in cards.origin
    assert raise_dispute(evaluation_on(dt.date(2026, 8, 3), "cards"), dispute_id="d1", raised_by="a1",
                         raised_on=dt.date(2026, 8, 13), reason="late but allowed", windows=cards).window_days == 10
    user.write_text("source: x\nprograms:\n  cards:\n    dispute_window_days: -1\n    source: y\n")
    with pytest.raises(CxcertError, match=r"feedback_rules.yaml:4"):
        feedback_policy(user)
    user.write_text("source: x\nprograms:\n  cards: {source: y}\n")
    with pytest.raises(CxcertError, match="give dispute_window_days"):
        feedback_policy(user)
    assert feedback_policy(tmp_path / "absent.yaml") == feedback_policy()


def test_coaching_acknowledgement() -> None:
    record = CoachingRecord(
        id="k1", entity_id="site", agent_id="a1", coach_id="tl1", held_on=dt.date(2026, 8, 5), evaluation_ids=("e1",),
        topics=("verification",), actions=("re-read the verification procedure",),
    )  # fmt: skip
    windows = feedback_policy().for_program(None)
    assert not record.acknowledged
    assert acknowledgement_due(record, windows) == dt.date(2026, 8, 8)  # due within 3 days
    assert not acknowledgement_overdue(record, dt.date(2026, 8, 8), windows)
    assert acknowledgement_overdue(record, dt.date(2026, 8, 9), windows)
    signed = acknowledge(record, dt.date(2026, 8, 6), "understood")
    assert signed.acknowledged and not acknowledgement_overdue(signed, dt.date(2026, 9, 1), windows)
    with pytest.raises(IllegalTransition):
        acknowledge(signed, dt.date(2026, 8, 7))
    with pytest.raises(CxcertError, match="before the session"):
        acknowledge(record, dt.date(2026, 8, 1))


def test_calibration_session_combines_agreement_and_drift() -> None:
    """Same session: alpha over the 3 x 5 matrix equals the krippendorff package's interval alpha."""
    import krippendorff
    import numpy as np

    from cxcert.quality.alpha import MeasurementLevel
    from cxcert.quality.calibration import calibrate

    frame = session()
    result = calibrate(frame, session_id="cal-08", held_on=dt.date(2026, 8, 10), anchor_id="expert")
    wide = frame.pivot(index="evaluator_id", columns="item_id", values="score").to_numpy(dtype=float)
    assert result.alpha.value == pytest.approx(
        krippendorff.alpha(reliability_data=wide, level_of_measurement="interval")
    )
    assert result.fleiss is None and result.evaluators == ("expert", "q1", "q2") and result.items == 5
    assert result.drift.of("q2").needs_recalibration
    pass_fail = frame.assign(score=np.where(frame["score"] >= 80, "pass", "fail"))
    nominal = calibrate(
        pass_fail, session_id="cal-08", held_on=dt.date(2026, 8, 10), anchor_id="expert", level=MeasurementLevel.NOMINAL
    )
    assert nominal.fleiss is not None and nominal.fleiss.items == 5
    # pass/fail by hand: q2 disagrees with the expert only on c2 (80 pass vs 60 fail) -> 4/5
    assert nominal.drift.of("q2").agreement_rate == pytest.approx(0.8)
    assert nominal.drift.of("q2").mean_difference is None
