"""The calendar after a decision: six-month review, re-certification, application update, statuses."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxcert.certification.assessment import AssessmentKind
from cxcert.certification.calendar import (
    EventKind,
    EventStatus,
    action_events,
    add_months,
    calendar_settings,
    due_and_overdue,
    plan_calendar,
)
from cxcert.certification.corrective_action import raise_from_findings
from cxcert.certification.decision import Decision, decide
from cxcert.errors import CxcertError

from .builders import MAJOR, MINOR, assessment
from .conftest import load_test_rule_set, load_test_standard

STANDARD = load_test_standard()
RULES = load_test_rule_set()


def _decision(kind: AssessmentKind = AssessmentKind.COMPLIANCE_AUDIT) -> Decision:
    return decide(assessment(STANDARD, kind=kind), STANDARD, RULES)


def test_month_arithmetic_clamps_to_month_end() -> None:
    """Hand calendar: 31 Jan + 1 month is the last day of February (28 in 2001, 29 in the leap year 2024)."""
    assert add_months(dt.date(2001, 1, 31), 1) == dt.date(2001, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2001, 3, 31), -1) == dt.date(2001, 2, 28)
    assert add_months(dt.date(2001, 11, 15), 2) == dt.date(2002, 1, 15)
    assert add_months(dt.date(2001, 1, 15), -2) == dt.date(2000, 11, 15)
    assert add_months(dt.date(2000, 2, 29), 12) == dt.date(2001, 2, 28)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2400, 12, 31)), st.integers(-600, 600))
def test_add_months_lands_in_the_right_month(day: dt.date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == day.day or (moved.day < day.day and (moved + dt.timedelta(days=1)).day == 1)


def test_certifying_decision_calendar() -> None:
    """Founding rules: review 6 months after, re-certification 12 months after, update 2 months before the audit."""
    decided = dt.date(2001, 1, 31)
    cal = plan_calendar(decided, _decision(), RULES, today=dt.date(2001, 2, 1))
    six = cal.event(EventKind.SIX_MONTH_REVIEW)
    recert = cal.event(EventKind.RECERTIFICATION_AUDIT)
    update = cal.event(EventKind.APPLICATION_UPDATE)
    assert six is not None and six.due_on == dt.date(2001, 7, 31)
    assert recert is not None and recert.due_on == dt.date(2002, 1, 31)
    assert update is not None and update.due_on == dt.date(2001, 11, 30)  # 31 Jan 2002 - 2 months, clamped
    assert [e.kind for e in cal.events] == [
        EventKind.SIX_MONTH_REVIEW,
        EventKind.APPLICATION_UPDATE,
        EventKind.RECERTIFICATION_AUDIT,
    ]
    assert all(e.status is EventStatus.UPCOMING for e in cal.events)
    assert six.explanation.steps[0].inputs["months"] == 6


def test_planned_audit_sets_the_application_update() -> None:
    cal = plan_calendar(
        dt.date(2001, 1, 10), _decision(), RULES, planned_audit=dt.date(2001, 12, 1), today=dt.date(2001, 1, 10)
    )
    update = cal.event(EventKind.APPLICATION_UPDATE)
    assert update is not None and update.due_on == dt.date(2001, 10, 1)
    assert cal.event(EventKind.PLANNED_AUDIT) is not None


def test_non_certifying_decision_has_no_certification_calendar() -> None:
    candidate = decide(assessment(STANDARD, {"1.1": MAJOR}, commitment=True), STANDARD, RULES)
    cal = plan_calendar(dt.date(2001, 1, 10), candidate, RULES, today=dt.date(2001, 1, 10))
    assert cal.events == ()
    assert "does not certify" in cal.explanation.steps[0].conclusion
    planned = plan_calendar(
        dt.date(2001, 1, 10), candidate, RULES, planned_audit=dt.date(2001, 9, 1), today=dt.date(2001, 1, 10)
    )
    assert [(e.kind, e.due_on) for e in planned.events] == [
        (EventKind.APPLICATION_UPDATE, dt.date(2001, 7, 1)),
        (EventKind.PLANNED_AUDIT, dt.date(2001, 9, 1)),
    ]


def test_recertification_decision_has_no_six_month_review() -> None:
    d = _decision(kind=AssessmentKind.RECERTIFICATION_AUDIT)
    cal = plan_calendar(dt.date(2002, 1, 10), d, RULES, today=dt.date(2002, 1, 10))
    assert cal.event(EventKind.SIX_MONTH_REVIEW) is None
    assert cal.event(EventKind.RECERTIFICATION_AUDIT) is not None


def test_statuses_due_overdue_upcoming_done() -> None:
    decided = dt.date(2001, 1, 1)
    d = _decision()
    window = calendar_settings().due_window_days
    review_day = dt.date(2001, 7, 1)
    due = plan_calendar(decided, d, RULES, today=review_day - dt.timedelta(days=window))
    assert due.event(EventKind.SIX_MONTH_REVIEW).status is EventStatus.DUE  # type: ignore[union-attr]
    early = plan_calendar(decided, d, RULES, today=review_day - dt.timedelta(days=window + 1))
    assert early.event(EventKind.SIX_MONTH_REVIEW).status is EventStatus.UPCOMING  # type: ignore[union-attr]
    late = plan_calendar(decided, d, RULES, today=review_day + dt.timedelta(days=1))
    assert late.event(EventKind.SIX_MONTH_REVIEW).status is EventStatus.OVERDUE  # type: ignore[union-attr]
    done = plan_calendar(
        decided, d, RULES, today=review_day + dt.timedelta(days=1), done={EventKind.SIX_MONTH_REVIEW: review_day}
    )
    assert done.event(EventKind.SIX_MONTH_REVIEW).status is EventStatus.DONE  # type: ignore[union-attr]


def test_due_and_overdue_filters_by_horizon() -> None:
    cal = plan_calendar(dt.date(2001, 1, 1), _decision(), RULES, today=dt.date(2001, 6, 20))
    picked = due_and_overdue(cal.events, dt.date(2001, 6, 20), horizon_days=15)
    assert [(e.kind, e.status) for e in picked] == [(EventKind.SIX_MONTH_REVIEW, EventStatus.DUE)]
    later = due_and_overdue(cal.events, dt.date(2001, 11, 15), horizon_days=0)
    assert [(e.kind, e.due_on, e.status) for e in later] == [
        (EventKind.SIX_MONTH_REVIEW, dt.date(2001, 7, 1), EventStatus.OVERDUE),
        (EventKind.APPLICATION_UPDATE, dt.date(2001, 11, 1), EventStatus.OVERDUE),
    ]
    with pytest.raises(CxcertError, match="horizon"):
        due_and_overdue(cal.events, dt.date(2001, 1, 1), horizon_days=-1)


def test_corrective_action_events_show_the_grace_deadline() -> None:
    audit = assessment(STANDARD, {"2.1": MINOR, "3.1": MAJOR})
    actions = raise_from_findings(audit, owner="p", raised_on=dt.date(2001, 1, 1), due_in_days=30)
    closed = actions[0].close(dt.date(2001, 1, 20), "verified")
    events = action_events([closed, actions[1]], RULES, dt.date(2001, 2, 5))
    assert [(e.kind, e.due_on, e.status, e.reference) for e in events] == [
        (EventKind.CORRECTIVE_ACTION_DUE, dt.date(2001, 1, 31), EventStatus.OVERDUE, "a-1/CA-2.1"),
        (EventKind.CORRECTIVE_ACTION_GRACE_ENDS, dt.date(2001, 3, 2), EventStatus.DUE, "a-1/CA-2.1"),
    ]
