"""A decision made by the core is stored whole and comes back equal (counts, points, contributions, explanation)."""

from __future__ import annotations

import datetime as dt

from cxcert.certification.assessment import Assessment, AssessmentKind, Finding
from cxcert.certification.decision import decide
from cxcert.standards import library
from cxcert.standards.rule_set import FindingLevel
from cxcert.store.db import Database
from cxcert.store.repository import Repositories

from . import samples


def _audit() -> Assessment:
    standard = library.standard(samples.ENTITY.standard_urn)
    items = standard.scorable_items()
    levels = [FindingLevel.COMPLIANT] * (len(items) - 3) + [FindingLevel.MINOR, FindingLevel.MAJOR]
    findings = tuple(Finding(item=it.number, level=lv) for it, lv in zip(items, levels, strict=False))
    return samples.AUDIT.model_copy(update={"findings": findings, "scope_items": None})


def test_decision_round_trip_and_history(db: Database) -> None:
    audit = _audit()
    standard = library.standard(samples.ENTITY.standard_urn)
    rule_set = library.rule_set(samples.ENTITY.rule_set_id)
    decision = decide(audit, standard, rule_set)
    assert decision.missing == 1  # one scorable item left without a finding, on purpose
    with db.session() as session:
        repos = Repositories(session)
        repos.organisations.save_organisation(samples.ORGANISATION)
        repos.organisations.save_entity(samples.ENTITY)
        repos.assessments.save_assessment(audit)
        first = repos.decisions.save_decision(decision, dt.date(2026, 9, 10), decided_by="ben")
        second = repos.decisions.save_decision(decision, dt.date(2026, 9, 11))
    with db.session() as session:
        decisions = Repositories(session).decisions
        stored = decisions.decisions("acme-care")
        latest = decisions.latest_decision("acme-care")
    assert [r.id for r in stored] == [first.id, second.id]
    assert stored[0].decision == decision
    assert stored[0].decided_by == "ben" and stored[0].decided_on == dt.date(2026, 9, 10)
    assert stored[0].decision.explanation.render() == decision.explanation.render()
    assert latest is not None and latest.id == second.id


def test_second_audit_kind_is_kept(db: Database) -> None:
    audit = _audit().model_copy(update={"id": "a2", "kind": AssessmentKind.SECOND_AUDIT})
    decision = decide(audit, library.standard(samples.ENTITY.standard_urn), library.rule_set("copc-2000-founding"))
    with db.session() as session:
        repos = Repositories(session)
        repos.organisations.save_organisation(samples.ORGANISATION)
        repos.organisations.save_entity(samples.ENTITY)
        repos.assessments.save_assessment(audit)
        repos.decisions.save_decision(decision, dt.date(2026, 10, 1))
    with db.session() as session:
        record = Repositories(session).decisions.get_latest_decision("acme-care")
    assert record.decision.assessment_kind is AssessmentKind.SECOND_AUDIT


def test_the_standing_decision_of_each_scope_ignores_review_results(db: Database) -> None:
    """A six-month review's result and a process certification's decision are stored, but neither replaces the
    full certification's standing decision (DOMAIN.md section 3: the review has no consequence then)."""
    standard = library.standard(samples.ENTITY.standard_urn)
    rule_set = library.rule_set(samples.ENTITY.rule_set_id)
    audit = _audit()
    review = audit.model_copy(update={"id": "r1", "kind": AssessmentKind.SIX_MONTH_REVIEW})
    process = audit.model_copy(update={"id": "p1", "scope_items": ("4.7", "2.3", "2.4")})
    with db.session() as session:
        repos = Repositories(session)
        repos.organisations.save_organisation(samples.ORGANISATION)
        repos.organisations.save_entity(samples.ENTITY)
        for a in (audit, review, process):
            repos.assessments.save_assessment(a)
        full = repos.decisions.save_decision(decide(audit, standard, rule_set), dt.date(2026, 9, 10))
        repos.decisions.save_decision(decide(review, standard, rule_set), dt.date(2027, 3, 10))
        scoped = repos.decisions.save_decision(decide(process, standard, rule_set), dt.date(2027, 4, 1))
    with db.session() as session:
        decisions = Repositories(session).decisions
        standing = decisions.standing_decisions("acme-care")
        latest = decisions.latest_decision("acme-care")
        assert [r.id for r in standing] == [full.id, scoped.id]
        assert decisions.standing_decision("acme-care") == full
        assert decisions.standing_decision("acme-care", ("2.3", "2.4", "4.7")) == scoped
        reviews = decisions.review_results("acme-care")
    assert [r.decision.assessment_id for r in reviews] == ["r1"]
    assert not reviews[0].decision.stands and reviews[0].decision.outcome.value == "review"
    assert latest is not None and latest.id == scoped.id  # the latest of any kind is still there to read


def test_who_authorises_is_stored_with_the_decision(db: Database) -> None:
    """samples.ENTITY is in GB and ZA: outside the US a licensee oversees and submits, headquarters authorises
    (DOMAIN.md section 1, the founding rule set's authorities)."""
    standard = library.standard(samples.ENTITY.standard_urn)
    decision = decide(_audit(), standard, library.rule_set(samples.ENTITY.rule_set_id), entity=samples.ENTITY)
    assert decision.authority is not None and decision.authority.authorises_decision == ("headquarters",)
    with db.session() as session:
        repos = Repositories(session)
        repos.organisations.save_organisation(samples.ORGANISATION)
        repos.organisations.save_entity(samples.ENTITY)
        repos.assessments.save_assessment(_audit())
        repos.decisions.save_decision(decision, dt.date(2026, 9, 10))
    with db.session() as session:
        stored = Repositories(session).decisions.get_latest_decision("acme-care").decision
    assert stored == decision
    assert stored.authority is not None and stored.authority.submits_application == ("licensee",)
