"""Period bucketing by comparison with each period's first UTC instant (``period_of``) equals flooring the local
wall clock as zoneinfo gives it, in zones with odd transitions (days, weeks and months keyed by their local
start; intervals by their UTC start, the wall clock floored at the instant's own offset); and it declines where a
day, week or month would not be one span of UTC time. Oracle: the IANA tz database through :mod:`zoneinfo`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.performance.periods import (
    DAY,
    MONTH,
    WEEK,
    Grain,
    GrainKind,
    Window,
    period_bounds,
    period_of,
    period_start_python,
)

HOUR = Grain(GrainKind.INTERVAL, 3600)
QUARTER_HOUR = Grain(GrainKind.INTERVAL, 900)

# (zone, a day near one of its odd transitions)
ODD_ZONES = [
    ("Europe/Paris", dt.date(2024, 3, 31)),  # spring forward 02:00 -> 03:00
    ("Europe/Paris", dt.date(2024, 10, 27)),  # fall back 03:00 -> 02:00 (15-minute starts are crossed)
    ("America/Chicago", dt.date(2025, 11, 2)),
    ("Australia/Lord_Howe", dt.date(2024, 4, 7)),  # a 30-minute change
    ("America/Santiago", dt.date(2024, 9, 8)),  # midnight does not exist: 00:00 -> 01:00
    ("America/Sao_Paulo", dt.date(2019, 2, 16)),  # 00:00 falls back to 23:00 of the day before
    ("America/Havana", dt.date(2024, 3, 10)),  # 00:00 -> 01:00
    ("Pacific/Apia", dt.date(2011, 12, 29)),  # 30 December 2011 never happened in Samoa
    ("Asia/Kathmandu", dt.date(2024, 1, 15)),  # +05:45, no transition
    ("UTC", dt.date(2024, 2, 29)),
]


def _wall_period(moment: dt.datetime, tz: str, grain: Grain) -> dt.datetime:
    """The period key as a naive datetime: local start (days...), or UTC start (intervals)."""
    local = moment.astimezone(ZoneInfo(tz))
    floored = period_start_python(local.replace(tzinfo=None), grain)
    if grain.kind is GrainKind.INTERVAL:
        return floored - (local.utcoffset() or dt.timedelta())
    return floored


@settings(max_examples=30, deadline=None)
@given(
    case=st.sampled_from(ODD_ZONES),
    span_days=st.integers(0, 40),
    offsets=st.lists(st.integers(-3 * 86_400, 45 * 86_400), min_size=1, max_size=30),
)
def test_period_of_matches_zoneinfo(case: tuple[str, dt.date], span_days: int, offsets: list[int]) -> None:
    """Inside and outside the window (where the arithmetic path answers), for every grain."""
    tz, day = case
    window = Window(tz, day - dt.timedelta(days=span_days // 2), day + dt.timedelta(days=span_days - span_days // 2))
    start = dt.datetime.combine(window.start, dt.time(), tzinfo=dt.UTC)
    moments = [start + dt.timedelta(seconds=o) for o in offsets]
    t = ibis.memtable(pa.table({"ts": pa.array(moments, pa.timestamp("us", tz="UTC"))}))
    grains = [QUARTER_HOUR, HOUR, DAY, WEEK, MONTH]
    out = ibis.duckdb.connect().execute(t.select(**{f"g{i}": period_of(t.ts, window, g) for i, g in enumerate(grains)}))
    for i, g in enumerate(grains):
        for moment, got in zip(moments, out[f"g{i}"], strict=True):
            assert dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(got)) == _wall_period(moment, tz, g), (
                moment,
                tz,
                g,
            )


def test_bounds_of_a_year_of_months_are_local_midnights_in_utc() -> None:
    """America/Chicago: CST (UTC-6) until 9 March 2025, CDT (UTC-5) until 2 November 2025 (US rules, tz database):
    so April..November start at 05:00 UTC, the others at 06:00 UTC; the last pair is the month after the window."""
    bounds = period_bounds(Window("America/Chicago", dt.date(2025, 1, 1), dt.date(2025, 12, 31)), MONTH)
    assert bounds is not None and len(bounds) == 13
    firsts = [dt.datetime.fromtimestamp(first, dt.UTC) for first, _ in bounds]
    assert [f.hour for f in firsts] == [6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6]
    assert [(f.year, f.month, f.day) for f in firsts][-1] == (2026, 1, 1)
    starts = [dt.datetime(1970, 1, 1) + dt.timedelta(seconds=local) for _, local in bounds]
    assert starts[3] == dt.datetime(2025, 4, 1)


def test_intervals_of_a_fall_back_day_are_distinct_spans_and_days_decline() -> None:
    # Paris, 27 October 2024: 03:00 CEST -> 02:00 CET, so the wall clock passes 02:00-03:00 twice: 25 hours, 100
    # quarter hours, each keyed by its UTC start, then the next midnight.
    autumn = Window("Europe/Paris", dt.date(2024, 10, 27), dt.date(2024, 10, 27))
    quarters = period_bounds(autumn, QUARTER_HOUR)
    assert quarters is not None and len(quarters) == 100 + 1
    hours = period_bounds(autumn, HOUR)
    assert hours is not None and len(hours) == 25 + 1
    assert all(key == first for first, key in hours)  # an hour starts at its own UTC start
    assert [hours[i + 1][0] - hours[i][0] for i in range(25)] == [3600] * 25
    two_am = [dt.datetime.fromtimestamp(first, dt.UTC).astimezone(ZoneInfo("Europe/Paris")) for first, _ in hours[2:4]]
    assert [t.isoformat() for t in two_am] == ["2024-10-27T02:00:00+02:00", "2024-10-27T02:00:00+01:00"]
    # Sitka, 18 October 1867: the clock went back a whole day (from +15:02 to -08:57 local mean time).
    assert period_bounds(Window("America/Sitka", dt.date(1867, 10, 1), dt.date(1867, 10, 31)), DAY) is None
    # A skipped day has the same first instant as the next one (it holds no instant).
    samoa = period_bounds(Window("Pacific/Apia", dt.date(2011, 12, 29), dt.date(2011, 12, 31)), DAY)
    assert samoa is not None and samoa[1][0] == samoa[2][0]


def test_too_many_periods_fall_back_to_arithmetic() -> None:
    year = Window("UTC", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert period_bounds(year, QUARTER_HOUR) is None
    days = period_bounds(year, DAY)
    assert days is not None and len(days) == 366
