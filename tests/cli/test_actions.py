"""Corrective action plans outside the demo: `cxcert decide` raises them, `cxcert actions` works them, and the
calendar proposes revocation when one is left open past the grace.

Oracle: DOMAIN.md section 3 ("deficiencies require a corrective action plan; if it is not implemented within a
reasonable time, the certification is revoked") and the founding rule set's numbers: plans due 60 days after the
decision (corrective_action_due_days), grace of 90 days past due (corrective_action_grace_days), owned by the
entity's coordinator (corrective_action_owner).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from cxcert.standards import library

from .runner import invoke, ok_json, user_error

ITEMS = [it.number for it in library.standard("copc-2000-csp").scorable_items()]


def _decided(workspace: Path, tmp_path: Path) -> dict[str, Any]:
    """acme-care's audit a1: 2.4 minor and 3.4 major, the rest compliant; decided on 2026-09-10."""
    coordinator = ("coordinator", "register", "--entity", "acme-care", "--location", "lon", "--person", "ana")
    ok_json(invoke(*coordinator, "--name", "Ana", "--exam-score", "0.93", "--on", "2026-01-16", "--json",
                   home=workspace))  # fmt: skip
    ok_json(invoke("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit", "--on",
                   "2026-09-01", "--id", "a1", "--json", home=workspace))  # fmt: skip
    path = tmp_path / "a1.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        rows = [["item", "level", "note"]]
        rows += [[n, {"2.4": "minor", "3.4": "major"}.get(n, "compliant"), "seen" if n == "2.4" else ""] for n in ITEMS]
        csv.writer(handle).writerows(rows)
    ok_json(invoke("findings", "import", str(path), "--assessment", "a1", "--json", home=workspace))
    decided: dict[str, Any] = ok_json(
        invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", "--json", home=workspace)
    )
    return decided


def _actions(workspace: Path, today: str) -> dict[str, dict[str, Any]]:
    listed = ok_json(invoke("actions", "list", "--entity", "acme-care", "--today", today, "--json", home=workspace))
    return {a["id"]: a for a in listed["actions"]}


def test_decide_raises_a_plan_per_deficiency_once(workspace: Path, tmp_path: Path) -> None:
    decided = _decided(workspace, tmp_path)
    opened = decided["corrective_actions"]["opened"]
    assert [(a["id"], a["owner"], a["due_on"]) for a in opened] == [
        ("a1/CA-3.4", "ana", "2026-11-09"),  # majors first; 10 September + 60 days
        ("a1/CA-2.4", "ana", "2026-11-09"),
    ]
    assert opened[1]["description"] == "Close the minor deficiency on item 2.4: seen"
    again = ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", "--json", home=workspace))
    assert again["corrective_actions"]["opened"] == []
    assert [a["id"] for a in again["corrective_actions"]["already_raised"]] == ["a1/CA-3.4", "a1/CA-2.4"]
    assert list(_actions(workspace, "2026-09-11")) == ["a1/CA-2.4", "a1/CA-3.4"]  # by due date, then id


def test_a_finding_found_major_on_review_updates_its_plan(workspace: Path, tmp_path: Path) -> None:
    """The plan answers the finding as it now stands: level and description follow it; owner and dates stay."""
    _decided(workspace, tmp_path)
    ok_json(invoke("actions", "assign", "a1/CA-2.4", "--owner", "p-wei", "--json", home=workspace))
    ok_json(invoke("findings", "record", "--assessment", "a1", "--item", "2.4", "--level", "major", "--note",
                   "no intraday log at all", "--json", home=workspace))  # fmt: skip
    again = ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-12", "--json", home=workspace))
    plans = again["corrective_actions"]
    assert plans["opened"] == [] and [a["id"] for a in plans["already_raised"]] == ["a1/CA-3.4"]
    (updated,) = plans["updated"]
    assert (updated["id"], updated["finding_level"], updated["owner"]) == ("a1/CA-2.4", "major_deficiency", "p-wei")
    assert updated["description"] == "Close the major deficiency on item 2.4: no intraday log at all"
    assert (updated["raised_on"], updated["due_on"], updated["status"]) == ("2026-09-10", "2026-11-09", "open")
    assert _actions(workspace, "2026-09-13")["a1/CA-2.4"]["finding_level"] == "major_deficiency"
    shown = ok_json(invoke("actions", "show", "a1/CA-2.4", "--json", home=workspace))
    assert [h["action"] for h in shown["history"]][-1] == "corrective_action.updated"


def test_list_assign_close_show(workspace: Path, tmp_path: Path) -> None:
    _decided(workspace, tmp_path)
    listed = _actions(workspace, "2026-11-20")
    assert listed["a1/CA-2.4"]["overdue"] is True and listed["a1/CA-2.4"]["days_overdue"] == 11
    assert listed["a1/CA-2.4"]["grace_ends_on"] == "2027-02-07" and listed["a1/CA-2.4"]["past_grace"] is False
    assigned = ok_json(invoke("actions", "assign", "a1/CA-2.4", "--owner", "p-wei", "--json", home=workspace))
    assert assigned["owner"] == "p-wei"
    closed = ok_json(invoke("actions", "close", "a1/CA-2.4", "--note", "intraday actions logged", "--on",
                            "2026-10-15", "--verification", "two weeks of logs checked", "--json",
                            home=workspace))  # fmt: skip
    assert (closed["status"], closed["closed_on"], closed["overdue"]) == ("closed", "2026-10-15", False)
    shown = ok_json(invoke("actions", "show", "a1/CA-2.4", "--json", home=workspace))
    assert shown["closing_note"] == "intraday actions logged"
    assert [h["action"] for h in shown["history"]] == [
        "corrective_action.opened",
        "corrective_action.assigned",
        "corrective_action.closed",
    ]
    assert shown["history"][1]["payload"] == {"owner": "p-wei", "previous_owner": "ana"}
    open_only = ok_json(invoke("actions", "list", "--entity", "acme-care", "--open", "--json", home=workspace))
    assert [a["id"] for a in open_only["actions"]] == ["a1/CA-3.4"]
    # deciding again leaves the closed action closed and the new owner in place
    ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", "--json", home=workspace))
    assert _actions(workspace, "2026-11-20")["a1/CA-2.4"]["status"] == "closed"
    text = invoke("actions", "show", "a1/CA-2.4", home=workspace).stdout
    assert "intraday actions logged" in text and "corrective_action.closed" in text


def test_root_cause_plan_and_a_verified_closing(workspace: Path, tmp_path: Path) -> None:
    """An action carries its root cause and plan (set, replaced, audit-trailed) and closes only with a verification,
    stored with it and shown."""
    _decided(workspace, tmp_path)
    plan = ("actions", "plan", "a1/CA-2.4")
    first = ok_json(invoke(*plan, "--root-cause", "no intraday log for chat", "--json", home=workspace))
    assert (first["root_cause"], first["plan"]) == ("no intraday log for chat", "")
    both = ok_json(invoke(*plan, "--plan", "log every intraday action in the WFM tool", "--json", home=workspace))
    assert both["root_cause"] == "no intraday log for chat"  # the root cause stays when only the plan is given
    assert both["plan"] == "log every intraday action in the WFM tool"
    assert "give the root cause, the plan, or both" in user_error(invoke(*plan, home=workspace))
    assert "the plan must not be empty" in user_error(invoke(*plan, "--plan", " ", home=workspace))
    close = ("actions", "close", "a1/CA-2.4", "--note", "logged since 2026-10-01", "--on", "2026-10-15")
    missing = invoke(*close, home=workspace)
    assert missing.returncode == 2 and "--verification" in missing.stderr  # a required option
    line = user_error(invoke(*close, "--verification", "  ", home=workspace))
    assert line == (
        "error: corrective action a1/CA-2.4 closes only with a verification: say how the fix was checked to work"
    )
    closed = ok_json(invoke(*close, "--verification", "WFM lead checked two weeks of logs", "--json", home=workspace))
    assert (closed["status"], closed["verification"]) == ("closed", "WFM lead checked two weeks of logs")
    shown = ok_json(invoke("actions", "show", "a1/CA-2.4", "--json", home=workspace))
    assert (shown["root_cause"], shown["plan"], shown["verification"]) == (
        "no intraday log for chat", "log every intraday action in the WFM tool", "WFM lead checked two weeks of logs",
    )  # fmt: skip
    assert [h["action"] for h in shown["history"]] == [
        "corrective_action.opened",
        "corrective_action.planned",
        "corrective_action.planned",
        "corrective_action.closed",
    ]
    assert shown["history"][2]["payload"]["previous_plan"] == ""
    assert shown["history"][3]["payload"]["verification"] == "WFM lead checked two weeks of logs"
    assert "its plan is final" in user_error(invoke(*plan, "--plan", "another", home=workspace))
    flat = " ".join(invoke("actions", "show", "a1/CA-2.4", home=workspace).stdout.split())
    for shown_text in ("no intraday log for chat", "log every intraday action", "WFM lead checked two weeks"):
        assert shown_text in flat
    # deciding again keeps what the owner recorded on the other plan
    ok_json(invoke("actions", "plan", "a1/CA-3.4", "--root-cause", "re-verification never scheduled", "--json",
                   home=workspace))  # fmt: skip
    ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", "--json", home=workspace))
    assert _actions(workspace, "2026-09-11")["a1/CA-3.4"]["root_cause"] == "re-verification never scheduled"


def test_action_mistakes_are_one_line(workspace: Path, tmp_path: Path) -> None:
    _decided(workspace, tmp_path)
    assert "no corrective action 'nope'" in user_error(invoke("actions", "show", "nope", home=workspace))
    close = ("actions", "close", "a1/CA-2.4", "--verification", "checked")
    assert "--note must say" in user_error(invoke(*close, "--note", " ", home=workspace))
    line = user_error(invoke(*close, "--note", "x", "--on", "2026-09-01", home=workspace))
    assert "before it was raised on 2026-09-10" in line
    ok_json(invoke(*close, "--note", "done", "--on", "2026-10-01", "--json", home=workspace))
    assert "already closed" in user_error(invoke(*close, "--note", "x", home=workspace))
    assert "cannot be reassigned" in user_error(
        invoke("actions", "assign", "a1/CA-2.4", "--owner", "p-wei", home=workspace)
    )


def test_the_calendar_proposes_revocation_past_the_grace(workspace: Path, tmp_path: Path) -> None:
    """Due 2026-11-09; the grace of 90 days ends 2027-02-07: open after that, revocation is proposed."""
    _decided(workspace, tmp_path)
    ok_json(invoke("actions", "close", "a1/CA-2.4", "--note", "done", "--on", "2026-10-01", "--verification",
                   "checked", "--json", home=workspace))  # fmt: skip

    def proposals(today: str) -> list[dict[str, Any]]:
        cal = ok_json(invoke("calendar", "--entity", "acme-care", "--today", today, "--json", home=workspace))
        found: list[dict[str, Any]] = cal["entities"][0]["revocation_proposals"]
        return found

    assert proposals("2027-02-07") == []
    [proposal] = proposals("2027-02-08")
    assert proposal["action_ids"] == ["a1/CA-3.4"]
