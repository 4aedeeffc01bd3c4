"""How conditions and measures reach the backend: missing values, filtered sums with no rows, user mistakes.

Each test states its hand calculation; the fixture is the oracle."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.errors import CxcertError
from cxcert.performance.catalogue import parse_catalogue
from cxcert.performance.engine import compute, scorecard
from cxcert.performance.periods import DAY

from .tables import contact, tables, utc

PARIS = "Europe/Paris"
MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))

ODD = """
source_note: test
metrics:
  - id: odd
    title: Odd
    description: a true/false test on a number column
    kind: ratio
    unit: share
    direction: lower_is_better
    dimensions: [program]
    numerator:
      - table: contacts
        time: arrived_at
        agg: count
        where:
          - {column: wait_s, op: is_true}
    denominator:
      - table: contacts
        time: arrived_at
        agg: count
"""


def test_a_missing_true_false_value_is_neither_true_nor_false() -> None:
    """transfer_rate counts ``transferred is_true`` over handled contacts: True, False and missing give 1 / 3."""
    t = tables(
        contacts=[
            contact("a", utc(2024, 3, 4, 9), wait=5, talk=60, transferred=True),
            contact("b", utc(2024, 3, 4, 9, 5), wait=5, talk=60, transferred=False),
            contact("c", utc(2024, 3, 4, 9, 10), wait=5, talk=60, transferred=None),
        ]
    )
    rows = compute("transfer_rate", t, grain=DAY, tz=PARIS, start=MARCH[0], end=MARCH[1]).rows()
    assert [(r["numerator"], r["denominator"]) for r in rows] == [(1.0, 3.0)]


def test_filtered_sums_without_rows_leave_no_period_behind() -> None:
    """Two days share one scan: 4 March has an answered call, 5 March only an abandoned one. ASA has no answered
    contact on the 5th (its filtered sums are empty, not null), so it has one row; abandon rate has two: 0/1, 1/1."""
    t = tables(
        contacts=[
            contact("a", utc(2024, 3, 4, 9), wait=12, talk=60),
            contact("b", utc(2024, 3, 5, 9), wait=30, abandoned=True),
        ]
    )
    card = scorecard(t, ("asa", "abandon_rate"), tz=PARIS, start=MARCH[0], end=MARCH[1], grain=DAY, strict=True)
    assert card.queries == 1
    asa = card.results["asa"].rows()
    assert [(r["period_start"], r["numerator"], r["denominator"]) for r in asa] == [
        (dt.datetime(2024, 3, 4), 12.0, 1.0)
    ]
    abandon = card.results["abandon_rate"].rows()
    assert [(r["numerator"], r["denominator"]) for r in abandon] == [(0.0, 1.0), (1.0, 1.0)]


def test_a_true_false_test_on_a_number_column_is_a_user_error() -> None:
    t = tables(contacts=[contact("a", utc(2024, 3, 4, 9), wait=12)])
    with pytest.raises(CxcertError, match="is_true needs a true/false column; 'wait_s' is float64"):
        compute(
            "odd", t, grain=DAY, tz=PARIS, start=MARCH[0], end=MARCH[1], catalogue=parse_catalogue(ODD, where="t.yaml")
        )
