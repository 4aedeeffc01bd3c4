"""The preconditions of the engagement's steps: what must be on record before a step may be taken.

Each guard is pure: it reads the engagement, an :class:`EngagementContext` the adapter loads from the store, the
day of the step and its note, and returns the reasons it refuses (empty: the step may go ahead). A reason says
what is missing and how to record it, so the refusal teaches the next command to run.

The records behind the work steps (kickoff sessions, application answers, assessments, gap closure calls) come in
:class:`EngagementRecords`. Every caller passes them (the CLI from the store, the demo scenario from its own
data): a work step or a decision step without records is refused, so no path takes a step unchecked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxcert.certification.application import UnitAnswer, answer_sheet
from cxcert.certification.assessment import ApplicationAnswer, Assessment, AssessmentKind
from cxcert.certification.corrective_action import RevocationProposal
from cxcert.certification.decision import Decision
from cxcert.certification.entity import Entity
from cxcert.certification.gap_closure import GapClosureCall
from cxcert.certification.people import CoordinatorRegistration, KickoffSession
from cxcert.certification.registration import locations_without_coordinator, registered_coordinators
from cxcert.standards.rule_set import AssessmentOutcome, RuleSet
from cxcert.standards.schema import Standard

if TYPE_CHECKING:  # the state machine imports this module for its table
    from cxcert.certification.engagement import Engagement


def decision_kinds(rule_set: RuleSet) -> tuple[AssessmentKind, ...]:
    """The kinds whose findings carry a certification decision (the rule set's ``assessment_outcomes``)."""
    return rule_set.kinds_giving(AssessmentOutcome.DECISION)


@dataclass(frozen=True)
class EngagementRecords:
    """What the entity has on record: the work each step of the process stands on."""

    kickoff_sessions: tuple[KickoffSession, ...] = ()
    application_answers: tuple[ApplicationAnswer, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    gap_closure_calls: tuple[GapClosureCall, ...] = ()


@dataclass(frozen=True)
class EngagementContext:
    """What the guards read: the entity, its rule set, coordinator registrations, the latest decision, the records."""

    entity: Entity | None = None
    rule_set: RuleSet | None = None
    registrations: tuple[CoordinatorRegistration, ...] = ()
    decision: Decision | None = None
    revocation_proposals: tuple[RevocationProposal, ...] = ()
    records: EngagementRecords | None = None  # None: the work and decision steps are refused (see the module doc)
    standard: Standard | None = None  # what the application answers; None: submitting it is refused
    # Why the application is submitted although incomplete (None: it must be complete to be submitted).
    incomplete_application_reason: str | None = None


# A guard returns the problems that block the step (empty: the step may go ahead).
Guard = Callable[["Engagement", EngagementContext | None, dt.date, str], list[str]]


def _need(what: str, action: str) -> list[str]:
    return [f"{action} needs the engagement context ({what})"]


_RECORDS = "the entity's records: kickoff sessions, application answers, assessments, gap closure calls"


def _records(ctx: EngagementContext | None) -> EngagementRecords | None:
    return None if ctx is None else ctx.records


# --- the work steps: something must be on record behind them -----------------------------------------------------


def kickoff_recorded(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    records = _records(ctx)
    if records is None:
        return _need(_RECORDS, "holding the kickoff")
    held = [s for s in records.kickoff_sessions if s.held_on <= on]
    if held:
        return []
    later = sorted(s.held_on for s in records.kickoff_sessions)
    if later:
        return [f"the kickoff sessions of {eng.entity_id} are after {on.isoformat()} (first on {later[0]})"]
    return [
        f"no kickoff session recorded for entity {eng.entity_id}; record one with "
        f"`cxcert kickoff record --entity {eng.entity_id} --on DATE --audience executives --hours 2`"
    ]


# How many of the questions an incomplete application lacks are named in a refusal (the rest are counted).
_NAMED = 5


@dataclass(frozen=True)
class ApplicationGaps:
    """The questions of the application not answered in full by a day, out of how many."""

    missing: tuple[UnitAnswer, ...]
    questions: int

    def summary(self) -> str:
        ids = [u.unit_id for u in self.missing[:_NAMED]]
        more = ", ..." if len(self.missing) > _NAMED else ""
        return f"{len(self.missing)} of {self.questions} questions not answered in full ({', '.join(ids)}{more})"


def application_gaps(records: EngagementRecords, standard: Standard, on: dt.date) -> ApplicationGaps:
    """What the application lacks on ``on``: answers recorded after that day do not count."""
    answered = [a for a in records.application_answers if a.answered_on is None or a.answered_on <= on]
    sheet = answer_sheet(answered, standard)
    return ApplicationGaps(tuple(u for u in sheet if not u.complete), len(sheet))


def incomplete_submission_note(ctx: EngagementContext, on: dt.date) -> str | None:
    """The note that records an application submitted incomplete under an override (None: no override is
    used, because none was given or the application is complete)."""
    reason = (ctx.incomplete_application_reason or "").strip()
    if not reason or ctx.records is None or ctx.standard is None:
        return None
    gaps = application_gaps(ctx.records, ctx.standard, on)
    if not gaps.missing:
        return None
    return f"step 4: application submitted incomplete, {gaps.summary()}; allowed because: {reason}"


def application_answered(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    """Step 4: the application answered in full by the day it is submitted, unless submitting it incomplete is
    explicitly allowed with a reason (recorded in the step's note)."""
    records = _records(ctx)
    if records is None or ctx is None:
        return _need(_RECORDS, "submitting the application")
    answered = [a for a in records.application_answers if a.answered_on is None or a.answered_on <= on]
    if not answered:
        return [
            f"entity {eng.entity_id} has no application answers recorded on or before {on.isoformat()}; record "
            f"them with `cxcert answers record|import --entity {eng.entity_id}`"
        ]
    if ctx.standard is None:
        return _need("the standard the application answers", "submitting the application")
    gaps = application_gaps(records, ctx.standard, on)
    if not gaps.missing or (ctx.incomplete_application_reason or "").strip():
        return []
    return [
        f"the application of {eng.entity_id} is incomplete on {on.isoformat()}: {gaps.summary()}; answer them "
        f"(`cxcert answers show --entity {eng.entity_id} --text` lists each) or submit it anyway with "
        "--allow-incomplete --reason TEXT"
    ]


def _held_with_findings(
    eng: Engagement, assessments: tuple[Assessment, ...], kinds: tuple[AssessmentKind, ...], since: dt.date | None,
    on: dt.date, what: str, create: str,
) -> list[str]:  # fmt: skip
    window = [
        a for a in assessments if a.kind in kinds and a.started_on <= on and (since is None or a.started_on >= since)
    ]
    span = f"between {since.isoformat()} and {on.isoformat()}" if since else f"on or before {on.isoformat()}"
    if not window:
        return [
            f"no {what} of entity {eng.entity_id} started {span}; create one with "
            f"`cxcert assessment create --entity {eng.entity_id} --kind {create} --on DATE` and record its findings"
        ]
    if any(a.findings for a in window):
        return []
    ids = ", ".join(a.id for a in window)
    return [f"the {what} ({ids}) holds no findings yet; record them with `cxcert findings record|import`"]


def baseline_recorded(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    records = _records(ctx)
    if records is None:
        return _need(_RECORDS, "recording the baseline")
    kinds = (AssessmentKind.BASELINE,)
    return _held_with_findings(eng, records.assessments, kinds, None, on, "baseline assessment", "baseline")


def gap_closure_planned(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    records = _records(ctx)
    if records is None:
        return _need(_RECORDS, "starting gap closure")
    if records.gap_closure_calls:
        return []
    return [
        f"entity {eng.entity_id} has no gap closure plan; plan the calls with "
        f"`cxcert gap-closure plan --entity {eng.entity_id} --from DATE`"
    ]


def application_updated(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    """Step 7: the application updated after gap closure, i.e. an answer recorded since gap closure began.

    When it is due (the rule set's ``application_update_before_audit_months`` before the audit) is the
    calendar's to show; this step only needs the update to be on record.
    """
    records = _records(ctx)
    if records is None:
        return _need(_RECORDS, "updating the application")
    since = eng.gap_closure_started_on
    dated = [a.answered_on for a in records.application_answers if a.answered_on is not None]
    if any((since is None or d >= since) and d <= on for d in dated):
        return []
    span = f"between {since.isoformat()} and {on.isoformat()}" if since else f"on or before {on.isoformat()}"
    return [
        f"entity {eng.entity_id} has no application answer recorded {span}: the application is updated after "
        f"gap closure (the answers that changed, each dated); record them with `cxcert answers record|import "
        f"--entity {eng.entity_id} --on DATE`"
    ]


def audit_recorded(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    """An audit that started on or after the day it was planned (the step before), holding findings."""
    records = _records(ctx)
    if ctx is None or records is None or ctx.rule_set is None:
        return _need(f"{_RECORDS}; and the rule set", "recording an audit held")
    from cxcert.certification.engagement import Stage

    create = "second_audit" if eng.stage is Stage.SECOND_AUDIT_PLANNED else "compliance_audit"
    kinds = decision_kinds(ctx.rule_set)
    return _held_with_findings(eng, records.assessments, kinds, eng.audit_planned_on, on, "audit", create)


# --- coordinators -----------------------------------------------------------------------------------------------


def some_coordinator(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    if ctx is None or ctx.rule_set is None:
        return _need("rule set and coordinator registrations", "registering coordinators")
    if not registered_coordinators(ctx.registrations, ctx.rule_set):
        mark = ctx.rule_set.coordinator_exam_pass_mark
        return [f"no coordinator has passed the exam at {mark:.0%} yet"]
    return []


def coordinators_per_location(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    if ctx is None or ctx.rule_set is None or ctx.entity is None:
        return _need("entity, rule set and coordinator registrations", "planning an audit")
    missing = locations_without_coordinator(ctx.entity, ctx.registrations, ctx.rule_set)
    if missing:
        names = ", ".join(f"{ctx.entity.location(m).name} ({m})" for m in missing)
        need = ctx.rule_set.min_coordinators_per_location
        return [f"every location needs at least {need} registered coordinator(s); missing at {names}"]
    return []


# --- the decision stages ----------------------------------------------------------------------------------------


def decision_on_this_audit(eng: Engagement, ctx: EngagementContext | None) -> tuple[Decision | None, list[str]]:
    """The decision the step rests on, refused unless it is on an audit held since the audit was planned."""
    if ctx is None or ctx.decision is None:
        run = f"`cxcert decide --entity {eng.entity_id}`"
        return None, [f"a decision stage needs the decision of the audit just held; run {run}"]
    d = ctx.decision
    if d.entity_id != eng.entity_id:
        return None, [f"the decision is for entity {d.entity_id}, not {eng.entity_id}"]
    if not d.stands:  # its outcome, from the rule set's assessment_outcomes when it was decided
        return None, [f"a {d.assessment_kind.value} assessment cannot decide a certification; an audit must"]
    if ctx.records is None:
        return None, _need(_RECORDS, "a decision stage")
    planned_on = eng.audit_planned_on
    decided = next((a for a in ctx.records.assessments if a.id == d.assessment_id), None)
    if decided is None:
        return None, [f"the decision is on assessment {d.assessment_id}, which is not on record"]
    if planned_on is not None and decided.started_on < planned_on:
        return None, [
            f"the latest decision is on {d.assessment_id} (started {decided.started_on.isoformat()}), not on an "
            f"audit held since the audit was planned on {planned_on.isoformat()}; run `cxcert decide --entity "
            f"{eng.entity_id}` on the new audit first"
        ]
    return d, []


def certifies(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    d, problems = decision_on_this_audit(eng, ctx)
    if d is not None and not d.certifies:
        problems.append(f"the decision is {d.decision_class}, which does not certify")
    return problems


def does_not_certify(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    d, problems = decision_on_this_audit(eng, ctx)
    if d is not None and d.certifies:
        problems.append(f"the decision is {d.decision_class}, which certifies")
    return problems


def second_audit_needed(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    d, problems = decision_on_this_audit(eng, ctx)
    if d is not None and d.is_best:
        problems.append(f"the decision is already {d.decision_class}, the best outcome: no second audit is needed")
    return problems + coordinators_per_location(eng, ctx, on, note)


# --- after certification ----------------------------------------------------------------------------------------


def six_month_review_applies(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    if ctx is None or ctx.rule_set is None:
        return _need("rule set", "a six-month review")
    if ctx.rule_set.six_month_review_after_months is None:
        return [f"rule set {ctx.rule_set.id} has no six-month review"]
    return []


def revocation_grounds(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    problems = [] if eng.holds_certification else ["only a certified entity can have its certification revoked"]
    proposals = [p for p in (ctx.revocation_proposals if ctx else ()) if p.entity_id == eng.entity_id]
    if not proposals and not note.strip():
        problems.append("revocation needs a revocation proposal (overdue corrective action) or a note with the reason")
    return problems


def recertification(eng: Engagement, ctx: EngagementContext | None, on: dt.date, note: str) -> list[str]:
    return [] if eng.holds_certification else ["re-certification applies only to a certified entity"]


def audit_decision_blockers(eng: Engagement, assessment: Assessment, rule_set: RuleSet) -> tuple[str, ...]:
    """Why a certification decision on ``assessment`` should not be recorded at the engagement's stage now.

    For the adapter of ``cxcert decide``: a decision follows an audit (a kind the rule set says gives a decision)
    of this entity, held since the audit was planned, while the engagement waits for it (stage audited). Whether
    the audit holds findings is the decision's own refusal (decision policy ``refuse_without_findings``), not
    repeated here.
    """
    from cxcert.certification.engagement import Stage

    problems: list[str] = []
    if eng.stage is not Stage.AUDITED:
        problems.append(
            f"the engagement of {eng.entity_id} is at {eng.stage.value}, not audited: a decision follows an audit "
            f"held (`cxcert engagement advance --entity {eng.entity_id} --to audited`)"
        )
    if assessment.entity_id != eng.entity_id:
        problems.append(f"assessment {assessment.id} is of entity {assessment.entity_id}, not {eng.entity_id}")
    if assessment.kind not in decision_kinds(rule_set):
        problems.append(f"a {assessment.kind.value} assessment cannot decide a certification; an audit must")
    planned_on = eng.audit_planned_on
    if planned_on is not None and assessment.started_on < planned_on:
        problems.append(
            f"assessment {assessment.id} started on {assessment.started_on.isoformat()}, before the audit was "
            f"planned on {planned_on.isoformat()}"
        )
    return tuple(problems)
