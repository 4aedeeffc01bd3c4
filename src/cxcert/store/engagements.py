"""Engagements: the current stage plus the append-only history of transitions, replayed on load."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cxcert.certification.engagement import Engagement, Stage, Transition
from cxcert.errors import CxcertError, NotFound
from cxcert.store.models import EngagementRow, EngagementTransitionRow


class EngagementRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save_engagement(self, engagement: Engagement) -> None:
        """Store ``engagement``: new transitions are appended; the stored history must be a prefix of it."""
        row = self.session.get(EngagementRow, engagement.entity_id, options=(selectinload(EngagementRow.transitions),))
        if row is None:
            row = EngagementRow(entity_id=engagement.entity_id, stage=engagement.stage.value)
            self.session.add(row)
            stored: list[Transition] = []
        else:
            stored = [_transition(t) for t in row.transitions]
        if tuple(stored) != engagement.history[: len(stored)]:
            raise CxcertError(
                f"engagement of {engagement.entity_id}: the stored history changed since it was loaded; "
                "reload and retry"
            )
        for seq, step in enumerate(engagement.history[len(stored) :], start=len(stored) + 1):
            row.transitions.append(
                EngagementTransitionRow(
                    seq=seq,
                    from_stage=None if step.from_stage is None else step.from_stage.value,
                    to_stage=step.to_stage.value,
                    on=step.on,
                    by=step.by,
                    note=step.note,
                )
            )
        row.stage = engagement.stage.value
        self.session.flush()

    def find_engagement(self, entity_id: str) -> Engagement | None:
        row = self.session.get(EngagementRow, entity_id, options=(selectinload(EngagementRow.transitions),))
        if row is None:
            return None
        return Engagement.replay(entity_id, [_transition(t) for t in row.transitions])

    def load_engagement(self, entity_id: str) -> Engagement:
        """The engagement of ``entity_id``, replayed from its stored history."""
        found = self.find_engagement(entity_id)
        if found is None:
            raise NotFound(f"entity {entity_id!r} has no engagement yet")
        return found

    def entities_at(self, stage: Stage) -> tuple[str, ...]:
        """Ids of the entities whose engagement is at ``stage``."""
        rows = self.session.scalars(
            select(EngagementRow.entity_id).where(EngagementRow.stage == stage.value).order_by(EngagementRow.entity_id)
        )
        return tuple(rows)


def _transition(row: EngagementTransitionRow) -> Transition:
    return Transition(
        from_stage=None if row.from_stage is None else Stage(row.from_stage),
        to_stage=Stage(row.to_stage),
        on=row.on,
        by=row.by,
        note=row.note,
    )
