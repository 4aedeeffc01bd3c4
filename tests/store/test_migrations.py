"""Every schema change is a migration: the migrated database matches the models exactly, on both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from cxcert.errors import CxcertError
from cxcert.store.db import SCHEMA_HEAD, Database, head_revision, init_database, open_database
from cxcert.store.models import Base


def test_models_match_migrations(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_init_is_idempotent_and_reaches_head(db_url: str) -> None:
    assert init_database(db_url) == head_revision()
    assert init_database(db_url) == head_revision()
    open_database(db_url).dispose()


def test_opening_an_uninitialised_database_asks_for_init(db_url: str) -> None:
    with pytest.raises(CxcertError, match="run `cxcert init` first"):
        open_database(db_url)


def test_schema_head_constant_names_the_newest_migration() -> None:
    """``SCHEMA_HEAD`` spares every command an Alembic import; it must follow the scripts."""
    assert head_revision() == SCHEMA_HEAD


def test_downgrade_to_base_and_back(db_url: str) -> None:
    """The migration's downgrade removes every table it created, so the upgrade can run again."""
    from alembic import command
    from sqlalchemy import inspect

    from cxcert.store.db import alembic_config, make_engine

    init_database(db_url)
    command.downgrade(alembic_config(db_url), "base")
    engine = make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    assert init_database(db_url) == SCHEMA_HEAD


def test_0003_gives_entities_stored_before_it_empty_program_and_queue_lists(db_url: str) -> None:
    """Entities saved under 0002 keep loading after 0003: their processes and locations declare no programs."""
    from alembic import command
    from sqlalchemy import text

    from cxcert.store.db import alembic_config, make_engine
    from cxcert.store.organisations import OrganisationRepository

    command.upgrade(alembic_config(db_url), "0002")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO organisations (id, name, country) VALUES ('acme', 'Acme', 'GB')"))
            conn.execute(text("INSERT INTO entities (id, organisation_id, name, standard_urn, rule_set_id) "
                              "VALUES ('acme-care', 'acme', 'Acme Care', 'urn:x', 'rs')"))  # fmt: skip
            conn.execute(text("INSERT INTO locations (entity_id, id, position, name, country, time_zone) "
                              "VALUES ('acme-care', 'lon', 0, 'London', 'GB', 'Europe/London')"))  # fmt: skip
            conn.execute(text("INSERT INTO processes (entity_id, id, position, name, kind, owner, description) "
                              "VALUES ('acme-care', 'voice', 0, 'Voice', 'kcrp', NULL, '')"))  # fmt: skip
    finally:
        engine.dispose()
    assert init_database(db_url) == SCHEMA_HEAD
    db = open_database(db_url)
    try:
        with db.session() as session:
            entity = OrganisationRepository(session).get_entity("acme-care")
    finally:
        db.dispose()
    assert entity.locations[0].programs == () and entity.locations[0].queues == ()
    assert entity.kcrps()[0].programs == ()
