"""Organisations and the entities they certify, with the entity's scope as child tables (queryable)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxcert.store.models.base import Base


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))


class EntityRow(Base):
    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    standard_urn: Mapped[str] = mapped_column(String(300))
    rule_set_id: Mapped[str] = mapped_column(String(100))

    locations: Mapped[list[LocationRow]] = relationship(cascade="all, delete-orphan", order_by="LocationRow.position")
    services: Mapped[list[EntityServiceRow]] = relationship(
        cascade="all, delete-orphan", order_by="EntityServiceRow.position"
    )
    functions: Mapped[list[EntityFunctionRow]] = relationship(
        cascade="all, delete-orphan", order_by="EntityFunctionRow.position"
    )
    processes: Mapped[list[ProcessRow]] = relationship(cascade="all, delete-orphan", order_by="ProcessRow.position")
    key_suppliers: Mapped[list[KeySupplierRow]] = relationship(
        cascade="all, delete-orphan", order_by="KeySupplierRow.position"
    )
    clients: Mapped[list[ClientRow]] = relationship(cascade="all, delete-orphan", order_by="ClientRow.position")


class LocationRow(Base):
    __tablename__ = "locations"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2), index=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    programs: Mapped[list[Any]] = mapped_column(JSON)
    queues: Mapped[list[Any]] = mapped_column(JSON)


class EntityServiceRow(Base):
    __tablename__ = "entity_services"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class EntityFunctionRow(Base):
    __tablename__ = "entity_functions"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class ProcessRow(Base):
    __tablename__ = "processes"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(8), index=True)
    owner: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    programs: Mapped[list[Any]] = mapped_column(JSON)


class KeySupplierRow(Base):
    __tablename__ = "key_suppliers"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    supplies: Mapped[str] = mapped_column(Text)


class ClientRow(Base):
    __tablename__ = "clients"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    programs: Mapped[list[Any]] = mapped_column(JSON)
