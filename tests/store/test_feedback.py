"""Disputes and coaching records round-trip on SQLite and PostgreSQL; decisions and acknowledgements update."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcert.errors import NotFound
from cxcert.quality.feedback import (
    CoachingRecord,
    Dispute,
    DisputedEvaluation,
    DisputeOutcome,
    FeedbackWindows,
    acknowledge,
    decide_dispute,
    raise_dispute,
)
from cxcert.store.db import Database
from cxcert.store.repository import Repositories

WINDOWS = FeedbackWindows(dispute_window_days=5, acknowledgement_due_days=3, origin="test")


def _evaluation(evaluation_id: str, agent: str = "a17") -> DisputedEvaluation:
    return DisputedEvaluation(
        entity_id="site", evaluation_id=evaluation_id, agent_id=agent, program="care",
        evaluated_on=dt.date(2026, 3, 2), parameter_ids=("greeting", "verify_identity"),
    )  # fmt: skip


def test_dispute_round_trip_and_decision(db: Database) -> None:
    first = raise_dispute(
        _evaluation("ev-1"), dispute_id="dp-1", raised_by="a17", raised_on=dt.date(2026, 3, 4),
        reason="the caller was verified by the IVR", windows=WINDOWS, parameter_ids=("verify_identity",),
    )  # fmt: skip
    second = raise_dispute(
        _evaluation("ev-2", agent="a18"), dispute_id="dp-2", raised_by="a18", raised_on=dt.date(2026, 3, 3),
        reason="wrong greeting version", windows=WINDOWS,
    )  # fmt: skip
    with db.session() as session:
        repo = Repositories(session).feedback
        repo.save_dispute(first)
        repo.save_dispute(second)
    decided = decide_dispute(first, DisputeOutcome.UPHELD, by="qa_lead", on=dt.date(2026, 3, 6), note="IVR log")
    with db.session() as session:
        repo = Repositories(session).feedback
        assert repo.get_dispute("dp-1") == first
        assert repo.disputes("site") == (second, first)  # by raised date
        repo.save_dispute(decided)
    with db.session() as session:
        repo = Repositories(session).feedback
        assert repo.get_dispute("dp-1") == decided
        assert repo.disputes("site", outcome=DisputeOutcome.UPHELD) == (decided,)
        assert repo.disputes("site", outcome=DisputeOutcome.PENDING) == (second,)
        assert repo.disputes("site", agent_id="a18") == (second,)
        assert repo.disputes("site", evaluation_id="ev-1") == (decided,)
        assert repo.disputes("elsewhere") == ()
        with pytest.raises(NotFound):
            repo.get_dispute("dp-9")


def test_coaching_round_trip_and_acknowledgement(db: Database) -> None:
    record = CoachingRecord(
        id="co-1", entity_id="site", agent_id="a17", program="care", coach_id="tl1", held_on=dt.date(2026, 3, 5),
        evaluation_ids=("ev-1",), topics=("verification", "disclosures"), notes="walked through two calls",
        actions=("re-read the verification procedure", "shadow a senior agent"), follow_up_on=dt.date(2026, 3, 19),
    )  # fmt: skip
    other = CoachingRecord(id="co-2", entity_id="site", agent_id="a18", coach_id="tl1", held_on=dt.date(2026, 3, 1))
    with db.session() as session:
        repo = Repositories(session).feedback
        repo.save_coaching(record)
        repo.save_coaching(other)
    signed = acknowledge(record, dt.date(2026, 3, 6), "understood")
    with db.session() as session:
        repo = Repositories(session).feedback
        assert repo.get_coaching("co-1") == record
        assert repo.coaching_records("site") == (other, record)
        repo.save_coaching(signed)
    with db.session() as session:
        repo = Repositories(session).feedback
        assert repo.get_coaching("co-1") == signed
        assert repo.coaching_records("site", unacknowledged_only=True) == (other,)
        assert repo.coaching_records("site", agent_id="a17") == (signed,)
        with pytest.raises(NotFound):
            repo.get_coaching("co-9")


TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=40)
DAYS = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))


@st.composite
def disputes(draw: st.DrawFn) -> Dispute:
    raised = draw(DAYS)
    outcome = draw(st.sampled_from(DisputeOutcome))
    decided = outcome is not DisputeOutcome.PENDING
    return Dispute(
        id=draw(TEXT.map(str.strip).filter(bool)), entity_id="site", evaluation_id=draw(TEXT), agent_id=draw(TEXT),
        program=draw(st.none() | TEXT), evaluated_on=raised, window_days=draw(st.integers(0, 365)),
        raised_by=draw(TEXT), raised_on=raised, reason=draw(TEXT),
        parameter_ids=tuple(draw(st.lists(TEXT, max_size=3))),
        outcome=outcome, decided_by=draw(TEXT) if decided else None,
        decided_on=raised + dt.timedelta(days=draw(st.integers(0, 30))) if decided else None,
        decision_note=draw(st.text(max_size=40).filter(lambda t: "\x00" not in t)),
    )  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dispute=disputes())
def test_any_dispute_round_trips(db: Database, dispute: Dispute) -> None:
    """Whatever text and dates a dispute holds, the database gives back the same value (UTF-8, JSON lists)."""
    with db.session() as session:
        Repositories(session).feedback.save_dispute(dispute)
    with db.session() as session:
        assert Repositories(session).feedback.get_dispute(dispute.id) == dispute
