"""Corrective actions: rows <-> :class:`~cxcert.certification.corrective_action.CorrectiveAction`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxcert.certification.corrective_action import ActionStatus, CorrectiveAction
from cxcert.errors import NotFound
from cxcert.standards.rule_set import FindingLevel
from cxcert.store.models import CorrectiveActionRow


class CorrectiveActionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save_action(self, action: CorrectiveAction) -> None:
        """Insert or update ``action`` by id (raising again from the same assessment is idempotent)."""
        row = self.session.get(CorrectiveActionRow, action.id)
        if row is None:
            row = CorrectiveActionRow(id=action.id)
            self.session.add(row)
        row.entity_id = action.entity_id
        row.assessment_id = action.assessment_id
        row.item = action.item
        row.finding_level = action.finding_level.value
        row.description = action.description
        row.owner = action.owner
        row.raised_on = action.raised_on
        row.due_on = action.due_on
        row.closed_on = action.closed_on
        row.status = action.status.value
        row.root_cause = action.root_cause
        row.plan = action.plan
        row.verification = action.verification
        self.session.flush()

    def find_action(self, action_id: str) -> CorrectiveAction | None:
        row = self.session.get(CorrectiveActionRow, action_id)
        return None if row is None else _action(row)

    def get_action(self, action_id: str) -> CorrectiveAction:
        """The action; :class:`NotFound` (naming where to look) if there is none."""
        found = self.find_action(action_id)
        if found is None:
            raise NotFound(f"no corrective action {action_id!r} (see `cxcert actions list --entity ENTITY`)")
        return found

    def actions(self, entity_id: str | None = None, *, open_only: bool = False) -> tuple[CorrectiveAction, ...]:
        """Corrective actions by due date (one entity's when given; open ones only when asked)."""
        query = select(CorrectiveActionRow).order_by(CorrectiveActionRow.due_on, CorrectiveActionRow.id)
        if entity_id is not None:
            query = query.where(CorrectiveActionRow.entity_id == entity_id)
        if open_only:
            query = query.where(CorrectiveActionRow.status == ActionStatus.OPEN.value)
        return tuple(_action(r) for r in self.session.scalars(query))


def _action(row: CorrectiveActionRow) -> CorrectiveAction:
    return CorrectiveAction(
        id=row.id,
        entity_id=row.entity_id,
        assessment_id=row.assessment_id,
        item=row.item,
        finding_level=FindingLevel(row.finding_level),
        description=row.description,
        owner=row.owner,
        raised_on=row.raised_on,
        due_on=row.due_on,
        closed_on=row.closed_on,
        status=ActionStatus(row.status),
        root_cause=row.root_cause,
        plan=row.plan,
        verification=row.verification,
    )
