"""`cxcert forecast baseline` from the warehouse and from a file, through the real entry point (in process), and
the round trip of its output through `cxcert ingest forecasts --format canonical`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cli.runner import invoke, ok_json, user_error

# Two Mondays of history for queue q1 at 09:00-09:30 UTC: 2 contacts on 2 March (one handled: talk 100 s + ACW
# 20 s; one abandoned), 4 on 9 March (handled, 200 s each). Not counted: the outbound call (the KPI catalogue's
# forecast volume is inbound) and the contact of 16 March (after --to).
CONTACTS = """contact_id,queue,channel,direction,arrived_at,answered_at,abandoned,talk_s,acw_s
a1,q1,voice,inbound,2026-03-02T09:05:00Z,2026-03-02T09:05:10Z,false,100,20
a2,q1,voice,inbound,2026-03-02T09:20:00Z,,true,,
b1,q1,voice,inbound,2026-03-09T09:01:00Z,2026-03-09T09:01:05Z,false,200,
b2,q1,voice,inbound,2026-03-09T09:02:00Z,2026-03-09T09:02:05Z,false,200,
b3,q1,voice,inbound,2026-03-09T09:03:00Z,2026-03-09T09:03:05Z,false,200,
b4,q1,voice,inbound,2026-03-09T09:29:59Z,2026-03-09T09:30:05Z,false,200,
o1,q1,voice,outbound,2026-03-09T09:10:00Z,2026-03-09T09:10:05Z,false,60,
c1,q1,voice,inbound,2026-03-16T09:10:00Z,2026-03-16T09:10:05Z,false,60,
"""
HISTORY = ("--entity", "site", "--from", "2026-03-02", "--to", "2026-03-15", "--tz", "UTC")


@pytest.fixture()
def loaded(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    ok_json(invoke("init", "--json", home=home))
    ok_json(invoke("entity", "create", "--id", "site", "--name", "Site", "--organisation", "org",
                   "--organisation-name", "Org Ltd", "--location", "loc0:Site:GB:UTC", "--service",
                   "inbound_customer_service", "--on", "2026-01-02", "--json", home=home))  # fmt: skip
    path = tmp_path / "contacts.csv"
    path.write_text(CONTACTS, encoding="utf-8")
    ok_json(invoke("ingest", "contacts", str(path), "--entity", "site", "--program", "care", "--json", home=home))
    return home


def test_from_the_warehouse_by_hand(loaded: Path, tmp_path: Path) -> None:
    """Monday 16 March 09:00 = mean of the two Mondays (2 + 4)/2 = 3 contacts; AHT = (120 + 4 x 200)/(1 + 4) =
    184 s. Every other half-hour of the week had no contact either Monday (or weekday): 0, and still forecast.
    7 days x 48 half-hours = 336 rows, all for care/q1."""
    out = tmp_path / "forecast.csv"
    res = ok_json(invoke("forecast", "baseline", *HISTORY, "--horizon-days", "7", "--out", str(out), "--json",
                         home=loaded))  # fmt: skip
    assert (res["from"], res["to"], res["weeks"], res["interval_s"]) == ("2026-03-16", "2026-03-22", 4, 1800)
    assert res["intervals"] == 336 and res["left_out"] == 0 and res["history_days"] == 14
    assert res["contacts_forecast_total"] == 3.0
    assert res["series"] == [{"series": "care/q1", "intervals": 336, "contacts_forecast": 3.0}]
    table = pd.read_csv(out)
    assert list(table.columns) == ["program", "queue", "interval_start", "interval_s", "contacts_forecast",
                                   "aht_forecast_s"]  # fmt: skip
    nine = table[table["interval_start"] == "2026-03-16T09:00:00Z"].iloc[0]
    assert (nine["contacts_forecast"], nine["aht_forecast_s"]) == (3.0, 184.0)
    assert (table["interval_s"] == 1800).all()


def test_output_round_trips_through_canonical_ingest_and_accuracy(loaded: Path, tmp_path: Path) -> None:
    """The written table is what `cxcert ingest forecasts --format canonical` takes (every row accepted), and
    `cxcert forecast accuracy` then scores it against 16 March's one contact at 09:10 (forecast 3 vs 1 there,
    0 vs 0 elsewhere): WAPE |3 - 1| / 1 = 200 %."""
    out = tmp_path / "forecast.parquet"
    ok_json(invoke("forecast", "baseline", *HISTORY, "--out", str(out), "--json", home=loaded))
    ingested = ok_json(invoke("ingest", "forecasts", str(out), "--entity", "site", "--format", "canonical", "--json",
                              home=loaded))  # fmt: skip
    assert (ingested["read"], ingested["accepted"], ingested["rejected"]) == (336, 336, 0)
    acc = ok_json(invoke("forecast", "accuracy", "--entity", "site", "--from", "2026-03-16", "--to", "2026-03-16",
                         "--tz", "UTC", "--json", home=loaded))  # fmt: skip
    assert acc["periods"] == 48 and acc["wape"] == pytest.approx(2.0)
    old = ok_json(invoke("forecast-accuracy", "--entity", "site", "--from", "2026-03-16", "--to", "2026-03-16",
                         "--tz", "UTC", "--json", home=loaded))  # fmt: skip
    assert old == acc  # the top-level command still works, the same


def test_from_a_file(tmp_path: Path) -> None:
    """A file of 30-minute volumes without a queue: two Tuesdays at 10:00 local Paris time (09:00 UTC in
    winter) of 10 and 30 calls -> 20 for the next Tuesday 10:00, written at 09:00 UTC; slots the file never
    has (every other weekday and time) are left out, not zero: 7 x 48 - 1 of them."""
    src = tmp_path / "volumes.csv"
    src.write_text("when,n\n2026-01-06T10:00:00,10\n2026-01-06T10:30:00,0\n2026-01-13T10:00:00,30\n"
                   "2026-01-13T10:30:00,0\n", encoding="utf-8")  # fmt: skip
    out = tmp_path / "f.csv"
    res = ok_json(invoke("forecast", "baseline", "--history", str(src), "--time-column", "when", "--calls-column", "n",
                         "--tz", "Europe/Paris", "--queue", "sales", "--program", "retail", "--out", str(out),
                         "--json", home=tmp_path / "home"))  # fmt: skip
    assert (res["from"], res["to"]) == ("2026-01-14", "2026-01-20")
    assert res["intervals"] == 2 and res["left_out"] == 7 * 48 - 2
    table = pd.read_csv(out)
    assert table[["program", "queue", "interval_start", "contacts_forecast"]].values.tolist() == [
        ["retail", "sales", "2026-01-20T09:00:00Z", 20.0],
        ["retail", "sales", "2026-01-20T09:30:00Z", 0.0],
    ]


def test_table_output_explains(loaded: Path) -> None:
    result = invoke("forecast", "baseline", *HISTORY, home=loaded)
    assert result.returncode == 0, result.stderr
    assert "336 intervals forecast for 1 series, 2026-03-16 to 2026-03-22" in result.stdout
    assert "care/q1" in result.stdout


def test_user_mistakes(loaded: Path, tmp_path: Path) -> None:
    assert "missing --to" in user_error(invoke("forecast", "baseline", "--entity", "site", "--from", "2026-03-02",
                                               home=loaded))  # fmt: skip
    src = tmp_path / "v.csv"
    src.write_text("interval_start,calls\n2026-01-06T10:00:00,1\n2026-01-06T10:30:00,2\n", encoding="utf-8")
    assert "not both" in user_error(invoke("forecast", "baseline", "--history", str(src), *HISTORY, home=loaded))
    assert "needs a column DateTime" in user_error(
        invoke("forecast", "baseline", "--history", str(src), "--time-column", "DateTime", home=loaded)
    )
    assert "no contacts between" in user_error(
        invoke("forecast", "baseline", "--entity", "site", "--from", "2025-01-01", "--to", "2025-01-31", "--tz",
               "UTC", home=loaded)
    )  # fmt: skip
    blocked = tmp_path / "v.csv" / "out.csv"
    assert "is a file, not a folder" in user_error(
        invoke("forecast", "baseline", *HISTORY, "--out", str(blocked), home=loaded)
    )
