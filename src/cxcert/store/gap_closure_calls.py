"""The gap closure plan of an entity: rows <-> :class:`~cxcert.certification.gap_closure.GapClosureCall`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cxcert.certification.gap_closure import GapClosureCall
from cxcert.store.models import GapClosureCallRow


class GapClosureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save_plan(self, entity_id: str, calls: Iterable[GapClosureCall]) -> None:
        """Replace ``entity_id``'s plan with ``calls`` (one row per call number)."""
        self.session.execute(delete(GapClosureCallRow).where(GapClosureCallRow.entity_id == entity_id))
        for call in calls:
            self.session.add(_row(entity_id, call))
        self.session.flush()

    def save_call(self, entity_id: str, call: GapClosureCall) -> None:
        """Insert or update one call (e.g. once it has been held and its outcome recorded)."""
        self.session.merge(_row(entity_id, call))
        self.session.flush()

    def plan(self, entity_id: str) -> tuple[GapClosureCall, ...]:
        rows = self.session.scalars(
            select(GapClosureCallRow).where(GapClosureCallRow.entity_id == entity_id).order_by(GapClosureCallRow.number)
        )
        return tuple(
            GapClosureCall(
                number=r.number,
                scheduled_on=r.scheduled_on,
                topic_id=r.topic_id,
                topic=r.topic,
                owner=r.owner,
                outcome=r.outcome,
                held_on=r.held_on,
            )
            for r in rows
        )


def _row(entity_id: str, call: GapClosureCall) -> GapClosureCallRow:
    return GapClosureCallRow(
        entity_id=entity_id,
        number=call.number,
        scheduled_on=call.scheduled_on,
        topic_id=call.topic_id,
        topic=call.topic,
        owner=call.owner,
        outcome=call.outcome,
        held_on=call.held_on,
    )
