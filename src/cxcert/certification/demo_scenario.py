"""The demo scenario: a fictional outsourcer taken through the founding process, built purely from data.

``build_demo_scenario(today)`` reads ``data/demo_scenario.yaml`` and the packaged standard and rule set, and
returns every domain object the storage and CLI layers persist and print for ``cxcert demo``: organisation,
entity, people and roles, coordinator registrations (one below the pass mark), kickoff, application answers,
baseline, gap closure, the compliance audit with its typed findings and the engagement up to the audit.

What follows the audit depends on the findings it finally holds (the demo replaces the typed Category 4.0 ones
with findings computed from twelve months of operations): :meth:`DemoScenario.conclude` gives the decision, its
corrective actions (assigned and closed as the scenario says), the engagement's decision step (certified or
not, as the decision says) and the calendar, for whichever audit it is given. Deterministic: the same ``today``
gives the same scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

from pydantic import Field

from cxcert.certification.application import ApplicationProgress, application_progress
from cxcert.certification.assessment import ApplicationAnswer, Assessment, AssessmentKind, Finding
from cxcert.certification.authority import EntityAuthority, authority_for_entity
from cxcert.certification.calendar import Calendar, plan_calendar
from cxcert.certification.corrective_action import CorrectiveAction, default_owner, plan_for_decision
from cxcert.certification.decision import Decision, decide
from cxcert.certification.engagement import Engagement, EngagementContext, EngagementRecords, Stage
from cxcert.certification.entity import Client, Entity, KeySupplier, Location, Organisation, Process, Service
from cxcert.certification.gap_closure import GapClosureCall, plan_gap_closure
from cxcert.certification.people import CoordinatorRegistration, KickoffSession, Person, Role, RoleGrant
from cxcert.certification.registration import RegistrationVerdict, check_registration
from cxcert.errors import CxcertError
from cxcert.standards import library
from cxcert.standards.rule_set import FindingLevel, RuleSet
from cxcert.standards.schema import Frozen, Standard
from cxcert.yaml_source import load_packaged

# --- the shape of data/demo_scenario.yaml -------------------------------------------------------------------


class _Person(Frozen):
    id: str
    name: str
    organisation: str
    role: Role
    location: str | None = None


class _Registration(Frozen):
    person: str
    location: str
    class_day: int
    exam_day: int
    score: float = Field(ge=0, le=1)


class _Session(Frozen):
    audience: str
    hours: float = Field(gt=0)
    attendees: tuple[str, ...] = ()


class _Kickoff(Frozen):
    day: int
    sessions: tuple[_Session, ...]


class _ApplicationUpdate(Frozen):
    day: int
    items: tuple[str, ...] = Field(min_length=1, description="items whose answers are re-recorded, as changed")


class _Application(Frozen):
    first_day: int
    submitted_day: int
    hours_cycle: tuple[float, ...] = Field(min_length=1)
    answered_by: tuple[str, ...] = Field(min_length=1)
    update: _ApplicationUpdate  # step 7: the answers gap closure changed, re-recorded before the audit


class _EntitySpec(Frozen):
    id: str
    name: str
    locations: tuple[Location, ...]
    services: tuple[Service, ...]
    functions: tuple[str, ...]
    processes: tuple[Process, ...]
    key_suppliers: tuple[KeySupplier, ...]
    clients: tuple[Client, ...]


class _AssessmentSpec(Frozen):
    started: int
    ended: int
    assessors: tuple[str, ...]
    management_commitment: bool = False
    default: FindingLevel
    compliant: tuple[str, ...] = ()
    minor_deficiency: tuple[str, ...] = ()
    major_deficiency: tuple[str, ...] = ()
    not_applicable: tuple[str, ...] = ()
    notes: Mapping[str, str] = Field(default_factory=dict)


class _GapClosure(Frozen):
    start: int
    owners: Mapping[str, str]
    outcomes: Mapping[str, str]


class _Closure(Frozen):
    day: int = Field(ge=0, description="days after the decision")
    note: str = Field(min_length=1)
    verification: str = Field(min_length=1, description="how the fix was checked to work")


class ActionWork(Frozen):
    owners: Mapping[str, str] = Field(default_factory=dict, description="item -> who the plan is assigned to")
    closed: Mapping[str, _Closure] = Field(default_factory=dict, description="item -> when and how it was closed")


class DemoSpec(Frozen):
    rule_set: str
    decision_days_before_today: int = Field(ge=0)
    organisation: Organisation
    entity: _EntitySpec
    people: tuple[_Person, ...]
    registrations: tuple[_Registration, ...]
    kickoff: _Kickoff
    application: _Application
    steps: Mapping[Stage, int]
    baseline: _AssessmentSpec
    gap_closure: _GapClosure
    audit: _AssessmentSpec
    corrective_actions: ActionWork


@cache
def demo_spec() -> DemoSpec:
    """The packaged demo scenario data."""
    return load_packaged("cxcert.certification", "demo_scenario.yaml", DemoSpec)


# --- the scenario -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoScenario:
    today: dt.date
    standard: Standard
    rule_set: RuleSet
    organisation: Organisation
    entity: Entity
    people: tuple[Person, ...]
    role_grants: tuple[RoleGrant, ...]
    registrations: tuple[CoordinatorRegistration, ...]
    registration_verdicts: tuple[RegistrationVerdict, ...]
    kickoff_sessions: tuple[KickoffSession, ...]
    application_answers: tuple[ApplicationAnswer, ...]
    application_progress: ApplicationProgress
    baseline: Assessment
    baseline_decision: Decision
    gap_closure_calls: tuple[GapClosureCall, ...]
    compliance_audit: Assessment  # with the assessors' typed findings
    decision_date: dt.date
    authority: EntityAuthority
    engagement_to_audit: Engagement  # up to the audit held; the decision step follows the decision made
    records: EngagementRecords  # what the engagement's steps were checked against
    action_work: ActionWork

    def owner_for(self, action: CorrectiveAction) -> str | None:
        """Who the scenario assigns the plan on ``action``'s item to (None: it keeps its default owner)."""
        return self.action_work.owners.get(action.item)

    def closure_for(self, action: CorrectiveAction) -> tuple[dt.date, str, str] | None:
        """When and how the scenario closes the plan on ``action``'s item (day, note, verification), if that day
        has come by ``today``."""
        closure = self.action_work.closed.get(action.item)
        if closure is None:
            return None
        on = self.decision_date + dt.timedelta(days=closure.day)
        return (on, closure.note, closure.verification) if on <= self.today else None

    def engagement_after(self, decision: Decision, audit: Assessment) -> Engagement:
        """The engagement with its decision step: certified when ``decision`` (on ``audit``, the compliance audit
        as finally recorded) certifies, else not certified."""
        assessments = tuple(audit if a.id == audit.id else a for a in self.records.assessments)
        context = EngagementContext(
            entity=self.entity, rule_set=self.rule_set, registrations=self.registrations, decision=decision,
            records=replace(self.records, assessments=assessments),
        )  # fmt: skip
        to = Stage.CERTIFIED if decision.certifies else Stage.NOT_CERTIFIED
        return self.engagement_to_audit.advance(to, self.decision_date, context=context)

    def conclude(self, audit: Assessment) -> DemoConclusion:
        """Everything that follows ``audit`` (the compliance audit as finally recorded) on the decision day."""
        decision = decide(audit, self.standard, self.rule_set, entity=self.entity)
        raised = plan_for_decision(
            decision,
            audit,
            self.rule_set,
            raised_on=self.decision_date,
            owner=default_owner(self.rule_set, self.role_grants),
        ).opened
        actions = []
        for action in raised:
            owner, closure = self.owner_for(action), self.closure_for(action)
            worked = action.assign(owner) if owner else action
            actions.append(worked.close(closure[0], closure[2]) if closure else worked)
        return DemoConclusion(
            decision=decision,
            corrective_actions=tuple(actions),
            engagement=self.engagement_after(decision, audit),
            calendar=plan_calendar(self.decision_date, decision, self.rule_set, today=self.today),
        )


@dataclass(frozen=True)
class DemoConclusion:
    """What follows one version of the audit: the decision, its worked corrective actions, the engagement with
    the decision step, and the calendar."""

    decision: Decision
    corrective_actions: tuple[CorrectiveAction, ...]
    engagement: Engagement
    calendar: Calendar


def _findings(spec: _AssessmentSpec, standard: Standard) -> tuple[Finding, ...]:
    explicit: dict[str, FindingLevel] = {}
    for level, numbers in (
        (FindingLevel.COMPLIANT, spec.compliant),
        (FindingLevel.MINOR, spec.minor_deficiency),
        (FindingLevel.MAJOR, spec.major_deficiency),
        (FindingLevel.NOT_APPLICABLE, spec.not_applicable),
    ):
        for n in numbers:
            standard.item(n)  # KeyError here is a bug in the packaged demo data
            explicit[n] = level
    return tuple(
        Finding(item=it.number, level=explicit.get(it.number, spec.default), note=spec.notes.get(it.number, ""))
        for it in standard.scorable_items()
    )


def _assessment(
    spec: _AssessmentSpec, ident: str, kind: AssessmentKind, entity_id: str, day0: dt.date, standard: Standard
) -> Assessment:
    return Assessment(
        id=ident,
        entity_id=entity_id,
        kind=kind,
        started_on=day0 + dt.timedelta(days=spec.started),
        ended_on=day0 + dt.timedelta(days=spec.ended),
        assessors=spec.assessors,
        findings=_findings(spec, standard),
        management_commitment=spec.management_commitment,
    )


def _answers(spec: DemoSpec, standard: Standard, day0: dt.date) -> tuple[ApplicationAnswer, ...]:
    app = spec.application
    out: list[ApplicationAnswer] = []
    units = [(it, req) for it in standard.items() for req in (it.requirements or (None,))]
    span = max(1, app.submitted_day - app.first_day)
    for n, (item, req) in enumerate(units):
        about = req.summary if req else item.summary
        out.append(
            ApplicationAnswer(
                item=item.number,
                requirement_id=req.id if req else None,
                answer=f"How Northwind meets this: {about[0].lower()}{about[1:]}",
                hours_spent=app.hours_cycle[n % len(app.hours_cycle)],
                completion=1.0,
                answered_by=app.answered_by[n % len(app.answered_by)],
                answered_on=day0 + dt.timedelta(days=app.first_day + n * span // len(units)),
            )
        )
    changed = set(app.update.items)
    for item, req in units:
        if item.number in changed:
            about = req.summary if req else item.summary
            out.append(
                ApplicationAnswer(
                    item=item.number,
                    requirement_id=req.id if req else None,
                    answer=f"Updated after gap closure: {about[0].lower()}{about[1:]}",
                    hours_spent=app.hours_cycle[0],
                    completion=1.0,
                    answered_by=app.answered_by[0],
                    answered_on=day0 + dt.timedelta(days=app.update.day),
                )
            )
    return tuple(out)


def build_demo_scenario(today: dt.date) -> DemoScenario:
    """The whole demo scenario as of ``today`` (the audit decision falls a fixed number of days earlier)."""
    spec = demo_spec()
    rule_set = library.rule_set(spec.rule_set)
    standard = library.standard(rule_set.standard.urn)
    day0 = today - dt.timedelta(days=spec.decision_days_before_today)

    def day(offset: int) -> dt.date:
        return day0 + dt.timedelta(days=offset)

    e = spec.entity
    entity = Entity(
        id=e.id,
        organisation_id=spec.organisation.id,
        name=e.name,
        standard_urn=standard.key.urn,
        rule_set_id=rule_set.id,
        locations=e.locations,
        services=e.services,
        functions=e.functions,
        processes=e.processes,
        key_suppliers=e.key_suppliers,
        clients=e.clients,
    )
    people = tuple(Person(id=p.id, name=p.name, organisation=p.organisation) for p in spec.people)
    grants = tuple(
        RoleGrant(person_id=p.id, entity_id=entity.id, role=p.role, location_id=p.location) for p in spec.people
    )
    registrations = tuple(
        CoordinatorRegistration(
            person_id=r.person,
            location_id=r.location,
            class_attended_on=day(r.class_day),
            exam_score=r.score,
            exam_taken_on=day(r.exam_day),
        )
        for r in spec.registrations
    )
    verdicts = tuple(check_registration(r, rule_set) for r in registrations)
    kickoff = tuple(
        KickoffSession(
            audience=s.audience, held_on=day(spec.kickoff.day), duration_hours=s.hours, attendees=s.attendees
        )
        for s in spec.kickoff.sessions
    )
    answers = _answers(spec, standard, day0)
    baseline = _assessment(spec.baseline, f"{entity.id}/baseline", AssessmentKind.BASELINE, entity.id, day0, standard)
    audit = _assessment(
        spec.audit, f"{entity.id}/compliance-audit", AssessmentKind.COMPLIANCE_AUDIT, entity.id, day0, standard
    )

    planned = plan_gap_closure(day(spec.gap_closure.start), rule_set, owners=spec.gap_closure.owners)
    calls = tuple(
        c.record(c.scheduled_on, spec.gap_closure.outcomes[c.topic_id])
        if c.scheduled_on <= today and c.topic_id in spec.gap_closure.outcomes
        else c
        for c in planned
    )

    # The scenario's own records, checked by every step's guard as a user's records are.
    records = EngagementRecords(kickoff, answers, (baseline, audit), calls)
    context = EngagementContext(
        entity=entity, rule_set=rule_set, registrations=registrations, records=records, standard=standard
    )
    engagement = Engagement.start(entity.id, day(spec.steps[Stage.ENTITY_DEFINED]), by=spec.people[0].id)
    for stage, offset in sorted(spec.steps.items(), key=lambda pair: pair[1]):
        if stage in (Stage.CERTIFIED, Stage.NOT_CERTIFIED):
            raise CxcertError("demo_scenario.yaml: the decision step follows the decision; do not list it in steps")
        if stage is not Stage.ENTITY_DEFINED:
            engagement = engagement.advance(stage, day(offset), context=context)

    return DemoScenario(
        today=today,
        standard=standard,
        rule_set=rule_set,
        organisation=spec.organisation,
        entity=entity,
        people=people,
        role_grants=grants,
        registrations=registrations,
        registration_verdicts=verdicts,
        kickoff_sessions=kickoff,
        application_answers=answers,
        application_progress=application_progress(answers, standard),
        baseline=baseline,
        baseline_decision=decide(baseline, standard, rule_set, entity=entity),
        gap_closure_calls=calls,
        compliance_audit=audit,
        decision_date=day0,
        authority=authority_for_entity(entity, rule_set),
        engagement_to_audit=engagement,
        records=records,
        action_work=spec.corrective_actions,
    )
