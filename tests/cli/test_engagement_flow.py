"""The nine steps through the CLI: each step refused until its work is on record, then taken.

Oracle: DOMAIN.md section 3 (kickoff, coordinators, application, baseline, gap closure, audit, decision) and the
founding rule set (all 33 scorable items compliant is Certified).
"""

from __future__ import annotations

import csv
from pathlib import Path

from cxcert.standards import library
from cxcert.store.audit_trail import AuditTrail
from cxcert.store.db import open_database

from .runner import invoke, ok_json, user_error

STANDARD = library.standard("copc-2000-csp")
ENTITY = ("--entity", "acme-care")


def _advance(home: Path, to: str, on: str) -> str:
    return str(ok_json(invoke("engagement", "advance", *ENTITY, "--to", to, "--on", on, "--json", home=home))["stage"])


def _refused(home: Path, to: str, on: str) -> str:
    return user_error(invoke("engagement", "advance", *ENTITY, "--to", to, "--on", on, home=home))


def _findings(home: Path, tmp_path: Path, assessment_id: str, level: str) -> None:
    path = tmp_path / f"{level}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["item", "level"], *([it.number, level] for it in STANDARD.scorable_items())])
    report = ok_json(invoke("findings", "import", str(path), "--assessment", assessment_id, "--json", home=home))
    assert report["rows_rejected"] == 0


def test_each_step_needs_its_work_on_record(workspace: Path, tmp_path: Path) -> None:
    home = workspace
    assert "no kickoff session recorded" in _refused(home, "kickoff_held", "2026-01-06")
    ok_json(invoke("kickoff", "record", *ENTITY, "--on", "2026-01-06", "--audience", "implementation_team",
                   "--hours", "6", "--json", home=home))  # fmt: skip
    assert _advance(home, "kickoff_held", "2026-01-06") == "kickoff_held"
    for person, location in (("ana", "lon"), ("thabo", "cpt")):
        ok_json(invoke("coordinator", "register", *ENTITY, "--person", person, "--name", person.title(),
                       "--location", location, "--exam-score", "0.95", "--on", "2026-01-16", "--json",
                       home=home))  # fmt: skip
    assert _advance(home, "coordinators_registered", "2026-01-16") == "coordinators_registered"

    assert "no application answers recorded" in _refused(home, "application_submitted", "2026-02-20")
    ok_json(invoke("answers", "record", *ENTITY, "--item", "1.1", "--answer", "Mission reviewed yearly",
                   "--completion", "1", "--on", "2026-02-10", "--json", home=home))  # fmt: skip
    # Oracle: the packaged standard's questions (each requirement, or an item without one), 1.1's now answered
    questions = [r.id for it in STANDARD.items() for r in it.requirements] + [
        it.number for it in STANDARD.items() if not it.requirements
    ]
    unanswered = [q for it in STANDARD.items() if it.number != "1.1"
                  for q in ([r.id for r in it.requirements] or [it.number])]  # fmt: skip
    line = _refused(home, "application_submitted", "2026-02-20")
    assert f"is incomplete on 2026-02-20: {len(unanswered)} of {len(questions)} questions not answered in full " in line
    assert f"({', '.join(unanswered[:5])}, ...)" in line and "--allow-incomplete --reason TEXT" in line
    submit = ("engagement", "advance", *ENTITY, "--to", "application_submitted", "--on", "2026-02-20")
    assert "needs --reason" in user_error(invoke(*submit, "--allow-incomplete", home=home))
    other = ("engagement", "advance", *ENTITY, "--to", "baseline_assessed", "--allow-incomplete", "--reason", "x")
    assert "applies to application_submitted" in user_error(invoke(*other, home=home))
    why = "the lead auditor agreed: category 4 answers follow the first month of data"
    moved = ok_json(invoke(*submit, "--allow-incomplete", "--reason", why, "--json", home=home))
    assert moved["stage"] == "application_submitted"
    assert moved["history"][-1]["note"].startswith(f"step 4: application submitted incomplete, {len(unanswered)} of")
    assert moved["history"][-1]["note"].endswith(f"allowed because: {why}")
    db = open_database(f"sqlite:///{home / 'cxcert.sqlite'}")
    try:
        with db.session() as session:
            entry = AuditTrail(session).entries("entity:acme-care")[-1]
    finally:
        db.dispose()
    assert entry.action == "engagement.advanced" and entry.payload["allow_incomplete"]["reason"] == why
    assert entry.payload["allow_incomplete"]["what_was_missing"] == moved["history"][-1]["note"]

    assert "no baseline assessment of entity acme-care" in _refused(home, "baseline_assessed", "2026-03-10")
    baseline = ok_json(invoke("assessment", "create", *ENTITY, "--kind", "baseline", "--on", "2026-03-02", "--json",
                              home=home))  # fmt: skip
    assert "holds no findings yet" in _refused(home, "baseline_assessed", "2026-03-10")
    _findings(home, tmp_path, baseline["id"], "minor")
    assert _advance(home, "baseline_assessed", "2026-03-10") == "baseline_assessed"

    assert "has no gap closure plan" in _refused(home, "gap_closure", "2026-03-16")
    ok_json(invoke("gap-closure", "plan", *ENTITY, "--from", "2026-03-16", "--json", home=home))
    assert _advance(home, "gap_closure", "2026-03-16") == "gap_closure"
    assert "no application answer recorded between 2026-03-16 and 2026-07-01" in _refused(
        home, "application_updated", "2026-07-01"
    )
    ok_json(invoke("answers", "record", *ENTITY, "--item", "1.1", "--answer", "Mission reviewed after gap closure",
                   "--completion", "1", "--on", "2026-06-20", "--json", home=home))  # fmt: skip
    assert _advance(home, "application_updated", "2026-07-01") == "application_updated"
    assert _advance(home, "audit_planned", "2026-07-15") == "audit_planned"

    # the baseline is no audit: the audit is held after it was planned
    shown = ok_json(invoke("engagement", "show", *ENTITY, "--today", "2026-09-05", "--json", home=home))
    (audited,) = [s for s in shown["next_steps"] if s["to"] == "audited"]
    assert audited["blockers"][0].startswith("no audit of entity acme-care started between 2026-07-15 and 2026-09-05")
    audit = ok_json(invoke("assessment", "create", *ENTITY, "--kind", "compliance_audit", "--on", "2026-09-01",
                           "--json", home=home))  # fmt: skip
    _findings(home, tmp_path, audit["id"], "compliant")
    line = user_error(invoke("decide", *ENTITY, "--on", "2026-09-05", home=home))
    assert f"cannot record a decision on {audit['id']} for acme-care: the engagement of acme-care is at " in line
    assert "audit_planned, not audited" in line
    assert _advance(home, "audited", "2026-09-05") == "audited"
    # an audit held before this one was planned cannot carry its decision
    before = ok_json(invoke("assessment", "create", *ENTITY, "--kind", "compliance_audit", "--on", "2026-07-01",
                            "--json", home=home))  # fmt: skip
    _findings(home, tmp_path, before["id"], "compliant")
    line = user_error(invoke("decide", *ENTITY, "--assessment", before["id"], "--on", "2026-09-10", home=home))
    assert f"assessment {before['id']} started on 2026-07-01, before the audit was planned on 2026-07-15" in line

    assert "needs the decision of the audit just held" in _refused(home, "certified", "2026-09-10")
    decision = ok_json(invoke("decide", *ENTITY, "--on", "2026-09-10", "--json", home=home))
    assert decision["decision_class"] == "Certified"
    # a review result stored since (here all major) is never the decision a decision step rests on
    review = ok_json(invoke("assessment", "create", *ENTITY, "--kind", "six_month_review", "--on", "2026-09-10",
                            "--json", home=home))  # fmt: skip
    _findings(home, tmp_path, review["id"], "major")
    assert ok_json(invoke("decide", *ENTITY, "--assessment", review["id"], "--on", "2026-09-10", "--json",
                          home=home))["outcome"] == "review"  # fmt: skip
    assert _advance(home, "certified", "2026-09-10") == "certified"
    table = invoke("engagement", "show", *ENTITY, "--today", "2026-09-11", home=home)
    assert table.returncode == 0 and "six_month_reviewed" in table.stdout
    assert "blocked: revocation needs" in table.stdout
