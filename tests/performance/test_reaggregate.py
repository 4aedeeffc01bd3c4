"""Results keep numerator and denominator, so finer results roll up exactly (hypothesis), and bucketing in Ibis
matches bucketing in Python for any instant and zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcert.errors import CxcertError
from cxcert.performance.engine import compute, reaggregate
from cxcert.performance.periods import (
    DAY,
    MONTH,
    WEEK,
    Grain,
    GrainKind,
    Window,
    bucket,
    local_epoch,
    period_start_python,
)

from .tables import contact, tables

START, END = dt.date(2024, 1, 1), dt.date(2024, 4, 30)
SPAN_S = int((dt.datetime(2024, 5, 2, tzinfo=dt.UTC) - dt.datetime(2023, 12, 30, tzinfo=dt.UTC)).total_seconds())
BASE = dt.datetime(2023, 12, 30, tzinfo=dt.UTC)

arrivals = st.lists(
    st.tuples(
        st.integers(0, SPAN_S),  # arrival offset
        st.integers(0, 120),  # wait seconds (integers keep sums exact)
        st.booleans(),  # abandoned
        st.sampled_from(["q1", "q2"]),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=arrivals, tz=st.sampled_from(["America/New_York", "Europe/Paris", "Asia/Kolkata", "UTC"]))
def test_days_reaggregated_to_months_equal_months_computed_directly(
    rows: list[tuple[int, int, bool, str]], tz: str
) -> None:
    t = tables(
        contacts=[
            contact(f"c{i}", BASE + dt.timedelta(seconds=off), wait=w, abandoned=ab, queue=q)
            for i, (off, w, ab, q) in enumerate(rows)
        ]
    )
    kw = {"tz": tz, "start": START, "end": END, "by": ("program", "queue")}
    for metric in ("service_level", "asa"):
        days = compute(metric, t, grain=DAY, **kw)  # type: ignore[arg-type]
        direct = compute(metric, t, grain=MONTH, **kw)  # type: ignore[arg-type]
        rolled = reaggregate(days, MONTH)
        cols = ["period_start", "program", "queue", "numerator", "denominator"]
        assert rolled.table.select(cols).to_pylist() == direct.table.select(cols).to_pylist()
        assert rolled.grain == MONTH


def test_reaggregate_refuses_finer_or_misaligned_grains() -> None:
    t = tables(contacts=[contact("c", dt.datetime(2024, 1, 3, tzinfo=dt.UTC), wait=5)])
    weeks = compute("asa", t, grain=WEEK, tz="UTC", start=START, end=END)
    with pytest.raises(CxcertError, match="cannot re-aggregate"):
        reaggregate(weeks, MONTH)  # weeks straddle months
    with pytest.raises(CxcertError, match="cannot re-aggregate"):
        reaggregate(weeks, DAY)
    assert Grain(GrainKind.INTERVAL, 3600).coarser_or_equal(Grain(GrainKind.INTERVAL, 900))
    assert not Grain(GrainKind.INTERVAL, 900).coarser_or_equal(Grain(GrainKind.INTERVAL, 3600))


@settings(max_examples=20, deadline=None)
@given(
    offsets=st.lists(st.integers(-2 * 10**8, 2 * 10**8), min_size=1, max_size=40),
    tz=st.sampled_from(["America/New_York", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]),
)
def test_ibis_bucketing_matches_python(offsets: list[int], tz: str) -> None:
    """Flooring in the backend (offset CASE, integer floors, naive truncation) equals zoneinfo + datetime."""
    moments = [dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=o) for o in offsets]
    window = Window(tz, min(moments).date() - dt.timedelta(days=2), max(moments).date() + dt.timedelta(days=2))
    t = ibis.memtable(pa.table({"ts": pa.array(moments, pa.timestamp("us", tz="UTC"))}))
    grains = [Grain(GrainKind.INTERVAL, 900), DAY, WEEK, MONTH]
    local = local_epoch(t.ts, window)
    out = ibis.duckdb.connect().execute(t.select(**{g.kind.value: bucket(local, g) for g in grains}))
    for i, moment in enumerate(moments):
        wall = moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        for g in grains:
            expected = period_start_python(wall, g)
            got = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(out[g.kind.value][i]))
            assert got == expected, (moment, tz, g)
