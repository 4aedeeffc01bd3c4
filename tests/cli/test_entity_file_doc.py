"""docs/entity-file.md: its complete example defines an entity through the CLI, its edit example edits it, and
`cxcert entity edit` changes fields from options, audit-trailed; the id and the organisation stay."""

from __future__ import annotations

import re
from pathlib import Path

from cxcert.store.audit_trail import AuditTrail
from cxcert.store.db import open_database

from .runner import invoke, ok_json, user_error

DOC = Path(__file__).resolve().parents[2] / "docs" / "entity-file.md"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def _audit(home: Path, subject: str) -> list[tuple[str, dict[str, object]]]:
    db = open_database(f"sqlite:///{home / 'cxcert.sqlite'}")
    try:
        with db.session() as session:
            return [(e.action, dict(e.payload)) for e in AuditTrail(session).entries(subject)]
    finally:
        db.dispose()


def test_the_docs_example_defines_the_entity_and_every_field_is_explained(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ok_json(invoke("init", "--json", home=home))
    full, partial = _yaml_blocks()
    (tmp_path / "entity.yaml").write_text(full, encoding="utf-8")
    done = ok_json(invoke("entity", "create", "--from-file", str(tmp_path / "entity.yaml"), "--json", home=home))
    entity = done["entity"]
    assert done["organisation"] == {"id": "acme", "name": "Acme Contact Ltd", "country": "GB"}
    assert [loc["id"] for loc in entity["locations"]] == ["lon", "cpt"]
    assert [p["kind"] for p in entity["processes"]] == ["kcrp", "ksp"]
    assert entity["key_suppliers"][0]["id"] == "telco" and entity["clients"][0]["programs"] == [
        "retail_banking",
        "card_services",
    ]
    # every key of the example is in the doc's field tables
    text = DOC.read_text(encoding="utf-8")
    keys = set(re.findall(r"^\s*-?\s*([a-z_]+):", full, flags=re.MULTILINE))
    assert keys and all(f"`{k}`" in text or f"`entity.{k}`" in text or f"`organisation.{k}`" in text for k in keys)
    # the doc's edit file renames the entity and narrows its services, nothing else
    (tmp_path / "edit.yaml").write_text(partial, encoding="utf-8")
    edited = ok_json(invoke("entity", "edit", "acme-care", "--from-file", str(tmp_path / "edit.yaml"), "--json",
                            home=home))  # fmt: skip
    assert edited["changed"] == ["name", "services"]
    assert edited["entity"]["name"] == "Acme Customer Care Europe"
    assert edited["entity"]["services"] == ["inbound_customer_service"]
    assert edited["entity"]["processes"] == entity["processes"]
    again = ok_json(invoke("entity", "edit", "acme-care", "--from-file", str(tmp_path / "edit.yaml"), "--json",
                           home=home))  # fmt: skip
    assert again["changed"] == []
    updates = [p for a, p in _audit(home, "entity:acme-care") if a == "entity.updated"]
    assert [u["changed"] for u in updates] == [["name", "services"]]  # nothing recorded when nothing changed


def test_entity_edit_from_options_and_its_refusals(workspace: Path, tmp_path: Path) -> None:
    edit = ("entity", "edit", "acme-care")
    done = ok_json(invoke(*edit, "--name", "Acme Care Europe", "--add-location", "dub:Dublin:IE:Europe/Dublin",
                          "--remove-location", "cpt", "--add-function", "Quality", "--json",
                          home=workspace))  # fmt: skip
    assert done["changed"] == ["name", "locations", "functions"]
    assert [loc["id"] for loc in done["entity"]["locations"]] == ["lon", "dub"]
    text = invoke(*edit, "--remove-function", "Quality", home=workspace)
    assert text.returncode == 0 and "Updated entity acme-care: functions" in text.stdout
    assert "no location 'zzz' to remove (it has: lon, dub)" in user_error(
        invoke(*edit, "--remove-location", "zzz", home=workspace)
    )
    assert "nothing to change" in user_error(invoke(*edit, home=workspace))
    assert "keeps at least one location" in user_error(
        invoke(*edit, "--remove-location", "lon", "--remove-location", "dub", home=workspace)
    )
    assert "pick a rule set for the entity's standard" in user_error(
        invoke(*edit, "--rule-set", "copc-7.0", home=workspace)
    )
    moved = tmp_path / "moved.yaml"
    moved.write_text("entity:\n  organisation_id: other\n", encoding="utf-8")
    assert "an entity keeps its organisation id ('acme')" in user_error(
        invoke(*edit, "--from-file", str(moved), home=workspace)
    )
    bad = tmp_path / "bad.yaml"
    location = "{id: lon, name: London, country: GB, time_zone: Mars/Base}"
    bad.write_text(f"entity:\n  name: X\n  locations:\n    - {location}\n", encoding="utf-8")
    line = user_error(invoke(*edit, "--from-file", str(bad), home=workspace))
    assert "bad.yaml" in line and ":4" in line and "Mars/Base" in line
    assert "no entity" in user_error(invoke("entity", "edit", "ghost", "--name", "x", home=workspace))
    updates = [p for a, p in _audit(workspace, "entity:acme-care") if a == "entity.updated"]
    assert [u["changed"] for u in updates] == [["name", "locations", "functions"], ["functions"]]
