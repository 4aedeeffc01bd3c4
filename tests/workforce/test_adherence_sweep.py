"""The sorted sweep gives exactly what the former all-pairs merge gave (every schedule segment against every state
of the same agent, overlaps clipped at 0): on the hand-checked fixtures and on random timelines, overlapping
segments included. The oracle is that former implementation, kept here verbatim in its arithmetic."""

from __future__ import annotations

import io

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.workforce.adherence import AdherenceReport, adherence_report, default_state_mapping

from .test_cli_adherence import SCHEDULES, STATES


def _reference(schedules: pd.DataFrame, agent_states: pd.DataFrame) -> dict[str, tuple[float, float, float, float]]:
    """The all-pairs computation cxcert used before the sweep: (scheduled, adherent, scheduled work, worked)."""
    rules = default_state_mapping()
    sched = schedules.copy()
    states = agent_states.copy()
    for frame in (sched, states):
        frame["start"] = pd.to_datetime(frame["start"], utc=True)
        frame["end"] = pd.to_datetime(frame["end"], utc=True)
    sched["dur"] = (sched["end"] - sched["start"]).dt.total_seconds()
    sched["work"] = sched["activity"].map({k: v.work for k, v in rules.activities.items()}).astype(bool)
    allowed = pd.DataFrame(list(rules.allowed_pairs()), columns=["activity", "state"])
    pairs = sched.reset_index(names="seg").merge(states, on="agent_id", suffixes=("", "_st"))
    pairs = pairs.merge(allowed.assign(match=True), on=["activity", "state"], how="left")
    ends = pairs[["end", "end_st"]].min(axis=1)
    starts = pairs[["start", "start_st"]].max(axis=1)
    pairs["overlap"] = (ends - starts).dt.total_seconds().clip(lower=0.0)
    matched = pairs[pairs["match"].fillna(False).astype(bool)]
    states["dur"] = (states["end"] - states["start"]).dt.total_seconds()
    working = states[states["state"].isin(rules.working_states)]
    out = {}
    for agent, rows in sched.groupby("agent_id"):
        out[str(agent)] = (
            float(rows["dur"].sum()),
            float(matched.loc[matched["agent_id"] == agent, "overlap"].sum()),
            float(rows["dur"].where(rows["work"], 0.0).sum()),
            float(working.loc[working["agent_id"] == agent, "dur"].sum()),
        )
    return out


def _totals(report: AdherenceReport) -> dict[str, tuple[float, float, float, float]]:
    return {a.agent_id: (a.scheduled_s, a.adherent_s, a.scheduled_work_s, a.worked_s) for a in report.agents}


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def test_identical_on_the_cli_fixture_and_the_hand_checked_day() -> None:
    sched, states = _csv(SCHEDULES), _csv(STATES)
    assert _totals(adherence_report(sched, states)) == _reference(sched, states)
    # tests/workforce/test_adherence.py's day, shifted by a state that overlaps two schedule segments
    day = pd.DataFrame({"agent_id": ["a1"] * 3, "activity": ["phone", "break", "phone"],
                        "start": ["2026-01-05T09:00Z", "2026-01-05T11:00Z", "2026-01-05T11:15Z"],
                        "end": ["2026-01-05T11:00Z", "2026-01-05T11:15Z", "2026-01-05T12:00Z"]})  # fmt: skip
    day_states = pd.DataFrame({"agent_id": ["a1"] * 4, "state": ["available", "talk", "break", "acw"],
                               "start": ["2026-01-05T09:05Z", "2026-01-05T10:00Z", "2026-01-05T11:05Z",
                                         "2026-01-05T11:20Z"],
                               "end": ["2026-01-05T10:00Z", "2026-01-05T11:05Z", "2026-01-05T11:20Z",
                                       "2026-01-05T12:00Z"]})  # fmt: skip
    assert _totals(adherence_report(day, day_states)) == _reference(day, day_states)
    assert adherence_report(day, day_states).agents[0].adherent_s == 165 * 60


BASE = pd.Timestamp("2026-03-02", tz="UTC")
segments = st.lists(
    st.tuples(
        st.sampled_from(["a1", "a2", "a3"]),
        st.integers(0, 600),  # start, minutes after BASE
        st.integers(0, 240),  # length, minutes (0: an empty segment)
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(
    sched=segments.filter(bool),
    states=segments,
    activities=st.lists(st.sampled_from(["work", "phone", "break", "lunch", "training"]), min_size=25, max_size=25),
    state_names=st.lists(st.sampled_from(["talk", "available", "break", "lunch", "acw", "training"]),
                         min_size=25, max_size=25),
)  # fmt: skip
def test_identical_on_random_overlapping_timelines(
    sched: list[tuple[str, int, int]],
    states: list[tuple[str, int, int]],
    activities: list[str],
    state_names: list[str],
) -> None:
    def frame(rows: list[tuple[str, int, int]], label: str, names: list[str]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "agent_id": [r[0] for r in rows],
                label: names[: len(rows)],
                "start": [BASE + pd.Timedelta(minutes=r[1]) for r in rows],
                "end": [BASE + pd.Timedelta(minutes=r[1] + r[2]) for r in rows],
            }
        )

    s, t = frame(sched, "activity", activities), frame(states, "state", state_names)
    got, want = _totals(adherence_report(s, t)), _reference(s, t)
    assert got.keys() == want.keys()
    for agent, values in want.items():
        assert got[agent] == values, agent  # whole minutes: the sums are exact in both
