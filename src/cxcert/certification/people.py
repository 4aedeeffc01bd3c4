"""People and their roles in a certification (docs/domain.md section 1), and the kickoff sessions they attend.

The kickoff's audiences and their typical durations are data (``data/kickoff.yaml``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from pydantic import Field, field_validator, model_validator

from cxcert.errors import CxcertError
from cxcert.explain import Explanation, Step
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import load_packaged


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


# Roles held at the certifying body or its licensee, not at the contact centre (docs/domain.md section 1).
CERTIFYING_SIDE: frozenset[Role] = frozenset({Role.AUDITOR, Role.LEAD_AUDITOR, Role.LICENSEE, Role.HEADQUARTERS})


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


def check_grantable(role: Role) -> None:
    """Refuse to grant a role that only a process step confers (a coordinator registers: class and exam)."""
    if role is Role.COORDINATOR:
        raise CxcertError(
            "a coordinator is registered, not just named: the class and the written exam at the rule set's pass "
            "mark come first; use `cxcert coordinator register`"
        )


def roles_without_person(required: Iterable[str], grants: Iterable[RoleGrant]) -> tuple[str, ...]:
    """The roles in ``required`` (e.g. the entity's authorities: lead_auditor, headquarters) nobody holds yet."""
    held = {g.role.value for g in grants}
    return tuple(r for r in dict.fromkeys(required) if r not in held)


class CoordinatorRegistration(Frozen):
    """A coordinator's exam attempt: the class attended and the written exam's score. It registers them when it
    reaches the rule set's pass mark (:func:`~cxcert.certification.registration.check_registration`); failed
    attempts are kept too."""

    person_id: str
    location_id: str
    class_attended_on: dt.date
    exam_score: float = Field(ge=0, le=1, description="share of the written exam answered correctly")
    exam_taken_on: dt.date


class KickoffAudience(StrEnum):
    """The audiences of the on-site kickoff (docs/domain.md section 3 step 2)."""

    EXECUTIVES = "executives"
    CENTRE_MANAGERS = "centre_managers"
    IMPLEMENTATION_TEAM = "implementation_team"

    @classmethod
    def parse(cls, text: str) -> KickoffAudience:
        """An audience from its value or as people write it ("centre managers", "Implementation-Team")."""
        cleaned = "_".join(text.strip().lower().replace("-", " ").split())
        try:
            return cls(cleaned)
        except ValueError:
            known = ", ".join(a.value for a in cls)
            raise CxcertError(f"{text!r} is not a kickoff audience; use one of {known}") from None


class KickoffSession(Frozen):
    """One audience's session of the on-site kickoff."""

    audience: KickoffAudience
    held_on: dt.date
    duration_hours: float = Field(gt=0)
    attendees: tuple[str, ...] = Field(default=(), description="person ids, or names of people not on file")

    @field_validator("audience", mode="before")
    @classmethod
    def _audience(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return KickoffAudience.parse(value)
        except CxcertError as exc:
            raise ValueError(exc.message) from None


class AudienceGuide(Frozen):
    title: str
    guide: str = Field(description="the duration as the source words it, e.g. 'about 2 h'")
    min_hours: float = Field(gt=0)
    max_hours: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> AudienceGuide:
        if self.min_hours > self.max_hours:
            raise ValueError(f"min_hours {self.min_hours:g} is above max_hours {self.max_hours:g}")
        return self


class KickoffGuide(Frozen):
    source_note: str
    max_session_hours: float = Field(gt=0, description="longer than this is a typing mistake, not a session")
    audiences: Mapping[KickoffAudience, AudienceGuide]

    @model_validator(mode="after")
    def _complete(self) -> KickoffGuide:
        missing = [a.value for a in KickoffAudience if a not in self.audiences]
        if missing:
            raise ValueError(f"no guide for audiences {', '.join(missing)}")
        too_long = [a.value for a, g in self.audiences.items() if g.max_hours > self.max_session_hours]
        if too_long:
            raise ValueError(f"guides of {', '.join(too_long)} exceed max_session_hours {self.max_session_hours:g}")
        return self


@cache
def kickoff_guide() -> KickoffGuide:
    """The packaged kickoff audiences and durations."""
    return load_packaged("cxcert.certification", "kickoff.yaml", KickoffGuide)


@dataclass(frozen=True)
class KickoffCheck:
    """How one kickoff session compares with the guide for its audience (outside it is noted, not refused)."""

    session: KickoffSession
    within_guide: bool
    explanation: Explanation


def check_kickoff_session(session: KickoffSession, guide: KickoffGuide | None = None) -> KickoffCheck:
    """Compare ``session``'s duration with its audience's guide; refuse one longer than the kickoff itself."""
    guide = guide or kickoff_guide()
    hours = session.duration_hours
    if hours > guide.max_session_hours:
        raise CxcertError(
            f"a {hours:g} h kickoff session is longer than the kickoff on site allows "
            f"({guide.max_session_hours:g} h at most); give the session's hours, not the total"
        )
    aud = guide.audiences[session.audience]
    within = aud.min_hours <= hours <= aud.max_hours
    verdict = "within" if within else "outside"
    summary = (
        f"kickoff session for {aud.title.lower()} on {session.held_on.isoformat()}: {hours:g} h, "
        f"{verdict} the guide ({aud.guide})"
    )
    step = Step(
        f"kickoff_guide:{session.audience.value}",
        f"{hours:g} h is {verdict} {aud.min_hours:g}-{aud.max_hours:g} h ({aud.guide})",
        {"hours": hours, "min_hours": aud.min_hours, "max_hours": aud.max_hours},
    )
    return KickoffCheck(session, within, Explanation(summary, (step,)))


def audiences_without_session(sessions: Iterable[KickoffSession]) -> tuple[KickoffAudience, ...]:
    """The kickoff audiences no recorded session has addressed yet, in the guide's order."""
    held = {s.audience for s in sessions}
    return tuple(a for a in KickoffAudience if a not in held)
