"""Quality feedback records: disputes of evaluations and coaching sessions with the agent's acknowledgement.

The evaluations themselves live in the warehouse (keyed by entity id), which does not require the entity to be
registered here, so ``entity_id`` is an indexed column, not a foreign key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxcert.store.models.base import Base


class QaDisputeRow(Base):
    __tablename__ = "qa_disputes"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(100), index=True)
    evaluation_id: Mapped[str] = mapped_column(String(200), index=True)
    agent_id: Mapped[str] = mapped_column(String(100), index=True)
    program: Mapped[str | None] = mapped_column(String(100))
    evaluated_on: Mapped[dt.date] = mapped_column(Date)
    window_days: Mapped[int] = mapped_column(Integer)
    raised_by: Mapped[str] = mapped_column(String(100))
    raised_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    parameter_ids: Mapped[list[str]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_note: Mapped[str] = mapped_column(Text)


class QaCoachingRow(Base):
    __tablename__ = "qa_coaching_records"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(100), index=True)
    agent_id: Mapped[str] = mapped_column(String(100), index=True)
    program: Mapped[str | None] = mapped_column(String(100))
    coach_id: Mapped[str] = mapped_column(String(100))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    evaluation_ids: Mapped[list[str]] = mapped_column(JSON)
    topics: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text)
    actions: Mapped[list[str]] = mapped_column(JSON)
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)
    acknowledged_on: Mapped[dt.date | None] = mapped_column(Date)
    agent_comment: Mapped[str] = mapped_column(Text)
