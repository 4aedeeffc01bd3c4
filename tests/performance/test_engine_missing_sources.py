"""A source table without rows is "no data", never 0: the value is null and the row names the missing table.

The audit's cases: contacts but no costs made cost_per_contact 0.0 (and "met" against any target); schedules
but no absences understated shrinkage. Each assertion states its hand calculation.
"""

from __future__ import annotations

import datetime as dt

from cxcert.performance.engine import compute, reaggregate, scorecard
from cxcert.performance.periods import DAY, MONTH
from cxcert.performance.series import points_of

from .tables import contact, tables, utc

d = dt.date
MARCH = (d(2024, 3, 1), d(2024, 3, 31))


def _schedule(day: int, hours: int = 8) -> dict[str, object]:
    return {"agent_id": "a", "activity": "work", "start": utc(2024, 3, day, 9), "end": utc(2024, 3, day, 9 + hours)}


def _absence(day: int, absent_s: float) -> dict[str, object]:
    return {"agent_id": "a", "day": d(2024, 3, day), "scheduled_s": 28800.0, "absent_s": absent_s, "planned": False}


def test_contacts_without_costs_give_no_cost_per_contact() -> None:
    t = tables(contacts=[contact("c1", utc(2024, 3, 4, 9), wait=5, talk=60)], costs=[])
    result = compute("cost_per_contact", t, grain=MONTH, tz="UTC", start=MARCH[0], end=MARCH[1])
    (row,) = result.rows()
    # 1 handled contact, but no cost at all: not 0 / 1 = 0.0.
    assert row["value"] is None and row["missing"] == "costs"
    assert (row["numerator"], row["denominator"]) == (0.0, 1.0)
    assert result.missing_sources == ("costs",)
    assert "costs had no rows in the window" in result.explanation.steps[-1].conclusion
    # What the evidence judges: a point without a value, never a 0.0 that meets a "lower is better" target.
    assert [p.value for p in points_of(result, program="p1")] == [None]


def test_shrinkage_without_absences_is_not_understated() -> None:
    t = tables(schedules=[_schedule(4)], absences=[])
    (row,) = compute("shrinkage", t, grain=MONTH, tz="UTC", start=MARCH[0], end=MARCH[1]).rows()
    assert row["value"] is None and row["missing"] == "absences"


def test_a_period_without_one_source_has_no_value_and_months_add_up() -> None:
    """Schedules on 4 and 5 March (8 h each), absences only for the 4th (1 h absent): the 5th has no value; the
    month, computed directly or rolled up from days, is (3600) / (2 × 28800) since absences exist in March."""
    t = tables(schedules=[_schedule(4), _schedule(5)], absences=[_absence(4, 3600.0)])
    days = compute("shrinkage", t, grain=DAY, tz="UTC", start=MARCH[0], end=MARCH[1])
    assert [(r["period_start"].day, r["value"], r["missing"]) for r in days.rows()] == [  # type: ignore[attr-defined]
        (4, 3600 / 28800, None),
        (5, None, "absences"),
    ]
    assert days.missing_sources == ()
    month = compute("shrinkage", t, grain=MONTH, tz="UTC", start=MARCH[0], end=MARCH[1])
    rolled = reaggregate(days, MONTH)
    for result in (month, rolled):
        (row,) = result.rows()
        assert (row["numerator"], row["denominator"], row["missing"]) == (3600.0, 57600.0, None)


def test_forecasts_without_contacts_adherence_without_states_evaluations_without_items() -> None:
    t = tables(
        contacts=[],
        forecasts=[{"queue": "q1", "interval_start": utc(2024, 3, 4, 9), "interval_s": 900, "contacts_forecast": 3.0}],
        schedules=[_schedule(4)],
        agent_states=[],
        evaluations=[{"evaluation_id": "v1", "agent_id": "a", "evaluator_id": "x", "evaluated_at": utc(2024, 3, 6),
                      "form_id": "f", "form_version": 1}],
        evaluation_items=[],
    )  # fmt: skip
    metrics = ("forecast_accuracy", "schedule_adherence", "critical_error_accuracy_customer")
    card = scorecard(t, metrics, tz="UTC", start=MARCH[0], end=MARCH[1], strict=True)
    expected = {
        "forecast_accuracy": "contacts",  # an interval with "0 actual" would have been judged against 3 forecast
        "schedule_adherence": "agent_states",  # 0 % adherent for lack of states
        "critical_error_accuracy_customer": "evaluation_items",  # every evaluation "error-free" for lack of items
    }
    for metric, table in expected.items():
        (row,) = card.results[metric].rows()
        assert (row["value"], row["missing"]) == (None, table), metric
        assert card.results[metric].missing_sources == (table,)


def test_sparse_events_of_a_present_table_are_zero_not_missing() -> None:
    """Attrition in a month without exits is 0 (the roster is there); it is only missing without a roster."""
    t = tables(roster=[{"agent_id": "a", "hired_on": d(2024, 1, 1)}])
    (row,) = compute("attrition", t, grain=MONTH, tz="UTC", start=MARCH[0], end=MARCH[1]).rows()
    assert (row["numerator"], row["denominator"], row["value"], row["missing"]) == (0.0, 31.0, 0.0, None)
    empty = scorecard(tables(roster=[]), ("attrition",), tz="UTC", start=MARCH[0], end=MARCH[1])
    assert empty.results["attrition"].rows() == [] and empty.results["attrition"].missing_sources == ("roster",)
    assert empty.missing["attrition"] == "no rows in roster between 2024-03-01 and 2024-03-31"
