"""The engagement: the certification process as an explicit state machine (docs/domain.md section 3).

Stages follow the nine steps (define entity, kickoff, coordinators register, application, baseline, gap closure,
application updated, compliance audit and decision, second audit only where needed), then the six-month review,
re-certification (through a new application update and audit) and revocation. The table :data:`TRANSITIONS` is
the whole process: one row per allowed step, with the guard that must hold (its precondition in words in
``Rule.requires``; the guards themselves in :mod:`engagement_guards`). An illegal step is refused with
:class:`~cxcert.errors.IllegalTransition`; a legal step whose guard fails with :class:`TransitionRefused`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from cxcert.certification import engagement_guards as g
from cxcert.certification.assessment import Assessment

# What the guards read, re-exported: callers build the context next to the state machine they drive.
from cxcert.certification.engagement_guards import EngagementContext as EngagementContext
from cxcert.certification.engagement_guards import EngagementRecords as EngagementRecords
from cxcert.certification.engagement_guards import Guard
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
class Transition:
    from_stage: Stage | None  # None for the first step (the entity is defined)
    to_stage: Stage
    on: dt.date
    by: str | None
    note: str


@dataclass(frozen=True)
class Rule:
    """One allowed step: from a stage to a stage, what it means, what it needs, and its guard (None: always)."""

    from_stage: Stage
    to_stage: Stage
    meaning: str
    guard: Guard | None = None
    requires: str = ""  # the precondition in words, for people reading the process


_KICKOFF = "a kickoff session on record"
_ANSWERS = "application answers on record"
_BASELINE = "a baseline assessment with findings"
_PLAN = "a gap closure plan"
_UPDATED = "application answers recorded since gap closure began"
_COORDINATOR = "a coordinator who passed the exam"
_PER_LOCATION = "a registered coordinator at every location"
_AUDIT = "an audit with findings, started since the audit was planned"
_DECIDED = "a decision on that audit that certifies"
_NOT_DECIDED = "a decision on that audit that does not certify"
_SECOND = "a decision short of the best outcome, and a registered coordinator at every location"
_REVOKE = "a certification, and a revocation proposal or a note with the reason"
_CERTIFIED = "a certification held"

S = Stage
TRANSITIONS: tuple[Rule, ...] = (
    Rule(S.ENTITY_DEFINED, S.KICKOFF_HELD, "step 2: kickoff held on site", g.kickoff_recorded, _KICKOFF),
    Rule(
        S.KICKOFF_HELD, S.COORDINATORS_REGISTERED, "step 3: coordinators registered", g.some_coordinator, _COORDINATOR
    ),
    Rule(
        S.COORDINATORS_REGISTERED,
        S.APPLICATION_SUBMITTED,
        "step 4: application completed and submitted",
        g.application_answered,
        _ANSWERS,
    ),
    Rule(
        S.APPLICATION_SUBMITTED, S.BASELINE_ASSESSED, "step 5: baseline assessment held", g.baseline_recorded, _BASELINE
    ),
    Rule(S.BASELINE_ASSESSED, S.GAP_CLOSURE, "step 6: gap closure calls under way", g.gap_closure_planned, _PLAN),
    Rule(
        S.GAP_CLOSURE,
        S.APPLICATION_UPDATED,
        "step 7: application updated before the audit",
        g.application_updated,
        _UPDATED,
    ),
    Rule(
        S.APPLICATION_UPDATED,
        S.AUDIT_PLANNED,
        "step 8: compliance audit planned",
        g.coordinators_per_location,
        _PER_LOCATION,
    ),
    Rule(S.AUDIT_PLANNED, S.AUDITED, "step 8: audit held", g.audit_recorded, _AUDIT),
    Rule(S.AUDITED, S.CERTIFIED, "step 8: decision certifies", g.certifies, _DECIDED),
    Rule(S.AUDITED, S.NOT_CERTIFIED, "step 8: decision does not certify", g.does_not_certify, _NOT_DECIDED),
    Rule(S.AUDITED, S.SECOND_AUDIT_PLANNED, "step 9: second audit, where needed", g.second_audit_needed, _SECOND),
    Rule(
        S.NOT_CERTIFIED,
        S.SECOND_AUDIT_PLANNED,
        "step 9: second audit after no certification",
        g.coordinators_per_location,
        _PER_LOCATION,
    ),
    Rule(
        S.NOT_CERTIFIED,
        S.GAP_CLOSURE,
        "back to gap closure after a non-certifying decision",
        g.gap_closure_planned,
        _PLAN,
    ),
    Rule(S.SECOND_AUDIT_PLANNED, S.AUDITED, "step 9: second audit held", g.audit_recorded, _AUDIT),
    Rule(
        S.CERTIFIED,
        S.SIX_MONTH_REVIEWED,
        "six-month review of category 4.0 performance",
        g.six_month_review_applies,
        "a rule set with a six-month review",
    ),
    Rule(S.CERTIFIED, S.APPLICATION_UPDATED, "re-certification: application updated", g.recertification, _CERTIFIED),
    Rule(
        S.SIX_MONTH_REVIEWED,
        S.APPLICATION_UPDATED,
        "re-certification: application updated",
        g.recertification,
        _CERTIFIED,
    ),
    Rule(S.CERTIFIED, S.REVOKED, "certification revoked", g.revocation_grounds, _REVOKE),
    Rule(S.SIX_MONTH_REVIEWED, S.REVOKED, "certification revoked", g.revocation_grounds, _REVOKE),
    Rule(S.APPLICATION_UPDATED, S.REVOKED, "certification revoked", g.revocation_grounds, _REVOKE),
    Rule(S.AUDIT_PLANNED, S.REVOKED, "certification revoked", g.revocation_grounds, _REVOKE),
    Rule(S.REVOKED, S.GAP_CLOSURE, "back to gap closure after revocation", g.gap_closure_planned, _PLAN),
)
del S


@dataclass(frozen=True)
class NextStep:
    """A step the process allows from the current stage: what it means, what it needs, and what blocks it."""

    to_stage: Stage
    meaning: str
    requires: str
    blockers: tuple[str, ...]  # empty: the step would go ahead

    def to_dict(self) -> dict[str, object]:
        return {
            "to": self.to_stage.value,
            "meaning": self.meaning,
            "requires": self.requires or None,
            "blockers": list(self.blockers),
        }


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
    def audit_planned_on(self) -> dt.date | None:
        """The day the latest audit (first, second or re-certification) was planned; None before any."""
        planned = (Stage.AUDIT_PLANNED, Stage.SECOND_AUDIT_PLANNED)
        return next((t.on for t in reversed(self.history) if t.to_stage in planned), None)

    @property
    def gap_closure_started_on(self) -> dt.date | None:
        """The day the latest round of gap closure began; None before any."""
        return next((t.on for t in reversed(self.history) if t.to_stage is Stage.GAP_CLOSURE), None)

    @property
    def followed(self) -> bool:
        """Whether the process is followed step by step here: a step taken past step 1 (the entity defined,
        which defining the entity records by itself). Only then do decisions wait for the engagement's stage."""
        return len(self.history) > 1

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

    def blockers(
        self, to: Stage, context: EngagementContext | None = None, note: str = "", *, on: dt.date | None = None
    ) -> tuple[str, ...]:
        """Why the step to ``to`` on ``on`` (default: the day of the last step) would be refused; empty if not."""
        rule = rule_for(self.stage, to)
        if rule is None:
            return (self._illegal_message(to),)
        return tuple(rule.guard(self, context, on or self.last_step_on, note)) if rule.guard else ()

    def next_steps(
        self, context: EngagementContext | None = None, *, on: dt.date | None = None
    ) -> tuple[NextStep, ...]:
        """Every step allowed from here with its precondition and, under ``context`` on ``on``, its blockers."""
        return tuple(
            NextStep(r.to_stage, r.meaning, r.requires, self.blockers(r.to_stage, context, on=on))
            for r in TRANSITIONS
            if r.from_stage is self.stage
        )

    def decision_blockers(self, assessment: Assessment, rule_set: RuleSet) -> tuple[str, ...]:
        """Why a certification decision on ``assessment`` under ``rule_set`` should not be recorded now (empty:
        it may)."""
        return g.audit_decision_blockers(self, assessment, rule_set)

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
        problems = rule.guard(self, context, on, note) if rule.guard else []
        if problems:
            raise TransitionRefused(f"cannot go from {self.stage} to {to} ({rule.meaning}): " + "; ".join(problems))
        step = Transition(self.stage, to, on, by, note or rule.meaning)
        return Engagement(self.entity_id, to, (*self.history, step))
