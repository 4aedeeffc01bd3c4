"""The time zone a command buckets days and intervals in: --tz, else the entity's first location, else UTC."""

from __future__ import annotations

from cxcert.cli.output import err_console
from cxcert.errors import CxcertError


def entity_zone(entity_id: str) -> str | None:
    """The time zone of the entity's first location, when the app database knows the entity.

    None when there is no usable workspace database: open_database raises CxcertError for a missing or unmigrated
    one ("run `cxcert init` first") and for one it cannot reach; a query can still fail with OperationalError
    (e.g. the file locked or removed meanwhile). Any other error is a bug and propagates.
    """
    from sqlalchemy.exc import OperationalError

    from cxcert.store.db import open_database
    from cxcert.store.organisations import OrganisationRepository

    try:
        db = open_database()
        try:
            with db.session() as session:
                entity = OrganisationRepository(session).find_entity(entity_id)
        finally:
            db.dispose()
    except (CxcertError, OperationalError):  # no workspace database yet, or not migrated: fall back
        return None
    return entity.locations[0].time_zone if entity is not None else None


def site_zone(entity_id: str | None, tz: str | None) -> str:
    """``--tz`` when given (checked), else the entity's first location's zone, else UTC with a note on stderr."""
    from cxcert.performance.periods import zone

    if tz:
        zone(tz)  # a clear error for an unknown zone
        return tz
    found = entity_zone(entity_id) if entity_id else None
    if found is None:
        who = f" for entity {entity_id!r}" if entity_id else ""
        err_console.print(f"note: no time zone known{who}; days are taken in UTC (set --tz)")
        return "UTC"
    return found
