"""What follows an assessment: corrective actions on deficiencies, and the gap-closure call plan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxcert.store.models.base import Base


class CorrectiveActionRow(Base):
    __tablename__ = "corrective_actions"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[str | None] = mapped_column(ForeignKey("assessments.id", ondelete="SET NULL"))
    item: Mapped[str] = mapped_column(String(20))
    finding_level: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(100))
    raised_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    root_cause: Mapped[str] = mapped_column(Text)
    plan: Mapped[str] = mapped_column(Text)
    verification: Mapped[str] = mapped_column(Text)


class GapClosureCallRow(Base):
    __tablename__ = "gap_closure_calls"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    scheduled_on: Mapped[dt.date] = mapped_column(Date)
    topic_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(Text)
    held_on: Mapped[dt.date | None] = mapped_column(Date)
