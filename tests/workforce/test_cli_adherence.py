"""`cxcert adherence` on a hand-checked fixture ingested into a real warehouse, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.runner import invoke, ok_json, user_error
from performance.tables import workspace_with_entity

SCHEDULES = """agent_id,activity,start,end
a1,phone,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z
a1,break,2026-03-02T10:00:00Z,2026-03-02T10:15:00Z
a1,phone,2026-03-02T10:15:00Z,2026-03-02T11:00:00Z
a1,phone,2026-03-03T09:00:00Z,2026-03-03T10:00:00Z
a2,phone,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z
a2,phone,2026-03-02T23:30:00Z,2026-03-03T00:30:00Z
"""
STATES = """agent_id,state,start,end
a1,talk,2026-03-02T09:00:00Z,2026-03-02T09:50:00Z
a1,break,2026-03-02T09:50:00Z,2026-03-02T10:10:00Z
a1,available,2026-03-02T10:10:00Z,2026-03-02T11:00:00Z
a2,lunch,2026-03-02T09:00:00Z,2026-03-02T09:30:00Z
a2,talk,2026-03-02T09:30:00Z,2026-03-02T10:00:00Z
a2,talk,2026-03-02T23:30:00Z,2026-03-03T00:30:00Z
"""


@pytest.fixture()
def loaded(tmp_path: Path) -> Path:
    """A CXCERT_HOME whose warehouse holds the schedules and states above for entity `site`."""
    home = tmp_path / "home"
    workspace_with_entity(home, "site")  # `cxcert ingest` refuses an entity the workspace does not know
    for kind, text in (("schedules", SCHEDULES), ("agent_states", STATES)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text)
        ok_json(invoke("ingest", kind, str(path), "--entity", "site", "--program", "care", "--json", home=home))
    return home


def test_hand_checked_adherence_and_conformance(loaded: Path) -> None:
    """Window 2026-03-02 (UTC); the 03-03 shift is outside, a2's 23:30-00:30 shift is clipped to 30 min.

    a1: scheduled 120 min (work 105). In adherence: phone 09:00-10:00 in talk 50 min, break 10:00-10:15 on break
    10 min, phone 10:15-11:00 available 45 min = 105 -> 87.5 %. Worked: talk 50 + available 50 = 100 -> 100/105.
    a2: scheduled 60 + 30 = 90 (all work). In adherence: talk 09:30-10:00 30 + talk 23:30-24:00 30 = 60 -> 66.7 %;
    worked the same 60 -> 66.7 %. Totals: adherence 165/210 = 78.57 %, conformance 160/195 = 82.05 %.
    """
    out = ok_json(invoke("adherence", "--entity", "site", "--from", "2026-03-02", "--to", "2026-03-02",
                         "--tz", "UTC", "--json", home=loaded))  # fmt: skip
    agents = {a["agent_id"]: a for a in out["agents"]}
    assert agents["a1"]["scheduled_s"] == 120 * 60 and agents["a1"]["adherent_s"] == 105 * 60
    assert agents["a1"]["adherence"] == pytest.approx(0.875)
    assert agents["a1"]["conformance"] == pytest.approx(100 / 105)
    assert agents["a2"]["scheduled_s"] == 90 * 60
    assert agents["a2"]["adherence"] == pytest.approx(60 / 90) and agents["a2"]["conformance"] == pytest.approx(60 / 90)
    assert out["adherence"] == pytest.approx(165 / 210) and out["conformance"] == pytest.approx(160 / 195)
    assert out["explanation"]["summary"] == "adherence 78.6 %, conformance 82.1 % over 2 agents"


def test_one_agent_and_table_output(loaded: Path) -> None:
    one = ok_json(invoke("adherence", "--entity", "site", "--from", "2026-03-02", "--to", "2026-03-02",
                         "--tz", "UTC", "--agent", "a1", "--json", home=loaded))  # fmt: skip
    assert [a["agent_id"] for a in one["agents"]] == ["a1"] and one["adherence"] == pytest.approx(0.875)
    table = invoke("adherence", "--entity", "site", "--from", "2026-03-02", "--to", "2026-03-02", "--tz", "UTC",
                   home=loaded)  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "87.5 %" in table.stdout and "78.6 %" in table.stdout and "total" in table.stdout


def test_window_shifted_by_time_zone(loaded: Path) -> None:
    """In Asia/Tokyo (UTC+9) the local day 2026-03-03 runs 03-02 15:00Z to 03-03 15:00Z: it holds a2's late
    shift (60 min, all in talk) and a1's 03-03 shift (60 min, no state at all)."""
    out = ok_json(invoke("adherence", "--entity", "site", "--from", "2026-03-03", "--to", "2026-03-03",
                         "--tz", "Asia/Tokyo", "--json", home=loaded))  # fmt: skip
    agents = {a["agent_id"]: a for a in out["agents"]}
    assert agents["a2"]["scheduled_s"] == 3600 and agents["a2"]["adherence"] == pytest.approx(1.0)
    assert agents["a1"]["scheduled_s"] == 3600 and agents["a1"]["adherence"] == 0.0


def test_no_schedule_is_a_user_mistake(loaded: Path) -> None:
    line = user_error(invoke("adherence", "--entity", "nowhere", "--from", "2026-03-02", "--to", "2026-03-02",
                             "--tz", "UTC", home=loaded))  # fmt: skip
    assert "has no schedule" in line
    bad = user_error(invoke("adherence", "--entity", "site", "--from", "2026-03-02", "--to", "2026-13-02",
                            home=loaded))  # fmt: skip
    assert "--to" in bad


def test_json_is_plain_json(loaded: Path) -> None:
    result = invoke("adherence", "--entity", "site", "--from", "2026-03-02", "--to", "2026-03-03", "--tz", "UTC",
                    "--json", home=loaded)  # fmt: skip
    assert result.returncode == 0
    assert json.loads(result.stdout)["tz"] == "UTC"
