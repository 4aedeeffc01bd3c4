"""Corrective actions raised from findings, and revocation proposed past the grace period (DOMAIN.md section 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from cxcert.certification.corrective_action import ActionStatus, CorrectiveAction, raise_from_findings, review
from cxcert.errors import CxcertError
from cxcert.standards import library

from .builders import MAJOR, MINOR, NA, assessment
from .conftest import load_test_rule_set, load_test_standard

STANDARD = load_test_standard()
RULES = load_test_rule_set()  # grace 30 days
RAISED = dt.date(2001, 3, 1)


def _actions() -> tuple[CorrectiveAction, ...]:
    audit = assessment(STANDARD, {"3.2": MINOR, "1.4": MINOR, "4.1": MAJOR, "2.2": NA})
    return raise_from_findings(audit, owner="p-coord", owners={"4.1": "p-ops"}, raised_on=RAISED, due_in_days=45)


def test_one_action_per_deficiency_majors_first() -> None:
    actions = _actions()
    assert [(a.item, a.finding_level, a.owner) for a in actions] == [
        ("4.1", MAJOR, "p-ops"),
        ("1.4", MINOR, "p-coord"),
        ("3.2", MINOR, "p-coord"),
    ]
    assert all(a.due_on == dt.date(2001, 4, 15) and a.is_open for a in actions)
    assert actions[0].id == "a-1/CA-4.1"
    assert actions[0].description == "Close the major deficiency on item 4.1: note on 4.1"
    assert _actions() == actions, "raising twice gives the same actions"


def test_no_deficiency_no_action() -> None:
    assert raise_from_findings(assessment(STANDARD), owner="p", raised_on=RAISED, due_in_days=10) == ()


def test_review_proposes_revocation_only_past_the_grace() -> None:
    actions = _actions()
    due = actions[0].due_on
    assert review(actions, due + dt.timedelta(days=30), RULES) == (), "exactly at the grace limit: not yet"
    proposals = review(actions, due + dt.timedelta(days=31), RULES)
    assert len(proposals) == 1
    p = proposals[0]
    assert p.entity_id == "ent-1" and p.action_ids == ("a-1/CA-1.4", "a-1/CA-3.2", "a-1/CA-4.1")  # by due date, then id
    assert "31 days overdue, more than the 30-day grace" in p.explanation.steps[0].conclusion
    closed = [a.close(due) for a in actions]
    assert review(closed, due + dt.timedelta(days=365), RULES) == ()


def test_packaged_grace_period_is_read_from_the_rule_set() -> None:
    rules = library.rule_set("copc-2000-founding")
    grace = rules.corrective_action_grace_days
    a = _actions()[0]
    assert review([a], a.due_on + dt.timedelta(days=grace), rules) == ()
    assert len(review([a], a.due_on + dt.timedelta(days=grace + 1), rules)) == 1


def test_review_groups_by_entity() -> None:
    one = _actions()[0]
    other = one.model_copy(update={"id": "x", "entity_id": "ent-2"})
    proposals = review([other, one], one.due_on + dt.timedelta(days=100), RULES)
    assert [p.entity_id for p in proposals] == ["ent-1", "ent-2"]


def test_close_and_its_mistakes() -> None:
    a = _actions()[0]
    closed = a.close(dt.date(2001, 3, 10))
    assert closed.status is ActionStatus.CLOSED and closed.days_overdue(dt.date(2002, 1, 1)) == 0
    with pytest.raises(CxcertError, match="already closed"):
        closed.close(dt.date(2001, 3, 11))
    with pytest.raises(CxcertError, match="before it was raised"):
        a.close(dt.date(2001, 2, 1))
    with pytest.raises(CxcertError, match="due_in_days"):
        raise_from_findings(assessment(STANDARD), owner="p", raised_on=RAISED, due_in_days=-1)


def test_invalid_actions_are_refused() -> None:
    base = _actions()[0].model_dump()
    with pytest.raises(ValidationError, match="closed exactly when closed_on is set"):
        CorrectiveAction.model_validate({**base, "status": "closed"})
    with pytest.raises(ValidationError, match="not compliant"):
        CorrectiveAction.model_validate({**base, "finding_level": "compliant"})
    with pytest.raises(ValidationError, match="before raised on"):
        CorrectiveAction.model_validate({**base, "due_on": dt.date(2000, 1, 1)})
