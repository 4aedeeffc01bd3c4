"""`cxcert kpi` over a real warehouse in a fresh CXCERT_HOME, and `cxcert kpi list`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from cxcert.cli.main import app
from cxcert.errors import CxcertError
from cxcert.ingest.accounting import IngestAccounting
from cxcert.performance.catalogue import default_catalogue
from cxcert.warehouse import Warehouse

from .tables import arrow, contact, utc, workspace_with_entity


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def cxcert(home: Path, *args: str) -> Outcome:
    """Run in-process (a subprocess costs seconds of imports); a CxcertError maps to exit 2 as ``run()`` does.
    ``home`` is already CXCERT_HOME (the fixture sets it)."""
    assert os.environ["CXCERT_HOME"] == str(home)
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, CxcertError):
        return Outcome(2, result.stdout, result.stderr + str(result.exception))
    return Outcome(result.exit_code, result.stdout, result.stderr)


def subprocess_cxcert(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CXCERT_HOME": str(home)}
    env.pop("CXCERT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cxcert", *args], capture_output=True, text=True, env=env, check=False)


def load_contacts(home: Path, rows: list[dict[str, object]] | None = None) -> None:
    warehouse = Warehouse(home / "warehouse")
    rows = rows or [
        contact("c1", utc(2024, 3, 4, 9), wait=10),
        contact("c2", utc(2024, 3, 4, 23, 30), wait=30),  # Lisbon is UTC+0 in March: still Mar 4
        contact("c3", utc(2024, 4, 2, 9), wait=50),
    ]
    staging = warehouse.new_staging()
    path = staging / "part.parquet"
    pq.write_table(arrow("contacts", rows), path)
    warehouse.commit_batch(
        "contacts", [path], fingerprint=f"test-contacts-{len(rows)}", source="test", entity_id="e1",
        accounting=IngestAccounting(read=len(rows), accepted=len(rows), rejected=0),
    )  # fmt: skip


def test_kpi_json_by_month(home: Path) -> None:
    load_contacts(home)
    out = cxcert(home, "kpi", "--entity", "e1", "--metric", "asa", "--grain", "month", "--from", "2024-03-01",
                 "--to", "2024-04-30", "--tz", "Europe/Lisbon", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    # March: (10 + 30) / 2 = 20 s; April: 50 s.
    assert [(r["period_start"], r["numerator"], r["denominator"], r["value"]) for r in payload["rows"]] == [
        ("2024-03-01", 40.0, 2.0, 20.0),
        ("2024-04-01", 50.0, 1.0, 50.0),
    ]
    assert payload["unit"] == "seconds" and payload["tz"] == "Europe/Lisbon"


def test_kpi_csv_and_table(home: Path) -> None:
    load_contacts(home)
    csv_out = cxcert(home, "kpi", "--entity", "e1", "--metric", "service_level", "--grain", "day", "--from",
                     "2024-03-01", "--to", "2024-03-31", "--csv")  # fmt: skip
    assert csv_out.returncode == 0, csv_out.stderr
    lines = csv_out.stdout.strip().splitlines()
    assert lines[0] == "period_start,program,numerator,denominator,value,missing,partial"
    # UTC default: c1 in 10 s, c2 in 30 s. Counts print as integers, days as dates (as the table shows them).
    assert lines[1:] == ["2024-03-04,p1,1,2,0.5,,false"]
    assert "days are taken in UTC" in csv_out.stderr
    table = cxcert(home, "kpi", "--entity", "e1", "--metric", "service_level", "--from", "2024-03-01", "--to",
                   "2024-03-31", "--tz", "UTC")  # fmt: skip
    assert table.returncode == 0 and "50.00 %" in table.stdout


def test_kpi_user_mistakes_exit_2_with_one_line(home: Path) -> None:
    load_contacts(home)  # entity e1 has data
    for args, message in [
        (("--entity", "e1", "--metric", "sla", "--from", "2024-03-01", "--to", "2024-03-31"), "unknown metric 'sla'"),
        (("--entity", "e1", "--metric", "asa", "--from", "2024-03-01", "--to", "March"), "--to must be a date"),
        (("--entity", "e1", "--metric", "asa"), "missing --from, --to"),
        (("--entity", "e1", "--metric", "asa", "--from", "2024-03-01", "--to", "2024-03-31", "--grain", "hour"),
         "unknown grain 'hour'"),
        (("--entity", "e1", "--metric", "nps", "--from", "2024-03-01", "--to", "2024-03-31", "--by", "program,agent"),
         "cannot be cut by agent"),
        (("--entity", "nobody", "--metric", "asa", "--from", "2024-03-01", "--to", "2024-03-31"),
         "unknown entity 'nobody': the workspace has no such entity and no data was ingested for it"),
    ]:  # fmt: skip
        out = cxcert(home, "kpi", *args)
        assert out.returncode == 2, (args, out.stderr)
        assert message in out.stderr and "Traceback" not in out.stderr


def test_kpi_list_json(home: Path) -> None:
    out = cxcert(home, "kpi", "list", "--json")
    assert out.returncode == 0
    metrics = {m["id"]: m for m in json.loads(out.stdout)}
    assert len(metrics) == len(default_catalogue().ids()) >= 26
    assert metrics["service_level"]["parameters"]["threshold_s"]["value"] == 20
    assert metrics["aht"]["direction"] == "lower_is_better"


def test_a_user_mistake_through_the_real_entry_point(home: Path) -> None:
    out = subprocess_cxcert(
        home, "kpi", "--entity", "e1", "--metric", "sla", "--from", "2024-03-01", "--to", "2024-03-31"
    )
    assert out.returncode == 2
    assert "unknown metric 'sla'" in out.stderr and "Traceback" not in out.stderr


def test_kpi_without_a_source_says_no_data_not_zero(home: Path) -> None:
    """Contacts loaded, costs not: cost per contact is null and names the table, in JSON and in the table."""
    load_contacts(home)
    args = ("kpi", "--entity", "e1", "--metric", "cost_per_contact", "--grain", "month", "--from", "2024-03-01",
            "--to", "2024-03-31", "--tz", "UTC")  # fmt: skip
    out = cxcert(home, *args, "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["missing_sources"] == ["costs"]
    assert [(r["value"], r["missing"]) for r in payload["rows"]] == [(None, "costs")]
    table = cxcert(home, *args)
    assert "no data (costs)" in table.stdout and "costs had no rows" in table.stderr


def test_kpi_labels_the_repeated_hour_with_its_offset_and_marks_partial_weeks(home: Path) -> None:
    """Europe/London, 26 October 2025: 00:30Z is 01:30 BST, 01:30Z is 01:30 GMT (tz database): two intervals."""
    load_contacts(home, [contact("a", utc(2025, 10, 26, 0, 30), wait=5),
                         contact("b", utc(2025, 10, 26, 1, 30), wait=7)])  # fmt: skip
    args = ("kpi", "--entity", "e1", "--metric", "asa", "--from", "2025-10-26", "--to", "2025-10-26",
            "--tz", "Europe/London")  # fmt: skip
    table = cxcert(home, *args, "--grain", "interval", "--interval", "3600")
    assert "2025-10-26 01:00+01:00" in table.stdout and "2025-10-26 01:00+00:00" in table.stdout
    out = cxcert(home, *args, "--grain", "interval", "--interval", "3600", "--csv")
    assert out.stdout.strip().splitlines()[1:] == [
        "2025-10-26T01:00:00+01:00,p1,5,1,5,,false",
        "2025-10-26T01:00:00+00:00,p1,7,1,7,,false",
    ]
    # The ISO week of Sunday 26 October starts on Monday 20 October: outside the window, so partial.
    week = json.loads(cxcert(home, *args, "--grain", "week", "--json").stdout)
    assert [(r["period_start"], r["partial"]) for r in week["rows"]] == [("2025-10-20", True)]
    marked = cxcert(home, *args, "--grain", "week")
    assert "2025-10-20 (partial)" in marked.stdout and "reaches outside --from..--to" in marked.stderr


def test_an_entity_of_the_workspace_without_data_is_no_data_not_a_mistake(home: Path) -> None:
    """The workspace's entity (zone Europe/Lisbon from its location) has nothing ingested: exit 0, "no data"."""
    workspace_with_entity(home, "lisbon", "Europe/Lisbon")
    out = cxcert(home, "kpi", "--entity", "lisbon", "--metric", "asa", "--from", "2024-03-01", "--to", "2024-03-31",
                 "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert (payload["tz"], payload["rows"], payload["missing_sources"]) == ("Europe/Lisbon", [], ["contacts"])


def test_kpi_param_and_the_user_catalogue(home: Path) -> None:
    """Fixture: c1 answered in 10 s, c2 in 30 s on 4 March (UTC). SL at 20 s: 1/2; at 30 s (--param, or the
    user's CXCERT_HOME/kpis.yaml): 2/2; --param wins over the file."""
    load_contacts(home)
    args = ("kpi", "--entity", "e1", "--metric", "service_level", "--grain", "month", "--from", "2024-03-01",
            "--to", "2024-03-31", "--tz", "UTC", "--json")  # fmt: skip

    def ratio(*extra: str) -> tuple[object, object]:
        out = cxcert(home, *args, *extra)
        assert out.returncode == 0, out.stderr
        (row,) = json.loads(out.stdout)["rows"]
        return row["numerator"], row["denominator"]

    assert ratio() == (1, 2)
    assert ratio("--param", "service_level.threshold_s=30") == (2, 2)
    (home / "kpis.yaml").write_text("parameters:\n  service_level:\n    threshold_s: 30\n")
    assert ratio() == (2, 2)
    assert ratio("--param", "service_level.threshold_s=20") == (1, 2)
    listed = {m["id"]: m for m in json.loads(cxcert(home, "kpi", "list", "--json").stdout)}
    assert listed["service_level"]["parameters"]["threshold_s"]["source"] == str(home / "kpis.yaml")
    bad = cxcert(home, *args, "--param", "service_level.threshold_s=soon")
    assert bad.returncode == 2 and "parameter 'threshold_s' must be a duration in seconds >= 0" in bad.stderr
    (home / "kpis.yaml").write_text("parameters:\n  service_level:\n    threshold_s: 30\n    thresh: 1\n")
    broken = cxcert(home, *args)
    assert broken.returncode == 2
    assert f"{home / 'kpis.yaml'}: line 4, field parameters.service_level.thresh:" in broken.stderr
