"""`qa sample`, `qa check-sample` and `qa sample-size` on the warehouse's contacts and evaluations; `--out` writes.

The warehouse holds, for entity `site`: March 2026 (UTC) answered contacts of program `care` handled by a1 (20),
a2 (12) and a3 (8): 40; 5 abandoned contacts (no agent); 6 answered contacts of program `cards`; 4 answered care
contacts in April. Ten March care contacts were evaluated, one of them twice, and one April contact once.

Hand calculations (Cochran 1977, 4.4; n0 = 1.959964^2 x 0.25 / e^2 = 384.146 at +/-5 %, 96.04 at +/-10 %):
N = 40 -> 384.146 / (1 + 383.146 / 40) = 36.31 -> 37; per agent at +/-10 %: a1 (20) 96.04 / 5.752 = 16.70 -> 17,
a2 (12) 96.04 / 8.92 = 10.77 -> 11, a3 (8) 96.04 / 12.88 = 7.46 -> 8. The 10 evaluated of 40 achieve
1.959964 x sqrt(0.25 / 10) x sqrt(30 / 39) = +/-27.18 %.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cli.runner import invoke, ok_json, user_error
from cxcert.canonical import CONTACTS, EVALUATIONS
from cxcert.ingest.pipeline import ingest_file
from cxcert.warehouse import Warehouse

LINEAGE = {"entity_id", "program", "source"}


def _contact(cid: str, day: int, month: int, agent: str | None, abandoned: bool = False) -> dict[str, object]:
    arrived = dt.datetime(2026, month, day, 10, 0, tzinfo=dt.UTC)
    return {
        "contact_id": cid, "queue": "billing", "channel": "voice", "direction": "inbound", "arrived_at": arrived,
        "answered_at": None if abandoned else arrived + dt.timedelta(seconds=20),
        "ended_at": arrived + dt.timedelta(seconds=300), "abandoned": abandoned, "wait_s": 20.0,
        "talk_s": None if abandoned else 250.0, "hold_s": None, "acw_s": None, "agent_id": agent,
        "customer_key": None, "transferred": False, "outcome": None,
    }  # fmt: skip


def _ingest(home: Path, table: str, schema: pa.Schema, rows: list[dict[str, object]], program: str) -> None:
    fields = [f for f in schema if f.name not in LINEAGE]
    path = home.parent / f"{table}-{program}.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema(fields)), path)
    result = ingest_file(Warehouse(home / "warehouse"), table, path, entity_id="site", fmt="canonical", program=program)
    assert result.accounting.rejected == 0


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    agents = ["a1"] * 20 + ["a2"] * 12 + ["a3"] * 8
    care = [_contact(f"m{i:02d}", 1 + i % 28, 3, agent) for i, agent in enumerate(agents)]
    care += [_contact(f"x{i}", 2 + i, 3, None, abandoned=True) for i in range(5)]
    care += [_contact(f"p{i}", 3 + i, 4, "a1") for i in range(4)]
    _ingest(home, "contacts", CONTACTS, care, "care")
    _ingest(home, "contacts", CONTACTS, [_contact(f"k{i}", 5, 3, "b1") for i in range(6)], "cards")
    at = dt.datetime(2026, 3, 30, 12, 0, tzinfo=dt.UTC)
    evaluated = [f"m{i:02d}" for i in range(10)] + ["m00", "p0"]
    evaluations = [
        {"evaluation_id": f"ev-{n}", "contact_id": cid, "agent_id": "a1", "evaluator_id": "q1", "evaluated_at": at,
         "form_id": "voice_cs", "form_version": 1}
        for n, cid in enumerate(evaluated)
    ]  # fmt: skip
    _ingest(home, "evaluations", EVALUATIONS, evaluations, "care")
    return home


def test_check_sample_counts_the_month_in_the_warehouse(home: Path) -> None:
    args = ("qa", "check-sample", "--entity", "site", "--month", "2026-03", "--tz", "UTC", "--json")
    out = ok_json(invoke(*args, "--program", "care", home=home))
    assert (out["actual_n"], out["population"], out["required_n"], out["adequate"]) == (10, 40, 37, False)
    assert out["achieved_margin"] == pytest.approx(0.2718, abs=1e-4)
    assert out["counted"]["evaluations"] == 11  # m00 twice; p0 is April's
    everything = ok_json(invoke(*args, home=home))
    assert (everything["actual_n"], everything["population"]) == (10, 46)  # cards' 6 answered contacts too
    assert "2026-13" in user_error(invoke(*args[:4], "--month", "2026-13", "--tz", "UTC", home=home))
    both = invoke(*args, "--actual", "3", home=home)
    assert "leave out --actual" in user_error(both)
    none = invoke("qa", "check-sample", "--entity", "site", "--month", "2025-01", "--tz", "UTC", home=home)
    assert "no answered contacts" in user_error(none)


def test_sample_size_per_agent_from_the_warehouse(home: Path) -> None:
    out = ok_json(invoke("qa", "sample-size", "--entity", "site", "--month", "2026-03", "--program", "care",
                         "--tz", "UTC", "--by-agent", "--json", home=home))  # fmt: skip
    program = out[0]
    assert (program["scope"], program["population"], program["required"]) == ("program", 40, 37)
    agents = {r["agent_id"]: (r["population"], r["required"]) for r in out if r["scope"] == "agent"}
    assert agents == {"a1": (20, 17), "a2": (12, 11), "a3": (8, 8)}
    assert out[-1]["scope"] == "all agents" and out[-1]["required"] == 36
    table = invoke("qa", "sample-size", "--entity", "site", "--month", "2026-03", "--program", "care", "--tz", "UTC",
                   "--by-agent", home=home)  # fmt: skip
    assert table.returncode == 0 and "Per agent" in table.stdout and "36 evaluations across 3 agents" in table.stdout
    assert "--entity and --month" in user_error(invoke("qa", "sample-size", "--by-agent", home=home))


def test_sample_size_per_agent_from_a_file(tmp_path: Path) -> None:
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,contacts\na1,20\na2,12\na3,8\n")
    out = ok_json(invoke("qa", "sample-size", "--agents", str(agents), "--json", home=tmp_path / "home"))
    assert (out[0]["population"], out[0]["required"]) == (40, 37)  # the agents' contacts are the program's
    assert [r["required"] for r in out if r["scope"] == "agent"] == [17, 11, 8]
    agents.write_text("agent_id,contacts\na1,20\na2,twelve\n")
    line = user_error(invoke("qa", "sample-size", "--agents", str(agents), home=tmp_path / "home"))
    assert "line 3: contacts 'twelve' is not a whole number" in line


def test_draw_from_the_warehouse_is_reproducible_and_proportional(home: Path) -> None:
    args = ("qa", "sample", "--entity", "site", "--from", "2026-03-01", "--to", "2026-03-31", "--tz", "UTC",
            "--program", "care", "--n", "10", "--strata", "agent_id", "--seed", "3", "--json")  # fmt: skip
    first, again = ok_json(invoke(*args, home=home)), ok_json(invoke(*args, home=home))
    assert first["contacts"] == again["contacts"]
    assert {k: v["drawn"] for k, v in first["per_stratum"].items()} == {"a1": 5, "a2": 3, "a3": 2}  # 20/12/8 of 40
    assert all(c["contact_id"].startswith("m") for c in first["contacts"])  # answered, March, care only
    by_day = ok_json(invoke(*args[:-5], "--n", "5", "--strata", "day", "--seed", "1", "--json", home=home))
    assert sum(v["population"] for v in by_day["per_stratum"].values()) == 40
    assert all(k.startswith("2026-03-") for k in by_day["per_stratum"])
    assert "either --contacts" in user_error(invoke("qa", "sample", "--n", "5", "--seed", "1", home=home))
    nothing = invoke(*args[:-1], "--channel", "email", home=home)
    assert "no answered contacts: entity site's answered contacts from 2026-03-01" in user_error(nothing)


def test_out_is_written_atomically_and_a_missing_folder_refused(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    rows = ["contact_id,agent_id"] + [f"c{i:02d},{'a1' if i % 3 else ''}" for i in range(30)]  # blanks: abandoned
    contacts.write_text("\n".join(rows) + "\n")
    base = ("qa", "sample", "--contacts", str(contacts), "--n", "6", "--strata", "agent_id", "--seed", "2")
    nowhere = tmp_path / "nowhere"
    missing = user_error(invoke(*base, "--out", str(nowhere / "x.csv"), home=tmp_path / "home"))
    assert missing == f"error: cannot write {nowhere / 'x.csv'}: folder {nowhere} does not exist"
    assert "it is a folder" in user_error(invoke(*base, "--out", str(tmp_path), home=tmp_path / "home"))
    out = tmp_path / "sample.csv"
    out.write_text("old\n")
    drawn = ok_json(invoke(*base, "--out", str(out), "--json", home=tmp_path / "home"))
    assert drawn["per_stratum"] == {"(blank)": {"drawn": 2, "population": 10}, "a1": {"drawn": 4, "population": 20}}
    lines = out.read_text().splitlines()
    assert lines[0] == "contact_id,stratum" and len(lines) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv", "sample.csv"]  # no temp file left
