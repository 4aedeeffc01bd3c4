"""One definition of schedule adherence: `cxcert adherence` and `cxcert kpi --metric schedule_adherence` (and
conformance) agree on the same warehouse, because both read workforce/data/adherence_states.yaml; an activity
the mapping lacks is named by both instead of being dropped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.runner import invoke, ok_json
from cxcert.performance.engine import compute
from cxcert.performance.periods import MONTH
from cxcert.workforce.adherence import adherence_report
from performance.tables import ingest_csv, tables, workspace_with_entity

from .test_cli_adherence import SCHEDULES, STATES

# Both days in UTC hold every segment whole, so the two commands see the same time (the CLI clips to the window,
# the KPI places a segment by its start).
WINDOW = ("--from", "2026-03-02", "--to", "2026-03-03", "--tz", "UTC")


def _load(tmp_path: Path, schedules: str) -> Path:
    home = tmp_path / "home"
    workspace_with_entity(home, "site")
    for kind, text in (("schedules", schedules), ("agent_states", STATES)):
        ingest_csv(home, tmp_path, kind, text, "site")
    return home


def _kpi(home: Path, metric: str) -> dict[str, object]:
    out = ok_json(invoke("kpi", "--entity", "site", "--metric", metric, "--grain", "month", *WINDOW, "--json",
                         home=home))  # fmt: skip
    (row,) = out["rows"]
    assert isinstance(row, dict)
    return row


def test_adherence_and_conformance_agree_between_the_commands(tmp_path: Path) -> None:
    """Hand calculation (tests/workforce/test_cli_adherence.py's fixture, activity `phone`, both days):
    a1 scheduled 180 min, adherent 105; a2 scheduled 120, adherent 30 + 60 = 90 -> 195 / 300 = 65 %.
    Conformance: worked a1 100 + a2 90 = 190 min over scheduled work 165 + 120 = 285 min."""
    home = _load(tmp_path, SCHEDULES)
    report = ok_json(invoke("adherence", "--entity", "site", *WINDOW, "--json", home=home))
    adherence = _kpi(home, "schedule_adherence")
    conformance = _kpi(home, "schedule_conformance")
    assert report["adherence"] == pytest.approx(195 / 300) == adherence["value"]
    assert (adherence["numerator"], adherence["denominator"]) == (195 * 60.0, 300 * 60.0)
    assert report["conformance"] == pytest.approx(190 / 285) == conformance["value"]
    assert report["unmapped_activities"] == []


def test_an_unmapped_activity_is_named_by_both(tmp_path: Path) -> None:
    """a1's 10:15-11:00 `phone` renamed `juggling`: 45 scheduled minutes neither command can judge. Both keep
    them scheduled and never adherent (a1 loses its 45 adherent minutes: 150 / 300) and name them."""
    home = _load(tmp_path, SCHEDULES.replace("a1,phone,2026-03-02T10:15:00Z", "a1,juggling,2026-03-02T10:15:00Z"))
    report = invoke("adherence", "--entity", "site", *WINDOW, "--json", home=home)
    assert report.returncode == 0, report.stderr
    assert "without a state mapping: juggling (0.8 h)" in report.stderr
    out = ok_json(invoke("kpi", "--entity", "site", "--metric", "schedule_adherence", "--grain", "month", *WINDOW,
                         "--json", home=home))  # fmt: skip
    (row,) = out["rows"]
    assert row["value"] == pytest.approx(150 / 300) == ok_json(report)["adherence"]
    steps = [s["conclusion"] for s in out["explanation"]["steps"]]
    assert any("without a state mapping" in s and "juggling (0.8 h)" in s for s in steps)


segments = st.lists(
    st.tuples(st.sampled_from(["a1", "a2"]), st.integers(0, 2880), st.integers(0, 1500)),  # start, length (min)
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None)
@given(
    sched=segments,
    states=segments,
    names=st.lists(st.sampled_from(["work", "break", "lunch", "talk", "available", "acw"]), min_size=24, max_size=24),
)
def test_the_kpi_and_the_report_agree_on_random_timelines(
    sched: list[tuple[str, int, int]], states: list[tuple[str, int, int]], names: list[str]
) -> None:
    """Segments over two days and across midnight, overlapping freely: the KPI's join by (agent, day), each
    overlap clipped to its day, adds up to the report's sweep (a window holding every segment)."""
    base = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)

    def rows(spec: list[tuple[str, int, int]], label: str, offset: int) -> list[dict[str, object]]:
        return [{"agent_id": a, label: names[(i + offset) % len(names)], "start": base + dt.timedelta(minutes=s),
                 "end": base + dt.timedelta(minutes=s + n)} for i, (a, s, n) in enumerate(spec)]  # fmt: skip

    s_rows, t_rows = rows(sched, "activity", 0), rows(states, "state", 7)
    no_states = pd.DataFrame(columns=["agent_id", "state", "start", "end"])
    report = adherence_report(pd.DataFrame(s_rows), pd.DataFrame(t_rows) if t_rows else no_states)
    t = tables(schedules=s_rows, agent_states=t_rows)
    result = compute("schedule_adherence", t, grain=MONTH, tz="UTC", start=dt.date(2026, 3, 1),
                     end=dt.date(2026, 3, 31))  # fmt: skip
    frame = result.to_pandas()
    numerator, denominator = float(frame["numerator"].sum()), float(frame["denominator"].sum())
    assert numerator == sum(a.adherent_s for a in report.agents)
    assert denominator == sum(a.scheduled_s for a in report.agents)
