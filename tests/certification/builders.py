"""Small builders shared by the certification tests (plain functions, no fixtures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from cxcert.certification.assessment import ApplicationAnswer, Assessment, AssessmentKind, Finding
from cxcert.certification.entity import Entity, Location
from cxcert.certification.people import CoordinatorRegistration
from cxcert.standards.rule_set import FindingLevel
from cxcert.standards.schema import Requirement, Standard

C, MINOR, MAJOR, NA = FindingLevel.COMPLIANT, FindingLevel.MINOR, FindingLevel.MAJOR, FindingLevel.NOT_APPLICABLE


def two_location_entity(entity_id: str = "ent-1") -> Entity:
    return Entity(
        id=entity_id,
        organisation_id="org-1",
        name="Test Care",
        standard_urn="urn:test",
        rule_set_id="test-founding",
        locations=(
            Location(id="loc-us", name="Columbus", country="US", time_zone="America/New_York"),
            Location(id="loc-pt", name="Lisbon", country="PT", time_zone="Europe/Lisbon"),
        ),
    )


def registration(person: str, location: str, score: float, *, exam: dt.date | None = None) -> CoordinatorRegistration:
    return CoordinatorRegistration(
        person_id=person,
        location_id=location,
        class_attended_on=dt.date(2001, 1, 8),
        exam_score=score,
        exam_taken_on=exam or dt.date(2001, 1, 12),
    )


def assessment(
    standard: Standard,
    levels: Mapping[str, FindingLevel] | None = None,
    *,
    default: FindingLevel | None = C,
    kind: AssessmentKind = AssessmentKind.COMPLIANCE_AUDIT,
    commitment: bool = False,
    entity_id: str = "ent-1",
    ident: str = "a-1",
) -> Assessment:
    """Findings for every scorable item: ``levels`` where given, else ``default`` (None: no finding)."""
    levels = levels or {}
    findings = []
    for it in standard.scorable_items():
        level = levels.get(it.number, default)
        if level is not None:
            findings.append(Finding(item=it.number, level=level, note=f"note on {it.number}"))
    return Assessment(
        id=ident,
        entity_id=entity_id,
        kind=kind,
        started_on=dt.date(2001, 6, 1),
        findings=tuple(findings),
        management_commitment=commitment,
    )


def full_application(standard: Standard, on: dt.date) -> tuple[ApplicationAnswer, ...]:
    """An answer in full to every question of ``standard``'s application (each requirement, or the item), on ``on``."""
    return tuple(
        ApplicationAnswer(item=it.number, requirement_id=req, answer=f"how we meet {req or it.number}",
                          completion=1.0, answered_on=on)
        for it in standard.items()
        for req in _questions(it.requirements)
    )  # fmt: skip


def _questions(requirements: tuple[Requirement, ...]) -> list[str | None]:
    """An item's questions: its requirements' ids, or the item itself (None) when it has none."""
    return [r.id for r in requirements] or [None]
