"""Domain values with every field filled in, for round-trip tests."""

from __future__ import annotations

import datetime as dt

from cxcert.certification.assessment import ApplicationAnswer, Assessment, AssessmentKind, Finding
from cxcert.certification.entity import (
    Client,
    Entity,
    KeySupplier,
    Location,
    Organisation,
    Process,
    ProcessKind,
    Service,
)
from cxcert.certification.people import CoordinatorRegistration, KickoffSession, Person, Role, RoleGrant
from cxcert.standards.rule_set import FindingLevel

ORGANISATION = Organisation(id="acme", name="Acme Contact Ltd", country="GB")

ENTITY = Entity(
    id="acme-care",
    organisation_id="acme",
    name="Acme Customer Care",
    standard_urn="urn:cxcert:standard:copc_cx_standard-csp-2000:1.0",
    rule_set_id="copc-2000-founding",
    locations=(
        Location(id="lon", name="London", country="GB", time_zone="Europe/London"),
        Location(
            id="cpt", name="Cape Town", country="ZA", time_zone="Africa/Johannesburg", programs=("loans",),
            queues=("cards_chat", "cards_mail"),
        ),
    ),
    services=(Service.TECHNICAL_SUPPORT, Service.INBOUND_CUSTOMER_SERVICE),
    functions=("call centre", "training", "IT/telecom"),
    processes=(
        Process(
            id="p-inbound", name="Handle inbound calls", kind=ProcessKind.KCRP, owner="ops", description="voice",
            programs=("cards", "loans"),
        ),
        Process(id="p-hire", name="Recruit and hire", kind=ProcessKind.KSP),
    ),
    key_suppliers=(KeySupplier(id="ks-tel", name="TelCo", supplies="telephony for p-inbound"),),
    clients=(Client(id="c-bank", name="Big Bank", programs=("cards", "loans")), Client(id="c-air", name="Air")),
)

PEOPLE = (
    Person(id="ana", name="Ana Silva", email="ana@example.org", organisation="acme"),
    Person(id="ben", name="Ben Okafor", organisation="certifying body"),
)

GRANTS = (
    RoleGrant(person_id="ana", entity_id="acme-care", role=Role.COORDINATOR, location_id="lon"),
    RoleGrant(person_id="ben", entity_id="acme-care", role=Role.LEAD_AUDITOR),
)

REGISTRATION = CoordinatorRegistration(
    person_id="ana",
    location_id="lon",
    class_attended_on=dt.date(2026, 1, 12),
    exam_score=0.93,
    exam_taken_on=dt.date(2026, 1, 16),
)

KICKOFF = (
    KickoffSession(audience="executives", held_on=dt.date(2026, 1, 5), duration_hours=2, attendees=("ceo", "cfo")),
    KickoffSession(audience="implementation team", held_on=dt.date(2026, 1, 6), duration_hours=6.5),
)

ANSWERS = (
    ApplicationAnswer(
        item="2.1",
        requirement_id="2.1.1",
        answer="We sample 5 contacts per agent per month",
        hours_spent=1.5,
        completion=0.75,
        answered_by="ana",
        answered_on=dt.date(2026, 2, 1),
    ),
    ApplicationAnswer(item="1.1", answer="Mission reviewed yearly"),
)

AUDIT = Assessment(
    id="acme-care-audit-1",
    entity_id="acme-care",
    kind=AssessmentKind.COMPLIANCE_AUDIT,
    started_on=dt.date(2026, 9, 1),
    ended_on=dt.date(2026, 9, 4),
    assessors=("ben", "cleo"),
    findings=(
        Finding(item="1.1", level=FindingLevel.COMPLIANT),
        Finding(item="2.1", level=FindingLevel.MINOR, note="sample size not justified"),
        Finding(item="4.1", level=FindingLevel.MAJOR, note="service level below target", source="computed"),
        Finding(item="3.4", level=FindingLevel.NOT_APPLICABLE),
    ),
    management_commitment=True,
    scope_items=("1.1", "2.1", "3.4", "4.1"),
)

BASELINE = Assessment(
    id="acme-care-baseline",
    entity_id="acme-care",
    kind=AssessmentKind.BASELINE,
    started_on=dt.date(2026, 3, 2),
)
