"""People and their roles in a certification (DOMAIN.md section 1)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from cxcert.standards.schema import Frozen


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    SENIOR_MANAGEMENT = "senior_management"
    AUDITOR = "auditor"
    LEAD_AUDITOR = "lead_auditor"
    LICENSEE = "licensee"
    HEADQUARTERS = "headquarters"
    VIEWER = "viewer"


class Person(Frozen):
    id: str
    name: str
    email: str | None = None
    organisation: str = Field(description="who they work for: the CSP, the certifying body, a licensee")


class RoleGrant(Frozen):
    """A role held by a person for one entity (access is scoped per entity)."""

    person_id: str
    entity_id: str
    role: Role
    location_id: str | None = Field(default=None, description="for coordinators: the location they cover")


class CoordinatorRegistration(Frozen):
    """A registered coordinator: attended the class and passed the written exam at the rule set's mark."""

    person_id: str
    location_id: str
    class_attended_on: dt.date
    exam_score: float = Field(ge=0, le=1, description="share of the written exam answered correctly")
    exam_taken_on: dt.date


class KickoffSession(Frozen):
    """One audience of the on-site kickoff (executives, centre managers, implementation team)."""

    audience: str
    held_on: dt.date
    duration_hours: float = Field(gt=0)
    attendees: tuple[str, ...] = ()
