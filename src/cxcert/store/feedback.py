"""Quality feedback records: rows <-> :class:`~cxcert.quality.feedback.Dispute` and
:class:`~cxcert.quality.feedback.CoachingRecord`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxcert.errors import NotFound
from cxcert.quality.feedback import CoachingRecord, Dispute, DisputeOutcome
from cxcert.store.models import QaCoachingRow, QaDisputeRow


class FeedbackRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- disputes --------------------------------------------------------------------------------------------

    def save_dispute(self, dispute: Dispute) -> None:
        """Insert or update ``dispute`` by id (deciding a dispute saves it again)."""
        row = self.session.get(QaDisputeRow, dispute.id)
        if row is None:
            row = QaDisputeRow(id=dispute.id)
            self.session.add(row)
        row.entity_id = dispute.entity_id
        row.evaluation_id = dispute.evaluation_id
        row.agent_id = dispute.agent_id
        row.program = dispute.program
        row.evaluated_on = dispute.evaluated_on
        row.window_days = dispute.window_days
        row.raised_by = dispute.raised_by
        row.raised_on = dispute.raised_on
        row.reason = dispute.reason
        row.parameter_ids = list(dispute.parameter_ids)
        row.outcome = dispute.outcome.value
        row.decided_by = dispute.decided_by
        row.decided_on = dispute.decided_on
        row.decision_note = dispute.decision_note
        self.session.flush()

    def get_dispute(self, dispute_id: str) -> Dispute:
        row = self.session.get(QaDisputeRow, dispute_id)
        if row is None:
            raise NotFound(f"no dispute {dispute_id!r}")
        return _dispute(row)

    def disputes(
        self,
        entity_id: str,
        *,
        agent_id: str | None = None,
        evaluation_id: str | None = None,
        outcome: DisputeOutcome | None = None,
    ) -> tuple[Dispute, ...]:
        """One entity's disputes, oldest first (by raised date, then id), filtered as asked."""
        query = (
            select(QaDisputeRow)
            .where(QaDisputeRow.entity_id == entity_id)
            .order_by(QaDisputeRow.raised_on, QaDisputeRow.id)
        )
        if agent_id is not None:
            query = query.where(QaDisputeRow.agent_id == agent_id)
        if evaluation_id is not None:
            query = query.where(QaDisputeRow.evaluation_id == evaluation_id)
        if outcome is not None:
            query = query.where(QaDisputeRow.outcome == outcome.value)
        return tuple(_dispute(r) for r in self.session.scalars(query))

    # --- coaching --------------------------------------------------------------------------------------------

    def save_coaching(self, record: CoachingRecord) -> None:
        """Insert or update a coaching record by id (the agent's acknowledgement saves it again)."""
        row = self.session.get(QaCoachingRow, record.id)
        if row is None:
            row = QaCoachingRow(id=record.id)
            self.session.add(row)
        row.entity_id = record.entity_id
        row.agent_id = record.agent_id
        row.program = record.program
        row.coach_id = record.coach_id
        row.held_on = record.held_on
        row.evaluation_ids = list(record.evaluation_ids)
        row.topics = list(record.topics)
        row.notes = record.notes
        row.actions = list(record.actions)
        row.follow_up_on = record.follow_up_on
        row.acknowledged_on = record.acknowledged_on
        row.agent_comment = record.agent_comment
        self.session.flush()

    def get_coaching(self, record_id: str) -> CoachingRecord:
        row = self.session.get(QaCoachingRow, record_id)
        if row is None:
            raise NotFound(f"no coaching record {record_id!r}")
        return _coaching(row)

    def coaching_records(
        self, entity_id: str, *, agent_id: str | None = None, unacknowledged_only: bool = False
    ) -> tuple[CoachingRecord, ...]:
        """One entity's coaching records, oldest first (by session date, then id)."""
        query = (
            select(QaCoachingRow)
            .where(QaCoachingRow.entity_id == entity_id)
            .order_by(QaCoachingRow.held_on, QaCoachingRow.id)
        )
        if agent_id is not None:
            query = query.where(QaCoachingRow.agent_id == agent_id)
        if unacknowledged_only:
            query = query.where(QaCoachingRow.acknowledged_on.is_(None))
        return tuple(_coaching(r) for r in self.session.scalars(query))


def _dispute(row: QaDisputeRow) -> Dispute:
    return Dispute(
        id=row.id,
        entity_id=row.entity_id,
        evaluation_id=row.evaluation_id,
        agent_id=row.agent_id,
        program=row.program,
        evaluated_on=row.evaluated_on,
        window_days=row.window_days,
        raised_by=row.raised_by,
        raised_on=row.raised_on,
        reason=row.reason,
        parameter_ids=tuple(row.parameter_ids),
        outcome=DisputeOutcome(row.outcome),
        decided_by=row.decided_by,
        decided_on=row.decided_on,
        decision_note=row.decision_note,
    )


def _coaching(row: QaCoachingRow) -> CoachingRecord:
    return CoachingRecord(
        id=row.id,
        entity_id=row.entity_id,
        agent_id=row.agent_id,
        program=row.program,
        coach_id=row.coach_id,
        held_on=row.held_on,
        evaluation_ids=tuple(row.evaluation_ids),
        topics=tuple(row.topics),
        notes=row.notes,
        actions=tuple(row.actions),
        follow_up_on=row.follow_up_on,
        acknowledged_on=row.acknowledged_on,
        agent_comment=row.agent_comment,
    )
