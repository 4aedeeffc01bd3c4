"""`cxcert kpi` buckets in the entity's time zone when the workspace knows the entity, else falls back to UTC.

The fallback covers exactly "no usable workspace database" (missing or unmigrated: CxcertError); anything else
propagates instead of being silently turned into UTC.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcert.cli.site import entity_zone as _entity_zone
from cxcert.errors import CxcertError
from cxcert.store.db import open_database

from .runner import invoke, ok_json


def test_the_entitys_first_location_gives_the_zone(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXCERT_HOME", str(workspace))
    monkeypatch.delenv("CXCERT_DATABASE_URL", raising=False)
    # conftest's acme-care: first location lon:London:GB:Europe/London, then Cape Town.
    assert _entity_zone("acme-care") == "Europe/London"
    assert _entity_zone("no-such-entity") is None


def test_no_workspace_database_falls_back(home: Path) -> None:
    with pytest.raises(CxcertError, match="run `cxcert init` first"):
        open_database().dispose()  # the error the fallback is for
    assert _entity_zone("acme-care") is None


def test_an_initialised_but_empty_workspace_knows_no_entity(home: Path) -> None:
    ok_json(invoke("init", "--json", home=home))
    assert _entity_zone("acme-care") is None
