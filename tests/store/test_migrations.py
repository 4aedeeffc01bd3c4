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
