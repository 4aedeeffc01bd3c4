"""KPIs over surveys, evaluations, forecasts, schedules, agent states, roster, absences, trainings and costs.

One small March 2024 operation (UTC); each assertion states its hand calculation.
"""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pytest

from cxcert.errors import CxcertError
from cxcert.performance.catalogue import default_catalogue
from cxcert.performance.engine import Scorecard, compute, scorecard
from cxcert.performance.periods import DAY, Grain, GrainKind

from .tables import contact, tables, utc

d = dt.date
MARCH = (d(2024, 3, 1), d(2024, 3, 31))


def survey(instrument: str, score: float, lo: float, hi: float) -> dict[str, object]:
    return {"answered_at": utc(2024, 3, 5), "instrument": instrument, "score": score, "scale_min": lo, "scale_max": hi}


def evaluation(eid: str) -> dict[str, object]:
    return {"evaluation_id": eid, "agent_id": "a", "evaluator_id": "x", "evaluated_at": utc(2024, 3, 6),
            "form_id": "f", "form_version": 1}  # fmt: skip


def item(eid: str, param: str, result: str, error_class: str) -> dict[str, object]:
    return {"evaluation_id": eid, "parameter_id": param, "result": result, "error_class": error_class}


@pytest.fixture(scope="module")
def operation() -> dict[str, ir.Table]:
    return tables(
        contacts=[
            contact("c1", utc(2024, 3, 4, 9, 3), wait=10, talk=100),
            contact("c2", utc(2024, 3, 4, 9, 20), wait=10, talk=100),
            contact("c3", utc(2024, 3, 4, 9, 25), wait=10, talk=100),
            contact("c4", utc(2024, 3, 4, 9, 40), wait=10, abandoned=True),
        ],
        surveys=[
            survey("csat", 5, 1, 5),
            survey("csat", 4, 1, 5),
            survey("csat", 3, 1, 5),
            survey("csat", 2, 1, 5),
            survey("csat", 10, 1, 10),  # a 1-10 scale: top-2 box is 9-10
            survey("nps", 10, 0, 10),
            survey("nps", 9, 0, 10),
            survey("nps", 8, 0, 10),
            survey("nps", 3, 0, 10),
        ],
        evaluations=[evaluation("v1"), evaluation("v2"), evaluation("v3"), evaluation("v4")],
        evaluation_items=[
            item("v1", "greet", "fail", "customer_critical"),
            item("v1", "verify", "fail", "customer_critical"),  # two failures still make one erroneous evaluation
            item("v2", "disclose", "fail", "compliance_critical"),
            item("v3", "tone", "fail", "non_critical"),
            item("v3", "greet", "pass", "customer_critical"),
            item("v4", "greet", "na", "customer_critical"),
        ],
        forecasts=[
            {"queue": "q1", "interval_start": utc(2024, 3, 4, 9), "interval_s": 900, "contacts_forecast": 1.05},
            {"queue": "q1", "interval_start": utc(2024, 3, 4, 9, 15), "interval_s": 900, "contacts_forecast": 2.1},
            {"queue": "q1", "interval_start": utc(2024, 3, 4, 9, 30), "interval_s": 900, "contacts_forecast": 3.0},
            {"queue": "q1", "interval_start": utc(2024, 3, 4, 9, 45), "interval_s": 900, "contacts_forecast": 0.0},
        ],
        schedules=[
            {"agent_id": "a", "activity": "work", "start": utc(2024, 3, 4, 9), "end": utc(2024, 3, 4, 10)},
            {"agent_id": "a", "activity": "break", "start": utc(2024, 3, 4, 10), "end": utc(2024, 3, 4, 10, 15)},
            {"agent_id": "a", "activity": "training", "start": utc(2024, 3, 4, 10, 15), "end": utc(2024, 3, 4, 11)},
        ],
        agent_states=[
            {"agent_id": "a", "state": "available", "start": utc(2024, 3, 4, 9, 5), "end": utc(2024, 3, 4, 9, 30)},
            {"agent_id": "a", "state": "talk", "start": utc(2024, 3, 4, 9, 30), "end": utc(2024, 3, 4, 10, 5)},
            {"agent_id": "a", "state": "break", "start": utc(2024, 3, 4, 10, 5), "end": utc(2024, 3, 4, 10, 15)},
            {"agent_id": "b", "state": "talk", "start": utc(2024, 3, 4, 9), "end": utc(2024, 3, 4, 11)},
        ],
        roster=[
            {"agent_id": "a", "hired_on": d(2024, 1, 1)},
            {"agent_id": "b", "hired_on": d(2024, 1, 1), "exited_on": d(2024, 3, 16), "exit_voluntary": True},
            {"agent_id": "c", "hired_on": d(2024, 3, 11)},
        ],
        absences=[
            {"agent_id": "a", "day": d(2024, 3, 4), "scheduled_s": 28800.0, "absent_s": 3600.0, "planned": False},
            {"agent_id": "a", "day": d(2024, 3, 5), "scheduled_s": 28800.0, "absent_s": 28800.0, "planned": True},
            {"agent_id": "a", "day": d(2024, 3, 6), "scheduled_s": 28800.0, "absent_s": 0.0, "planned": False},
        ],
        trainings=[
            {"agent_id": "a", "course": "c", "started_on": d(2024, 2, 1), "verified_on": d(2024, 3, 1), "passed": True},
            {
                "agent_id": "b",
                "course": "c",
                "started_on": d(2024, 2, 1),
                "verified_on": d(2024, 3, 1),
                "passed": False,
            },
            {"agent_id": "c", "course": "c", "started_on": d(2024, 3, 11)},  # not verified yet
        ],
        costs=[{"period_start": d(2024, 3, 1), "period_end": d(2024, 3, 31), "amount": 600.0, "currency": "EUR"}],
    )


@pytest.fixture(scope="module")
def card(operation: dict[str, ir.Table]) -> Scorecard:
    return scorecard(operation, default_catalogue().ids(), tz="UTC", start=MARCH[0], end=MARCH[1])


def ratio(card: Scorecard, metric: str) -> tuple[float, float]:
    (row,) = card.results[metric].rows()
    assert isinstance(row["numerator"], float) and isinstance(row["denominator"], float)
    return row["numerator"], row["denominator"]


def test_every_catalogue_metric_computes(card: Scorecard) -> None:
    assert card.missing == {}
    assert set(card.results) == set(default_catalogue().ids())


def test_one_query_per_source_not_per_metric(card: Scorecard) -> None:
    # Sources: contacts@arrived_at (9 metrics), surveys@answered_at (3), evaluations:error_free (4), schedules@start
    # (adherence's and conformance's denominators, shrinkage), agent_states@start, absences@day,
    # trainings@verified_on, costs@period_start, roster@exited_on, plus joins: FCR, forecast accuracy, adherence,
    # conformance's scheduled agents, headcount = 14.
    assert card.queries == 14


def test_satisfaction(card: Scorecard) -> None:
    # CSAT top-2 box: 5 and 4 on 1-5, 10 on 1-10 → 3 of 5. DSAT bottom-2: 2 on 1-5 → 1 of 5.
    assert ratio(card, "csat_top_box") == (3.0, 5.0)
    assert ratio(card, "dsat") == (1.0, 5.0)
    # NPS: promoters 10, 9; detractor 3; passive 8 → (2 − 1) / 4.
    assert ratio(card, "nps") == (1.0, 4.0)
    assert card.results["nps"].rows()[0]["promoters"] == 2


def test_accuracy_per_error_class(card: Scorecard) -> None:
    # v1 fails customer-critical (twice), v2 compliance-critical, v3 non-critical; v4 has only an n/a item.
    assert ratio(card, "critical_error_accuracy_customer") == (3.0, 4.0)
    assert ratio(card, "critical_error_accuracy_business") == (4.0, 4.0)
    assert ratio(card, "critical_error_accuracy_compliance") == (3.0, 4.0)
    assert ratio(card, "non_critical_accuracy") == (3.0, 4.0)


def test_forecast_accuracy(card: Scorecard) -> None:
    # Actual inbound per 15 min (abandons are offered too): 09:00 1 (c1), 09:15 2 (c2, c3), 09:30 1 (c4), 09:45 0.
    # |1 − 1.05| = 0.05 ≤ 0.1 ✓; |2 − 2.1| = 0.1 ≤ 0.2 ✓; |1 − 3| = 2 > 0.1 ✗; |0 − 0| = 0 ≤ 0 ✓ → 3 of 4.
    assert ratio(card, "forecast_accuracy") == (3.0, 4.0)


def test_schedule_adherence_occupancy_shrinkage(card: Scorecard) -> None:
    # Agent a: work 09:00-10:00 with available 09:05-09:30 and talk 09:30-10:00 → 55 min adherent; break
    # 10:00-10:15 with break state 10:05-10:15 → 10 min; training 10:15-11:00 with no state → 0.
    # Adherence = (3300 + 600 + 0) / (3600 + 900 + 2700) = 3900 / 7200.
    assert ratio(card, "schedule_adherence") == (3900.0, 7200.0)
    assert card.results["schedule_adherence"].rows()[0]["unmapped_s"] == 0.0
    # Conformance: a's working states (available 25 + talk 35 min) over scheduled work (work 60 + training 45 min);
    # b is not scheduled, so its talk is not a's conformance (as `cxcert adherence` reports scheduled agents).
    assert ratio(card, "schedule_conformance") == (3600.0, 6300.0)
    # Occupancy: talk a 35 min + b 120 min = 9300 s handling; plus available 25 min = 1500 s → 9300 / 10800.
    assert ratio(card, "occupancy") == (9300.0, 10800.0)
    # Shrinkage: absent 3600 + 28800 + 0 s, plus break 900 and training 2700 non-productive, over 7200 scheduled.
    assert ratio(card, "shrinkage") == (36000.0, 7200.0)


def test_attrition_absenteeism_proficiency_cost(card: Scorecard) -> None:
    # Attrition: 1 exit; agent-days in March: a 31, b 15 (Mar 1-15), c 21 (Mar 11-31) = 67; numerator 1 × 365.
    assert ratio(card, "attrition") == (365.0, 67.0)
    # Absenteeism: unplanned absence 3600 s over 3 × 28800 scheduled.
    assert ratio(card, "absenteeism") == (3600.0, 86400.0)
    # Proficiency: 1 pass of 2 verifications (c not verified yet).
    assert ratio(card, "proficiency") == (1.0, 2.0)
    # Cost per contact: 600 / 3 handled contacts.
    assert ratio(card, "cost_per_contact") == (600.0, 3.0)
    assert card.results["cost_per_contact"].rows()[0]["value"] == 200.0


def test_date_metrics_refuse_interval_grain(operation: dict[str, ir.Table]) -> None:
    with pytest.raises(CxcertError, match="dated by day"):
        compute("absenteeism", operation, grain=Grain(GrainKind.INTERVAL), tz="UTC", start=MARCH[0], end=MARCH[1])
    daily = compute("absenteeism", operation, grain=DAY, tz="UTC", start=MARCH[0], end=MARCH[1])
    # Mar 5 has no unplanned absence but 28800 scheduled: kept, value 0.
    assert [(r["period_start"].day, r["value"]) for r in daily.rows()] == [(4, 0.125), (5, 0.0), (6, 0.0)]  # type: ignore[attr-defined]


def test_scorecard_lists_metrics_it_cannot_compute() -> None:
    only_contacts = tables(contacts=[contact("c1", utc(2024, 3, 4, 9), wait=5)])
    card = scorecard(only_contacts, ("asa", "nps"), tz="UTC", start=MARCH[0], end=MARCH[1])
    assert set(card.results) == {"asa"}
    assert "needs table 'surveys'" in card.missing["nps"]


def test_entity_scope() -> None:
    t = tables(contacts=[contact("c1", utc(2024, 3, 4, 9), wait=5), contact("c2", utc(2024, 3, 4, 9), wait=15)])
    # Both rows belong to entity e1; another entity id sees nothing.
    assert compute("asa", t, grain=DAY, tz="UTC", start=MARCH[0], end=MARCH[1], entity_id="e1").rows()[0]["value"] == 10
    assert compute("asa", t, grain=DAY, tz="UTC", start=MARCH[0], end=MARCH[1], entity_id="e2").rows() == []
