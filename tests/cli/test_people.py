"""`cxcert people add|remove|list`: the roles of a certification granted per entity (DOMAIN.md section 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcert.cli.workspace import workspace as open_workspace

from .runner import invoke, ok_json, user_error

ADD = ("people", "add", "--entity", "acme-care")


def test_grant_the_certifying_roles_and_list_everyone(workspace: Path) -> None:
    """acme-care has London (GB) and Cape Town (ZA): outside the US the founding rule set has a licensee oversee
    and headquarters authorise (DOMAIN.md section 1), so those roles are listed as missing until granted."""
    before = ok_json(invoke("people", "list", "--entity", "acme-care", "--json", home=workspace))
    assert before["people"] == []
    assert set(before["authority"]["roles_without_person"]) >= {"licensee", "headquarters"}
    added = ok_json(invoke(*ADD, "--role", "headquarters", "--name", "Claire Dubois", "--organisation",
                           "Certifying body headquarters", "--json", home=workspace))  # fmt: skip
    assert added["granted"] is True and added["person"]["id"] == "claire-dubois"
    again = ok_json(invoke(*ADD, "--role", "headquarters", "--person", "claire-dubois", "--json", home=workspace))
    assert again["granted"] is False
    ok_json(invoke(*ADD, "--role", "licensee", "--person", "rui", "--name", "Rui Mendes", "--organisation",
                   "Iberia CX Partners", "--json", home=workspace))  # fmt: skip
    ok_json(invoke(*ADD, "--role", "manager", "--name", "Omar Haddad", "--location", "lon", "--json", home=workspace))
    ok_json(invoke("coordinator", "register", "--entity", "acme-care", "--person", "ana", "--name", "Ana",
                   "--location", "cpt", "--exam-score", "0.92", "--on", "2026-01-16", "--json",
                   home=workspace))  # fmt: skip
    listed = ok_json(invoke("people", "list", "--entity", "acme-care", "--json", home=workspace))
    people = {p["person_id"]: p for p in listed["people"]}
    assert [r["role"] for r in people["claire-dubois"]["roles"]] == ["headquarters"]
    assert people["omar-haddad"]["organisation"] == "acme"  # the entity's own organisation by default
    assert people["omar-haddad"]["roles"] == [{"role": "manager", "location_id": "lon"}]
    assert people["ana"]["registrations"][0]["exam_score"] == 0.92
    assert "licensee" not in listed["authority"]["roles_without_person"]
    assert "headquarters" not in listed["authority"]["roles_without_person"]
    table = invoke("people", "list", "--entity", "acme-care", home=workspace)
    assert table.returncode == 0 and "exam 92% on 2026-01-16" in table.stdout


def test_a_role_taken_back_is_missing_again_and_on_the_audit_trail(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok_json(invoke(*ADD, "--role", "headquarters", "--name", "Claire Dubois", "--organisation", "Certifying body",
                   "--json", home=workspace))  # fmt: skip
    ok_json(invoke(*ADD, "--role", "manager", "--person", "claire-dubois", "--location", "lon", "--json",
                   home=workspace))  # fmt: skip
    gone = ok_json(invoke("people", "remove", "--entity", "acme-care", "--person", "claire-dubois", "--role",
                          "headquarters", "--json", home=workspace))  # fmt: skip
    assert gone == {"revoked": True, "grant": {"person_id": "claire-dubois", "entity_id": "acme-care",
                                               "role": "headquarters", "location_id": None}}  # fmt: skip
    listed = ok_json(invoke("people", "list", "--entity", "acme-care", "--json", home=workspace))
    (claire,) = listed["people"]
    assert claire["roles"] == [{"role": "manager", "location_id": "lon"}]  # the other role stays
    assert "headquarters" in listed["authority"]["roles_without_person"]
    again = user_error(invoke("people", "remove", "--entity", "acme-care", "--person", "claire-dubois", "--role",
                              "headquarters", home=workspace))  # fmt: skip
    assert "claire-dubois does not hold headquarters for acme-care (their roles there: manager at lon)" in again
    remove = ("people", "remove", "--entity", "acme-care", "--person", "claire-dubois")
    assert "not hold manager for acme-care" in user_error(invoke(*remove, "--role", "manager", home=workspace))
    monkeypatch.setenv("CXCERT_HOME", str(workspace))
    with open_workspace() as repos:
        entries = repos.audit_trail.entries("entity:acme-care")
        actions = [(e.action, e.payload["role"]) for e in entries if e.action.startswith("role.")]
    assert actions[-3:] == [("role.granted", "headquarters"), ("role.granted", "manager"),
                            ("role.revoked", "headquarters")]  # fmt: skip


def test_mistakes_are_one_line(workspace: Path) -> None:
    assert "use `cxcert coordinator register`" in user_error(
        invoke(*ADD, "--role", "coordinator", "--name", "X", home=workspace)
    )
    assert "--role 'boss' is not a role" in user_error(invoke(*ADD, "--role", "boss", "--name", "X", home=workspace))
    assert "give --organisation" in user_error(invoke(*ADD, "--role", "lead_auditor", "--name", "Jo", home=workspace))
    assert "is new: give their --name" in user_error(invoke(*ADD, "--role", "viewer", "--person", "zed",
                                                            home=workspace))  # fmt: skip
    assert "--location 'par' is not a location of acme-care" in user_error(
        invoke(*ADD, "--role", "manager", "--name", "X", "--location", "par", home=workspace)
    )
    ok_json(invoke(*ADD, "--role", "viewer", "--name", "Sam Porter", "--json", home=workspace))
    assert "is 'Sam Porter', not 'Sam Other'" in user_error(
        invoke(*ADD, "--role", "viewer", "--person", "sam-porter", "--name", "Sam Other", home=workspace)
    )
