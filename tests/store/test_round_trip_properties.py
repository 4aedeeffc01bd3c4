"""Invariant: whatever text and numbers a domain value holds, the store gives the same value back (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcert.certification.assessment import ApplicationAnswer, Assessment, AssessmentKind, Finding
from cxcert.certification.entity import Client, Entity, Location, Process, ProcessKind
from cxcert.standards.rule_set import FindingLevel
from cxcert.store.db import Database
from cxcert.store.repository import Repositories

from . import samples

# Text a database could mangle: unicode, quotes, percent signs; no NUL (PostgreSQL text cannot hold it).
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._/", min_size=1, max_size=20)
# An entity's own ids are slugs (letters, digits, '-', '_', '.'; a letter or digit first); its names are not empty.
SLUGS = st.from_regex(r"\A[a-zA-Z0-9][a-zA-Z0-9._-]{0,19}\Z")
NAMES = TEXT.filter(bool)
_serial = itertools.count()

entities = st.builds(
    Entity,
    id=st.just("placeholder"),
    organisation_id=st.just(samples.ORGANISATION.id),
    name=NAMES,
    standard_urn=TEXT,
    rule_set_id=IDS,
    locations=st.lists(
        st.builds(Location, id=SLUGS, name=NAMES, country=st.sampled_from(["GB", "ZA", "US", "PT"]),
                  time_zone=st.sampled_from(["Europe/London", "America/New_York", "Asia/Kolkata"])),
        min_size=1, max_size=3, unique_by=lambda loc: loc.id,
    ).map(tuple),
    functions=st.lists(TEXT.filter(bool), max_size=3, unique=True).map(tuple),
    processes=st.lists(
        st.builds(Process, id=SLUGS, name=NAMES, kind=st.sampled_from(ProcessKind), owner=st.none() | IDS,
                  description=TEXT),
        max_size=3, unique_by=lambda p: p.id,
    ).map(tuple),
    clients=st.lists(
        st.builds(Client, id=SLUGS, name=NAMES, programs=st.lists(TEXT, max_size=2).map(tuple)),
        max_size=2, unique_by=lambda c: c.id,
    ).map(tuple),
)  # fmt: skip

findings = st.lists(
    st.builds(Finding, item=IDS, level=st.sampled_from(FindingLevel), note=TEXT,
              source=st.sampled_from(["typed", "computed"])),
    max_size=5, unique_by=lambda f: f.item,
).map(tuple)  # fmt: skip

answers = st.builds(
    ApplicationAnswer,
    item=IDS,
    requirement_id=st.none() | IDS,
    answer=TEXT,
    hours_spent=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    completion=st.floats(min_value=0, max_value=1),
    answered_by=st.none() | IDS,
    answered_on=st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entity=entities, found=findings, answer=answers, commitment=st.booleans())
def test_any_entity_assessment_and_answer_round_trip(
    db: Database, entity: Entity, found: tuple[Finding, ...], answer: ApplicationAnswer, commitment: bool
) -> None:
    ident = f"e{next(_serial)}"
    entity = entity.model_copy(update={"id": ident})
    assessment = Assessment(
        id=f"{ident}/audit",
        entity_id=ident,
        kind=AssessmentKind.COMPLIANCE_AUDIT,
        started_on=dt.date(2026, 1, 1),
        findings=found,
        management_commitment=commitment,
    )
    with db.session() as session:
        repos = Repositories(session)
        repos.organisations.save_organisation(samples.ORGANISATION)
        repos.organisations.save_entity(entity)
        repos.assessments.save_assessment(assessment)
        repos.assessments.record_answer(ident, answer)
    with db.session() as session:
        repos = Repositories(session)
        assert repos.organisations.get_entity(ident) == entity
        assert repos.assessments.get_assessment(assessment.id) == assessment
        assert repos.assessments.answers(ident) == (answer,)
