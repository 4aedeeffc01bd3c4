"""`cxcert decide` outside the demo: which assessments give a certification decision, and the calendar that
follows only the standing one.

Oracle: DOMAIN.md section 3 - a compliance audit decides; six months after a first certification the six-month
review "is scored and reviewed; falling out of compliance has no consequence then, but the non-compliant items
must be rectified"; a baseline gives advice. The copc-7.0 rule set re-certifies every 24 months (its YAML).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from cxcert.standards import library

from .runner import invoke, ok_json, user_error

ITEMS = [it.number for it in library.standard("copc-7.0-csp").scorable_items()]
E7 = (
    "entity", "create", "--id", "e7", "--name", "E7 Care", "--organisation", "o7", "--organisation-name", "O7",
    "--location", "ny:New York:US:America/New_York", "--service", "inbound_customer_service",
    "--standard", "copc-7.0-csp", "--rule-set", "copc-7.0", "--on", "2026-01-02", "--json",
)  # fmt: skip


def _findings(path: Path, levels: dict[str, str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "level"])
        writer.writerows(levels.items())
    return path


def _assessment(home: Path, tmp: Path, ident: str, kind: str, on: str, levels: dict[str, str], *scope: str) -> None:
    extra = [arg for item in scope for arg in ("--scope", item)]
    ok_json(invoke("assessment", "create", "--entity", "e7", "--kind", kind, "--on", on, "--id", ident, *extra,
                   "--json", home=home))  # fmt: skip
    report = ok_json(invoke("findings", "import", str(_findings(tmp / f"{ident}.csv", levels)), "--assessment",
                            ident, "--json", home=home))  # fmt: skip
    assert report["rows_accepted"] == len(levels)


def _calendar(home: Path, today: str) -> dict[str, Any]:
    cal: dict[str, Any] = ok_json(invoke("calendar", "--entity", "e7", "--today", today, "--json", home=home))
    entity: dict[str, Any] = cal["entities"][0]
    return entity


def _certified_e7(workspace: Path, tmp_path: Path) -> None:
    ok_json(invoke(*E7, home=workspace))
    _assessment(workspace, tmp_path, "a1", "compliance_audit", "2026-09-01", dict.fromkeys(ITEMS, "compliant"))
    decided = ok_json(invoke("decide", "--entity", "e7", "--on", "2026-09-10", "--json", home=workspace))
    assert (decided["decision_class"], decided["outcome"]) == ("Certified", "decision")
    # e7 is in the US: the lead auditor oversees and authorises (DOMAIN.md section 1; copc-7.0's authorities)
    assert decided["authority"]["authorises_decision"] == ["lead_auditor"]


def test_a_six_month_review_leaves_the_certification_and_its_calendar(workspace: Path, tmp_path: Path) -> None:
    _certified_e7(workspace, tmp_path)
    before = _calendar(workspace, "2026-09-11")
    assert {e["kind"]: e["due_on"] for e in before["events"]} == {
        "six_month_review": "2027-03-10",
        "application_update": "2028-07-10",
        "recertification_audit": "2028-09-10",  # every 24 months
    }
    _assessment(workspace, tmp_path, "r1", "six_month_review", "2027-03-01", dict.fromkeys(ITEMS[:4], "major"))
    review = ok_json(invoke("decide", "--entity", "e7", "--assessment", "r1", "--on", "2027-03-05", "--json",
                            home=workspace))  # fmt: skip
    assert review["outcome"] == "review" and review["decision_class"] == "No Classification"
    assert review["counts"]["scorable"] == 4 and review["counts"]["missing"] == 0  # only the reviewed items
    assert review["standing_decision"]["decision_class"] == "Certified"
    assert review["standing_decision"]["decided_on"] == "2026-09-10"
    # "the non-compliant items must be rectified": one plan per major, due 60 days after the review's result
    opened = review["corrective_actions"]["opened"]
    assert [(a["item"], a["due_on"]) for a in opened] == [(n, "2027-05-04") for n in ITEMS[:4]]
    after = _calendar(workspace, "2027-03-06")
    assert after["decision"]["decision_class"] == "Certified" and after["decision"]["assessment_id"] == "a1"
    events = {e["kind"]: e for e in after["events"] if not e["kind"].startswith("corrective_action")}
    assert {k: e["due_on"] for k, e in events.items()} == {e["kind"]: e["due_on"] for e in before["events"]}
    assert events["six_month_review"]["status"] == "done"  # the review was held on 2027-03-05
    assert [r["assessment_id"] for r in after["review_results"]] == ["r1"]
    shown = invoke("decide", "--entity", "e7", "--assessment", "r1", "--on", "2027-03-05", home=workspace)
    assert shown.returncode == 0 and "review result" in shown.stdout
    assert "standing decision is still Certified" in " ".join(shown.stdout.split())


def test_a_baseline_is_refused_as_advice(workspace: Path, tmp_path: Path) -> None:
    _certified_e7(workspace, tmp_path)
    _assessment(workspace, tmp_path, "b1", "baseline", "2027-01-10", dict.fromkeys(ITEMS, "major"))
    line = user_error(invoke("decide", "--entity", "e7", "--assessment", "b1", home=workspace))
    assert "b1 is a baseline" in line and "advice, not a decision" in line
    assert line.endswith("--dry-run shows the class its findings would give")
    assert _calendar(workspace, "2027-01-11")["decision"]["decision_class"] == "Certified"


def test_a_baselines_would_be_class_is_shown_and_never_stored(workspace: Path, tmp_path: Path) -> None:
    """Oracle: the same findings in a compliance audit, read the same way (one major deficiency: not Certified)."""
    _certified_e7(workspace, tmp_path)
    levels = {n: ("major" if i == 0 else "compliant") for i, n in enumerate(ITEMS)}
    _assessment(workspace, tmp_path, "b1", "baseline", "2027-01-10", levels)
    would = ok_json(invoke("decide", "--entity", "e7", "--dry-run", "--json", home=workspace))  # latest: b1
    assert (would["dry_run"], would["is_decision"], would["assessment_id"]) == (True, False, "b1")
    assert (would["assessment_kind"], would["outcome"]) == ("baseline", "advice")
    assert would["note"].startswith("not a decision")
    assert would["explanation"]["steps"][0]["rule"] == "would_be"
    _assessment(workspace, tmp_path, "a2", "compliance_audit", "2027-01-11", levels)
    as_audit = ok_json(invoke("decide", "--entity", "e7", "--assessment", "a2", "--dry-run", "--json",
                              home=workspace))  # fmt: skip
    assert would["decision_class"] == as_audit["decision_class"] != "Certified"
    assert would["counts"] == as_audit["counts"] and would["counts"]["major"] == 1
    text = invoke("decide", "--entity", "e7", "--assessment", "b1", "--dry-run", home=workspace)
    assert text.returncode == 0, text.stderr
    flat = " ".join(text.stdout.split())
    assert flat.startswith(f"Would be {would['decision_class']} — not a decision")
    assert "would be (not a decision): e7" in flat
    # nothing was decided: the standing decision and its calendar are a1's
    cal = _calendar(workspace, "2027-01-12")
    assert (cal["decision"]["assessment_id"], cal["decision"]["decision_class"]) == ("a1", "Certified")
    assert "no decision day" in user_error(invoke("decide", "--entity", "e7", "--dry-run", "--on", "2027-01-12",
                                                  home=workspace))  # fmt: skip


def test_only_the_kinds_the_rule_set_says_decide_are_taken_by_default(workspace: Path, tmp_path: Path) -> None:
    """copc-7.0's assessment_outcomes: compliance, second and re-certification audits decide; a baseline is not
    taken as the audit to decide on."""
    ok_json(invoke(*E7, home=workspace))
    _assessment(workspace, tmp_path, "b1", "baseline", "2026-03-01", dict.fromkeys(ITEMS, "major"))
    line = user_error(invoke("decide", "--entity", "e7", home=workspace))
    assert "entity 'e7' has no audit (compliance_audit, second_audit, recertification_audit) to decide on" in line


def test_a_process_certification_keeps_its_own_calendar(workspace: Path, tmp_path: Path) -> None:
    _certified_e7(workspace, tmp_path)
    scope = ITEMS[:3]
    _assessment(workspace, tmp_path, "p1", "compliance_audit", "2027-02-01", dict.fromkeys(scope, "compliant"), *scope)
    ok_json(invoke("decide", "--entity", "e7", "--assessment", "p1", "--on", "2027-02-10", "--json", home=workspace))
    cal = _calendar(workspace, "2027-02-11")
    assert cal["decision"]["assessment_id"] == "a1"
    assert {e["kind"]: e["due_on"] for e in cal["events"]}["six_month_review"] == "2027-03-10"
    [process] = cal["process_certifications"]
    assert process["scope"] == sorted(scope) and process["decision"]["assessment_id"] == "p1"
    assert {e["kind"]: e["due_on"] for e in process["events"]}["recertification_audit"] == "2029-02-10"


def test_deciding_an_unchanged_audit_again_stores_nothing_and_keeps_the_date(workspace: Path, tmp_path: Path) -> None:
    _certified_e7(workspace, tmp_path)
    again = ok_json(invoke("decide", "--entity", "e7", "--json", home=workspace))  # no --on: today
    assert again["reused"] is True and again["decided_on"] == "2026-09-10"
    assert _calendar(workspace, "2026-09-11")["decision"]["id"] == again["decision_id"]


def test_outside_the_us_headquarters_authorises_and_the_licensee_submits(workspace: Path, tmp_path: Path) -> None:
    """acme-care (the fixture) is in London and Cape Town: DOMAIN.md section 1, outside the US a licensee
    oversees and submits the final application and headquarters issues the decision."""
    items = [it.number for it in library.standard("copc-2000-csp").scorable_items()]
    ok_json(invoke("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit", "--on",
                   "2026-09-01", "--id", "g1", "--json", home=workspace))  # fmt: skip
    invoke("findings", "import", str(_findings(tmp_path / "g1.csv", dict.fromkeys(items, "compliant"))),
           "--assessment", "g1", home=workspace)  # fmt: skip
    decided = ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", "--json", home=workspace))
    authority = decided["authority"]
    assert (authority["oversees"], authority["submits_application"], authority["authorises_decision"]) == (
        ["licensee"], ["licensee"], ["headquarters"],
    )  # fmt: skip
    assert [a["country"] for a in authority["per_location"]] == ["GB", "ZA"]
    assert any(s["rule"] == "authority" for s in decided["explanation"]["steps"])
    shown = " ".join(invoke("decide", "--entity", "acme-care", home=workspace).stdout.split())
    assert "Who decides: headquarters authorises the decision, licensee submits the final application" in shown


def test_dates_and_unassessed_audits_are_refused(workspace: Path, tmp_path: Path) -> None:
    ok_json(invoke(*E7, home=workspace))
    line = user_error(invoke("assessment", "create", "--entity", "e7", "--kind", "compliance_audit", "--on",
                             "2026-09-05", "--ended-on", "2026-09-01", home=workspace))  # fmt: skip
    assert "--ended-on 2026-09-01 is before --on 2026-09-05" in line
    ok_json(invoke("assessment", "create", "--entity", "e7", "--kind", "compliance_audit", "--on", "2026-09-01",
                   "--ended-on", "2026-09-03", "--id", "a1", "--json", home=workspace))  # fmt: skip
    line = user_error(invoke("decide", "--entity", "e7", "--on", "2026-09-05", home=workspace))
    assert "a1 has no finding on any of its 32 in-scope scorable items" in line  # not "No Classification, 32 missing"
    invoke("findings", "import", str(_findings(tmp_path / "a1.csv", dict.fromkeys(ITEMS, "compliant"))),
           "--assessment", "a1", home=workspace)  # fmt: skip
    line = user_error(invoke("decide", "--entity", "e7", "--on", "2026-09-02", home=workspace))
    assert "2026-09-02 would come before assessment a1 ended on 2026-09-03" in line
    ok_json(invoke("decide", "--entity", "e7", "--on", "2026-09-10", "--json", home=workspace))
    line = user_error(invoke("calendar", "--entity", "e7", "--planned-audit", "2026-09-01", home=workspace))
    assert "planned audit on 2026-09-01 is before the decision of 2026-09-10" in line
