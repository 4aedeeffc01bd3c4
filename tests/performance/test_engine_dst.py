"""Intervals across clock changes are keyed by their UTC start and labelled with local time and offset; days, weeks
and months stay local calendar periods; periods cut by the window are flagged partial.

Oracle: the UK's clock changes (tz database, Europe/London): BST (UTC+1) ends at 01:00 UTC on Sunday 26 October
2025, when 02:00 BST becomes 01:00 GMT, so local 01:00-02:00 happens twice; it begins at 01:00 UTC on Sunday
30 March 2025, when 01:00 GMT becomes 02:00 BST, so local 01:00-02:00 does not happen.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.performance.engine import KpiResult, compute, reaggregate
from cxcert.performance.periods import DAY, MONTH, WEEK, Grain, GrainKind

from .tables import contact, tables, utc

LONDON = "Europe/London"
HOUR = Grain(GrainKind.INTERVAL, 3600)
QUARTER = Grain(GrainKind.INTERVAL, 900)


def _labels(result: KpiResult) -> list[tuple[str, object]]:
    return [(r["period_start"].isoformat(), r["denominator"]) for r in result.rows()]  # type: ignore[attr-defined]


FALL_BACK = [
    contact("a", utc(2025, 10, 26, 0, 30), wait=5),  # 01:30 BST
    contact("b", utc(2025, 10, 26, 0, 45), wait=5),  # 01:45 BST
    contact("c", utc(2025, 10, 26, 1, 30), wait=5),  # 01:30 GMT, an hour later
]


@pytest.mark.parametrize(
    "window",
    [
        (dt.date(2025, 10, 26), dt.date(2025, 10, 26)),  # short: the comparison tree
        (dt.date(2025, 10, 1), dt.date(2025, 10, 31)),  # a month of hours: the arithmetic path
    ],
)
def test_the_repeated_hour_is_two_intervals(window: tuple[dt.date, dt.date]) -> None:
    t = tables(contacts=FALL_BACK)
    hours = compute("asa", t, grain=HOUR, tz=LONDON, start=window[0], end=window[1])
    assert _labels(hours) == [("2025-10-26T01:00:00+01:00", 2.0), ("2025-10-26T01:00:00+00:00", 1.0)]
    quarters = compute("asa", t, grain=QUARTER, tz=LONDON, start=window[0], end=window[1])
    assert _labels(quarters) == [
        ("2025-10-26T01:30:00+01:00", 1.0),
        ("2025-10-26T01:45:00+01:00", 1.0),
        ("2025-10-26T01:30:00+00:00", 1.0),
    ]
    # Rolled up, the quarter hours land in their own hour, and the 25-hour day is one local day.
    assert _labels(reaggregate(quarters, HOUR)) == _labels(hours)
    day = reaggregate(quarters, DAY)
    assert [(r["period_start"], r["denominator"]) for r in day.rows()] == [(dt.datetime(2025, 10, 26), 3.0)]
    assert _labels(compute("asa", t, grain=DAY, tz=LONDON, start=window[0], end=window[1])) == [
        ("2025-10-26T00:00:00", 3.0)
    ]


def test_the_skipped_hour_has_no_interval() -> None:
    t = tables(
        contacts=[
            contact("a", utc(2025, 3, 30, 0, 30), wait=5),  # 00:30 GMT
            contact("b", utc(2025, 3, 30, 0, 59, 59), wait=5),  # 00:59:59 GMT
            contact("c", utc(2025, 3, 30, 1, 0), wait=5),  # 02:00 BST: the next instant
        ]
    )
    hours = compute("asa", t, grain=HOUR, tz=LONDON, start=dt.date(2025, 3, 30), end=dt.date(2025, 3, 30))
    assert _labels(hours) == [("2025-03-30T00:00:00+00:00", 2.0), ("2025-03-30T02:00:00+01:00", 1.0)]
    assert [r["partial"] for r in hours.rows()] == [False, False]


def test_partial_first_and_last_weeks_and_months() -> None:
    """Window Friday 1 March to Wednesday 10 April 2024 (UTC): ISO weeks from Monday 26 February (cut) to Monday
    8 April (cut); March whole, April cut; days are always whole."""
    t = tables(contacts=[contact(f"c{d}", utc(2024, 3, 1) + dt.timedelta(days=d), wait=5) for d in range(41)])
    kw = {"tz": "UTC", "start": dt.date(2024, 3, 1), "end": dt.date(2024, 4, 10)}
    weeks = compute("asa", t, grain=WEEK, **kw)  # type: ignore[arg-type]
    assert [(r["period_start"].day, r["partial"]) for r in weeks.rows()] == [  # type: ignore[attr-defined]
        (26, True), (4, False), (11, False), (18, False), (25, False), (1, False), (8, True),
    ]  # fmt: skip
    months = compute("asa", t, grain=MONTH, **kw)  # type: ignore[arg-type]
    assert [(r["period_start"].month, r["partial"]) for r in months.rows()] == [(3, False), (4, True)]  # type: ignore[attr-defined]
    days = compute("asa", t, grain=DAY, **kw)  # type: ignore[arg-type]
    assert not any(r["partial"] for r in days.rows())
    assert [(r["period_start"].month, r["partial"]) for r in reaggregate(days, MONTH).rows()] == [  # type: ignore[attr-defined]
        (3, False),
        (4, True),
    ]
