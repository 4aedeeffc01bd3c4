"""Which entity and time zone a command works in: --tz, else the entity's first location, else UTC.

``require_entity`` refuses an entity that neither the workspace nor the warehouse knows (a typo would otherwise
print an empty table and exit 0). ``site_zones`` gives the zones of the programs and queues the entity's
locations declare, so that `cxcert kpi` and `cxcert evidence` count each contact on its own site's clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxcert.cli.output import err_console
from cxcert.errors import CxcertError, NotInitialised

if TYPE_CHECKING:
    from cxcert.certification.entity import Entity
    from cxcert.performance.site_zones import SiteZones
    from cxcert.warehouse import Warehouse


def workspace_entity(entity_id: str) -> Entity | None:
    """The entity as the app database holds it; None when it does not, or when the workspace has no database yet
    (data can be ingested and measured before `cxcert init`).

    Only that absence falls back: a database that is there but cannot be read (locked, down, damaged) raises
    :class:`~cxcert.errors.Unavailable`, and one at another schema revision a :class:`CxcertError`, so an entity
    on file is never taken for unknown, nor its sites' clocks for UTC.
    """
    found = _find(entity_id)
    return None if isinstance(found, NotInitialised) else found


def _find(entity_id: str) -> Entity | NotInitialised | None:
    """The entity, None when the database does not hold it, or why there is no database to ask."""
    from cxcert.store.db import open_database
    from cxcert.store.organisations import OrganisationRepository

    try:
        db = open_database()
    except NotInitialised as absent:
        return absent
    try:
        with db.session() as session:
            return OrganisationRepository(session).find_entity(entity_id)
    finally:
        db.dispose()


def entity_zone(entity_id: str) -> str | None:
    """The time zone of the entity's first location, when the app database knows the entity."""
    entity = workspace_entity(entity_id)
    return entity.locations[0].time_zone if entity is not None else None


def require_entity(entity_id: str, warehouse: Warehouse) -> Entity | None:
    """The workspace's entity; None when only the warehouse knows it (data ingested for it); else a user error."""
    found = _find(entity_id)
    if found is not None and not isinstance(found, NotInitialised):
        return found
    if any(record.entity_id == entity_id for record in warehouse.ingests()):
        return None
    see = found.message if isinstance(found, NotInitialised) else "see `cxcert entity list` and `cxcert ingest log`"
    raise CxcertError(
        f"unknown entity {entity_id!r}: the workspace has no such entity and no data was ingested for it ({see})"
    )


def site_zone(entity_id: str | None, tz: str | None, entity: Entity | None = None) -> str:
    """``--tz`` when given (checked), else the entity's first location's zone, else UTC with a note on stderr."""
    from cxcert.performance.periods import zone

    if tz:
        zone(tz)  # a clear error for an unknown zone
        return tz
    if entity is not None:
        return entity.locations[0].time_zone
    found = entity_zone(entity_id) if entity_id else None
    if found is None:
        who = f" for entity {entity_id!r}" if entity_id else ""
        err_console.print(f"note: no time zone known{who}; days are taken in UTC (set --tz)")
        return "UTC"
    return found


def site_zones(entity: Entity) -> SiteZones | None:
    """The zones of the programs and queues the entity's locations handle; None when they name none."""
    from cxcert.performance.site_zones import entity_site_zones

    return entity_site_zones(entity)
