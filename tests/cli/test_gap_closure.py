"""`cxcert gap-closure plan|list|record` through the real CLI (DOMAIN.md section 3 step 6)."""

from __future__ import annotations

from pathlib import Path

from .runner import invoke, ok_json, user_error

PLAN = ("gap-closure", "plan", "--entity", "acme-care", "--from", "2026-03-02")


def test_plan_list_and_record(workspace: Path) -> None:
    """Oracle: the founding agenda (KCRPs, their metrics, key suppliers first) every 14 days (rule set)."""
    planned = ok_json(invoke(*PLAN, "--calls", "4", "--owner", "ana", "--owner", "key_suppliers=omar", "--json",
                             home=workspace))  # fmt: skip
    calls = planned["calls"]
    assert [c["scheduled_on"] for c in calls] == ["2026-03-02", "2026-03-16", "2026-03-30", "2026-04-13"]
    assert [c["topic_id"] for c in calls[:3]] == ["kcrps", "kcrp_metrics", "key_suppliers"]
    assert [c["owner"] for c in calls] == ["ana", "ana", "omar", "ana"]
    held = ok_json(invoke("gap-closure", "record", "--entity", "acme-care", "--call", "1", "--held-on", "2026-03-03",
                          "--outcome", "Four KCRPs agreed [voice, chat]", "--owner", "dana", "--json",
                          home=workspace))  # fmt: skip
    assert held["call"]["status"] == "held" and held["call"]["owner"] == "dana"
    listed = ok_json(invoke("gap-closure", "list", "--entity", "acme-care", "--today", "2026-03-20", "--json",
                            home=workspace))  # fmt: skip
    assert [c["status"] for c in listed["calls"]] == ["held", "overdue", "planned", "planned"]
    assert listed["calls"][0]["outcome"] == "Four KCRPs agreed [voice, chat]"
    table = invoke("gap-closure", "list", "--entity", "acme-care", "--today", "2026-03-20", home=workspace)
    assert table.returncode == 0 and "[voice, chat]" in table.stdout and "overdue" in table.stdout
    # outcomes are the record: a plan with a held call is not replaced
    line = user_error(invoke(*PLAN, "--replace", home=workspace))
    assert "has calls held already (1)" in line


def test_replacing_a_plan_needs_replace(workspace: Path) -> None:
    ok_json(invoke(*PLAN, "--json", home=workspace))
    assert "add --replace" in user_error(invoke(*PLAN, "--calls", "2", home=workspace))
    again = ok_json(invoke(*PLAN, "--calls", "2", "--replace", "--json", home=workspace))
    assert len(again["calls"]) == 2
    assert len(ok_json(invoke("gap-closure", "list", "--entity", "acme-care", "--json", home=workspace))["calls"]) == 2


def test_mistakes_are_one_line(workspace: Path) -> None:
    assert "no gap closure plan" in user_error(
        invoke("gap-closure", "record", "--entity", "acme-care", "--call", "1", "--outcome", "x", home=workspace)
    )
    assert "the agenda has 10 topics" in user_error(invoke(*PLAN, "--calls", "11", home=workspace))
    assert "owners name topics not on the agenda: kcrp" in user_error(invoke(*PLAN, "--owner", "kcrp=x",
                                                                             home=workspace))  # fmt: skip
    assert "--owner '=x'" in user_error(invoke(*PLAN, "--owner", "=x", home=workspace))
    ok_json(invoke(*PLAN, "--calls", "2", "--json", home=workspace))
    assert "--call 5: the gap closure plan of acme-care has calls 1 to 2" in user_error(
        invoke("gap-closure", "record", "--entity", "acme-care", "--call", "5", "--outcome", "x", home=workspace)
    )
    assert "outcome is empty" in user_error(
        invoke("gap-closure", "record", "--entity", "acme-care", "--call", "1", "--outcome", " ", home=workspace)
    )
