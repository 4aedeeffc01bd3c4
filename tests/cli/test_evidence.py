"""`cxcert evidence`: Category 4.0 evidence from the warehouse, recorded into an audit and written to Excel.

Oracles: row accounting (read = accepted + rejected); the summary table covers every required metric of the
COPC-2000 standard, one row per program with data (3 programs in the generated centre), and the computed findings
are one per scorable Category 4.0 item (12), stored into the audit as computed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cxcert.canonical import TABLES
from cxcert.certification.corrective_action import CorrectiveAction
from cxcert.ingest.pipeline import ingest_file
from cxcert.standards import library
from cxcert.store.corrective_actions import CorrectiveActionRepository
from cxcert.store.db import open_database
from cxcert.synth import generate, load_profile
from cxcert.warehouse import Warehouse

from .runner import invoke, ok_json, user_error

ENTITY = "acme-care"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with an entity and three months of generated operations in its warehouse (never changed)."""
    home = tmp_path_factory.mktemp("evidence") / "home"
    ok_json(invoke("init", "--json", home=home))
    ok_json(
        invoke(
            "entity", "create", "--id", ENTITY, "--name", "Acme Care", "--organisation", "acme",
            "--location", "chi:Chicago:US:America/Chicago", "--json", home=home,
        )
    )  # fmt: skip
    out = home.parent / "ops"
    generate(out, contacts=20_000, months=3, seed=3, profile=load_profile(), entity_id=ENTITY)
    warehouse = Warehouse(home / "warehouse")
    for table in TABLES:
        for part in sorted((out / table).glob("*.parquet")):
            result = ingest_file(warehouse, table, part, entity_id=ENTITY, fmt="canonical")
            assert result.accounting.read == result.accounting.accepted + result.accounting.rejected
    return home


@pytest.fixture(scope="module")
def workspace(pristine: Path) -> Path:
    """The module's shared copy of the pristine workspace."""
    home = pristine.parent / "shared"
    shutil.copytree(pristine, home)
    return home


def test_evidence_json_recorded_into_an_audit_and_written_to_excel(workspace: Path) -> None:
    audit = ok_json(
        invoke("assessment", "create", "--entity", ENTITY, "--kind", "compliance_audit", "--on", "2025-04-10",
               "--id", "audit-1", "--management-commitment", "--json", home=workspace)
    )  # fmt: skip
    assert audit["id"] == "audit-1"
    xlsx = workspace.parent / "evidence.xlsx"
    payload = ok_json(
        invoke("evidence", "--entity", ENTITY, "--months", "3", "--end", "2025-03-31", "--record-into", "audit-1",
               "--open-actions", "--xlsx", str(xlsx), "--json", home=workspace)
    )  # fmt: skip
    standard = library.standard("copc-2000-csp")
    required = [m for item in standard.items() for m in item.required_metrics]
    assert payload["window"] == {"start": "2025-01-01", "end": "2025-03-31", "tz": "America/Chicago"}
    # One row per required metric and program with data (e-mail, hence response time, is one program's only).
    assert {(r["item"], r["required_metric"]) for r in payload["rows"]} == {
        (item.number, m.metric) for item in standard.items() for m in item.required_metrics
    }
    assert len(payload["rows"]) <= 3 * len(required)
    assert all(len(r["actuals"]) in (1, 2, 3) for r in payload["rows"])
    assert len(payload["findings"]) == 12
    # The findings are now the audit's, marked computed.
    stored = ok_json(invoke("assessment", "show", "audit-1", "--json", home=workspace))
    assert {f["item"] for f in stored["findings"]} == {f["item"] for f in payload["findings"]}
    assert {f["source"] for f in stored["findings"]} == {"computed"}
    # The workbook holds the same rows.
    book = load_workbook(xlsx, read_only=True)
    assert book.sheetnames == ["Summary", "Performance summary", "Findings", "Alerts"]
    assert book["Performance summary"].max_row == 1 + len(payload["rows"])
    header = [c.value for c in next(book["Performance summary"].iter_rows(max_row=1))]
    assert header[8:12] == ["Target", "Target kind", "Benchmark", "Target source"]
    assert header[12:15] == ["2025-01", "2025-02", "2025-03"]
    assert next(book["Alerts"].iter_rows(max_row=1))[0].value == "Alert id"
    assert book["Alerts"].max_row == 1 + len(payload["alerts"])
    assert book["Findings"].max_row == 1 + 12


def test_evidence_user_mistakes_exit_2(workspace: Path) -> None:
    assert "--purpose" in user_error(invoke("evidence", "--entity", ENTITY, "--purpose", "final", home=workspace))
    assert "no entity" in user_error(invoke("evidence", "--entity", "nobody", home=workspace))
    assert "--months" in user_error(invoke("evidence", "--entity", ENTITY, "--months", "0", home=workspace))


@pytest.fixture()
def fresh(pristine: Path, tmp_path: Path) -> Path:
    """A copy of the pristine workspace (warehouse included), for tests that store targets or actions."""
    home = tmp_path / "home"
    shutil.copytree(pristine, home)
    return home


def _stored_actions(home: Path) -> tuple[CorrectiveAction, ...]:
    """The corrective actions in the workspace's SQLite database, read through the store."""
    db = open_database(f"sqlite:///{home / 'cxcert.sqlite'}")
    try:
        with db.session() as session:
            return CorrectiveActionRepository(session).actions(ENTITY)
    finally:
        db.dispose()


def _evidence(home: Path, *args: str) -> dict:  # type: ignore[type-arg]
    return ok_json(invoke("evidence", "--entity", ENTITY, *args, "--json", home=home))  # type: ignore[no-any-return]


def test_stored_targets_are_used_and_a_mid_window_change_judges_each_month(fresh: Path) -> None:
    """Without stored targets the packaged examples apply, and the output says so; with them, each month is
    judged against the value in force then (0.20 in January, 0.99 from February: an 80/20 voice level of the
    generated centre meets the first and misses the second)."""
    examples = _evidence(fresh, "--months", "3", "--end", "2025-03-31")
    assert examples["targets"]["origin"] == "packaged" and "no stored targets" in examples["targets"]["note"]
    sl = ("targets", "set", "--entity", ENTITY, "--metric", "service_level", "--json")
    ok_json(invoke(*sl, "--value", "0.20", "--from", "2020-01-01", "--kind", "client_sla", "--benchmark", "contract A",
                   home=fresh))  # fmt: skip
    ok_json(invoke(*sl, "--value", "0.99", "--from", "2025-02-01", "--kind", "internal", "--benchmark", "stretch plan",
                   home=fresh))  # fmt: skip
    payload = _evidence(fresh, "--months", "3", "--end", "2025-03-31")
    assert payload["targets"]["origin"] == "stored"
    rows = [r for r in payload["rows"] if r["metric_used"] == "service_level"]
    assert rows
    for row in rows:
        assert [(m["target"], m["target_kind"], m["met"]) for m in row["months"]] == [
            (0.2, "client_sla", True), (0.99, "internal", False), (0.99, "internal", False),
        ]  # fmt: skip
        assert (row["target"], row["target_kind"], row["benchmark"]) == (0.99, "internal", "stretch plan")
        assert [(t["from_period"], t["value"]) for t in row["targets"]] == [("2025-01-01", 0.2), ("2025-02-01", 0.99)]
    # Metrics without a stored target are rows with no target: the entity's targets are all that judge it.
    assert {r["verdict"] for r in payload["rows"] if r["metric_used"] == "aht"} == {"no target"}
    # The KCRP column falls back to program names, and the review says why.
    assert payload["kcrp_links"]["unlinked"] and "the entity has no KCRPs" in str(payload["kcrp_links"])
    text = invoke("evidence", "--entity", ENTITY, "--months", "3", "--end", "2025-03-31", home=fresh)
    assert text.returncode == 0 and "20.0% -> 99.0% from 2025-02" in text.stdout and "internal" in text.stdout
    # One table per program, metrics by their titles, no word cut short (three accuracy ids share 24 characters)
    assert "performance summary table: " in text.stdout and "Compliance-critical" in text.stdout
    assert "…" not in "".join(line for line in text.stdout.splitlines() if line.startswith("│ 4."))


def test_alerts_have_ids_and_a_run_that_goes_on_updates_its_action(fresh: Path) -> None:
    ok_json(invoke("targets", "set", "--entity", ENTITY, "--metric", "service_level", "--value", "0.99", "--from",
                   "2020-01-01", "--benchmark", "stretch plan", "--json", home=fresh))  # fmt: skip
    two = _evidence(fresh, "--months", "2", "--end", "2025-02-28", "--open-actions")
    ids = {a["id"] for a in two["alerts"]}
    assert all(a["id"].startswith(f"{ENTITY}:") and a["points"] and "explanation" in a for a in two["alerts"])
    sl = [a for a in two["alerts"] if a["metric"] == "service_level"]
    assert sl and {a["rule"] for a in sl} == {"target_missed"}  # two misses: not yet the standard's run of three
    opened = {p["id"]: p["change"] for p in two["corrective_actions"] if "-service_level-" in p["id"]}
    assert len(opened) == len(sl) // 2  # one action per program's run, for both of its missed months
    assert set(opened.values()) == {"opened"} and all(i.endswith("-below-2025-01-01") for i in opened)
    # Same data again: nothing new, nothing changed.
    again = _evidence(fresh, "--months", "2", "--end", "2025-02-28", "--open-actions")
    assert {p["change"] for p in again["corrective_actions"]} == {"unchanged"}
    assert {a["id"] for a in again["alerts"]} == ids
    # A month later the run is three long: the standard's alert covers it whole and the same action is updated.
    three = _evidence(fresh, "--months", "3", "--end", "2025-03-31", "--open-actions")
    runs = [a for a in three["alerts"] if a["metric"] == "service_level" and a["rule"] == "consecutive_below"]
    assert len(runs) == len(opened)
    for run in runs:
        assert (run["first_period"], run["last_period"], run["points_count"]) == ("2025-01-01", "2025-03-01", 3)
        assert "3 consecutive points below standard, 2025-01-01 to 2025-03-01" in run["explanation"]["summary"]
    assert {r["corrective_action_id"] for r in runs} == set(opened)
    changes = {p["id"]: p["change"] for p in three["corrective_actions"] if "-service_level-" in p["id"]}
    assert changes == dict.fromkeys(opened, "updated")  # the same actions, brought up to date: not duplicated
    run = runs[0]
    listed = ok_json(invoke("alerts", "list", "--entity", ENTITY, "--months", "3", "--end", "2025-03-31",
                            "--rule", "consecutive_below", "--json", home=fresh))  # fmt: skip
    mine = next(a for a in listed["alerts"] if a["id"] == run["id"])
    assert mine["corrective_action"] == "open"
    # Acting on the alert finds the run's action open and up to date.
    acted = ok_json(invoke("alerts", "act", run["id"], "--owner", "ops-lead", "--months", "3", "--end", "2025-03-31",
                           "--json", home=fresh))  # fmt: skip
    assert acted["corrective_action"]["id"] == run["corrective_action_id"]
    assert acted["corrective_action"]["change"] == "unchanged"
    assert acted["corrective_action"]["owner"] == "operations manager"  # the stored owner is kept


def test_alerts_act_opens_one_action_for_one_alert(fresh: Path) -> None:
    payload = _evidence(fresh, "--months", "3", "--end", "2025-03-31")
    alert = payload["alerts"][0]
    acted = ok_json(invoke("alerts", "act", alert["id"], "--owner", "ops-lead", "--due", "2099-01-31", "--months",
                           "3", "--end", "2025-03-31", "--json", home=fresh))  # fmt: skip
    action = acted["corrective_action"]
    assert (action["id"], action["change"], action["owner"], action["due_on"]) == (
        alert["corrective_action_id"], "opened", "ops-lead", "2099-01-31",
    )  # fmt: skip
    stored = _stored_actions(fresh)
    assert [(a.id, a.owner, a.due_on.isoformat(), a.item) for a in stored] == [
        (action["id"], "ops-lead", "2099-01-31", alert["item"])
    ]
    # The action explains itself: the alert's points with their targets, and the rules that fired.
    point = alert["points"][0]
    assert f"{point['period']}: {point['value']:.4g}" in stored[0].description
    assert f"Rule: {alert['rule_title']}" in stored[0].description
    assert "not an alert id" in user_error(invoke("alerts", "act", "x:y", "--owner", "o", home=fresh))
    missing = f"{ENTITY}:aht:nowhere:we1:2025-01-01"
    assert "no alert" in user_error(invoke("alerts", "act", missing, "--owner", "o", "--end", "2025-03-31",
                                           "--months", "3", home=fresh))  # fmt: skip
    assert "--due" in user_error(invoke("alerts", "act", alert["id"], "--owner", "o", "--due", "2000-01-01",
                                        home=fresh))  # fmt: skip


def test_a_six_month_review_records_computed_findings_on_recertification_thresholds(fresh: Path) -> None:
    ok_json(invoke("assessment", "create", "--entity", ENTITY, "--kind", "six_month_review", "--on", "2025-04-02",
                   "--id", "smr-1", "--json", home=fresh))  # fmt: skip
    # --end defaults to the month before the review: January to March 2025.
    payload = _evidence(fresh, "--months", "3", "--record-into", "smr-1")
    assert payload["window"]["start"] == "2025-01-01" and payload["window"]["end"] == "2025-03-31"
    assert payload["purpose"] == "recertification"
    assert payload["thresholds"] == {"meeting_target": 0.6, "meeting_or_improving": 0.8}  # performance_rules.yaml
    assert payload["recorded_into"] == {"assessment": "smr-1", "kind": "six_month_review"}
    stored = ok_json(invoke("assessment", "show", "smr-1", "--json", home=fresh))
    assert {f["item"] for f in stored["findings"]} == {f["item"] for f in payload["findings"]}
    assert {f["source"] for f in stored["findings"]} == {"computed"}
    line = user_error(invoke("evidence", "--entity", ENTITY, "--months", "3", "--record-into", "smr-1",
                             "--purpose", "initial", home=fresh))  # fmt: skip
    assert "recertification thresholds" in line


def test_a_targets_file_naming_a_program_the_entity_does_not_run_is_refused(fresh: Path, tmp_path: Path) -> None:
    file = tmp_path / "what-if.yaml"
    file.write_text(
        "targets:\n"
        "  - {metric: asa, program: '*', kind: internal, benchmark: plan, values: {2020-01-01: 30}}\n"
        "  - {metric: asa, program: loans, kind: internal, benchmark: plan, values: {2020-01-01: 20}}\n"
        "  - {metric: asa, entity: other, program: loans, kind: internal, benchmark: plan, values: {2020-01-01: 20}}\n",
        encoding="utf-8",
    )
    line = user_error(invoke("evidence", "--entity", ENTITY, "--months", "1", "--end", "2025-01-31", "--targets",
                             str(file), home=fresh))  # fmt: skip
    # The generated centre runs card_services, retail_banking and tech_support; the other entity's entry is not ours.
    assert line == (
        f"error: {file}: line 3, field targets.1.program: {ENTITY} runs no program 'loans'; "
        "known: card_services, retail_banking, tech_support"
    )
    file.write_text(file.read_text().replace("program: loans, kind", "program: retail_banking, kind", 1),
                    encoding="utf-8")  # fmt: skip
    payload = _evidence(fresh, "--months", "1", "--end", "2025-01-31", "--targets", str(file))
    assert payload["targets"]["origin"] == "file"
    retail = next(r for r in payload["rows"] if r["metric_used"] == "asa" and r["program"] == "retail_banking")
    assert retail["target"] == 20  # the program's own entry wins over '*'


LINKED_ENTITY = """entity:
  id: acme-care
  organisation_id: acme
  name: Acme Care
  standard_urn: copc-2000-csp
  rule_set_id: copc-2000-founding
  locations:
    - {id: chi, name: Chicago, country: US, time_zone: America/Chicago}
    - {id: lis, name: Lisbon, country: PT, time_zone: Europe/Lisbon, programs: [card_services]}
  processes:
    - {id: kcrp-bank, name: Banking care, kind: kcrp, programs: [retail_banking, card_services]}
    - {id: kcrp-tech, name: Technical support, kind: kcrp, programs: [tech_support]}
"""


def _actuals(payload: dict, program: str, metric: str = "service_level") -> dict:  # type: ignore[type-arg]
    return next(r["actuals"] for r in payload["rows"] if r["program"] == program and r["metric_used"] == metric)


def test_kcrps_link_the_programs_they_name_and_each_site_counts_on_its_own_clock(fresh: Path, tmp_path: Path) -> None:
    """The generated centre runs in Chicago; once the entity says Lisbon handles card_services, that program's
    months run on Lisbon's clock (6 hours ahead), so its monthly values move and match `cxcert kpi`'s."""
    before = _evidence(fresh, "--months", "3", "--end", "2025-03-31")
    file = tmp_path / "entity.yaml"
    file.write_text(LINKED_ENTITY, encoding="utf-8")
    ok_json(invoke("entity", "create", "--from-file", str(file), "--json", home=fresh))
    after = _evidence(fresh, "--months", "3", "--end", "2025-03-31")
    assert after["kcrp_links"]["kcrp_of"] == {
        "card_services": "Banking care", "retail_banking": "Banking care", "tech_support": "Technical support",
    }  # fmt: skip
    assert after["kcrp_links"]["unlinked"] == []
    assert {r["kcrp"] for r in after["rows"] if r["program"] == "tech_support"} == {"Technical support"}
    assert _actuals(after, "retail_banking") == _actuals(before, "retail_banking")
    assert _actuals(after, "card_services") != _actuals(before, "card_services")
    kpi = ok_json(invoke("kpi", "--entity", ENTITY, "--metric", "service_level", "--grain", "month", "--from",
                         "2025-01-01", "--to", "2025-03-31", "--json", home=fresh))  # fmt: skip
    by_kpi = {r["period_start"][:7]: r["value"] for r in kpi["rows"] if r["program"] == "card_services"}
    assert by_kpi == {month[:7]: value for month, value in _actuals(after, "card_services").items()}


def test_evidence_computes_with_the_users_kpi_catalogue_and_param(fresh: Path) -> None:
    """A 1-second service-level threshold (CXCERT_HOME/kpis.yaml) answers fewer contacts in time than the
    packaged 20 s; --param wins over the file, as for `cxcert kpi`."""
    packaged = _actuals(_evidence(fresh, "--months", "1", "--end", "2025-01-31"), "retail_banking")
    (fresh / "kpis.yaml").write_text("parameters:\n  service_level:\n    threshold_s: 1\n", encoding="utf-8")
    strict = _actuals(_evidence(fresh, "--months", "1", "--end", "2025-01-31"), "retail_banking")
    assert strict["2025-01-01"] < packaged["2025-01-01"]
    param = ("--param", "service_level.threshold_s=20")
    again = _actuals(_evidence(fresh, "--months", "1", "--end", "2025-01-31", *param), "retail_banking")
    assert again == packaged
    line = user_error(invoke("evidence", "--entity", ENTITY, "--param", "service_level.thresh=1", home=fresh))
    assert "thresh" in line


def _run_on_a_terminal(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command with stderr taken for a terminal (FORCE_COLOR, as Rich reads it), as a user runs it."""
    env = {**os.environ, "CXCERT_HOME": str(home), "FORCE_COLOR": "1", "COLUMNS": "100"}
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize("command", [("alerts", "list"), ("evidence",)])
def test_long_reviews_show_a_progress_bar_on_a_terminal_only(workspace: Path, command: tuple[str, ...]) -> None:
    """`evidence` and `alerts list` take 13-28 s on a year of data: a bar on stderr counts the warehouse queries
    (then one step for judging) to the end; stdout stays the table. With --json there is no bar at all."""
    args = (*command, "--entity", ENTITY, "--months", "3", "--end", "2025-03-31")
    shown = _run_on_a_terminal(workspace, *args)
    assert shown.returncode == 0, shown.stderr
    label = f"{command[0]} of {ENTITY}"
    assert label in shown.stderr and "[2K" not in shown.stdout  # the bar (redrawn in place) is on stderr only
    counts = [tuple(map(int, m)) for m in re.findall(r"(\d+)/(\d+)", shown.stderr)]
    assert counts and counts[-1][0] == counts[-1][1] > 1  # ran to the end
    assert all(done <= total for done, total in counts)
    quiet = _run_on_a_terminal(workspace, *args, "--json")
    assert quiet.returncode == 0 and quiet.stderr == ""
    json.loads(quiet.stdout)
    piped = invoke(*args, home=workspace)  # not a terminal: no bar either
    assert piped.returncode == 0 and label not in piped.stderr


def test_a_typed_finding_against_the_computed_evidence_needs_a_reason(fresh: Path, tmp_path: Path) -> None:
    """Oracle: the audit's own computed findings (`--record-into`): typing the other level on an item is a
    contradiction, refused in one line without a reason, stored and shown with it, and kept over re-recorded
    evidence."""
    ok_json(invoke("assessment", "create", "--entity", ENTITY, "--kind", "compliance_audit", "--on", "2025-04-10",
                   "--id", "audit-2", "--json", home=fresh))  # fmt: skip
    _evidence(fresh, "--months", "3", "--record-into", "audit-2")
    computed = {f["item"]: f["level"] for f in ok_json(invoke("assessment", "show", "audit-2", "--json",
                                                              home=fresh))["findings"]}  # fmt: skip
    item = "4.1"
    other = "major_deficiency" if computed[item] == "compliant" else "compliant"
    record = ("findings", "record", "--assessment", "audit-2", "--item", item, "--level", other)
    line = user_error(invoke(*record, home=fresh))
    assert line == (
        f"error: typed {other} on item {item} contradicts the computed {computed[item]} recorded from the "
        "performance evidence (`cxcert evidence --record-into`); give --reason to record it anyway"
    )
    done = ok_json(invoke(*record, "--reason", "auditors saw the outage logs", "--json", home=fresh))
    assert done["finding"]["contradicts_evidence"] is True
    why = "auditors saw the outage logs"
    assert (done["finding"]["computed_level"], done["finding"]["reason"]) == (computed[item], why)
    # the same level as the evidence needs no reason; in a file, a contradicting row without one is rejected
    same = ok_json(invoke("findings", "record", "--assessment", "audit-2", "--item", "4.2", "--level",
                          computed["4.2"], "--json", home=fresh))  # fmt: skip
    assert same["finding"]["contradicts_evidence"] is False and same["finding"]["computed_level"] == computed["4.2"]
    flip = "major_deficiency" if computed["4.4"] == "compliant" else "compliant"
    rows = tmp_path / "f.csv"
    rows.write_text(f"item,level,reason\n4.4,{flip},\n4.5,{computed['4.5']},\n", encoding="utf-8")
    report = ok_json(invoke("findings", "import", str(rows), "--assessment", "audit-2", "--json", home=fresh))
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(2, "reason")]
    assert "contradicts the computed" in report["rejected"][0]["reason"]
    shown = invoke("assessment", "show", "audit-2", home=fresh)
    flat = " ".join(shown.stdout.split())
    assert f"contradicts computed {computed[item]}; reason: auditors saw the outage logs" in flat
    assert f"1 typed finding(s) contradict the computed evidence, each with its reason: {item}" in flat
    # recording the evidence again keeps the reasoned finding, weighed against the newly computed level
    _evidence(fresh, "--months", "3", "--record-into", "audit-2")
    kept = {f["item"]: f for f in ok_json(invoke("assessment", "show", "audit-2", "--json", home=fresh))["findings"]}
    assert (kept[item]["level"], kept[item]["source"], kept[item]["reason"]) == (other, "typed", why)
    assert kept["4.2"]["source"] == "computed"  # a typed finding that agreed with the evidence is recomputed
