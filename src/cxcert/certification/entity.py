"""The organisation and the entity seeking certification (docs/domain.md section 3, step 1)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from cxcert.certification.countries import country_code
from cxcert.standards.schema import Frozen

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a simple id: start with a letter or digit, then use only letters, digits, "
            "'-', '_' and '.' (e.g. acme-care, lon)"
        )
    return value


Slug = Annotated[str, Field(max_length=100), AfterValidator(_slug)]
"""An id kept in storage and typed on command lines: no spaces, colons or other punctuation."""
Country = Annotated[str, AfterValidator(country_code)]
"""An ISO 3166-1 alpha-2 code that exists (case-insensitive on input, stored upper-case)."""
Name = Annotated[str, Field(min_length=1, max_length=300)]


def _no_repeats(what: str, values: Iterable[str]) -> None:
    """ValueError naming the first value given more than once (storage keys them per entity)."""
    seen = list(values)
    repeated = [v for v, n in Counter(seen).items() if n > 1]
    if repeated:
        first = repeated[0]
        at = [str(i + 1) for i, v in enumerate(seen) if v == first]
        raise ValueError(f"{what} {first!r} is given more than once (entries {' and '.join(at)})")


_UNIQUE_BY = {
    "locations": "location id",
    "processes": "process id",
    "key_suppliers": "key supplier id",
    "clients": "client id",
    "services": "service",
    "functions": "function",
}


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
    id: Slug
    name: Name
    country: Country = Field(description="ISO 3166-1 alpha-2 of the head office")


class Location(Frozen):
    id: Slug
    name: Name
    country: Country
    time_zone: str = Field(description="IANA name, used to bucket intervals and days")
    programs: tuple[Slug, ...] = Field(default=(), description="programs (the data's `program`) this site handles")
    queues: tuple[Slug, ...] = Field(
        default=(), description="queues this site handles; a queue's site wins over its program's"
    )

    @field_validator("programs", "queues")
    @classmethod
    def _distinct(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        _no_repeats((info.field_name or "").removesuffix("s"), value)
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value


class Process(Frozen):
    id: Slug
    name: Name
    kind: ProcessKind
    owner: str | None = None
    description: str = ""
    programs: tuple[Slug, ...] = Field(
        default=(), description="programs (client lines of business, the data's `program`) the process serves"
    )

    @field_validator("programs")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _no_repeats("program", value)
        return value


class KeySupplier(Frozen):
    id: Slug
    name: Name
    supplies: str = Field(description="what the supplier provides (a KCRP or KSP it performs or supports)")


class Client(Frozen):
    id: Slug
    name: Name
    programs: tuple[str, ...] = ()


class Entity(Frozen):
    """What is certified: every department that performs, participates in or outsources a KCRP or KSP."""

    id: Slug
    organisation_id: Slug
    name: Name
    standard_urn: str = Field(description="the standard document version the entity is assessed against")
    rule_set_id: str
    locations: tuple[Location, ...] = Field(min_length=1)
    services: tuple[Service, ...] = ()
    functions: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = Field(
        default=(), description="departments/functions included in scope"
    )
    processes: tuple[Process, ...] = ()
    key_suppliers: tuple[KeySupplier, ...] = ()
    clients: tuple[Client, ...] = ()

    # Storage keys each list by id (or value) within the entity; KCRPs and KSPs share one list of processes.
    @field_validator("locations", "processes", "key_suppliers", "clients", "services", "functions")
    @classmethod
    def _unique(cls, value: tuple[object, ...], info: ValidationInfo) -> tuple[object, ...]:
        what = _UNIQUE_BY[info.field_name or ""]
        _no_repeats(what, (str(getattr(v, "id", v)) for v in value))
        return value

    # One site per program and per queue, so each row has one clock. A program split between sites is listed
    # by one of them; the other lists the queues of it that it handles (a queue's site wins over its program's).
    @field_validator("locations")
    @classmethod
    def _one_site_each(cls, value: tuple[Location, ...]) -> tuple[Location, ...]:
        for kind in ("program", "queue"):
            site_of: dict[str, str] = {}
            for loc in value:
                for name in loc.programs if kind == "program" else loc.queues:
                    other = site_of.setdefault(name, loc.id)
                    if other != loc.id:
                        hint = "; list it at one and the queues the other handles" if kind == "program" else ""
                        raise ValueError(
                            f"{kind} {name!r} is claimed by locations {other} and {loc.id}: "
                            f"a {kind} has one site{hint}"
                        )
        return value

    def kcrps(self) -> tuple[Process, ...]:
        return tuple(p for p in self.processes if p.kind is ProcessKind.KCRP)

    def ksps(self) -> tuple[Process, ...]:
        return tuple(p for p in self.processes if p.kind is ProcessKind.KSP)

    def location(self, location_id: str) -> Location:
        for loc in self.locations:
            if loc.id == location_id:
                return loc
        raise KeyError(location_id)
