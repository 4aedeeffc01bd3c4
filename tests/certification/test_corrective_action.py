"""Corrective actions raised from findings, and revocation proposed past the grace period (DOMAIN.md section 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from cxcert.certification.assessment import AssessmentKind
from cxcert.certification.corrective_action import (
    ActionStatus,
    CorrectiveAction,
    default_owner,
    plan_for_decision,
    raise_from_findings,
    review,
)
from cxcert.certification.decision import decide
from cxcert.certification.people import Role, RoleGrant
from cxcert.errors import CxcertError
from cxcert.standards import library

from .builders import MAJOR, MINOR, NA, C, assessment
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
    closed = [a.close(due, "verified") for a in actions]
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
    closed = a.close(dt.date(2001, 3, 10), "verified")
    assert closed.status is ActionStatus.CLOSED and closed.days_overdue(dt.date(2002, 1, 1)) == 0
    with pytest.raises(CxcertError, match="already closed"):
        closed.close(dt.date(2001, 3, 11), "verified")
    with pytest.raises(CxcertError, match="before it was raised"):
        a.close(dt.date(2001, 2, 1), "verified")
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


def test_a_decision_raises_its_plans_with_the_rule_sets_due_days_and_owner() -> None:
    """The test rule set gives plans 45 days (corrective_action_due_days) and the coordinator role."""
    audit = assessment(STANDARD, {"3.2": MINOR, "4.1": MAJOR})
    decision = decide(audit, STANDARD, RULES)
    grants = [RoleGrant(person_id="p-ops", entity_id="ent-1", role=Role.MANAGER),
              RoleGrant(person_id="p-coord", entity_id="ent-1", role=Role.COORDINATOR)]  # fmt: skip
    owner = default_owner(RULES, grants)
    assert owner == "p-coord" and default_owner(RULES, grants[:1]) == "coordinator"  # nobody holds it: the role
    raised = plan_for_decision(decision, audit, RULES, raised_on=RAISED, owner=owner)
    assert [(a.item, a.owner, a.due_on) for a in raised.opened] == [
        ("4.1", "p-coord", dt.date(2001, 4, 15)),  # 1 March + 45 days
        ("3.2", "p-coord", dt.date(2001, 4, 15)),
    ]
    assert raised.already_raised == ()
    assert raised.explanation.steps[0].inputs["days"] == 45


def test_deciding_again_opens_nothing_and_keeps_what_was_done() -> None:
    audit = assessment(STANDARD, {"3.2": MINOR, "4.1": MAJOR})
    decision = decide(audit, STANDARD, RULES)
    first = plan_for_decision(decision, audit, RULES, raised_on=RAISED, owner="p-coord").opened
    worked = (first[0].close(dt.date(2001, 3, 20), "verified"), first[1].assign("p-ops"))
    again = plan_for_decision(decision, audit, RULES, raised_on=dt.date(2001, 5, 1), owner="x", existing=worked)
    assert again.opened == () and again.already_raised == worked


def test_a_finding_changed_level_updates_its_plan_and_keeps_the_work() -> None:
    audit = assessment(STANDARD, {"3.2": MINOR, "4.1": MAJOR})
    first = plan_for_decision(decide(audit, STANDARD, RULES), audit, RULES, raised_on=RAISED, owner="p-coord").opened
    worked = (first[0].close(dt.date(2001, 3, 20), "verified"), first[1].assign("p-ops"))  # 4.1 closed, 3.2 assigned
    worse = assessment(STANDARD, {"3.2": MAJOR, "4.1": MAJOR})
    again = plan_for_decision(decide(worse, STANDARD, RULES), worse, RULES, raised_on=dt.date(2001, 5, 1),
                              owner="x", existing=worked)  # fmt: skip
    (updated,) = again.updated
    assert updated == worked[1].model_copy(
        update={"finding_level": MAJOR, "description": "Close the major deficiency on item 3.2: note on 3.2"}
    )
    assert (updated.owner, updated.raised_on, updated.due_on) == ("p-ops", RAISED, dt.date(2001, 4, 15))
    assert again.opened == () and again.already_raised == (worked[0],)
    assert "item 3.2 minor_deficiency -> major_deficiency" in again.explanation.steps[1].conclusion
    assert again.all == (updated, worked[0])


def test_only_judged_deficiencies_get_a_plan() -> None:
    """A review judges the items it has findings on; a process scope leaves the rest out; nothing is planned for
    an item without a finding."""
    review_ = assessment(STANDARD, {"4.1": MAJOR, "4.2": C}, default=None, kind=AssessmentKind.SIX_MONTH_REVIEW)
    raised = plan_for_decision(decide(review_, STANDARD, RULES), review_, RULES, raised_on=RAISED, owner="p")
    assert [a.item for a in raised.opened] == ["4.1"]
    scoped = assessment(STANDARD, {"2.1": MINOR, "3.1": MAJOR}).model_copy(update={"scope_items": ("2.1", "2.2")})
    raised = plan_for_decision(decide(scoped, STANDARD, RULES), scoped, RULES, raised_on=RAISED, owner="p")
    assert [a.item for a in raised.opened] == ["2.1"]  # 3.1 is outside the process scope
    partial = assessment(STANDARD, {"1.1": MINOR}, default=None)
    raised = plan_for_decision(decide(partial, STANDARD, RULES), partial, RULES, raised_on=RAISED, owner="p")
    assert [a.item for a in raised.opened] == ["1.1"]
    assert "32 items without a finding get no plan" in raised.explanation.render()


def test_assign_and_its_mistakes() -> None:
    a = _actions()[0]
    assert a.assign(" p-new ").owner == "p-new"
    with pytest.raises(CxcertError, match="must not be empty"):
        a.assign("  ")
    with pytest.raises(CxcertError, match="cannot be reassigned"):
        a.close(dt.date(2001, 3, 10), "verified").assign("p-new")
