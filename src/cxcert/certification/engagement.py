"""The engagement: the certification process as an explicit state machine (DOMAIN.md section 3).

Stages follow the nine steps (define entity, kickoff, coordinators register, application, baseline, gap closure,
application updated, compliance audit and decision, second audit only where needed), then the six-month review,
re-certification (through a new application update and audit) and revocation. The table :data:`TRANSITIONS` is
the whole process: one row per allowed step, with the guard that must hold. An illegal step is refused with
:class:`~cxcert.errors.IllegalTransition`; a legal step whose guard fails with :class:`TransitionRefused`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from cxcert.certification.assessment import AssessmentKind
from cxcert.certification.corrective_action import RevocationProposal
from cxcert.certification.decision import Decision
from cxcert.certification.entity import Entity
from cxcert.certification.people import CoordinatorRegistration
from cxcert.certification.registration import locations_without_coordinator, registered_coordinators
from cxcert.errors import CxcertError, IllegalTransition
from cxcert.standards.rule_set import RuleSet


class Stage(StrEnum):
    ENTITY_DEFINED = "entity_defined"
    KICKOFF_HELD = "kickoff_held"
    COORDINATORS_REGISTERED = "coordinators_registered"
    APPLICATION_SUBMITTED = "application_submitted"
    BASELINE_ASSESSED = "baseline_assessed"
    GAP_CLOSURE = "gap_closure"
    APPLICATION_UPDATED = "application_updated"
    AUDIT_PLANNED = "audit_planned"
    AUDITED = "audited"
    SECOND_AUDIT_PLANNED = "second_audit_planned"
    CERTIFIED = "certified"
    NOT_CERTIFIED = "not_certified"
    SIX_MONTH_REVIEWED = "six_month_reviewed"
    REVOKED = "revoked"


class TransitionRefused(IllegalTransition):
    """A step the process allows from here, refused because its precondition does not hold."""


@dataclass(frozen=True)
class EngagementContext:
    """What the guards read: the entity, its rule set, coordinator registrations, the latest decision..."""

    entity: Entity | None = None
    rule_set: RuleSet | None = None
    registrations: tuple[CoordinatorRegistration, ...] = ()
    decision: Decision | None = None
    revocation_proposals: tuple[RevocationProposal, ...] = ()


@dataclass(frozen=True)
class Transition:
    from_stage: Stage | None  # None for the first step (the entity is defined)
    to_stage: Stage
    on: dt.date
    by: str | None
    note: str


# A guard returns the problems that block the step (empty: the step may go ahead).
Guard = Callable[["Engagement", EngagementContext | None, str], list[str]]


def _need(context: EngagementContext | None, what: str, action: str) -> list[str]:
    if context is None:
        return [f"{action} needs the engagement context ({what})"]
    return []


def _some_coordinator(eng: Engagement, ctx: EngagementContext | None, note: str) -> list[str]:
    if ctx is None or ctx.rule_set is None:
        return _need(None, "rule set and coordinator registrations", "registering coordinators")
    if not registered_coordinators(ctx.registrations, ctx.rule_set):
        mark = ctx.rule_set.coordinator_exam_pass_mark
        return [f"no coordinator has passed the exam at {mark:.0%} yet"]
    return []


def _coordinators_per_location(eng: Engagement, ctx: EngagementContext | None, note: str) -> list[str]:
    if ctx is None or ctx.rule_set is None or ctx.entity is None:
        return _need(None, "entity, rule set and coordinator registrations", "planning an audit")
    missing = locations_without_coordinator(ctx.entity, ctx.registrations, ctx.rule_set)
    if missing:
        names = ", ".join(f"{ctx.entity.location(m).name} ({m})" for m in missing)
        need = ctx.rule_set.min_coordinators_per_location
        return [f"every location needs at least {need} registered coordinator(s); missing at {names}"]
    return []


_AUDIT_KINDS = (AssessmentKind.COMPLIANCE_AUDIT, AssessmentKind.SECOND_AUDIT, AssessmentKind.RECERTIFICATION_AUDIT)


def _decided_audit(eng: Engagement, ctx: EngagementContext | None) -> tuple[Decision | None, list[str]]:
    if ctx is None or ctx.decision is None:
        return None, ["a decision stage needs the decision of the audit just held"]
    d = ctx.decision
    if d.entity_id != eng.entity_id:
        return None, [f"the decision is for entity {d.entity_id}, not {eng.entity_id}"]
    if d.assessment_kind not in _AUDIT_KINDS:
        return None, [f"a {d.assessment_kind.value} assessment cannot decide a certification; an audit must"]
    return d, []


def _certifies(eng: Engagement, ctx: EngagementContext | None, note: str) -> list[str]:
    d, problems = _decided_audit(eng, ctx)
    if d is not None and not d.certifies:
        problems.append(f"the decision is {d.decision_class}, which does not certify")
    return problems


def _does_not_certify(eng: Engagement, ctx: EngagementContext | None, note: str) -> list[str]:
    d, problems = _decided_audit(eng, ctx)
    if d is not None and d.certifies:
        problems.append(f"the decision is {d.decision_class}, which certifies")
    return problems


def _second_audit_needed(eng: Engagement, ctx: EngagementContext | None, note: str) -> list[str]:
    d, problems = _decided_audit(eng, ctx)
    if d is not None and d.is_best:
        problems.append(f"the decision is already {d.decision_class}, the best outcome: no second audit is needed")
    return problems + _coordinators_per_location(eng, ctx, note)


def _six_month_review_applies(eng: Engagement, ctx: EngagementContext | None, note: str) -> list[str]:
    if ctx is None or ctx.rule_set is None:
        return _need(None, "rule set", "a six-month review")
    if ctx.rule_set.six_month_review_after_months is None:
        return [f"rule set {ctx.rule_set.id} has no six-month review"]
    return []


def _revocation_grounds(eng: Engagement, ctx: EngagementContext | None, note: str) -> list[str]:
    problems = [] if eng.holds_certification else ["only a certified entity can have its certification revoked"]
    proposals = [p for p in (ctx.revocation_proposals if ctx else ()) if p.entity_id == eng.entity_id]
    if not proposals and not note.strip():
        problems.append("revocation needs a revocation proposal (overdue corrective action) or a note with the reason")
    return problems


def _recertification(eng: Engagement, ctx: EngagementContext | None, note: str) -> list[str]:
    return [] if eng.holds_certification else ["re-certification applies only to a certified entity"]


@dataclass(frozen=True)
class Rule:
    """One allowed step: from a stage to a stage, what it means, and its guard (None: always allowed)."""

    from_stage: Stage
    to_stage: Stage
    meaning: str
    guard: Guard | None = None


S = Stage
TRANSITIONS: tuple[Rule, ...] = (
    Rule(S.ENTITY_DEFINED, S.KICKOFF_HELD, "step 2: kickoff held on site"),
    Rule(S.KICKOFF_HELD, S.COORDINATORS_REGISTERED, "step 3: coordinators registered", _some_coordinator),
    Rule(S.COORDINATORS_REGISTERED, S.APPLICATION_SUBMITTED, "step 4: application completed and submitted"),
    Rule(S.APPLICATION_SUBMITTED, S.BASELINE_ASSESSED, "step 5: baseline assessment held"),
    Rule(S.BASELINE_ASSESSED, S.GAP_CLOSURE, "step 6: gap closure calls under way"),
    Rule(S.GAP_CLOSURE, S.APPLICATION_UPDATED, "step 7: application updated before the audit"),
    Rule(S.APPLICATION_UPDATED, S.AUDIT_PLANNED, "step 8: compliance audit planned", _coordinators_per_location),
    Rule(S.AUDIT_PLANNED, S.AUDITED, "step 8: audit held"),
    Rule(S.AUDITED, S.CERTIFIED, "step 8: decision certifies", _certifies),
    Rule(S.AUDITED, S.NOT_CERTIFIED, "step 8: decision does not certify", _does_not_certify),
    Rule(S.AUDITED, S.SECOND_AUDIT_PLANNED, "step 9: second audit, where needed", _second_audit_needed),
    Rule(
        S.NOT_CERTIFIED,
        S.SECOND_AUDIT_PLANNED,
        "step 9: second audit after no certification",
        _coordinators_per_location,
    ),
    Rule(S.NOT_CERTIFIED, S.GAP_CLOSURE, "back to gap closure after a non-certifying decision"),
    Rule(S.SECOND_AUDIT_PLANNED, S.AUDITED, "step 9: second audit held"),
    Rule(S.CERTIFIED, S.SIX_MONTH_REVIEWED, "six-month review of category 4.0 performance", _six_month_review_applies),
    Rule(S.CERTIFIED, S.APPLICATION_UPDATED, "re-certification: application updated", _recertification),
    Rule(S.SIX_MONTH_REVIEWED, S.APPLICATION_UPDATED, "re-certification: application updated", _recertification),
    Rule(S.CERTIFIED, S.REVOKED, "certification revoked", _revocation_grounds),
    Rule(S.SIX_MONTH_REVIEWED, S.REVOKED, "certification revoked", _revocation_grounds),
    Rule(S.APPLICATION_UPDATED, S.REVOKED, "certification revoked", _revocation_grounds),
    Rule(S.AUDIT_PLANNED, S.REVOKED, "certification revoked", _revocation_grounds),
    Rule(S.REVOKED, S.GAP_CLOSURE, "back to gap closure after revocation"),
)
del S


def rule_for(from_stage: Stage, to_stage: Stage) -> Rule | None:
    """The table row for a step, or None when the process does not allow it."""
    return next((r for r in TRANSITIONS if r.from_stage is from_stage and r.to_stage is to_stage), None)


@dataclass(frozen=True)
class Engagement:
    """One entity's way through the certification process: the current stage and every step taken."""

    entity_id: str
    stage: Stage
    history: tuple[Transition, ...]

    @staticmethod
    def start(entity_id: str, on: dt.date, *, by: str | None = None, note: str = "") -> Engagement:
        """Step 1: the entity is defined."""
        first = Transition(None, Stage.ENTITY_DEFINED, on, by, note or "step 1: entity defined")
        return Engagement(entity_id, Stage.ENTITY_DEFINED, (first,))

    @staticmethod
    def replay(entity_id: str, history: Iterable[Transition]) -> Engagement:
        """Rebuild an engagement from stored transitions, checking that each one is a step the table allows.

        Guards are not re-run: they held (against the context of the day) when the step was taken.
        """
        steps = tuple(history)
        if not steps or steps[0].from_stage is not None or steps[0].to_stage is not Stage.ENTITY_DEFINED:
            raise CxcertError(f"engagement of {entity_id}: the history must start with the entity defined")
        for prev, step in pairwise(steps):
            if step.from_stage is not prev.to_stage or rule_for(prev.to_stage, step.to_stage) is None:
                raise IllegalTransition(
                    f"engagement of {entity_id}: stored step {step.from_stage} -> {step.to_stage} "
                    f"on {step.on.isoformat()} does not follow {prev.to_stage}"
                )
            if step.on < prev.on:
                raise CxcertError(
                    f"engagement of {entity_id}: stored step on {step.on.isoformat()} predates the one before it"
                )
        return Engagement(entity_id, steps[-1].to_stage, steps)

    @property
    def started_on(self) -> dt.date:
        return self.history[0].on

    @property
    def last_step_on(self) -> dt.date:
        return self.history[-1].on

    @property
    def holds_certification(self) -> bool:
        """Certified, and neither revoked nor decided against since (a re-certification in progress keeps it)."""
        for step in reversed(self.history):
            if step.to_stage in (Stage.REVOKED, Stage.NOT_CERTIFIED):
                return False
            if step.to_stage is Stage.CERTIFIED:
                return True
        return False

    def allowed_next(self) -> tuple[Stage, ...]:
        """The stages the table allows from here (their guards may still refuse)."""
        return tuple(r.to_stage for r in TRANSITIONS if r.from_stage is self.stage)

    def blockers(self, to: Stage, context: EngagementContext | None = None, note: str = "") -> tuple[str, ...]:
        """Why the step to ``to`` would be refused now; empty when it would go ahead."""
        rule = rule_for(self.stage, to)
        if rule is None:
            return (self._illegal_message(to),)
        return tuple(rule.guard(self, context, note)) if rule.guard else ()

    def _illegal_message(self, to: Stage) -> str:
        allowed = ", ".join(self.allowed_next()) or "none"
        return f"cannot go from {self.stage} to {to}: allowed next steps are {allowed}"

    def advance(
        self,
        to: Stage,
        on: dt.date,
        *,
        by: str | None = None,
        note: str = "",
        context: EngagementContext | None = None,
    ) -> Engagement:
        """Take one step; refuse an illegal step or one whose guard fails, saying why."""
        rule = rule_for(self.stage, to)
        if rule is None:
            raise IllegalTransition(self._illegal_message(to))
        if on < self.last_step_on:
            raise TransitionRefused(
                f"cannot record {to} on {on.isoformat()}: the previous step ({self.stage}) "
                f"was on {self.last_step_on.isoformat()}"
            )
        problems = rule.guard(self, context, note) if rule.guard else []
        if problems:
            raise TransitionRefused(f"cannot go from {self.stage} to {to} ({rule.meaning}): " + "; ".join(problems))
        step = Transition(self.stage, to, on, by, note or rule.meaning)
        return Engagement(self.entity_id, to, (*self.history, step))
