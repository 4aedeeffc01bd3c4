"""`cxcert demo` runs end to end, leaves an explorable workspace, and explains its decision.

Oracle for the decision: the packaged demo audit (certification/data/demo_scenario.yaml) types two minor
deficiencies outside Category 4.0 (2.4 and 3.4); the twelve months of generated operations (seed 7, the months
before an audit in October 2026) give computed minor deficiencies on 4.3, 4.6, 4.7 and 4.10 and compliance on the
other 4.x items. 27 of 33 compliant with 6 minor and no major: the founding rule set classes that Conditionally
Certified (at least 27 compliant, DOMAIN.md section 3). Run as of 2020-01-01 the twelve months have no target in
force (the example targets are dated later), so every 4.x item is a major deficiency: 19 compliant with management
commitment is Certification Candidate, which does not certify, and the engagement must say so.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest

from cxcert.certification.demo_scenario import build_demo_scenario
from cxcert.cli.demo import choose_home, invoked_command
from cxcert.synth import load_profile

from .runner import cxcert, invoke, ok_json, user_error


def test_demo_prints_decision_and_calendar_and_leaves_a_workspace(tmp_path: Path) -> None:
    # CXCERT_HOME is set (the runner sets it), so the demo builds its workspace there, where the other commands look
    result = cxcert("demo", "--today", "2026-11-22", home=tmp_path / "ws", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    home = tmp_path / "ws"
    assert not (tmp_path / "cxcert-demo").exists()
    assert "Conditionally Certified" in out and "Calendar" in out and "six_month_review" in out
    assert "refused" in out and "audit trail intact" in out and str(home) in out
    # both origins of corrective actions in one compact table, the rest one command away
    assert "audit finding" in out and "KPI alert" in out
    assert "more, see cxcert actions list --entity ent-northwind-care" in out
    entities = ok_json(invoke("entity", "list", "--json", home=home))
    assert [e["id"] for e in entities] == ["ent-northwind-care"]
    cal = ok_json(invoke("calendar", "--today", "2026-11-22", "--json", home=home))
    kinds = {e["kind"] for e in cal["entities"][0]["events"]}
    assert {"six_month_review", "recertification_audit", "application_update", "corrective_action_due"} <= kinds


def test_demo_json_document(tmp_path: Path) -> None:
    payload = ok_json(invoke("demo", "--home", str(tmp_path / "d"), "--today", "2026-11-22", "--json", home=tmp_path))
    assert payload["workspace"]["home"] == str(tmp_path / "d")
    assert payload["decision"]["decision_class"] == "Conditionally Certified"
    assert payload["decision"]["counts"]["compliant"] == 27 and payload["decision"]["counts"]["minor"] == 6
    deficient = {c["item"] for c in payload["decision"]["contributions"] if c["counted_as"] == "minor_deficiency"}
    assert deficient == {"2.4", "3.4", "4.3", "4.6", "4.7", "4.10"}
    performance = payload["performance"]
    assert performance["window"] == {"start": "2025-10-01", "end": "2026-09-30", "tz": "America/New_York"}
    assert {f["item"]: f["level"] for f in performance["findings"]}["4.1"] == "compliant"
    assert Path(performance["workbook"]).is_file() and performance["corrective_actions_opened"]
    for table, counts in payload["operations"]["ingested"].items():
        assert counts["read"] == counts["accepted"] + counts["rejected"], table
    assert payload["operations"]["time_zone"] == "America/New_York"
    _assert_centre_opens_on_its_sites_clock(tmp_path / "d" / "operations")
    assert payload["audit_trail"]["intact"] is True
    assert [c["registered"] for c in payload["coordinators"]].count(False) == 1
    assert payload["application"]["answers"] > 0 and payload["baseline"]["findings"]
    assert any(e["kind"] == "recertification_audit" for e in payload["calendar"]["events"])
    # the engagement's decision step is the decision's; the plans are the decision's deficiencies, worked
    assert payload["engagement"]["history"][-1]["to"] == "certified"
    actions = {a["item"]: a for a in payload["corrective_actions"]}
    assert set(actions) == deficient
    assert (actions["3.4"]["status"], actions["3.4"]["owner"]) == ("closed", "p-grace")
    assert actions["4.3"]["owner"] == "p-marcus" and actions["4.3"]["due_on"] == "2026-12-12"  # 60 days after
    assert payload["decision"]["authority"]["authorises_decision"] == ["lead_auditor", "headquarters"]
    home = tmp_path / "d"
    listed = ok_json(invoke("actions", "list", "--entity", "ent-northwind-care", "--open", "--json", home=home))
    assert {"2.4", "4.3", "4.6", "4.7", "4.10"} <= {a["item"] for a in listed["actions"]}
    from_alerts = payload["corrective_actions_from_kpi_alerts"]
    assert {a["id"] for a in from_alerts} == set(performance["corrective_actions_opened"])
    assert len(listed["actions"]) == len(from_alerts) + 5  # every KPI action is open; 3.4's plan is closed
    again = ok_json(invoke("decide", "--entity", "ent-northwind-care", "--json", home=home))
    assert again["reused"] is True and again["corrective_actions"]["opened"] == []


def _assert_centre_opens_on_its_sites_clock(operations: Path) -> None:
    """On the clock of the site serving the generated programs (Columbus, read from the scenario), the demo's
    voice and chat queues take contacts only in the hours their profile curves open, Lisbon's chat queue
    included (its team serves US customers, on their clock), and each weekday's first call comes in the
    opening hour. Oracle: default_centre.yaml's voice curve, first non-zero half hour slot 14 (07:00)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    entity = build_demo_scenario(dt.date(2026, 11, 22)).entity
    zone = next(loc.time_zone for loc in entity.locations if "retail_banking" in loc.programs)
    profile = load_profile()
    contacts = pq.read_table(operations / "contacts", columns=["queue", "arrived_at"])
    local = contacts["arrived_at"].cast(pa.timestamp("us", tz=zone))
    rows = list(
        zip(
            contacts["queue"].to_pylist(),
            pc.strftime(local, format="%Y-%m-%d").to_pylist(),
            pc.day_of_week(local).to_pylist(),  # 0 = Monday
            pc.add(pc.multiply(pc.hour(local), 60), pc.minute(local)).to_pylist(),
            strict=True,
        )
    )
    opening: dict[str, int] = {}
    for _, queue in profile.queues:
        open_at = [i * profile.interval_minutes for i, w in enumerate(profile.curve(queue.curve)) if w > 0]
        if open_at[0] == 0:  # e-mail arrives round the clock
            continue
        opening[queue.id] = open_at[0]
        seen = [m for q, _, _, m in rows if q == queue.id]
        assert open_at[0] <= min(seen) and max(seen) < open_at[-1] + profile.interval_minutes, queue.id
    voice = [q.id for _, q in profile.queues if q.channel == "voice"]
    assert {opening[q] for q in voice} == {7 * 60} and "cs_chat" in opening
    first_call: dict[str, int] = {}
    for q, day, weekday, m in rows:
        if q in voice and weekday < 5:
            first_call[day] = min(first_call.get(day, m), m)
    assert len(first_call) > 250 and {m // 60 for m in first_call.values()} == {7}


def test_demo_engagement_follows_a_decision_that_does_not_certify(tmp_path: Path) -> None:
    payload = ok_json(invoke("demo", "--home", str(tmp_path / "d"), "--today", "2020-01-01", "--json", home=tmp_path))
    assert payload["decision"]["decision_class"] == "Certification Candidate"
    assert [t["to"] for t in payload["engagement"]["history"]][-2:] == ["audited", "not_certified"]
    assert payload["calendar"]["decision"]["certifies"] is False
    assert not any(e["kind"] == "six_month_review" for e in payload["calendar"]["events"])


def test_the_hints_name_a_command_that_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / ".venv" / "bin" / "cxcert"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))
    monkeypatch.setattr(sys, "argv", [".venv/bin/cxcert", "demo"])
    assert invoked_command() == ".venv/bin/cxcert"  # after the README install, not on PATH
    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    monkeypatch.chdir(tmp_path / ".venv" / "bin")
    assert invoked_command() == "./cxcert"  # in its directory: ./ (a bare name would search PATH)...
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    assert invoked_command() == str(script)  # ...outside its directory, the full path
    monkeypatch.setenv("PATH", str(script.parent))
    assert shutil.which("cxcert") == str(script) and invoked_command() == "cxcert"  # on PATH: the plain name
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "src" / "cxcert" / "__main__.py"), "demo"])
    monkeypatch.setattr(sys, "prefix", sys.base_prefix)
    assert invoked_command() == f"{sys.executable} -m cxcert"  # python -m cxcert outside a venv


def test_demo_refuses_a_home_that_holds_a_database(tmp_path: Path) -> None:
    ok_json(invoke("init", "--json", home=tmp_path / "ws"))
    line = user_error(invoke("demo", "--home", str(tmp_path / "ws"), home=tmp_path / "ws"))
    assert "already holds a cxcert database" in line


def test_demo_home_is_cxcert_home_when_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CXCERT_HOME", str(tmp_path / "mine"))
    assert choose_home(None) == tmp_path / "mine"
    assert choose_home(tmp_path / "explicit") == tmp_path / "explicit"  # --home still wins
    ok_json(invoke("init", "--json", home=tmp_path / "mine"))
    line = user_error(invoke("demo", home=tmp_path / "mine"))
    assert line.startswith(f"error: CXCERT_HOME={tmp_path / 'mine'} already holds a cxcert database")
    assert not (tmp_path / "cxcert-demo").exists()


def test_default_demo_home_never_reuses_a_used_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CXCERT_HOME", raising=False)
    assert choose_home(None) == tmp_path / "cxcert-demo"
    (tmp_path / "cxcert-demo").mkdir()
    assert choose_home(None) == tmp_path / "cxcert-demo"  # empty: fine to use
    (tmp_path / "cxcert-demo" / "cxcert.sqlite").write_text("")
    assert choose_home(None) == tmp_path / "cxcert-demo-2"
