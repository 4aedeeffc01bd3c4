"""Corrective action plans raised from findings, and revocation proposed when one is left overdue.

DOMAIN.md section 3: deficiencies require a corrective action plan; if it is not implemented within a reasonable
time the certification is revoked. "Reasonable" is the rule set's ``corrective_action_grace_days`` past the due
date; how long a plan gets (``due_in_days``) is the caller's configuration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydantic import model_validator

from cxcert.certification.assessment import Assessment
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

    def close(self, on: dt.date) -> CorrectiveAction:
        """The same action, closed on ``on``."""
        if not self.is_open:
            raise CxcertError(f"corrective action {self.id} is already closed (on {self.closed_on})")
        if on < self.raised_on:
            raise CxcertError(
                f"corrective action {self.id} cannot close on {on}, before it was raised on {self.raised_on}"
            )
        return self.model_copy(update={"closed_on": on, "status": ActionStatus.CLOSED})


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
    deficient.sort(key=lambda f: (_DEFICIENCIES.index(f.level), f.item))
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
