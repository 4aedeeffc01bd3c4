"""Corrective action plans raised from findings, and revocation proposed when one is left overdue.

docs/domain.md section 3: deficiencies require a corrective action plan; if it is not implemented within a reasonable
time the certification is revoked. "Reasonable" is the rule set's ``corrective_action_grace_days`` past the due
date. A decision or review result raises its plans with :func:`plan_for_decision`: due the rule set's
``corrective_action_due_days`` after the decision, owned by the holder of its ``corrective_action_owner`` role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field, model_validator

from cxcert.certification.assessment import Assessment
from cxcert.certification.decision import Decision
from cxcert.certification.people import RoleGrant
from cxcert.errors import CxcertError
from cxcert.explain import Explanation, Step
from cxcert.standards.rule_set import FindingLevel, RuleSet
from cxcert.standards.schema import Frozen

_DEFICIENCIES = (FindingLevel.MAJOR, FindingLevel.MINOR)


class ActionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CorrectiveAction(Frozen):
    """A plan to close one deficiency: who owns it, when it is due, and whether it is closed."""

    id: str
    entity_id: str
    assessment_id: str | None = None
    item: str
    finding_level: FindingLevel
    description: str
    owner: str
    raised_on: dt.date
    due_on: dt.date
    closed_on: dt.date | None = None
    status: ActionStatus = ActionStatus.OPEN
    root_cause: str = Field(default="", description="why the deficiency happened, as the owner found it")
    plan: str = Field(default="", description="what will be done about it, and by when")
    verification: str = Field(default="", description="how the fix was checked to work; required to close")

    @model_validator(mode="after")
    def _consistent(self) -> CorrectiveAction:
        if self.finding_level not in _DEFICIENCIES:
            raise ValueError(f"a corrective action answers a deficiency, not {self.finding_level.value}")
        if self.due_on < self.raised_on:
            raise ValueError(f"due on {self.due_on} is before raised on {self.raised_on}")
        if (self.status is ActionStatus.CLOSED) != (self.closed_on is not None):
            raise ValueError("status is closed exactly when closed_on is set")
        if self.closed_on is not None and self.closed_on < self.raised_on:
            raise ValueError(f"closed on {self.closed_on} is before raised on {self.raised_on}")
        return self

    @property
    def is_open(self) -> bool:
        return self.status is ActionStatus.OPEN

    def days_overdue(self, today: dt.date) -> int:
        """Days past the due date while open (0 when not overdue or closed)."""
        return max(0, (today - self.due_on).days) if self.is_open else 0

    def assign(self, owner: str) -> CorrectiveAction:
        """The same action, owned by ``owner``."""
        if not self.is_open:
            raise CxcertError(f"corrective action {self.id} was closed on {self.closed_on}; it cannot be reassigned")
        if not owner.strip():
            raise CxcertError("the owner must not be empty")
        return self.model_copy(update={"owner": owner.strip()})

    def with_plan(self, *, root_cause: str | None = None, plan: str | None = None) -> CorrectiveAction:
        """The same action with its root cause and/or plan set (None: left as it is); only while open."""
        if not self.is_open:
            raise CxcertError(f"corrective action {self.id} was closed on {self.closed_on}; its plan is final")
        given = {k: v.strip() for k, v in (("root_cause", root_cause), ("plan", plan)) if v is not None}
        if not given:
            raise CxcertError("give the root cause, the plan, or both")
        empty = [k.replace("_", " ") for k, v in given.items() if not v]
        if empty:
            raise CxcertError(f"the {empty[0]} must not be empty")
        return self.model_copy(update=given)

    def close(self, on: dt.date, verification: str) -> CorrectiveAction:
        """The same action, closed on ``on``, with how the fix was verified (a closing needs one)."""
        if not self.is_open:
            raise CxcertError(f"corrective action {self.id} is already closed (on {self.closed_on})")
        if not verification.strip():
            raise CxcertError(
                f"corrective action {self.id} closes only with a verification: say how the fix was checked to work"
            )
        if on < self.raised_on:
            raise CxcertError(
                f"corrective action {self.id} cannot close on {on}, before it was raised on {self.raised_on}"
            )
        return self.model_copy(
            update={"closed_on": on, "status": ActionStatus.CLOSED, "verification": verification.strip()}
        )


def _item_order(number: str) -> tuple[tuple[int, int | str], ...]:
    """Item numbers in reading order: 4.2 before 4.10."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in number.split("."))


def raise_from_findings(
    assessment: Assessment,
    *,
    owner: str,
    raised_on: dt.date,
    due_in_days: int,
    owners: Mapping[str, str] | None = None,
) -> tuple[CorrectiveAction, ...]:
    """One corrective action per minor or major deficiency of ``assessment``, majors first, then by item.

    ``owner`` owns every action unless ``owners`` names another owner for that item. Ids are stable
    (``<assessment id>/CA-<item>``) so raising twice from the same assessment gives the same actions.
    """
    if due_in_days < 0:
        raise CxcertError(f"due_in_days must be 0 or more, not {due_in_days}")
    owners = owners or {}
    deficient = [f for f in assessment.findings if f.level in _DEFICIENCIES]
    deficient.sort(key=lambda f: (_DEFICIENCIES.index(f.level), _item_order(f.item)))
    due_on = raised_on + dt.timedelta(days=due_in_days)
    actions = []
    for f in deficient:
        label = "major deficiency" if f.level is FindingLevel.MAJOR else "minor deficiency"
        actions.append(
            CorrectiveAction(
                id=f"{assessment.id}/CA-{f.item}",
                entity_id=assessment.entity_id,
                assessment_id=assessment.id,
                item=f.item,
                finding_level=f.level,
                description=f"Close the {label} on item {f.item}" + (f": {f.note}" if f.note else ""),
                owner=owners.get(f.item, owner),
                raised_on=raised_on,
                due_on=due_on,
            )
        )
    return tuple(actions)


def default_owner(rule_set: RuleSet, grants: Iterable[RoleGrant]) -> str:
    """Who owns a new plan: the first person granted the rule set's ``corrective_action_owner`` role for the
    entity, else the role's name itself (to be assigned with `cxcert actions assign`)."""
    role = rule_set.corrective_action_owner
    return next((g.person_id for g in grants if g.role.value == role), role)


@dataclass(frozen=True)
class RaisedActions:
    """The corrective action plans a decision requires: those opened now, those raised before whose finding has
    changed level since (``updated``: the new level and description, with their owner, dates and status kept),
    and those raised before and kept exactly as they are."""

    opened: tuple[CorrectiveAction, ...]
    already_raised: tuple[CorrectiveAction, ...]
    explanation: Explanation
    updated: tuple[CorrectiveAction, ...] = ()

    @property
    def all(self) -> tuple[CorrectiveAction, ...]:
        return self.opened + self.updated + self.already_raised


def plan_for_decision(
    decision: Decision,
    assessment: Assessment,
    rule_set: RuleSet,
    *,
    raised_on: dt.date,
    owner: str,
    existing: Iterable[CorrectiveAction] = (),
) -> RaisedActions:
    """One plan per deficiency the decision (or review result) counted, due ``corrective_action_due_days`` after
    ``raised_on``; plans already in ``existing`` (same id) keep their owner, dates and status, so deciding twice
    opens nothing. When the finding behind one changed level since (a minor found major), its level and
    description follow the finding.

    Only items the decision judged count (its scope, the items a review covered); an item without a finding is
    not a deficiency to correct but an item to assess, and gets no plan.
    """
    if decision.assessment_id != assessment.id:
        raise CxcertError(f"the decision is on {decision.assessment_id}, not on assessment {assessment.id}")
    judged = {c.item for c in decision.contributions}
    in_scope = assessment.model_copy(update={"findings": tuple(f for f in assessment.findings if f.item in judged)})
    days = rule_set.corrective_action_due_days
    planned = raise_from_findings(in_scope, owner=owner, raised_on=raised_on, due_in_days=days)
    stored = {a.id: a for a in existing}
    opened = tuple(a for a in planned if a.id not in stored)
    updated = tuple(
        stored[a.id].model_copy(update={"finding_level": a.finding_level, "description": a.description})
        for a in planned
        if a.id in stored and stored[a.id].finding_level is not a.finding_level
    )
    changed = {a.id for a in updated}
    kept = tuple(stored[a.id] for a in planned if a.id in stored and a.id not in changed)
    missing = sum(1 for c in decision.contributions if c.level is None)
    steps = [
        Step(
            "corrective_action_due_days",
            f"{len(planned)} deficiencies need a corrective action plan, due {days} days after "
            f"{raised_on.isoformat()}, owned by {owner} until assigned",
            {"days": days, "owner_role": rule_set.corrective_action_owner, "rule_set": rule_set.id},
        )
    ]
    if updated:
        moves = ", ".join(
            f"item {a.item} {stored[a.id].finding_level.value} -> {a.finding_level.value}" for a in updated
        )
        steps.append(
            Step(
                "finding_changed",
                f"{len(updated)} raised before now answer a finding of another level ({moves}): level and "
                "description updated, owner, dates and status kept",
            )
        )
    if kept:
        steps.append(Step("idempotent", f"{len(kept)} were raised before and are left as they are"))
    if missing:
        steps.append(Step("missing_findings", f"{missing} items without a finding get no plan: assess them first"))
    summary = (
        f"{len(opened)} corrective action plans opened, "
        + (f"{len(updated)} updated, " if updated else "")
        + f"{len(kept)} already raised (assessment {assessment.id})"
    )
    return RaisedActions(opened, kept, Explanation(summary, tuple(steps)), updated)


@dataclass(frozen=True)
class RevocationProposal:
    """A proposal to revoke an entity's certification because corrective action is overdue past the grace."""

    entity_id: str
    proposed_on: dt.date
    action_ids: tuple[str, ...]
    explanation: Explanation


def review(actions: Iterable[CorrectiveAction], today: dt.date, rule_set: RuleSet) -> tuple[RevocationProposal, ...]:
    """One revocation proposal per entity with an open action overdue by more than the grace period."""
    grace = rule_set.corrective_action_grace_days
    by_entity: dict[str, list[CorrectiveAction]] = {}
    for action in actions:
        if action.is_open and action.days_overdue(today) > grace:
            by_entity.setdefault(action.entity_id, []).append(action)
    proposals = []
    for entity_id in sorted(by_entity):
        late = sorted(by_entity[entity_id], key=lambda a: (a.due_on, a.id))
        steps = tuple(
            Step(
                "corrective_action_grace_days",
                f"{a.id} (item {a.item}, owner {a.owner}) was due on {a.due_on.isoformat()}: "
                f"{a.days_overdue(today)} days overdue, more than the {grace}-day grace",
                {"due_on": a.due_on.isoformat(), "days_overdue": a.days_overdue(today), "grace_days": grace},
            )
            for a in late
        )
        summary = (
            f"revocation proposed for {entity_id}: {len(late)} corrective action(s) open more than {grace} days "
            f"past due (rule set {rule_set.id})"
        )
        proposals.append(RevocationProposal(entity_id, today, tuple(a.id for a in late), Explanation(summary, steps)))
    return tuple(proposals)
