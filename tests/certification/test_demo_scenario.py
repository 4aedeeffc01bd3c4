"""The demo scenario: deterministic, realistic, and consistent with every rule it passes through."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.certification.calendar import EventKind
from cxcert.certification.demo_scenario import build_demo_scenario
from cxcert.certification.engagement import Engagement, Stage
from cxcert.certification.registration import locations_without_coordinator
from cxcert.standards.rule_set import FindingLevel

TODAY = dt.date(2026, 5, 1)


def test_demo_is_deterministic() -> None:
    assert build_demo_scenario(TODAY) == build_demo_scenario(TODAY)


def test_demo_entity_spans_the_us_and_portugal() -> None:
    s = build_demo_scenario(TODAY)
    assert s.organisation.name == "Northwind Contact Services"
    assert [(loc.country, loc.time_zone) for loc in s.entity.locations] == [
        ("US", "America/New_York"),
        ("PT", "Europe/Lisbon"),
    ]
    assert s.entity.kcrps() and s.entity.ksps() and s.entity.key_suppliers and s.entity.clients
    assert s.authority.mixed
    assert s.authority.authorises_decision == ("lead_auditor", "headquarters")
    people = {p.id for p in s.people}
    assert {g.person_id for g in s.role_grants} == people
    assert all(p.owner in people for p in s.entity.processes)


def test_demo_registration_has_one_failure_below_ninety_percent() -> None:
    s = build_demo_scenario(TODAY)
    failed = [v for v in s.registration_verdicts if not v.registered]
    assert [v.person_id for v in failed] == ["p-priya"]
    assert "86% is below 90%" in failed[0].explanation.summary
    assert locations_without_coordinator(s.entity, s.registrations, s.rule_set) == ()


def test_demo_decisions_and_engagement() -> None:
    """On its typed findings the audit is Conditionally Certified (30 of 33 compliant, 3 minor: at least 27 with
    only minor deficiencies, DOMAIN.md section 3), so the engagement's decision step is certified."""
    s = build_demo_scenario(TODAY)
    typed = s.conclude(s.compliance_audit)
    assert typed.decision.decision_class == "Conditionally Certified"
    assert (typed.decision.compliant, typed.decision.minor, typed.decision.major) == (30, 3, 0)
    assert typed.decision.authority is not None and typed.decision.authority.mixed  # Columbus and Lisbon
    assert s.compliance_audit.management_commitment
    assert s.baseline_decision.decision_class == "No Classification"
    assert s.engagement_to_audit.stage is Stage.AUDITED
    assert typed.engagement.stage is Stage.CERTIFIED
    assert typed.engagement.history[-1].on == s.decision_date
    assert [t.to_stage for t in typed.engagement.history][:4] == [
        Stage.ENTITY_DEFINED,
        Stage.KICKOFF_HELD,
        Stage.COORDINATORS_REGISTERED,
        Stage.APPLICATION_SUBMITTED,
    ]
    assert Engagement.replay(s.entity.id, typed.engagement.history) == typed.engagement


def test_the_engagement_follows_the_final_decision() -> None:
    """When the audit as finally recorded does not certify (here: majors on 4.1-4.3 and no room left), the
    decision step is not_certified: the engagement never says certified against its own decision."""
    s = build_demo_scenario(TODAY)
    majors = {"4.1", "4.2", "4.3"}
    final = s.compliance_audit.model_copy(
        update={
            "findings": tuple(
                f.model_copy(update={"level": FindingLevel.MAJOR}) if f.item in majors else f
                for f in s.compliance_audit.findings
            )
        }
    )
    ending = s.conclude(final)
    assert ending.decision.decision_class == "Certification Candidate" and not ending.decision.certifies
    assert ending.engagement.stage is Stage.NOT_CERTIFIED
    assert ending.calendar.event(EventKind.SIX_MONTH_REVIEW) is None
    assert {a.item for a in ending.corrective_actions} == {"2.4", "3.4", "4.7"} | majors


def test_demo_work_products() -> None:
    s = build_demo_scenario(TODAY)
    assert {k.audience for k in s.kickoff_sessions} == {"executives", "centre_managers", "implementation_team"}
    assert 40 <= s.application_progress.hours_spent <= 80  # DOMAIN.md: the application is 40-80 hours of work
    assert s.application_progress.completion == 1.0
    # step 7: answers re-recorded after gap closure began, before the step, so its guard passes on the records
    gap, updated = (next(t.on for t in s.engagement_to_audit.history if t.to_stage is st) for st in
                    (Stage.GAP_CLOSURE, Stage.APPLICATION_UPDATED))  # fmt: skip
    changed = {a.item for a in s.application_answers if a.answered_on and gap <= a.answered_on <= updated}
    assert changed == {"1.3", "1.5", "2.5", "2.6", "2.8", "3.4", "4.3"}  # the baseline's majors (the YAML)
    assert s.gap_closure_calls[0].topic_id == "kcrps" and all(c.held for c in s.gap_closure_calls)
    typed = s.conclude(s.compliance_audit)
    deficient = [f.item for f in s.compliance_audit.findings if f.level is FindingLevel.MINOR]
    assert sorted(a.item for a in typed.corrective_actions) == sorted(deficient)
    # plans due 60 days after the decision (the founding rule set's corrective_action_due_days), assigned to the
    # managers the scenario names, 3.4 closed 30 days after the decision
    assert {a.due_on for a in typed.corrective_actions} == {s.decision_date + dt.timedelta(days=60)}
    assert {a.item: a.owner for a in typed.corrective_actions} == {"2.4": "p-wei", "3.4": "p-grace", "4.7": "p-wei"}
    assert [a.item for a in typed.corrective_actions if not a.is_open] == ["3.4"]
    six = typed.calendar.event(EventKind.SIX_MONTH_REVIEW)
    assert six is not None and six.due_on > TODAY


@pytest.mark.parametrize("today", [dt.date(2024, 3, 31), dt.date(2025, 1, 1), dt.date(2030, 12, 31)])
def test_demo_builds_on_any_day(today: dt.date) -> None:
    s = build_demo_scenario(today)
    assert s.today == today and s.decision_date < today
    assert all(t.on <= today for t in s.conclude(s.compliance_audit).engagement.history)
