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


CONTACTS = """contact_id,queue,channel,direction,arrived_at,answered_at,abandoned,wait_s
{p}1,q1,voice,inbound,2026-03-02T22:30:00Z,2026-03-02T22:30:10Z,false,10
"""


ENTITY_FILE = """entity:
  id: acme-care
  organisation_id: acme
  name: Acme Customer Care
  standard_urn: copc-2000-csp
  rule_set_id: copc-2000-founding
  locations:
    - {id: lon, name: London, country: GB, time_zone: Europe/London}
    - {id: cpt, name: Cape Town, country: ZA, time_zone: Africa/Johannesburg, programs: [za]}
"""


def test_each_program_is_counted_on_its_own_sites_clock(workspace: Path, tmp_path: Path) -> None:
    """acme-care has lon (Europe/London) first and cpt (Africa/Johannesburg, UTC+2, tz database). A contact at
    2 March 22:30 UTC is 2 March in London but 3 March (00:30) in Johannesburg: once the entity says cpt handles
    program za, za's contact falls on 3 March; --tz puts everything back on one clock."""
    for program in ("uk", "za"):
        path = tmp_path / f"{program}.csv"
        path.write_text(CONTACTS.format(p=program))
        ok_json(invoke("ingest", "contacts", str(path), "--entity", "acme-care", "--program", program, "--json",
                       home=workspace))  # fmt: skip
    args = ("kpi", "--entity", "acme-care", "--metric", "asa", "--from", "2026-03-01", "--to", "2026-03-31", "--json")
    before = ok_json(invoke(*args, home=workspace))  # the locations name no programs yet: London's clock
    assert before["site_zones"] is None and [r["period_start"] for r in before["rows"]] == ["2026-03-02"] * 2
    entity_file = tmp_path / "entity.yaml"
    entity_file.write_text(ENTITY_FILE, encoding="utf-8")
    ok_json(invoke("entity", "create", "--from-file", str(entity_file), "--json", home=workspace))
    out = ok_json(invoke(*args, home=workspace))
    assert [(r["period_start"], r["program"]) for r in out["rows"]] == [("2026-03-02", "uk"), ("2026-03-03", "za")]
    assert out["tz"] == "Europe/London" and out["site_zones"]["programs"] == {"za": "Africa/Johannesburg"}
    one_clock = ok_json(invoke(*args, "--tz", "Europe/London", home=workspace))
    assert [r["period_start"] for r in one_clock["rows"]] == ["2026-03-02", "2026-03-02"]
