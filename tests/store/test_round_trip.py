"""Every domain type survives a trip through the database unchanged, on SQLite and PostgreSQL.

Oracle: the value written, compared with ``==`` on the frozen pydantic models (field order, tuples, enums, dates).
"""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from cxcert.certification.assessment import Finding
from cxcert.certification.entity import Location
from cxcert.errors import CxcertError, NotFound
from cxcert.standards.rule_set import FindingLevel
from cxcert.store.db import Database
from cxcert.store.repository import Repositories

from . import samples


def _seed(db: Database) -> None:
    with db.session() as session:
        repos = Repositories(session)
        repos.organisations.save_organisation(samples.ORGANISATION)
        repos.organisations.save_entity(samples.ENTITY)
        for person in samples.PEOPLE:
            repos.people.save_person(person)


def test_organisation_and_entity_round_trip(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        repos = Repositories(session)
        assert repos.organisations.get_organisation("acme") == samples.ORGANISATION
        assert repos.organisations.get_entity("acme-care") == samples.ENTITY
        assert repos.organisations.list_entities() == (samples.ENTITY,)
        assert repos.organisations.list_entities("nobody") == ()


def test_resaving_an_entity_replaces_its_scope(db: Database) -> None:
    _seed(db)
    changed = samples.ENTITY.model_copy(
        update={
            "name": "Acme Care (renamed)",
            "locations": (Location(id="lon", name="London Bridge", country="GB", time_zone="Europe/London"),),
            "clients": (),
        }
    )
    with db.session() as session:
        Repositories(session).organisations.save_entity(changed)
    with db.session() as session:
        assert Repositories(session).organisations.get_entity("acme-care") == changed


def test_missing_entity_is_a_user_facing_not_found(db: Database) -> None:
    with db.session() as session, pytest.raises(NotFound, match="no entity 'ghost'"):
        Repositories(session).organisations.get_entity("ghost")


def test_people_grants_registrations_kickoff_round_trip(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        people = Repositories(session).people
        for grant in samples.GRANTS:
            people.grant(grant)
        people.grant(samples.GRANTS[0])  # granting twice is a no-op
        people.save_registration("acme-care", samples.REGISTRATION)
        for kickoff in samples.KICKOFF:
            people.save_kickoff("acme-care", kickoff)
    with db.session() as session:
        people = Repositories(session).people
        assert people.list_people() == samples.PEOPLE
        assert people.grants("acme-care") == samples.GRANTS
        assert people.grants("acme-care", "ben") == samples.GRANTS[1:]
        assert people.registrations("acme-care") == (samples.REGISTRATION,)
        assert people.kickoff_sessions("acme-care") == samples.KICKOFF


def test_answers_are_history_and_exact_repeats_are_skipped(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        assessments = Repositories(session).assessments
        assert all(assessments.record_answer("acme-care", answer) for answer in samples.ANSWERS)
        revised = samples.ANSWERS[0].model_copy(update={"completion": 1.0, "answer": "Sample size by formula"})
        assert assessments.record_answer("acme-care", revised)
        assert not assessments.record_answer("acme-care", samples.ANSWERS[1])  # re-import: no-op
    with db.session() as session:
        assert Repositories(session).assessments.answers("acme-care") == (*samples.ANSWERS, revised)


def test_assessment_and_findings_round_trip_and_upsert(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        assessments = Repositories(session).assessments
        assessments.save_assessment(samples.BASELINE)
        assessments.save_assessment(samples.AUDIT)
        assessments.record_finding(samples.AUDIT.id, Finding(item="2.1", level=FindingLevel.COMPLIANT, note="fixed"))
        assessments.record_finding(samples.AUDIT.id, Finding(item="2.2", level=FindingLevel.MINOR))
    with db.session() as session:
        assessments = Repositories(session).assessments
        stored = assessments.get_assessment(samples.AUDIT.id)
        assert stored.model_copy(update={"findings": ()}) == samples.AUDIT.model_copy(update={"findings": ()})
        assert [(f.item, f.level) for f in stored.findings] == [
            ("1.1", FindingLevel.COMPLIANT),
            ("2.1", FindingLevel.COMPLIANT),
            ("4.1", FindingLevel.MAJOR),
            ("3.4", FindingLevel.NOT_APPLICABLE),
            ("2.2", FindingLevel.MINOR),
        ]
        assert stored.finding("4.1") == samples.AUDIT.findings[2]
        assert assessments.get_assessment(samples.BASELINE.id) == samples.BASELINE
        audits = assessments.assessments("acme-care", (samples.AUDIT.kind,))
        assert [a.id for a in audits] == [samples.AUDIT.id]
        assert [a.id for a in assessments.assessments("acme-care")] == [samples.BASELINE.id, samples.AUDIT.id]


def test_a_finding_for_an_unknown_assessment_is_refused(db: Database) -> None:
    _seed(db)
    with db.session() as session, pytest.raises(CxcertError, match="no assessment 'nope'"):
        Repositories(session).assessments.record_finding("nope", Finding(item="1.1", level=FindingLevel.COMPLIANT))


def test_foreign_keys_are_enforced(db: Database) -> None:
    """An entity of an unknown organisation is refused by the database itself (SQLite pragma on)."""
    orphan = samples.ENTITY.model_copy(update={"organisation_id": "ghost"})
    with pytest.raises(IntegrityError), db.session() as session:
        Repositories(session).organisations.save_entity(orphan)
