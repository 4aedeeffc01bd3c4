"""Dates checked against each other: an assessment ends after it starts, a decision follows its assessment, and
the next audit is planned after the decision it follows (hand calendar)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from cxcert.certification.assessment import Assessment
from cxcert.certification.calendar import EventKind, plan_calendar
from cxcert.certification.decision import check_decision_day, decide
from cxcert.errors import CxcertError

from .builders import assessment
from .conftest import load_test_rule_set, load_test_standard

STANDARD = load_test_standard()
RULES = load_test_rule_set()
AUDIT = assessment(STANDARD)  # started 2001-06-01


def test_an_assessment_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValidationError, match="ended on 2001-05-31 is before started on 2001-06-01"):
        Assessment.model_validate(AUDIT.model_dump() | {"ended_on": dt.date(2001, 5, 31)})
    one_day = Assessment.model_validate(AUDIT.model_dump() | {"ended_on": dt.date(2001, 6, 1)})
    assert one_day.ended_on == one_day.started_on


def test_a_decision_follows_its_assessment() -> None:
    check_decision_day(AUDIT, dt.date(2001, 6, 1))  # the day it started, no end recorded: fine
    with pytest.raises(CxcertError, match="2001-05-31 would come before assessment a-1 started on 2001-06-01"):
        check_decision_day(AUDIT, dt.date(2001, 5, 31))
    ended = Assessment.model_validate(AUDIT.model_dump() | {"ended_on": dt.date(2001, 6, 5)})
    with pytest.raises(CxcertError, match="before assessment a-1 ended on 2001-06-05"):
        check_decision_day(ended, dt.date(2001, 6, 4))
    check_decision_day(ended, dt.date(2001, 6, 5))


def test_the_planned_audit_comes_after_the_decision() -> None:
    decision = decide(AUDIT, STANDARD, RULES)
    decided = dt.date(2001, 6, 10)
    with pytest.raises(CxcertError, match="planned audit on 2001-06-09 is before the decision of 2001-06-10"):
        plan_calendar(decided, decision, RULES, planned_audit=dt.date(2001, 6, 9), today=decided)
    same_day = plan_calendar(decided, decision, RULES, planned_audit=decided, today=decided)
    assert same_day.event(EventKind.PLANNED_AUDIT) is not None
