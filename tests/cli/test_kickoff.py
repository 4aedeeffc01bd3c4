"""`cxcert kickoff record|list` through the real CLI (DOMAIN.md section 3 step 2)."""

from __future__ import annotations

from pathlib import Path

from .runner import invoke, ok_json, user_error

RECORD = ("kickoff", "record", "--entity", "acme-care", "--on", "2026-01-06")


def test_record_and_list_sessions(workspace: Path) -> None:
    done = ok_json(invoke(*RECORD, "--audience", "executives", "--hours", "2", "--attendee", "dana", "--json",
                          home=workspace))  # fmt: skip
    assert (done["stored"], done["audience"], done["within_guide"]) == (True, "executives", True)
    # 6 h for centre managers is outside "about 4 h": recorded, with the note
    long = ok_json(invoke(*RECORD, "--audience", "centre managers", "--hours", "6", "--json", home=workspace))
    assert long["audience"] == "centre_managers" and long["within_guide"] is False
    again = ok_json(invoke(*RECORD, "--audience", "executives", "--hours", "2", "--attendee", "dana", "--json",
                           home=workspace))  # fmt: skip
    assert again["stored"] is False
    listed = ok_json(invoke("kickoff", "list", "--entity", "acme-care", "--json", home=workspace))
    assert [(s["audience"], s["duration_hours"]) for s in listed["sessions"]] == [
        ("executives", 2.0),
        ("centre_managers", 6.0),
    ]
    assert listed["audiences_without_session"] == ["implementation_team"]
    shown = invoke("kickoff", "list", "--entity", "acme-care", home=workspace)
    assert shown.returncode == 0 and "about 4 h (outside)" in shown.stdout and "implementation_team" in shown.stdout


def test_a_different_session_on_the_same_day_needs_replace(workspace: Path) -> None:
    ok_json(invoke(*RECORD, "--audience", "executives", "--hours", "2", "--json", home=workspace))
    line = user_error(invoke(*RECORD, "--audience", "executives", "--hours", "3", home=workspace))
    assert "recorded already (2 h); add --replace" in line
    ok_json(invoke(*RECORD, "--audience", "executives", "--hours", "3", "--replace", "--json", home=workspace))
    listed = ok_json(invoke("kickoff", "list", "--entity", "acme-care", "--json", home=workspace))
    assert [s["duration_hours"] for s in listed["sessions"]] == [3.0]


def test_mistakes_are_one_line(workspace: Path) -> None:
    assert "--audience: 'board' is not a kickoff audience" in user_error(
        invoke(*RECORD, "--audience", "board", "--hours", "2", home=workspace)
    )
    assert "--hours: Input should be greater than 0" in user_error(
        invoke(*RECORD, "--audience", "executives", "--hours", "0", home=workspace)
    )
    assert "longer than the kickoff on site allows" in user_error(
        invoke(*RECORD, "--audience", "executives", "--hours", "40", home=workspace)
    )
    assert "ghost" in user_error(invoke("kickoff", "list", "--entity", "ghost", home=workspace))
