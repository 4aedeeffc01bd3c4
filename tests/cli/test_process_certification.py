"""`cxcert assessment create --scope KIND|ITEM` and `assessment show` for process certifications."""

from __future__ import annotations

from pathlib import Path

from .runner import invoke, ok_json, user_error

CREATE = ("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit", "--on", "2026-09-01")


def test_scope_by_kind_shown_and_decided(workspace: Path) -> None:
    """Packaged customer satisfaction scope (process_certifications.yaml): 1.3, 1.4, 2.6, 4.8, 4.9. Four compliant
    and one minor is Conditionally Certified under the founding rule set scaled to 5 items (27 of 33 -> 4 of 5)."""
    created = ok_json(invoke(*CREATE, "--scope", "customer_satisfaction", "--json", home=workspace))
    assert created["scope_items"] == ["1.3", "1.4", "2.6", "4.8", "4.9"]
    shown = ok_json(invoke("assessment", "show", created["id"], "--json", home=workspace))
    assert shown["scope"]["process_certification"] == "customer_satisfaction"
    assert shown["scope"]["title"] == "Customer Satisfaction (process certification)"
    assert [i["item"] for i in shown["scope"]["items"]] == created["scope_items"]
    assert shown["scope"]["items"][0]["title"] == "Setting Targets"
    table = invoke("assessment", "show", created["id"], home=workspace)
    assert table.returncode == 0 and "Customer Satisfaction (process certification)" in table.stdout
    assert "End-User Satisfaction" in table.stdout
    for item in created["scope_items"]:
        level = "minor" if item == "4.9" else "compliant"
        ok_json(invoke("findings", "record", "--assessment", created["id"], "--item", item, "--level", level,
                       "--json", home=workspace))  # fmt: skip
    decision = ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-05", "--json", home=workspace))
    assert decision["decision_class"] == "Conditionally Certified"
    assert decision["points"]["passed"] is True


def test_scope_by_items_and_mistakes(workspace: Path) -> None:
    created = ok_json(invoke(*CREATE, "--scope", "2.5", "--scope", "2.1", "--json", home=workspace))
    assert created["scope_items"] == ["2.1", "2.5"]
    shown = ok_json(invoke("assessment", "show", created["id"], "--json", home=workspace))
    assert shown["scope"]["process_certification"] is None and shown["scope"]["title"] == "2 declared items"
    whole = ok_json(invoke(*CREATE, "--id", "full", "--json", home=workspace))
    assert ok_json(invoke("assessment", "show", whole["id"], "--json", home=workspace))["scope"] == {
        "process_certification": None,
        "title": "the whole standard",
        "items": None,
    }
    line = user_error(invoke(*CREATE, "--id", "x", "--scope", "billing", home=workspace))
    assert line.endswith(
        "--scope: 'billing' is neither a process certification (customer_satisfaction, workforce_management, "
        "recruiting_hiring_training, quality, sourcing) nor an item of "
        "urn:cxcert:standard:copc_cx_standard-csp-2000:1.0"
    )
