"""An entity's certification engagement: its current stage and every transition taken (the history)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxcert.store.models.base import Base


class EngagementRow(Base):
    __tablename__ = "engagements"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), index=True)

    transitions: Mapped[list[EngagementTransitionRow]] = relationship(
        cascade="all, delete-orphan", order_by="EngagementTransitionRow.seq"
    )


class EngagementTransitionRow(Base):
    __tablename__ = "engagement_transitions"

    entity_id: Mapped[str] = mapped_column(ForeignKey("engagements.entity_id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    on: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text)
