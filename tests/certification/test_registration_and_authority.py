"""Coordinator registration (90 % exam, one per location) and who oversees and authorises (DOMAIN.md section 1)."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.certification.authority import authority_for_entity
from cxcert.certification.entity import Location
from cxcert.certification.registration import check_registration, locations_without_coordinator
from cxcert.errors import CxcertError
from cxcert.standards import library

from .builders import registration, two_location_entity
from .conftest import load_test_rule_set

RULES = load_test_rule_set()
ENTITY = two_location_entity()


def test_exam_pass_mark_is_inclusive() -> None:
    """DOMAIN.md: registration needs the written exam passed with at least 90 %."""
    assert check_registration(registration("a", "loc-us", 0.90), RULES).registered
    low = check_registration(registration("b", "loc-us", 0.89), RULES)
    assert not low.registered
    assert low.explanation.summary == "b is not registered: exam score 89% is below 90%"
    assert low.explanation.steps[0].inputs["pass_mark"] == 0.9


def test_exam_before_class_does_not_register() -> None:
    early = registration("a", "loc-us", 0.99, exam=dt.date(2001, 1, 1))
    verdict = check_registration(early, RULES)
    assert not verdict.registered
    assert "taken before the class" in verdict.explanation.summary


def test_packaged_pass_mark_is_ninety_percent() -> None:
    rules = library.rule_set("copc-2000-founding")
    assert check_registration(registration("a", "loc-us", 0.9), rules).registered
    assert not check_registration(registration("a", "loc-us", 0.8999), rules).registered


def test_locations_without_coordinator() -> None:
    assert locations_without_coordinator(ENTITY, [], RULES) == ("loc-us", "loc-pt")
    regs = [registration("a", "loc-us", 0.95), registration("b", "loc-pt", 0.5), registration("c", "loc-xx", 1.0)]
    assert locations_without_coordinator(ENTITY, regs, RULES) == ("loc-pt",)
    regs.append(registration("d", "loc-pt", 0.91))
    assert locations_without_coordinator(ENTITY, regs, RULES) == ()


def test_minimum_per_location_comes_from_the_rule_set_and_counts_people_once() -> None:
    two = RULES.model_copy(update={"min_coordinators_per_location": 2})
    regs = [registration("a", "loc-us", 0.95), registration("a", "loc-us", 0.97), registration("b", "loc-pt", 0.95)]
    assert locations_without_coordinator(ENTITY, regs, two) == ("loc-us", "loc-pt")
    regs += [registration("c", "loc-us", 0.9), registration("d", "loc-pt", 0.9)]
    assert locations_without_coordinator(ENTITY, regs, two) == ()


def test_authority_in_the_us_is_the_lead_auditor() -> None:
    us_only = ENTITY.model_copy(update={"locations": ENTITY.locations[:1]})
    auth = authority_for_entity(us_only, library.rule_set("copc-2000-founding"))
    assert auth.oversees == ("lead_auditor",)
    assert auth.authorises_decision == ("lead_auditor",)
    assert not auth.mixed
    assert auth.explanation.summary == "lead_auditor oversees and lead_auditor authorises the decision for Test Care"


def test_authority_outside_the_us_is_licensee_and_headquarters() -> None:
    pt_only = ENTITY.model_copy(update={"locations": ENTITY.locations[1:]})
    auth = authority_for_entity(pt_only, RULES)
    assert (auth.oversees, auth.submits_application, auth.authorises_decision) == (
        ("licensee",),
        ("licensee",),
        ("headquarters",),
    )
    assert "matches '*' (everywhere else)" in auth.explanation.steps[0].conclusion


def test_mixed_entity_lists_every_authority() -> None:
    auth = authority_for_entity(ENTITY, RULES)
    assert auth.mixed
    assert auth.oversees == ("lead_auditor", "licensee")
    assert auth.authorises_decision == ("lead_auditor", "headquarters")
    assert [a.location_id for a in auth.per_location] == ["loc-us", "loc-pt"]


def test_country_without_authority_is_a_clear_error() -> None:
    us_only_rules = RULES.model_copy(update={"authorities": RULES.authorities[:1]})
    with pytest.raises(CxcertError, match="names no authority for country PT"):
        authority_for_entity(ENTITY, us_only_rules)


def test_location_needs_a_real_time_zone() -> None:
    with pytest.raises(ValueError, match="unknown IANA time zone"):
        Location(id="x", name="X", country="PT", time_zone="Europe/Atlantis")
