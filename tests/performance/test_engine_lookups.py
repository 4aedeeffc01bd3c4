"""Survey and quality metrics cut by queue and channel through the contact each row names (the catalogue's
``lookups``), with rows whose contact is unknown grouped as "(unknown)" and counted. Hand-checked fixture."""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pytest

from cxcert.errors import CxcertError
from cxcert.performance.engine import compute, scorecard
from cxcert.performance.periods import MONTH

from .tables import contact, tables, utc

MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
BY = ("program", "queue", "channel")


def _survey(sid: int, contact_id: str | None, score: float) -> dict[str, object]:
    return {"contact_id": contact_id, "answered_at": utc(2024, 3, 5, 10, sid), "instrument": "csat", "score": score,
            "scale_min": 1.0, "scale_max": 5.0}  # fmt: skip


def _evaluation(eid: str, contact_id: str | None) -> dict[str, object]:
    return {"evaluation_id": eid, "contact_id": contact_id, "agent_id": "a", "evaluator_id": "x",
            "evaluated_at": utc(2024, 3, 6), "form_id": "f", "form_version": 1}  # fmt: skip


@pytest.fixture(scope="module")
def operation() -> dict[str, ir.Table]:
    """c1 voice in q1 (in February: a survey may follow a contact of an earlier month), c2 chat in q2; c2 appears
    twice (ingested from two feeds) and must not count its survey twice."""
    return tables(
        contacts=[
            contact("c1", utc(2024, 2, 28, 9), wait=5),
            contact("c2", utc(2024, 3, 4, 9), wait=5, queue="q2", channel="chat"),
            contact("c2", utc(2024, 3, 4, 9), wait=5, queue="q2", channel="chat"),
        ],
        surveys=[
            _survey(1, "c1", 5), _survey(2, "c1", 2), _survey(3, "c2", 4), _survey(4, "gone", 5), _survey(5, None, 1),
        ],
        evaluations=[_evaluation("v1", "c1"), _evaluation("v2", "c2"), _evaluation("v3", None)],
        evaluation_items=[
            {"evaluation_id": "v1", "parameter_id": "greet", "result": "fail", "error_class": "customer_critical"},
            {"evaluation_id": "v2", "parameter_id": "greet", "result": "pass", "error_class": "customer_critical"},
            {"evaluation_id": "v3", "parameter_id": "greet", "result": "pass", "error_class": "customer_critical"},
        ],
    )


def test_csat_by_queue_and_channel_with_unknown_contacts_grouped(operation: dict[str, ir.Table]) -> None:
    # q1/voice: 5 (top) and 2 → 1 of 2; q2/chat: 4 → 1 of 1; unknown contact "gone" (5) and none (1) → 1 of 2.
    result = compute("csat_top_box", operation, grain=MONTH, tz="UTC", start=MARCH[0], end=MARCH[1], by=BY)
    rows = {(r["queue"], r["channel"]): (r["numerator"], r["denominator"]) for r in result.rows()}
    assert rows == {("q1", "voice"): (1.0, 2.0), ("q2", "chat"): (1.0, 1.0), ("(unknown)", "(unknown)"): (1.0, 2.0)}
    lookup = next(s for s in result.explanation.steps if s.rule == "lookup")
    assert lookup.conclusion == (
        "queue, channel of surveys from contacts via contact_id; 2 of 5 (denominator) name no contacts row and are "
        "grouped as (unknown)"
    )
    # By program alone nothing is joined: one row of 3 top boxes in 5.
    (whole,) = compute("csat_top_box", operation, grain=MONTH, tz="UTC", start=MARCH[0], end=MARCH[1]).rows()
    assert (whole["numerator"], whole["denominator"]) == (3.0, 5.0)


def test_quality_by_channel(operation: dict[str, ir.Table]) -> None:
    # v1 (voice) failed a customer-critical item, v2 (chat) passed, v3 names no contact.
    card = scorecard(operation, ("critical_error_accuracy_customer", "nps"), tz="UTC", start=MARCH[0],
                     end=MARCH[1], by=("program", "channel"), strict=True)  # fmt: skip
    rows = card.results["critical_error_accuracy_customer"].rows()
    assert {r["channel"]: (r["numerator"], r["denominator"]) for r in rows} == {
        "voice": (0.0, 1.0), "chat": (1.0, 1.0), "(unknown)": (1.0, 1.0),
    }  # fmt: skip
    assert card.results["nps"].rows() == []  # no NPS answers: nothing to cut


def test_a_lookup_needs_its_table() -> None:
    t = tables(surveys=[_survey(1, "c1", 5)])
    with pytest.raises(CxcertError, match="cutting surveys by queue needs table 'contacts'"):
        compute("csat_top_box", t, grain=MONTH, tz="UTC", start=MARCH[0], end=MARCH[1], by=("program", "queue"))
