"""Coordinators, answers, findings (CSV and Excel, with rejected rows), decide, calendar, engagement steps."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from cxcert.standards import library

from .conftest import ENTITY_ARGS
from .runner import cxcert, invoke, ok_json, user_error

STANDARD = library.standard("copc-2000-csp")


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_coordinator_refused_below_pass_mark_then_registered(workspace: Path) -> None:
    """The founding rule set's pass mark is 90 % (DOMAIN.md section 1): 0.86 is refused, 0.93 registered."""
    base = ("coordinator", "register", "--entity", "acme-care", "--location", "lon", "--on", "2026-01-16")
    line = user_error(invoke(*base, "--person", "pri", "--name", "Priya", "--exam-score", "0.86", home=workspace))
    assert "below 90%" in line
    done = ok_json(invoke(*base, "--person", "ana", "--name", "Ana", "--exam-score", "0.93", "--json", home=workspace))
    assert done["registered"] is True
    listed = ok_json(invoke("coordinator", "list", "--entity", "acme-care", "--json", home=workspace))
    assert [r["person_id"] for r in listed["registrations"]] == ["ana"]
    assert listed["locations_without_coordinator"] == ["cpt"]
    assert [(a["person_id"], a["passed"]) for a in listed["exam_attempts"]] == [("pri", False), ("ana", True)]


def test_every_exam_attempt_is_kept_with_its_day_and_score(workspace: Path) -> None:
    """A failed attempt is stored and listed, never overwritten by a later one (pass mark 90 %, DOMAIN.md s. 1)."""
    base = ("coordinator", "register", "--entity", "acme-care", "--location", "cpt", "--person", "thabo")
    assert "the attempt is kept" in user_error(
        invoke(*base, "--name", "Thabo", "--exam-score", "71%", "--on", "2026-01-16", home=workspace)
    )
    assert "below 90%" in user_error(invoke(*base, "--exam-score", "0.88", "--on", "2026-02-02", home=workspace))
    ok_json(invoke(*base, "--exam-score", "0.95", "--on", "2026-02-20", "--json", home=workspace))
    listed = ok_json(invoke("coordinator", "list", "--entity", "acme-care", "--json", home=workspace))
    assert [(a["exam_taken_on"], a["exam_score"], a["passed"]) for a in listed["exam_attempts"]] == [
        ("2026-01-16", 0.71, False),
        ("2026-02-02", 0.88, False),
        ("2026-02-20", 0.95, True),
    ]
    assert [r["exam_taken_on"] for r in listed["registrations"]] == ["2026-02-20"]
    assert listed["locations_without_coordinator"] == ["lon"]
    text = invoke("coordinator", "list", "--entity", "acme-care", home=workspace)
    rows = [line for line in text.stdout.splitlines() if line.startswith("│ thabo")]
    assert len(rows) == 4  # one registered coordinator, three attempts
    assert "71%" in rows[1] and "not passed" in rows[1] and "passed" in rows[3] and "not" not in rows[3]
    people = ok_json(invoke("people", "list", "--entity", "acme-care", "--json", home=workspace))
    (thabo,) = [p for p in people["people"] if p["person_id"] == "thabo"]
    assert [r["exam_score"] for r in thabo["registrations"]] == [0.95]  # people list shows what registers
    new = ("coordinator", "register", "--entity", "acme-care", "--location", "lon", "--person", "zed")
    assert "is new: give their --name" in user_error(invoke(*new, "--exam-score", "0.5", home=workspace))


def test_answers_import_csv_and_xlsx_with_rejected_rows(workspace: Path, tmp_path: Path) -> None:
    rows = [
        ["item", "requirement", "answer", "hours", "completion", "on"],
        ["1.1", "1.1.1", "Mission set yearly", "1.5", "100%", "2026-02-01"],
        ["1.1", "1.1.9", "No such requirement", "1", "0.5", ""],
        ["9.9", "", "No such item", "1", "0.5", ""],
        ["2.1", "", "Sampling plan", "2", "0.5", "2026-02-03"],
    ]
    report = ok_json(
        invoke("answers", "import", str(_write_csv(tmp_path / "a.csv", rows)), "--entity", "acme-care", "--json",
               home=workspace)
    )  # fmt: skip
    assert (report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == (4, 2, 2)
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(3, "requirement"), (4, "item")]
    assert Path(report["quarantine"]).is_file()
    again = ok_json(
        invoke("answers", "import", str(tmp_path / "a.csv"), "--entity", "acme-care", "--json", home=workspace)
    )
    assert again["rows_unchanged"] == 2  # re-importing stores nothing new
    xrows: list[list[object]] = [
        ["entity", "item", "answer", "hours", "completion"],
        ["acme-care", "1.2", "Plans", 3, 1],
    ]
    xrows.append(["ghost", "1.2", "wrong entity", 1, 1])
    report = ok_json(
        invoke("answers", "import", str(_write_xlsx(tmp_path / "a.xlsx", xrows)), "--json", home=workspace)
    )
    assert (report["rows_read"], report["rows_accepted"], report["rejected"][0]["row"]) == (2, 1, 3)
    progress = ok_json(invoke("answers", "show", "--entity", "acme-care", "--json", home=workspace))
    assert progress["answers"] == 3
    assert progress["hours_spent"] == pytest.approx(1.5 + 2 + 3)


def _audit_with_findings(workspace: Path, tmp_path: Path) -> str:
    created = ok_json(
        invoke("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit", "--on", "2026-09-01",
               "--json", home=workspace)
    )  # fmt: skip
    audit_id: str = created["id"]
    numbers = [it.number for it in STANDARD.scorable_items()]
    # all compliant but three minor: at least 27 compliant with only minor deficiencies elsewhere
    rows: list[list[str]] = [["item", "level", "note"]]
    rows += [[n, "minor" if n in numbers[:3] else "compliant", ""] for n in numbers[:-1]]
    rows.append(["7.7", "compliant", "no such item"])
    report = ok_json(
        invoke("findings", "import", str(_write_csv(tmp_path / "f.csv", rows)), "--assessment", audit_id, "--json",
               home=workspace)
    )  # fmt: skip
    assert (report["rows_read"], report["rows_accepted"], report["rows_rejected"]) == (
        len(numbers),
        len(numbers) - 1,
        1,
    )
    assert report["rejected"][0] == {
        "row": len(numbers) + 1,
        "column": "item",
        "reason": report["rejected"][0]["reason"],
    }
    assert "7.7" in report["rejected"][0]["reason"]
    xrows: list[list[object]] = [["assessment", "item", "level", "note"], [audit_id, numbers[-1], "compliant", "ok"]]
    xrows.append([audit_id, numbers[0], "terrible", ""])
    report = ok_json(
        invoke("findings", "import", str(_write_xlsx(tmp_path / "f.xlsx", xrows)), "--json", home=workspace)
    )
    assert (report["rows_accepted"], report["rejected"][0]["row"], report["rejected"][0]["column"]) == (1, 3, "level")
    return audit_id


def test_findings_import_decide_and_calendar(workspace: Path, tmp_path: Path) -> None:
    """Oracle: the founding rule set (DOMAIN.md section 3 step 8) - 30 of 33 compliant, 3 minor, no major is
    Conditionally Certified; the calendar follows at 6 months (review) and 12 months (re-certification), with the
    application update 2 months before it."""
    audit_id = _audit_with_findings(workspace, tmp_path)
    decision = ok_json(invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", "--json", home=workspace))
    assert decision["assessment_id"] == audit_id
    assert decision["decision_class"] == "Conditionally Certified"
    assert decision["counts"] == {"scorable": 33, "compliant": 30, "minor": 3, "major": 0, "not_applicable": 0,
                                  "missing": 0}  # fmt: skip
    assert decision["explanation"]["steps"]
    cal = ok_json(invoke("calendar", "--entity", "acme-care", "--today", "2027-03-20", "--json", home=workspace))
    events = {e["kind"]: e for e in cal["entities"][0]["events"]}
    assert events["six_month_review"]["due_on"] == "2027-03-10"
    assert events["six_month_review"]["status"] == "overdue"
    assert events["recertification_audit"]["due_on"] == "2027-09-10"
    assert events["application_update"]["due_on"] == "2027-07-10"
    shown = invoke("decide", "--entity", "acme-care", "--on", "2026-09-10", home=workspace)
    assert shown.returncode == 0 and "Conditionally Certified" in shown.stdout and "[class:Certified]" in shown.stdout


def test_engagement_illegal_step_exits_2_with_the_state_machine_message(workspace: Path) -> None:
    # a real process: the exit code and the absence of a traceback are what a user sees
    line = user_error(cxcert("engagement", "advance", "--entity", "acme-care", "--to", "audited", home=workspace))
    assert "cannot go from entity_defined to audited" in line
    # the guard: nothing behind the step yet
    line = user_error(
        invoke("engagement", "advance", "--entity", "acme-care", "--to", "kickoff_held", "--on", "2026-01-06",
               home=workspace)
    )  # fmt: skip
    assert "no kickoff session recorded for entity acme-care; record one with `cxcert kickoff record" in line
    ok_json(invoke("kickoff", "record", "--entity", "acme-care", "--on", "2026-01-06", "--audience", "executives",
                   "--hours", "2", "--json", home=workspace))  # fmt: skip
    moved = ok_json(
        invoke("engagement", "advance", "--entity", "acme-care", "--to", "kickoff_held", "--on", "2026-01-06",
               "--json", home=workspace)
    )  # fmt: skip
    assert moved["stage"] == "kickoff_held"
    # the guard: no coordinator has passed the exam yet
    line = user_error(
        invoke("engagement", "advance", "--entity", "acme-care", "--to", "coordinators_registered", home=workspace)
    )
    assert "no coordinator has passed the exam" in line


def test_decide_without_an_audit_is_a_user_error(workspace: Path) -> None:
    assert "has no audit" in user_error(invoke("decide", "--entity", "acme-care", home=workspace))


@pytest.mark.postgres
def test_a_cli_flow_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    home = tmp_path / "pg-home"
    ok_json(cxcert("init", "--json", home=home, database_url=postgres_url))

    ok_json(invoke(*ENTITY_ARGS, home=home, database_url=postgres_url))
    audit_id = _audit_with_findings_on(home, tmp_path, postgres_url)
    decision = ok_json(cxcert("decide", "--entity", "acme-care", "--json", home=home, database_url=postgres_url))
    assert decision["assessment_id"] == audit_id and decision["decision_class"] == "Conditionally Certified"
    assert not (home / "cxcert.sqlite").exists()  # everything went to PostgreSQL


def _audit_with_findings_on(home: Path, tmp_path: Path, url: str) -> str:
    created = ok_json(
        invoke("assessment", "create", "--entity", "acme-care", "--kind", "compliance_audit", "--on", "2026-09-01",
               "--json", home=home, database_url=url)
    )  # fmt: skip
    numbers = [it.number for it in STANDARD.scorable_items()]
    rows = [["item", "level"]] + [[n, "minor" if n in numbers[:3] else "compliant"] for n in numbers]
    report = ok_json(
        invoke("findings", "import", str(_write_csv(tmp_path / "pg.csv", rows)), "--assessment", created["id"],
               "--json", home=home, database_url=url)
    )  # fmt: skip
    assert report["rows_accepted"] == len(numbers)
    audit_id: str = created["id"]
    return audit_id


def test_answers_read_back_as_questions_with_their_answers(workspace: Path) -> None:
    """`answers show --text`: each question of the standard with the answer that counts (its own, else the item's)."""
    record = ("answers", "record", "--entity", "acme-care", "--json")
    item = STANDARD.item("1.1")
    first, second = item.requirements[0], item.requirements[1]
    ok_json(invoke(*record, "--item", "1.1", "--requirement", first.id, "--answer", "Mission set yearly",
                   "--completion", "1", "--by", "ana", "--on", "2026-02-01", home=workspace))  # fmt: skip
    ok_json(invoke(*record, "--item", "1.1", "--answer", "Direction reviewed by the board", "--completion", "0.5",
                   "--on", "2026-02-02", home=workspace))  # fmt: skip
    shown = ok_json(invoke("answers", "show", "--entity", "acme-care", "--text", "--item", "1.1", "--json",
                           home=workspace))  # fmt: skip
    questions = {q["requirement"]: q for q in shown["questions"]}
    assert [q["item"] for q in shown["questions"]] == ["1.1"] * len(item.requirements)
    assert questions[first.id]["question"] == first.summary
    assert (questions[first.id]["answer"], questions[first.id]["answered_by"]) == ("Mission set yearly", "ana")
    assert questions[second.id]["answer"] == "Direction reviewed by the board"  # the item-level answer
    text = invoke("answers", "show", "--entity", "acme-care", "--text", home=workspace)
    assert text.returncode == 0, text.stderr
    flat = " ".join(text.stdout.split())
    assert f"{first.id} {first.summary} Mission set yearly (100% complete, by ana, on 2026-02-01)" in flat
    assert "(50% complete, on 2026-02-02, answered for the item as a whole)" in flat
    last = STANDARD.items()[-1]
    unit = last.requirements[-1].id if last.requirements else last.number
    assert f"{unit} " in flat and "(not answered)" in flat
    line = user_error(invoke("answers", "show", "--entity", "acme-care", "--item", "1.1", home=workspace))
    assert line == "error: --item picks the questions --text prints: add --text"
