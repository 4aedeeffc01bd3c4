"""Forecast KPIs: each forecast row is judged over its own interval_s (15 or 30 minutes), against the catalogue's
one definition of actual volume (inbound contacts), which `cxcert forecast-accuracy` reads too; MAPE, WAPE and
bias are ratios of sums, so they re-aggregate exactly. Each assertion states its hand calculation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis.expr.types as ir
import pytest

from cli.runner import invoke, ok_json
from cxcert.performance.engine import reaggregate, scorecard
from cxcert.performance.periods import DAY, MONTH, Grain, GrainKind
from workforce.test_cli_forecast_accuracy import CONTACTS, FORECASTS

from .tables import contact, ingest_csv, tables, utc, workspace_with_entity

MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
METRICS = ("forecast_accuracy", "forecast_wape", "forecast_mape", "forecast_bias")


def _forecast(queue: str, hour: int, minute: int, step: int, value: float) -> dict[str, ir.Table]:
    return {"queue": queue, "interval_start": utc(2024, 3, 4, hour, minute), "interval_s": step,
            "contacts_forecast": value}  # fmt: skip


@pytest.fixture(scope="module")
def mixed() -> dict[str, ir.Table]:
    """q1 forecast in 30-minute intervals, q2 in 15-minute ones, on 4 March 2024 (UTC).

    q1 09:00 (30 min): forecast 3, actual 4 (09:00, 09:15, 09:20, 09:29:59; the outbound call at 09:10 is not
    volume). q1 09:30 (30 min): forecast 1, actual 2 (09:30, 09:59).
    q2 09:00 (15 min): forecast 2, actual 1 (09:14); q2 09:15 (15 min): forecast 0, actual 0.
    """
    return tables(
        forecasts=[_forecast("q1", 9, 0, 1800, 3.0), _forecast("q1", 9, 30, 1800, 1.0),
                   _forecast("q2", 9, 0, 900, 2.0), _forecast("q2", 9, 15, 900, 0.0)],
        contacts=[contact("a", utc(2024, 3, 4, 9), wait=5), contact("b", utc(2024, 3, 4, 9, 20), wait=5),
                  contact("c", utc(2024, 3, 4, 9, 29, 59), wait=5), contact("d", utc(2024, 3, 4, 9, 30), wait=5),
                  contact("e", utc(2024, 3, 4, 9, 59), wait=5),
                  contact("o", utc(2024, 3, 4, 9, 10), wait=5, direction="outbound"),
                  contact("f", utc(2024, 3, 4, 9, 14), wait=5, queue="q2"),
                  contact("g", utc(2024, 3, 4, 9, 15), wait=5)],
    )  # fmt: skip


def test_each_forecast_row_is_judged_over_its_own_interval(mixed: dict[str, ir.Table]) -> None:
    # Intervals (f, a): (3, 4): |3 − 4| = 1 > 0.4 out; (1, 2) out; (2, 1) out; (0, 0) within → 1 of 4.
    # WAPE = (1 + 1 + 1 + 0) / (4 + 2 + 1 + 0) = 3/7; bias = (−1 − 1 + 1 + 0) / 7 = −1/7;
    # MAPE over actual > 0: (1/4 + 1/2 + 1) / 3.
    card = scorecard(mixed, METRICS, tz="UTC", start=MARCH[0], end=MARCH[1], grain=MONTH, strict=True)
    got = {m: (r["numerator"], r["denominator"]) for m in METRICS for r in card.results[m].rows()}
    assert got["forecast_accuracy"] == (1.0, 4.0)
    assert got["forecast_wape"] == (3.0, 7.0)
    assert got["forecast_bias"] == (-1.0, 7.0)
    assert got["forecast_mape"] == (pytest.approx(0.25 + 0.5 + 1.0), 3.0)
    assert card.queries == 2  # the four share one query; one more checks that contacts have rows at all


def test_any_grain_and_interval_length_and_exact_rollup(mixed: dict[str, ir.Table]) -> None:
    """The KPI grain only places each forecast interval (by its start): 15-minute KPI intervals still judge
    30-minute forecasts whole, and days roll up to the month exactly (ratios of sums)."""
    quarter = scorecard(mixed, METRICS, tz="UTC", start=MARCH[0], end=MARCH[1],
                        grain=Grain(GrainKind.INTERVAL, 900), by=("program", "queue"), strict=True)  # fmt: skip
    rows = quarter.results["forecast_accuracy"].rows()
    assert [(r["queue"], r["period_start"].minute, r["numerator"], r["denominator"]) for r in rows] == [  # type: ignore[attr-defined]
        ("q1", 0, 0.0, 1.0), ("q2", 0, 0.0, 1.0), ("q2", 15, 1.0, 1.0), ("q1", 30, 0.0, 1.0),
    ]  # fmt: skip
    days = scorecard(mixed, METRICS, tz="UTC", start=MARCH[0], end=MARCH[1], grain=DAY, strict=True)
    month = scorecard(mixed, METRICS, tz="UTC", start=MARCH[0], end=MARCH[1], grain=MONTH, strict=True)
    for metric in METRICS:
        rolled = reaggregate(days.results[metric], MONTH).rows()
        direct = month.results[metric].rows()
        assert [(r["numerator"], r["denominator"]) for r in rolled] == [
            (r["numerator"], r["denominator"]) for r in direct
        ]


def test_the_kpis_and_forecast_accuracy_agree(tmp_path: Path) -> None:
    """tests/workforce/test_cli_forecast_accuracy.py's 30-minute forecasts, plus an outbound call both leave out:
    within 2/4, MAPE (0 + 1/3) / 2, WAPE 2/7, bias 0 from either command (`kpi --interval` plays no part)."""
    home = tmp_path / "home"
    workspace_with_entity(home, "site")
    outbound = "c10,q1,voice,outbound,2026-03-02T09:40:00Z,false\n"
    for kind, text in (("forecasts", FORECASTS), ("contacts", CONTACTS + outbound)):
        ingest_csv(home, tmp_path, kind, text, "site")
    window = ("--from", "2026-03-02", "--to", "2026-03-02", "--tz", "UTC")
    cli = ok_json(invoke("forecast-accuracy", "--entity", "site", *window, "--json", home=home))
    kpi = {}
    for metric in METRICS:
        out = ok_json(invoke("kpi", "--entity", "site", "--metric", metric, "--grain", "month", "--interval", "900",
                             *window, "--json", home=home))  # fmt: skip
        (row,) = out["rows"]
        kpi[metric] = row["value"]
    assert cli["share_within_tolerance"] == kpi["forecast_accuracy"] == 0.5
    assert cli["mape"] == pytest.approx(kpi["forecast_mape"]) == pytest.approx(1 / 6)
    assert cli["wape"] == pytest.approx(kpi["forecast_wape"]) == pytest.approx(2 / 7)
    assert cli["bias"] == pytest.approx(kpi["forecast_bias"]) == pytest.approx(0.0)
    assert cli["actual_total"] == 7.0  # the outbound call is not actual volume
