"""People, role grants, coordinator registrations and kickoff sessions: rows <-> domain values."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cxcert.certification.people import (
    CoordinatorRegistration,
    KickoffAudience,
    KickoffSession,
    Person,
    Role,
    RoleGrant,
)
from cxcert.errors import NotFound
from cxcert.store.models import CoordinatorRegistrationRow, KickoffSessionRow, PersonRow, RoleGrantRow


class PeopleRepository:
    """Who is involved, in which role for which entity, and the coordinators' registrations."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def save_person(self, person: Person) -> None:
        """Insert or update ``person`` by id."""
        row = self.session.get(PersonRow, person.id)
        if row is None:
            row = PersonRow(id=person.id)
            self.session.add(row)
        row.name = person.name
        row.email = person.email
        row.organisation = person.organisation
        self.session.flush()

    def find_person(self, person_id: str) -> Person | None:
        row = self.session.get(PersonRow, person_id)
        return None if row is None else _person(row)

    def get_person(self, person_id: str) -> Person:
        found = self.find_person(person_id)
        if found is None:
            raise NotFound(f"no person {person_id!r}")
        return found

    def list_people(self) -> tuple[Person, ...]:
        return tuple(_person(r) for r in self.session.scalars(select(PersonRow).order_by(PersonRow.id)))

    def grant(self, grant: RoleGrant) -> None:
        """Record ``grant``; granting the same role twice is a no-op."""
        if self._grant_row(grant) is None:
            self.session.add(
                RoleGrantRow(
                    person_id=grant.person_id,
                    entity_id=grant.entity_id,
                    role=grant.role.value,
                    location_id=grant.location_id,
                )
            )
            self.session.flush()

    def revoke(self, grant: RoleGrant) -> bool:
        """Remove ``grant``; False when it was not held (nothing changes)."""
        found = self._grant_row(grant)
        if found is None:
            return False
        self.session.delete(found)
        self.session.flush()
        return True

    def _grant_row(self, grant: RoleGrant) -> RoleGrantRow | None:
        """The stored row of ``grant`` (same person, entity, role and location), if it is held."""
        location = (
            RoleGrantRow.location_id.is_(None)
            if grant.location_id is None
            else RoleGrantRow.location_id == grant.location_id
        )
        query = select(RoleGrantRow).where(
            RoleGrantRow.person_id == grant.person_id,
            RoleGrantRow.entity_id == grant.entity_id,
            RoleGrantRow.role == grant.role.value,
            location,
        )
        row: RoleGrantRow | None = self.session.scalars(query).first()
        return row

    def grants(self, entity_id: str, person_id: str | None = None) -> tuple[RoleGrant, ...]:
        """The role grants on ``entity_id`` (one person's only when ``person_id`` is given), in grant order."""
        query = select(RoleGrantRow).where(RoleGrantRow.entity_id == entity_id).order_by(RoleGrantRow.id)
        if person_id is not None:
            query = query.where(RoleGrantRow.person_id == person_id)
        return tuple(
            RoleGrant(person_id=r.person_id, entity_id=r.entity_id, role=Role(r.role), location_id=r.location_id)
            for r in self.session.scalars(query)
        )

    def save_registration(self, entity_id: str, registration: CoordinatorRegistration) -> None:
        """Record a coordinator's exam attempt for ``entity_id``, passed or not: the core's
        :func:`~cxcert.certification.registration.registered_coordinators` says which ones register."""
        self.session.add(
            CoordinatorRegistrationRow(
                entity_id=entity_id,
                person_id=registration.person_id,
                location_id=registration.location_id,
                class_attended_on=registration.class_attended_on,
                exam_score=registration.exam_score,
                exam_taken_on=registration.exam_taken_on,
            )
        )
        self.session.flush()

    def registrations(self, entity_id: str) -> tuple[CoordinatorRegistration, ...]:
        """Every exam attempt for ``entity_id``, in the order recorded (failed ones too)."""
        rows = self.session.scalars(
            select(CoordinatorRegistrationRow)
            .where(CoordinatorRegistrationRow.entity_id == entity_id)
            .order_by(CoordinatorRegistrationRow.id)
        )
        return tuple(
            CoordinatorRegistration(
                person_id=r.person_id,
                location_id=r.location_id,
                class_attended_on=r.class_attended_on,
                exam_score=r.exam_score,
                exam_taken_on=r.exam_taken_on,
            )
            for r in rows
        )

    def save_kickoff(self, entity_id: str, session: KickoffSession) -> None:
        """Record one kickoff session of ``entity_id`` (sessions are kept in the order recorded)."""
        self.session.add(
            KickoffSessionRow(
                entity_id=entity_id,
                audience=session.audience.value,
                held_on=session.held_on,
                duration_hours=session.duration_hours,
                attendees=list(session.attendees),
            )
        )
        self.session.flush()

    def remove_kickoff(self, entity_id: str, audience: KickoffAudience, held_on: dt.date) -> int:
        """Remove ``entity_id``'s sessions for ``audience`` on ``held_on`` (to replace them); returns how many.

        Rows stored before audiences were typed may spell the audience with spaces; they match too.
        """
        spellings = {audience.value, audience.value.replace("_", " ")}
        result = self.session.execute(
            delete(KickoffSessionRow).where(
                KickoffSessionRow.entity_id == entity_id,
                KickoffSessionRow.audience.in_(sorted(spellings)),
                KickoffSessionRow.held_on == held_on,
            )
        )
        self.session.flush()
        return int(getattr(result, "rowcount", 0) or 0)

    def kickoff_sessions(self, entity_id: str) -> tuple[KickoffSession, ...]:
        rows = self.session.scalars(
            select(KickoffSessionRow).where(KickoffSessionRow.entity_id == entity_id).order_by(KickoffSessionRow.id)
        )
        return tuple(
            KickoffSession(
                audience=r.audience, held_on=r.held_on, duration_hours=r.duration_hours, attendees=tuple(r.attendees)
            )
            for r in rows
        )


def _person(row: PersonRow) -> Person:
    return Person(id=row.id, name=row.name, email=row.email, organisation=row.organisation)
