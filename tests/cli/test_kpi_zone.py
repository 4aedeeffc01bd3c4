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

from .runner import invoke, ok_json, user_error


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


CONTACTS = """contact_id,queue,channel,direction,arrived_at,answered_at,abandoned,wait_s
{p}1,q1,voice,inbound,2026-03-02T22:30:00Z,2026-03-02T22:30:10Z,false,10
"""


def test_each_program_is_counted_on_its_own_sites_clock(workspace: Path, tmp_path: Path) -> None:
    """acme-care has lon (Europe/London) first and cpt (Africa/Johannesburg, UTC+2, tz database). A contact at
    2 March 22:30 UTC is 2 March in London but 3 March (00:30) in Johannesburg: with CXCERT_HOME/sites.yaml
    naming cpt for program za, za's contact falls on 3 March; --tz puts everything back on one clock."""
    for program in ("uk", "za"):
        path = tmp_path / f"{program}.csv"
        path.write_text(CONTACTS.format(p=program))
        ok_json(invoke("ingest", "contacts", str(path), "--entity", "acme-care", "--program", program, "--json",
                       home=workspace))  # fmt: skip
    (workspace / "sites.yaml").write_text("acme-care:\n  programs: {za: cpt}\n")
    args = ("kpi", "--entity", "acme-care", "--metric", "asa", "--from", "2026-03-01", "--to", "2026-03-31", "--json")
    out = ok_json(invoke(*args, home=workspace))
    assert [(r["period_start"], r["program"]) for r in out["rows"]] == [("2026-03-02", "uk"), ("2026-03-03", "za")]
    assert out["tz"] == "Europe/London" and out["site_zones"]["programs"] == {"za": "Africa/Johannesburg"}
    one_clock = ok_json(invoke(*args, "--tz", "Europe/London", home=workspace))
    assert [r["period_start"] for r in one_clock["rows"]] == ["2026-03-02", "2026-03-02"]
    (workspace / "sites.yaml").write_text("acme-care:\n  programs: {za: jnb}\n")
    line = user_error(invoke(*args, home=workspace))
    assert "sites.yaml: line 2, field acme-care.programs.za: entity acme-care has no location 'jnb'" in line
    assert line.endswith("it has lon, cpt")
