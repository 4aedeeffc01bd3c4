"""Contact KPIs on a small hand-checked day of contacts (Europe/Paris, UTC+1 in early March 2024).

Each test states its hand calculation; the fixture is the oracle.
"""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir
import pytest

from cxcert.errors import CxcertError
from cxcert.performance.catalogue import AbandonTreatment
from cxcert.performance.engine import KpiResult, compute
from cxcert.performance.periods import DAY, MONTH, Grain, GrainKind

from .tables import contact, tables, utc

PARIS = "Europe/Paris"
MARCH = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))


@pytest.fixture()
def voice() -> dict[str, ir.Table]:
    """Six inbound contacts on 2024-03-04 (09:00-09:30 UTC, so 10:00-10:30 in Paris)."""
    return tables(
        contacts=[
            contact("c1", utc(2024, 3, 4, 9), wait=10, talk=100, acw=20),  # answered in 10 s
            contact("c2", utc(2024, 3, 4, 9, 5), wait=30, talk=200, hold=30, acw=10, transferred=True),  # in 30 s
            contact("c3", utc(2024, 3, 4, 9, 10), wait=3, abandoned=True),  # short abandon (< 5 s)
            contact("c4", utc(2024, 3, 4, 9, 15), wait=15, abandoned=True),  # abandoned inside 20 s
            contact("c5", utc(2024, 3, 4, 9, 20), wait=40, abandoned=True),  # abandoned after 20 s
            contact("c6", utc(2024, 3, 4, 9, 30), channel="email"),  # not in the service-level population
        ]
    )


def one(result: KpiResult) -> dict[str, object]:
    rows = result.rows()
    assert len(rows) == 1, rows
    return rows[0]


def run(metric: str, t: dict[str, ir.Table], **kw: object) -> dict[str, object]:
    return one(compute(metric, t, grain=DAY, tz=PARIS, start=MARCH[0], end=MARCH[1], **kw))  # type: ignore[arg-type]




@pytest.mark.parametrize(
    ("treatment", "offered"),
    [
        (AbandonTreatment.COUNT_ALL, 5),  # c1..c5
        (AbandonTreatment.EXCLUDE_SHORT_ABANDONS, 4),  # c3 (3 s < 5 s) leaves
        (AbandonTreatment.EXCLUDE_ABANDONS_WITHIN_THRESHOLD, 3),  # c3 and c4 (≤ 20 s) leave
    ],
)
def test_service_level_abandon_treatments(
    voice: dict[str, ir.Table], treatment: AbandonTreatment, offered: int
) -> None:
    # Only c1 is answered within 20 s: SL = 1 / offered.
    row = run("service_level", voice, parameters={"abandon_treatment": treatment.value})
    assert (row["numerator"], row["denominator"]) == (1.0, float(offered))
    assert row["value"] == pytest.approx(1 / offered)
    assert row["period_start"] == dt.datetime(2024, 3, 4)


def test_service_level_threshold_override(voice: dict[str, ir.Table]) -> None:
    # T = 30 s: c1 (10 s) and c2 (30 s, inclusive) are within; offered excludes the short abandon: 2 / 4.
    row = run("service_level", voice, parameters={"threshold_s": 30})
    assert (row["numerator"], row["denominator"], row["value"]) == (2.0, 4.0, 0.5)


def test_asa_abandon_rate_aht_hold_acw_transfer(voice: dict[str, ir.Table]) -> None:
    # ASA: answered c1, c2 → (10 + 30) / 2 = 20 s.
    assert run("asa", voice)["value"] == 20.0
    # Abandon rate: 3 abandoned (c3, c4, c5) of the 5 inbound real-time contacts (e-mail c6 is not queued) = 0.6.
    assert run("abandon_rate", voice)["value"] == 0.6
    # AHT: c1 100 + 0 + 20 = 120, c2 200 + 30 + 10 = 240 → 180 s.
    assert run("aht", voice)["value"] == 180.0
    # Hold: only c2 reports hold (30 s); c1's missing hold is not a 0-second hold → 30 / 1.
    assert (run("hold_time", voice)["numerator"], run("hold_time", voice)["denominator"]) == (30.0, 1.0)
    # ACW: (20 + 10) / 2 = 15 s.
    assert run("acw_time", voice)["value"] == 15.0
    # Transfer: c2 of the 2 handled = 0.5.
    assert run("transfer_rate", voice)["value"] == 0.5


def test_fcr_repeats_and_censoring_at_the_window_end() -> None:
    # k1: c1 (Mar 4 09:00) repeated by c2 five minutes later → c1 unresolved; c2's next contact (c8) is 16 days
    #     later → resolved; c8 resolved.  k2: c9 repeated by the *abandoned* c10 two days later → unresolved;
    #     c10 itself is not handled.  k3: c11 on Mar 31, whose 7-day window passes the end of March: censored.
    #     c13 has no customer key: left out. Judged: c1, c2, c8, c9 → resolved c2, c8 → FCR = 2 / 4, 1 censored.
    rows = [
        contact("c1", utc(2024, 3, 4, 9), wait=5, customer="k1"),
        contact("c2", utc(2024, 3, 4, 9, 5), wait=5, customer="k1"),
        contact("c8", utc(2024, 3, 20, 9), wait=5, customer="k1"),
        contact("c9", utc(2024, 3, 10, 9), wait=5, customer="k2"),
        contact("c10", utc(2024, 3, 12, 9), wait=50, abandoned=True, customer="k2"),
        contact("c11", utc(2024, 3, 31, 10), wait=5, customer="k3"),
        contact("c12", utc(2024, 4, 2, 10), wait=5, customer="k3"),
        contact("c13", utc(2024, 3, 5, 10), wait=5),
    ]
    row = one(compute("fcr", tables(contacts=rows), grain=MONTH, tz=PARIS, start=MARCH[0], end=MARCH[1]))
    assert (row["numerator"], row["denominator"], row["censored"]) == (2.0, 4.0, 1.0)
    # Judging past --to reads April: c11's window (to Apr 7) is observed once the data runs past it (c14 on
    # Apr 20), and c12 on Apr 2 is its repeat → c11 unresolved: 2 / 5, nothing censored.
    later = tables(contacts=[*rows, contact("c14", utc(2024, 4, 20, 10), wait=5, customer="k9")])
    row = one(compute("fcr", later, grain=MONTH, tz=PARIS, start=MARCH[0], end=MARCH[1],
                      parameters={"judge_past_window": True}))  # fmt: skip
    assert (row["numerator"], row["denominator"], row["censored"]) == (2.0, 5.0, 0.0)
    # Without c14 the data ends on Apr 2, before c11's window does: censored even when judging past --to.
    row = one(compute("fcr", tables(contacts=rows), grain=MONTH, tz=PARIS, start=MARCH[0], end=MARCH[1],
                      parameters={"judge_past_window": True}))  # fmt: skip
    assert (row["numerator"], row["denominator"], row["censored"]) == (2.0, 4.0, 1.0)


def test_fcr_does_not_climb_on_the_last_days_of_the_data() -> None:
    """Every customer calls every 3 days, each call a repeat of the one before (FCR 0), 1-21 March. The last
    7 days' calls cannot show their repeat: without censoring they would count as resolved (FCR climbing to 1 on
    the last days); censored, they have no value, and the judged days stay at 0."""
    rows = [
        contact(f"{k}-{d}", utc(2024, 3, d, 10), wait=5, customer=k) for k in ("k1", "k2") for d in range(1, 22, 3)
    ]
    days = compute("fcr", tables(contacts=rows), grain=DAY, tz="UTC", start=MARCH[0], end=dt.date(2024, 3, 21))
    values = {r["period_start"].day: (r["value"], r["censored"]) for r in days.rows()}  # type: ignore[attr-defined]
    # The data ends on Mar 19 10:00 (the window on Mar 21): judged while t + 7 days <= Mar 19 10:00.
    assert values == {1: (0.0, 0.0), 4: (0.0, 0.0), 7: (0.0, 0.0), 10: (0.0, 0.0), 13: (None, 2.0),
                      16: (None, 2.0), 19: (None, 2.0)}  # fmt: skip


def test_response_time_and_backlog_aging() -> None:
    # e1 handled in 6 h (within 24 h, 0 cycles late); e2 in 30 h (ceil(30/24) − 1 = 1 cycle late);
    # e3 in 73 h (ceil(73/24) − 1 = 3 cycles late); e4 still open.
    # Response time = 1 handled within 24 h / 4 received = 0.25; backlog aging = (0 + 1 + 3) / 3 resolved.
    t = tables(
        contacts=[
            contact("e1", utc(2024, 3, 4, 9), channel="email", ended=utc(2024, 3, 4, 15)),
            contact("e2", utc(2024, 3, 5, 9), channel="email", ended=utc(2024, 3, 6, 15)),
            contact("e3", utc(2024, 3, 6, 9), channel="email", ended=utc(2024, 3, 9, 10)),
            contact("e4", utc(2024, 3, 7, 9), channel="email"),
            contact("v1", utc(2024, 3, 7, 9), wait=5, ended=utc(2024, 3, 7, 9, 5)),  # voice: not deferred
        ]
    )
    kw = {"grain": MONTH, "tz": PARIS, "start": MARCH[0], "end": MARCH[1]}
    rt = one(compute("response_time", t, **kw))  # type: ignore[arg-type]
    assert (rt["numerator"], rt["denominator"]) == (1.0, 4.0)
    backlog = one(compute("backlog_aging", t, **kw))  # type: ignore[arg-type]
    assert (backlog["numerator"], backlog["denominator"]) == (4.0, 3.0)


def test_days_and_months_are_local_including_dst() -> None:
    # 2024-03-04 23:30 UTC is 00:30 on Mar 5 in Paris (UTC+1). 2024-03-31 22:30 UTC is 00:30 on Apr 1 (UTC+2
    # after the 31 March change), so it belongs to April; 2024-03-31 00:30 UTC (01:30 CET) stays in March.
    t = tables(
        contacts=[
            contact("a", utc(2024, 3, 4, 23, 30), wait=5),
            contact("b", utc(2024, 3, 31, 0, 30), wait=5),
            contact("c", utc(2024, 3, 31, 22, 30), wait=5, abandoned=True),
        ]
    )
    days = compute("abandon_rate", t, grain=DAY, tz=PARIS, start=dt.date(2024, 3, 1), end=dt.date(2024, 4, 30))
    assert [r["period_start"] for r in days.rows()] == [
        dt.datetime(2024, 3, 5),
        dt.datetime(2024, 3, 31),
        dt.datetime(2024, 4, 1),
    ]
    months = compute("abandon_rate", t, grain=MONTH, tz=PARIS, start=dt.date(2024, 3, 1), end=dt.date(2024, 4, 30))
    assert [(r["period_start"], r["denominator"]) for r in months.rows()] == [
        (dt.datetime(2024, 3, 1), 2.0),
        (dt.datetime(2024, 4, 1), 1.0),
    ]
    # The same data in UTC puts all three in March.
    utc_months = compute("abandon_rate", t, grain=MONTH, tz="UTC", start=dt.date(2024, 3, 1), end=dt.date(2024, 4, 30))
    assert [r["denominator"] for r in utc_months.rows()] == [3.0]


def test_intervals_weeks_and_session_time_zone_independence() -> None:
    # Local (Paris) arrivals 10:05 and 10:20 on Mon 2024-03-04 → 15-minute intervals 10:00 and 10:15; both in
    # the ISO week starting Monday Mar 4. DuckDB's session zone must not move anything.
    t = tables(contacts=[contact("a", utc(2024, 3, 4, 9, 5), wait=5), contact("b", utc(2024, 3, 4, 9, 20), wait=5)])
    next(iter(t.values())).get_backend().raw_sql("SET TimeZone = 'America/New_York'")
    intervals = compute("asa", t, grain=Grain(GrainKind.INTERVAL, 900), tz=PARIS, start=MARCH[0], end=MARCH[1])
    assert [r["period_start"].isoformat() for r in intervals.rows()] == [  # type: ignore[attr-defined]
        "2024-03-04T10:00:00+01:00",
        "2024-03-04T10:15:00+01:00",
    ]
    week = compute("asa", t, grain=Grain(GrainKind.WEEK), tz=PARIS, start=MARCH[0], end=MARCH[1])
    assert [(r["period_start"], r["denominator"]) for r in week.rows()] == [(dt.datetime(2024, 3, 4), 2.0)]


def test_by_queue_and_channel_and_unknown_dimension(voice: dict[str, ir.Table]) -> None:
    res = compute("abandon_rate", voice, grain=DAY, tz=PARIS, start=MARCH[0], end=MARCH[1], by=("channel",))
    # voice: 3 abandoned of 5; e-mail is not a real-time channel, so it has no abandon rate.
    assert {r["channel"]: (r["numerator"], r["denominator"]) for r in res.rows()} == {"voice": (3.0, 5.0)}
    with pytest.raises(CxcertError, match="cannot be cut by agent_id"):
        compute("abandon_rate", voice, grain=DAY, tz=PARIS, start=MARCH[0], end=MARCH[1], by=("agent_id",))


def test_missing_table_and_bad_window_are_user_errors(voice: dict[str, ir.Table]) -> None:
    with pytest.raises(CxcertError, match="needs table 'surveys'"):
        compute("nps", voice, grain=DAY, tz=PARIS, start=MARCH[0], end=MARCH[1])
    with pytest.raises(CxcertError, match="before it starts"):
        compute("asa", voice, grain=DAY, tz=PARIS, start=MARCH[1], end=MARCH[0])
    with pytest.raises(CxcertError, match="unknown IANA time zone"):
        compute("asa", voice, grain=DAY, tz="Mars/Olympus", start=MARCH[0], end=MARCH[1])


def test_ivr_hangups_are_not_offered_contacts() -> None:
    """A caller who hangs up in the IVR never reached the agent queue (the Technion adapter's outcome
    'ivr_hangup'): it counts in neither service level nor abandon rate. A contact with no outcome still counts.
    Hand calculation: offered = c1 (answered in 10 s) + c2 (abandoned after 40 s) = 2; SL = 1/2; abandon = 1/2."""
    ivr = contact("c0", utc(2024, 3, 4, 8, 55), abandoned=True) | {"outcome": "ivr_hangup"}
    t = tables(
        contacts=[
            ivr,
            contact("c1", utc(2024, 3, 4, 9), wait=10, talk=100),
            contact("c2", utc(2024, 3, 4, 9, 5), wait=40, abandoned=True),
        ]
    )
    assert run("service_level", t)["value"] == 0.5
    assert run("abandon_rate", t)["value"] == 0.5
