"""Scoring on the pinned form: hand calculations on the packaged voice_cs grid, fatal rules, batch = single."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.errors import ValidationFailed
from cxcert.quality.evaluation import ItemResult, enter_evaluation
from cxcert.quality.form import ErrorClass
from cxcert.quality.form_registry import FormRegistry
from cxcert.quality.scoring import error_column, score, score_batch, score_evaluation

REGISTRY = FormRegistry.packaged()
V1 = REGISTRY.get("voice_cs", 1)
V2 = REGISTRY.get("voice_cs", 2)


def all_pass(**changes: str) -> dict[str, str]:
    results = {p.id: "pass" for p in V1.parameters}
    results.update(changes)
    return results


def test_all_pass_scores_100_percent() -> None:
    result = score_evaluation(V1, all_pass(), "e0")
    assert result.score == 1.0 and result.earned == result.possible == 80.0
    assert not result.errors and not result.fatal


def test_non_critical_fail_and_na_by_hand() -> None:
    """Hand calculation (v1 weights opening 1, resolution 2, compliance 1, soft skills 1):
    greeting (5 of 15 opening points) fails, closing is n/a -> opening 10/15, others 100 %:
    (1 x 2/3 + 2 x 1 + 1 x 1 + 1 x 1) / 5 = 0.93333; earned 70 of 75 possible points."""
    result = score_evaluation(V1, all_pass(greeting="fail", closing="na"), "e1")
    assert result.score == pytest.approx(14 / 15)
    assert (result.earned, result.possible) == (70.0, 75.0)
    assert result.errors == frozenset({ErrorClass.NON_CRITICAL})
    # v2 re-weights (1, 3, 1, 0.5): (2/3 + 3 + 1 + 0.5) / 5.5 = 0.939394
    assert score_evaluation(V2, all_pass(greeting="fail", closing="na")).score == pytest.approx((2 / 3 + 4.5) / 5.5)


def test_zero_section_fatal() -> None:
    """correct_resolution fails (zero_section): resolution scores 0 -> (1 + 0 + 1 + 1) / 5 = 0.6."""
    result = score_evaluation(V1, all_pass(correct_resolution="fail"), "e2")
    assert result.score == pytest.approx(0.6)
    resolution = next(s for s in result.sections if s.section_id == "resolution")
    assert resolution.score == 0.0 and resolution.zeroed_by == ("correct_resolution",)
    assert result.fatal_failures == ("correct_resolution",)
    assert result.has_error(ErrorClass.CUSTOMER_CRITICAL)
    assert "fatal_zero_section" in [s.rule for s in result.explanation.steps]


def test_zero_evaluation_fatal() -> None:
    result = score_evaluation(V1, all_pass(verify_identity="fail"), "e3")
    assert result.score == 0.0 and result.earned == 0.0
    assert result.errors == frozenset({ErrorClass.COMPLIANCE_CRITICAL})
    assert result.explanation.steps[-1].rule == "fatal_zero_evaluation"


def test_business_critical_is_fatal_only_from_v2() -> None:
    """v1: losing 10 of 40 resolution points -> (1 + 2 x 0.75 + 1 + 1) / 5 = 0.9; v2 zeroes the section."""
    assert score_evaluation(V1, all_pass(correct_account_action="fail")).score == pytest.approx(0.9)
    assert score_evaluation(V2, all_pass(correct_account_action="fail")).score == pytest.approx(2.5 / 5.5)


def test_a_section_with_nothing_applicable_leaves_the_weights() -> None:
    result = score_evaluation(V1, all_pass(mandatory_disclosures="na"))
    assert result.score == 1.0
    assert next(s for s in result.sections if s.section_id == "compliance").score is None
    assert score_evaluation(V1, {p.id: "na" for p in V1.parameters}).score is None


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="'upsell' is not on form voice_cs v1"):
        score_evaluation(V1, all_pass(upsell="pass"))


def test_manual_entry_pins_the_form_and_checks_every_parameter() -> None:
    when = dt.datetime(2026, 8, 3, 14, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationFailed) as info:
        enter_evaluation(
            V2, evaluation_id="e9", agent_id="a1", evaluator_id="q1", evaluated_at=when, results={"greeting": "maybe"}
        )
    assert "unanswered parameters" in " ".join(info.value.issues)
    assert "'greeting': result 'maybe' is not one of pass, fail, na" in " ".join(info.value.issues)
    entered = enter_evaluation(
        V2, evaluation_id="e9", agent_id="a1", evaluator_id="q1", evaluated_at=when, results=all_pass(closing="n/a")
    )
    assert (entered.form_id, entered.form_version) == ("voice_cs", 2)
    assert entered.results["closing"] is ItemResult.NA
    assert score(entered, REGISTRY).score == 1.0


def _items(evaluations: dict[str, tuple[int, dict[str, str]]]) -> pd.DataFrame:
    rows = [
        (eid, pid, result, "voice_cs", version)
        for eid, (version, results) in evaluations.items()
        for pid, result in results.items()
    ]
    return pd.DataFrame(rows, columns=["evaluation_id", "parameter_id", "result", "form_id", "form_version"])


def test_batch_passes_evaluation_columns_through() -> None:
    items = _items({"e1": (1, all_pass(greeting="fail")), "e2": (2, all_pass(verify_identity="fail"))})
    evaluations = pd.DataFrame(
        {"evaluation_id": ["e1", "e2"], "agent_id": ["a1", "a2"], "form_id": "voice_cs", "form_version": [1, 2]}
    )
    frame = score_batch(items.drop(columns=["form_id", "form_version"]), REGISTRY, evaluations).frame
    assert list(frame["agent_id"]) == ["a1", "a2"]
    assert list(frame[error_column(ErrorClass.COMPLIANCE_CRITICAL)]) == [False, True]
    assert frame.loc[1, "score"] == 0.0 and bool(frame.loc[1, "fatal"])


def test_batch_rejects_bad_results_and_unknown_parameters() -> None:
    items = _items({"e1": (1, all_pass(greeting="maybe"))})
    with pytest.raises(ValidationFailed, match="not one of pass, fail, na"):
        score_batch(items, REGISTRY)
    with pytest.raises(ValidationFailed, match="'upsell' is not on form voice_cs v1"):
        score_batch(_items({"e1": (1, {"upsell": "pass"})}), REGISTRY)


results_strategy = st.fixed_dictionaries(
    {},
    optional={p.id: st.sampled_from(["pass", "fail", "na", "yes", "no"]) for p in V1.parameters},
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([1, 2]), results_strategy), min_size=1, max_size=6))
def test_batch_scoring_equals_one_by_one(evaluations: list[tuple[int, dict[str, str]]]) -> None:
    """Invariant: the vectorised batch gives the same numbers and flags as scoring each evaluation alone."""
    named = {f"e{i}": ev for i, ev in enumerate(evaluations) if ev[1]}
    if not named:
        return
    frame = score_batch(_items(named), REGISTRY).frame.set_index("evaluation_id")
    for eid, (version, results) in named.items():
        single = score_evaluation(REGISTRY.get("voice_cs", version), results, eid)
        row = frame.loc[eid]
        if single.score is None:
            assert pd.isna(row["score"])
        else:
            assert row["score"] == pytest.approx(single.score)
        assert row["earned"] == pytest.approx(single.earned) and row["possible"] == pytest.approx(single.possible)
        assert bool(row["fatal"]) == single.fatal
        for error_class in ErrorClass:
            assert bool(row[error_column(error_class)]) == single.has_error(error_class)
