"""`cxcert qa dispute` and `cxcert qa coaching`: feedback records in the database, windows from the YAML.

Hand calculation: voice_cs v1 evaluations entered on 2 March 2026 (UTC); the packaged window is 5 days
(feedback_rules.yaml), so a dispute may be raised through 7 March and is refused on 8 March. An upheld dispute
takes its evaluation out of `qa accuracy`: with ev-1 (customer-critical error) and ev-2 (no error), customer-critical
accuracy is 1/2, and 1/1 once ev-1's dispute is upheld.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli.runner import invoke, ok_json, user_error

from .test_cli_qa_evaluate import BASE, RESULTS, _results

ALL_PASS = {k: ("na" if v == "na" else "pass") for k, v in RESULTS.items()}
ACCURACY = ("qa", "accuracy", "--entity", "site", "--from", "2026-03-01", "--to", "2026-03-31", "--tz", "UTC",
            "--level", "program", "--json")  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str | None]:
    """CXCERT_HOME with an initialised database (SQLite in the home, or a fresh PostgreSQL database)."""
    home = tmp_path / "home"
    url: str | None = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    ok_json(invoke("init", "--json", home=home, database_url=url))
    return home, url


def _enter(home: Path, ident: str, results: dict[str, str], agent: str = "a17") -> None:
    args = [a if a != "a17" else agent for a in BASE]
    ok_json(invoke(*args, *_results(results), "--id", ident, "--at", "2026-03-02T10:00:00+00:00",
                   "--entity", "site", "--program", "care", "--json", home=home))  # fmt: skip


def test_dispute_within_the_window_and_upheld_leaves_accuracy(database: tuple[Path, str | None]) -> None:
    home, url = database

    def run(*args: str) -> Any:
        return ok_json(invoke(*args, home=home, database_url=url))

    _enter(home, "ev-1", RESULTS)
    _enter(home, "ev-2", ALL_PASS)
    raise_args = ("qa", "dispute", "raise", "--entity", "site", "--evaluation", "ev-1", "--tz", "UTC",
                  "--reason", "the caller was verified by the IVR", "--parameter", "correct_resolution")  # fmt: skip
    late = user_error(invoke(*raise_args, "--on", "2026-03-08", home=home, database_url=url))
    assert "can no longer be disputed on 2026-03-08: the 5-day dispute window closed on 2026-03-07" in late
    assert "feedback_rules.yaml" in late
    wrong = user_error(invoke(*raise_args, "--on", "2026-03-07", "--parameter", "smile", home=home, database_url=url))
    assert "has no parameter(s) smile" in wrong
    dispute = run(*raise_args, "--on", "2026-03-07", "--id", "dp-1", "--json")
    assert dispute["agent_id"] == "a17" and dispute["program"] == "care" and dispute["raised_by"] == "a17"
    assert (dispute["evaluated_on"], dispute["window_days"], dispute["outcome"]) == ("2026-03-02", 5, "pending")
    again = user_error(invoke(*raise_args, "--on", "2026-03-07", home=home, database_url=url))
    assert "already has dispute dp-1 (pending)" in again
    accuracy = run(*ACCURACY)
    assert accuracy["disputes"] == {"upheld_left_out": 0, "pending": 1}
    customer = next(r for r in accuracy["rows"] if r["measure"] == "customer_critical")
    assert (customer["accurate"], customer["evaluated"]) == (1, 2)
    own = user_error(invoke("qa", "dispute", "decide", "dp-1", "--outcome", "upheld", "--by", "a17",
                            home=home, database_url=url))  # fmt: skip
    assert "cannot decide a dispute on their own evaluation" in own
    decided = run("qa", "dispute", "decide", "dp-1", "--outcome", "upheld", "--by", "qa_lead", "--on", "2026-03-09",
                  "--note", "IVR log checked", "--json")  # fmt: skip
    assert (decided["outcome"], decided["decided_by"], decided["decided_on"]) == ("upheld", "qa_lead", "2026-03-09")
    twice = user_error(invoke("qa", "dispute", "decide", "dp-1", "--outcome", "rejected", "--by", "qa_lead",
                              home=home, database_url=url))  # fmt: skip
    assert "already decided (upheld on 2026-03-09)" in twice
    accuracy = run(*ACCURACY)
    assert accuracy["evaluations"] == 1 and accuracy["disputes"] == {"upheld_left_out": 1, "pending": 0}
    customer = next(r for r in accuracy["rows"] if r["measure"] == "customer_critical")
    assert (customer["accurate"], customer["evaluated"]) == (1, 1)
    listed = run("qa", "dispute", "list", "--entity", "site", "--outcome", "upheld", "--json")
    assert [d["id"] for d in listed] == ["dp-1"]
    assert run("qa", "dispute", "list", "--entity", "site", "--outcome", "pending", "--json") == []


def test_an_evaluation_kept_elsewhere_and_a_program_window(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ok_json(invoke("init", "--json", home=home))
    _enter(home, "ev-1", RESULTS)
    args = ("qa", "dispute", "raise", "--entity", "site", "--tz", "UTC", "--reason", "wrong call", "--on", "2026-03-12")
    missing = user_error(invoke(*args, "--evaluation", "ev-9", home=home))
    assert "not in entity site's warehouse" in missing and "--evaluated-on" in missing
    contradiction = user_error(invoke(*args, "--evaluation", "ev-1", "--agent", "a99", home=home))
    assert "--agent a99 contradicts the warehouse: evaluation ev-1 has a17" in contradiction
    # The program's own window, from the user's file in CXCERT_HOME: 10 days for 'care'.
    rules = home / "quality" / "feedback_rules.yaml"
    rules.parent.mkdir(parents=True)
    rules.write_text("source: client procedure QP-7\nprograms:\n  care: {dispute_window_days: 10, source: care SLA}\n")
    inside = ok_json(invoke(*args, "--evaluation", "ev-1", "--json", home=home))
    assert inside["window_days"] == 10 and inside["evaluated_on"] == "2026-03-02"
    elsewhere = ok_json(invoke(*args, "--evaluation", "ev-9", "--evaluated-on", "2026-03-10", "--agent", "a3",
                               "--json", home=home))  # fmt: skip
    assert (elsewhere["agent_id"], elsewhere["program"], elsewhere["window_days"]) == ("a3", None, 5)
    rules.write_text("source: x\nprograms:\n  care: {dispute_window_days: ten, source: y}\n")
    assert "feedback_rules.yaml:3" in user_error(invoke(*args, "--evaluation", "ev-1", home=home))


def test_coaching_record_acknowledge_and_overdue(tmp_path: Path) -> None:
    """Held 5 March, acknowledgement due within 3 days (feedback_rules.yaml): overdue from 9 March."""
    home = tmp_path / "home"
    ok_json(invoke("init", "--json", home=home))
    _enter(home, "ev-1", RESULTS)
    record = ok_json(invoke(
        "qa", "coaching", "record", "--entity", "site", "--agent", "a17", "--coach", "tl1", "--on", "2026-03-05",
        "--evaluation", "ev-1", "--topic", "resolution", "--notes", "two calls reviewed", "--action",
        "check the knowledge base before answering", "--follow-up", "2026-03-19", "--id", "co-1", "--tz", "UTC",
        "--json", home=home))  # fmt: skip
    assert (record["program"], record["acknowledgement_due_on"], record["evaluation_ids"]) == (
        "care", "2026-03-08", ["ev-1"])  # fmt: skip
    other = invoke("qa", "coaching", "record", "--entity", "site", "--agent", "a18", "--coach", "tl1",
                   "--evaluation", "ev-1", "--tz", "UTC", home=home)  # fmt: skip
    assert "evaluation ev-1 is agent a17's, not a18's" in user_error(other)
    early = invoke("qa", "coaching", "record", "--entity", "site", "--agent", "a17", "--coach", "tl1", "--on",
                   "2026-03-05", "--follow-up", "2026-03-01", home=home)  # fmt: skip
    assert "--follow-up 2026-03-01 is before the session" in user_error(early)
    listing = ("qa", "coaching", "list", "--entity", "site", "--json")
    [due] = ok_json(invoke(*listing, "--today", "2026-03-09", home=home))
    assert due["acknowledgement_overdue"] is True
    [not_yet] = ok_json(invoke(*listing, "--today", "2026-03-08", home=home))
    assert not_yet["acknowledgement_overdue"] is False
    signed = ok_json(invoke("qa", "coaching", "acknowledge", "co-1", "--on", "2026-03-06", "--comment", "understood",
                            "--json", home=home))  # fmt: skip
    assert (signed["acknowledged_on"], signed["agent_comment"]) == ("2026-03-06", "understood")
    assert ok_json(invoke(*listing, "--unacknowledged", home=home)) == []
    twice = invoke("qa", "coaching", "acknowledge", "co-1", "--on", "2026-03-07", home=home)
    assert "already acknowledged on 2026-03-06" in user_error(twice)
    assert "no coaching record 'co-9'" in user_error(invoke("qa", "coaching", "acknowledge", "co-9", home=home))


def test_without_a_workspace_the_commands_ask_for_init(tmp_path: Path) -> None:
    line = user_error(invoke("qa", "dispute", "list", "--entity", "site", home=tmp_path / "home"))
    assert "run `cxcert init` first" in line
