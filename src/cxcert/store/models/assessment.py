"""Application answers, assessments with their findings, and the decisions drawn from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxcert.store.models.base import Base


class ApplicationAnswerRow(Base):
    """Every answer given, in order: the core takes the latest per requirement and adds up the hours."""

    __tablename__ = "application_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(20))
    # "" stands for "the item as a whole", so (entity, item, requirement) is never NULL and indexes well.
    requirement_key: Mapped[str] = mapped_column(String(50))
    answer: Mapped[str] = mapped_column(Text)
    hours_spent: Mapped[float] = mapped_column(Float)
    completion: Mapped[float] = mapped_column(Float)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_on: Mapped[dt.date | None] = mapped_column(Date)


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    assessors: Mapped[list[Any]] = mapped_column(JSON)
    management_commitment: Mapped[bool] = mapped_column(Boolean)
    scope_items: Mapped[list[Any] | None] = mapped_column(JSON)

    findings: Mapped[list[FindingRow]] = relationship(cascade="all, delete-orphan", order_by="FindingRow.position")


class FindingRow(Base):
    __tablename__ = "findings"

    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(32), index=True)
    note: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    # A typed finding that replaced a computed one keeps the computed level, and why it departs from it.
    computed_level: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    assessment_kind: Mapped[str] = mapped_column(String(32))
    decided_on: Mapped[dt.date] = mapped_column(Date, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    rule_set_id: Mapped[str] = mapped_column(String(100))
    standard_urn: Mapped[str] = mapped_column(String(300))
    decision_class: Mapped[str] = mapped_column(String(100), index=True)
    certifies: Mapped[bool] = mapped_column(Boolean)
    rank: Mapped[int] = mapped_column(Integer)
    best_rank: Mapped[int] = mapped_column(Integer)
    scope_items: Mapped[list[Any] | None] = mapped_column(JSON)
    scorable: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[int] = mapped_column(Integer)
    minor: Mapped[int] = mapped_column(Integer)
    major: Mapped[int] = mapped_column(Integer)
    not_applicable: Mapped[int] = mapped_column(Integer)
    missing: Mapped[int] = mapped_column(Integer)
    points_earned: Mapped[float] = mapped_column(Float)
    points_possible: Mapped[float] = mapped_column(Float)
    points_pass_mark: Mapped[int | None] = mapped_column(Integer)
    points_required: Mapped[float | None] = mapped_column(Float)
    points_passed: Mapped[bool | None] = mapped_column(Boolean)
    contributions: Mapped[list[Any]] = mapped_column(JSON)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
