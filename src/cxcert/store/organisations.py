"""Organisations and entities: rows <-> :mod:`cxcert.certification.entity` values."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cxcert.certification.entity import (
    Client,
    Entity,
    KeySupplier,
    Location,
    Organisation,
    Process,
    ProcessKind,
    Service,
)
from cxcert.errors import NotFound
from cxcert.store.models import (
    ClientRow,
    EntityFunctionRow,
    EntityRow,
    EntityServiceRow,
    KeySupplierRow,
    LocationRow,
    OrganisationRow,
    ProcessRow,
)

_ENTITY_CHILDREN = (
    selectinload(EntityRow.locations),
    selectinload(EntityRow.services),
    selectinload(EntityRow.functions),
    selectinload(EntityRow.processes),
    selectinload(EntityRow.key_suppliers),
    selectinload(EntityRow.clients),
)


class OrganisationRepository:
    """Organisations and the entities they put forward for certification."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- organisations ---
    def save_organisation(self, organisation: Organisation) -> None:
        """Insert or update ``organisation`` by id."""
        row = self.session.get(OrganisationRow, organisation.id)
        if row is None:
            row = OrganisationRow(id=organisation.id)
            self.session.add(row)
        row.name = organisation.name
        row.country = organisation.country
        self.session.flush()

    def find_organisation(self, organisation_id: str) -> Organisation | None:
        row = self.session.get(OrganisationRow, organisation_id)
        return None if row is None else Organisation(id=row.id, name=row.name, country=row.country)

    def get_organisation(self, organisation_id: str) -> Organisation:
        """The organisation ``organisation_id``; :class:`NotFound` if there is none."""
        found = self.find_organisation(organisation_id)
        if found is None:
            raise NotFound(f"no organisation {organisation_id!r}")
        return found

    def list_organisations(self) -> tuple[Organisation, ...]:
        rows = self.session.scalars(select(OrganisationRow).order_by(OrganisationRow.id))
        return tuple(Organisation(id=r.id, name=r.name, country=r.country) for r in rows)

    # --- entities ---
    def save_entity(self, entity: Entity) -> None:
        """Insert ``entity`` or replace its stored definition (scope children are rewritten)."""
        row = self.session.get(EntityRow, entity.id, options=_ENTITY_CHILDREN)
        if row is None:
            row = EntityRow(id=entity.id)
            self.session.add(row)
        row.organisation_id = entity.organisation_id
        row.name = entity.name
        row.standard_urn = entity.standard_urn
        row.rule_set_id = entity.rule_set_id
        # Clear then flush so re-saving the same child keys does not collide with the rows being replaced.
        for children in (row.locations, row.services, row.functions, row.processes, row.key_suppliers, row.clients):
            children.clear()
        self.session.flush()
        row.locations.extend(
            LocationRow(
                id=loc.id,
                position=i,
                name=loc.name,
                country=loc.country,
                time_zone=loc.time_zone,
                programs=list(loc.programs),
                queues=list(loc.queues),
            )
            for i, loc in enumerate(entity.locations)
        )
        row.services.extend(EntityServiceRow(service=s.value, position=i) for i, s in enumerate(entity.services))
        row.functions.extend(EntityFunctionRow(name=f, position=i) for i, f in enumerate(entity.functions))
        row.processes.extend(
            ProcessRow(
                id=p.id,
                position=i,
                name=p.name,
                kind=p.kind.value,
                owner=p.owner,
                description=p.description,
                programs=list(p.programs),
            )
            for i, p in enumerate(entity.processes)
        )
        row.key_suppliers.extend(
            KeySupplierRow(id=k.id, position=i, name=k.name, supplies=k.supplies)
            for i, k in enumerate(entity.key_suppliers)
        )
        row.clients.extend(
            ClientRow(id=c.id, position=i, name=c.name, programs=list(c.programs)) for i, c in enumerate(entity.clients)
        )
        self.session.flush()

    def find_entity(self, entity_id: str) -> Entity | None:
        row = self.session.get(EntityRow, entity_id, options=_ENTITY_CHILDREN)
        return None if row is None else _entity(row)

    def get_entity(self, entity_id: str) -> Entity:
        """The entity ``entity_id``; :class:`NotFound` naming it if there is none."""
        found = self.find_entity(entity_id)
        if found is None:
            raise NotFound(f"no entity {entity_id!r} (see `cxcert entity list`)")
        return found

    def list_entities(self, organisation_id: str | None = None) -> tuple[Entity, ...]:
        """Every entity, by id; only ``organisation_id``'s when given."""
        query = select(EntityRow).options(*_ENTITY_CHILDREN).order_by(EntityRow.id)
        if organisation_id is not None:
            query = query.where(EntityRow.organisation_id == organisation_id)
        return tuple(_entity(r) for r in self.session.scalars(query))


def _entity(row: EntityRow) -> Entity:
    return Entity(
        id=row.id,
        organisation_id=row.organisation_id,
        name=row.name,
        standard_urn=row.standard_urn,
        rule_set_id=row.rule_set_id,
        locations=tuple(
            Location(
                id=r.id,
                name=r.name,
                country=r.country,
                time_zone=r.time_zone,
                programs=tuple(r.programs),
                queues=tuple(r.queues),
            )
            for r in row.locations
        ),
        services=tuple(Service(r.service) for r in row.services),
        functions=tuple(r.name for r in row.functions),
        processes=tuple(
            Process(
                id=r.id,
                name=r.name,
                kind=ProcessKind(r.kind),
                owner=r.owner,
                description=r.description,
                programs=tuple(r.programs),
            )
            for r in row.processes
        ),
        key_suppliers=tuple(KeySupplier(id=r.id, name=r.name, supplies=r.supplies) for r in row.key_suppliers),
        clients=tuple(Client(id=r.id, name=r.name, programs=tuple(r.programs)) for r in row.clients),
    )
