"""The organisation and the entity seeking certification (DOMAIN.md section 3, step 1)."""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from cxcert.standards.schema import Frozen


class Service(StrEnum):
    INBOUND_CUSTOMER_SERVICE = "inbound_customer_service"
    TECHNICAL_SUPPORT = "technical_support"
    OUTBOUND = "outbound_contact_management"
    ECOMMERCE = "e_commerce"
    FULFILMENT = "fulfilment"
    BACK_OFFICE = "back_office"


class ProcessKind(StrEnum):
    KCRP = "kcrp"  # key customer-related process: touches end users or clients
    KSP = "ksp"  # key support process: gives the entity the capability to run its KCRPs


class Organisation(Frozen):
    id: str
    name: str
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2 of the head office")


class Location(Frozen):
    id: str
    name: str
    country: str = Field(min_length=2, max_length=2)
    time_zone: str = Field(description="IANA name, used to bucket intervals and days")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value


class Process(Frozen):
    id: str
    name: str
    kind: ProcessKind
    owner: str | None = None
    description: str = ""


class KeySupplier(Frozen):
    id: str
    name: str
    supplies: str = Field(description="what the supplier provides (a KCRP or KSP it performs or supports)")


class Client(Frozen):
    id: str
    name: str
    programs: tuple[str, ...] = ()


class Entity(Frozen):
    """What is certified: every department that performs, participates in or outsources a KCRP or KSP."""

    id: str
    organisation_id: str
    name: str
    standard_urn: str = Field(description="the standard document version the entity is assessed against")
    rule_set_id: str
    locations: tuple[Location, ...] = Field(min_length=1)
    services: tuple[Service, ...] = ()
    functions: tuple[str, ...] = Field(default=(), description="departments/functions included in scope")
    processes: tuple[Process, ...] = ()
    key_suppliers: tuple[KeySupplier, ...] = ()
    clients: tuple[Client, ...] = ()

    def kcrps(self) -> tuple[Process, ...]:
        return tuple(p for p in self.processes if p.kind is ProcessKind.KCRP)

    def ksps(self) -> tuple[Process, ...]:
        return tuple(p for p in self.processes if p.kind is ProcessKind.KSP)

    def location(self, location_id: str) -> Location:
        for loc in self.locations:
            if loc.id == location_id:
                return loc
        raise KeyError(location_id)
