"""Staffing totals in hours and FTE over the site's local days. Oracles are hand-computed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cli.runner import invoke, ok_json, user_error
from cxcert.errors import CxcertError
from cxcert.workforce.staffing_totals import staffing_totals

UTC = dt.UTC


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """A workspace with the entity acme-care, whose first location is London."""
    home = tmp_path / "home"
    ok_json(invoke("init", "--json", home=home))
    ok_json(invoke("entity", "create", "--id", "acme-care", "--name", "Acme", "--organisation", "acme",
                   "--organisation-name", "Acme Ltd", "--location", "lon:London:GB:Europe/London", "--service",
                   "inbound_customer_service", "--on", "2026-01-02", "--json", home=home))  # fmt: skip
    return home


def test_a_week_of_eight_hour_days_at_ten_agents_is_fourteen_fte() -> None:
    """7 days x 16 half-hours x 10 scheduled agents = 560 agent-hours; at 40 h a week over 7 days, 560 / 40 = 14."""
    starts = [dt.datetime(2026, 3, 2 + d, 9, tzinfo=UTC) + dt.timedelta(minutes=30 * k) for d in range(7)
              for k in range(16)]  # fmt: skip
    totals = staffing_totals(starts, [1800] * 112, [11] * 112, [10.0] * 112, tz="UTC", fte_hours_per_week=40)
    assert totals.days == 7 and totals.scheduled_hours == pytest.approx(560.0)
    assert totals.on_phone_hours == pytest.approx(616.0) and totals.fte == pytest.approx(14.0)
    assert staffing_totals(starts, [1800] * 112, [11] * 112, [10.0] * 112, tz="UTC", fte_hours_per_week=35).fte == (
        pytest.approx(16.0)
    )


def test_days_are_the_sites_local_dates() -> None:
    """03:00-04:30 UTC on 2 March is 22:00-23:30 on 1 March in New York (UTC-5): one local day, labelled there;
    02:30 and 05:30 UTC fall on two New York dates."""
    starts = [dt.datetime(2026, 3, 2, 3, 0, tzinfo=UTC) + dt.timedelta(minutes=30 * k) for k in range(4)]
    totals = staffing_totals(starts, [1800] * 4, [2] * 4, [2.0] * 4, tz="America/New_York", fte_hours_per_week=40)
    assert totals.first_local.isoformat() == "2026-03-01T22:00:00-05:00" and totals.days == 1
    two = [dt.datetime(2026, 3, 2, 2, 30, tzinfo=UTC), dt.datetime(2026, 3, 2, 5, 30, tzinfo=UTC)]
    assert staffing_totals(two, [1800] * 2, [1] * 2, [1.0] * 2, tz="America/New_York", fte_hours_per_week=40).days == 2
    with pytest.raises(CxcertError, match="FTE hours per week"):
        staffing_totals(two, [1800] * 2, [1] * 2, [1.0] * 2, tz="UTC", fte_hours_per_week=0)


def test_forecast_staffing_on_the_sites_clock_with_hours_and_fte(workspace: Path, tmp_path: Path) -> None:
    """100 calls per half-hour at 180 s is 14 agents on the phone (13.047 fractional, the 80/20 example). Two such
    intervals: 14 h on the phone, 13.047 h scheduled; over one local day at 40 h a week: 13.047 / (40 / 7) FTE."""
    forecast = tmp_path / "f.csv"
    forecast.write_text("queue,interval_start,calls,aht_s\nsales,2026-03-02T09:00:00Z,100,180\n"
                        "sales,2026-03-02T09:30:00Z,100,180\n")  # fmt: skip
    out_file = tmp_path / "s.csv"
    out = ok_json(invoke("staffing", "--forecast", str(forecast), "--tz", "America/New_York", "--out", str(out_file),
                         "--json", home=workspace))  # fmt: skip
    queue = out["queues"][0]
    assert queue["tz"] == "America/New_York" and queue["first_interval_local"] == "2026-03-02T04:00:00-05:00"
    assert queue["on_phone_hours"] == pytest.approx(14.0) and queue["local_days"] == 1
    assert queue["scheduled_hours"] == pytest.approx(13.0475, abs=1e-4)
    assert queue["fte"] == pytest.approx(queue["scheduled_hours"] / (40 / 7))
    assert "2026-03-02T04:30:00-05:00" in out_file.read_text()
    # the entity's site: acme-care's first location is London (UTC+0 in March); a 37.5-hour week
    site = ok_json(invoke("staffing", "--forecast", str(forecast), "--entity", "acme-care", "--fte-hours-week",
                          "37.5", "--json", home=workspace))["queues"][0]  # fmt: skip
    assert site["tz"] == "Europe/London" and site["first_interval_local"] == "2026-03-02T09:00:00+00:00"
    assert site["fte"] == pytest.approx(site["scheduled_hours"] / (37.5 / 7))
    # times without an offset are the site's local times
    local = tmp_path / "local.csv"
    local.write_text("queue,interval_start,calls,aht_s\nsales,2026-07-01 09:00,100,180\n")
    summer = ok_json(invoke("staffing", "--forecast", str(local), "--tz", "America/New_York", "--json",
                            home=workspace))["queues"][0]  # fmt: skip
    assert summer["first_interval_local"] == "2026-07-01T09:00:00-04:00"
    text = invoke("staffing", "--forecast", str(forecast), "--tz", "America/New_York", home=workspace)
    assert "local time America/New_York" in text.stdout and "FTE" in text.stdout
    assert "unknown" in user_error(invoke("staffing", "--forecast", str(forecast), "--entity", "nope",
                                          home=workspace))  # fmt: skip
