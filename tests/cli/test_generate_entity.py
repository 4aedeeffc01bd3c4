"""`cxcert generate --entity ID --from --to`: the entity's own programs, its site's clock and the days asked.

Oracles: the entity file names the programs (care, sales) and the site's zone (Europe/Lisbon); every generated
contact arrives within the local days --from..--to on that clock; the generated tables ingest whole and the KPI
sees the entity's programs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest

from cxcert.errors import CxcertError
from cxcert.synth import load_profile
from cxcert.synth.entity_profile import fitted_profile

from .runner import invoke, ok_json, user_error

ENTITY_FILE = """organisation: {id: acme, name: Acme Ltd, country: PT}
entity:
  id: lisbon-care
  organisation_id: acme
  name: Lisbon Care
  standard_urn: copc-2000-csp
  rule_set_id: copc-2000-founding
  locations:
    - {id: lis, name: Lisbon, country: PT, time_zone: Europe/Lisbon, programs: [care, sales], queues: [vip_line]}
  processes:
    - {id: kcrp-care, name: Customer care, kind: kcrp, programs: [care, sales]}
"""


def test_the_profile_fitted_to_programs_and_one_zone() -> None:
    profile = fitted_profile(load_profile(), ["care", "sales", "x", "y"], lambda _p: "Europe/Lisbon",
                             start=dt.date(2026, 1, 1))  # fmt: skip
    assert profile.timezone == "Europe/Lisbon" and profile.start_date == dt.date(2026, 1, 1)
    assert [p.id for p in profile.programs] == ["care", "sales", "x", "y"]
    assert [q.id for q in profile.programs[0].queues] == ["care_voice", "care_email"]  # the first template's queues
    assert [q.id for q in profile.programs[3].queues] == ["y_voice", "y_email"]  # round again
    with pytest.raises(CxcertError, match="different zones"):
        fitted_profile(load_profile(), ["care", "sales"], lambda p: "Europe/Lisbon" if p == "care" else "UTC")


def test_generate_for_an_entity_of_the_workspace(workspace: Path, tmp_path: Path) -> None:
    entity_file = tmp_path / "entity.yaml"
    entity_file.write_text(ENTITY_FILE)
    ok_json(invoke("entity", "create", "--from-file", str(entity_file), "--json", home=workspace))
    out = tmp_path / "centre"
    summary = ok_json(invoke("generate", "--out", str(out), "--entity", "lisbon-care", "--from", "2026-01-01",
                             "--to", "2026-01-10", "--contacts", "1500", "--json", home=workspace))  # fmt: skip
    assert summary["time_zone"] == "Europe/Lisbon"
    assert summary["programs"] == {"care": ["care_voice", "care_email"], "sales": ["sales_voice", "sales_chat"]}
    assert summary["first_day"] == "2026-01-01" and summary["last_day"] == "2026-01-10"
    assert "vip_line" in summary["note"]  # a queue the site declares that is not generated is said, not hidden
    contacts = pq.read_table(out / "contacts").to_pydict()
    zone = ZoneInfo("Europe/Lisbon")
    days = {t.astimezone(zone).date() for t in contacts["arrived_at"]}
    assert min(days) >= dt.date(2026, 1, 1) and max(days) <= dt.date(2026, 1, 10)
    assert set(contacts["program"]) == {"care", "sales"} and set(contacts["entity_id"]) == {"lisbon-care"}
    loaded = ok_json(invoke("ingest", "dir", str(out), "--entity", "lisbon-care", "--json", home=workspace))
    assert loaded["tables"]["contacts"]["rejected"] == 0
    kpi = ok_json(invoke("kpi", "--entity", "lisbon-care", "--metric", "service_level", "--grain", "month",
                         "--from", "2026-01-01", "--to", "2026-01-31", "--json", home=workspace))  # fmt: skip
    assert {r["program"] for r in kpi["rows"]} == {"care", "sales"}
    assert "--months or --to" in user_error(invoke("generate", "--out", str(tmp_path / "x"), "--entity",
                                                   "lisbon-care", "--months", "2", "--to", "2026-02-01",
                                                   home=workspace))  # fmt: skip
