"""People, their per-entity roles, coordinator registrations and kickoff sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cxcert.store.models.base import Base


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    organisation: Mapped[str] = mapped_column(String(300))


class RoleGrantRow(Base):
    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    location_id: Mapped[str | None] = mapped_column(String(100))


class CoordinatorRegistrationRow(Base):
    __tablename__ = "coordinator_registrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    location_id: Mapped[str] = mapped_column(String(100))
    class_attended_on: Mapped[dt.date] = mapped_column(Date)
    exam_score: Mapped[float] = mapped_column(Float)
    exam_taken_on: Mapped[dt.date] = mapped_column(Date)


class KickoffSessionRow(Base):
    __tablename__ = "kickoff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    duration_hours: Mapped[float] = mapped_column(Float)
    attendees: Mapped[list[Any]] = mapped_column(JSON)
