"""Schedule adherence and conformance from schedules and agent states.

- adherence = time spent in a state that the scheduled activity allows (overlap of the two timelines) /
  scheduled time, over every scheduled activity;
- conformance = time in working states (wherever it falls) / time scheduled in working activities.
Which states match which activity, and which count as work, is data (``data/adherence_states.yaml``), the one
mapping that the KPI catalogue's schedule_adherence and schedule_conformance read too. A scheduled activity the
mapping does not name is reported (:attr:`AdherenceReport.unmapped`): its time counts as scheduled, never as
adherent, and not as scheduled work.

Overlaps come from a sorted sweep per agent: with an agent's states sorted by start, the states that can overlap
a schedule segment are a contiguous run (from the first whose running maximum end passes the segment's start to
the last starting before its end), found by binary search; so the work grows with the segments, not with their
product over the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.yaml_source import load_packaged

_NS_PER_S = 1_000_000_000
Ints = npt.NDArray[np.int64]


class ActivityRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    allowed_states: tuple[str, ...] = Field(min_length=1)
    work: bool


class StateMapping(BaseModel):
    """Activity → allowed states, and the states that count as working."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    effective_from: dt.date
    source: str = Field(min_length=1)
    activities: dict[str, ActivityRule] = Field(min_length=1)
    working_states: tuple[str, ...] = Field(min_length=1)

    def allowed_pairs(self) -> tuple[tuple[str, str], ...]:
        """Every (activity, state) pair that is adherent."""
        return tuple((act, st) for act, rule in self.activities.items() for st in rule.allowed_states)

    def work_activities(self) -> tuple[str, ...]:
        return tuple(act for act, rule in self.activities.items() if rule.work)


@lru_cache(maxsize=1)
def default_state_mapping() -> StateMapping:
    """The packaged mapping (``data/adherence_states.yaml``)."""
    return load_packaged("cxcert.workforce", "adherence_states.yaml", StateMapping)


@dataclass(frozen=True)
class AgentAdherence:
    """Adherence and conformance of one agent (``None`` where nothing was scheduled)."""

    agent_id: str
    scheduled_s: float
    adherent_s: float
    scheduled_work_s: float
    worked_s: float
    adherence: float | None
    conformance: float | None


@dataclass(frozen=True)
class UnmappedActivity:
    """A scheduled activity the state mapping does not name, and its scheduled seconds."""

    activity: str
    scheduled_s: float


@dataclass(frozen=True)
class AdherenceReport:
    """Per agent and overall, with the explanation of the overall figures."""

    agents: tuple[AgentAdherence, ...]
    adherence: float | None
    conformance: float | None
    explanation: Explanation
    unmapped: tuple[UnmappedActivity, ...] = ()


_COLUMNS = {
    "schedules": ("agent_id", "activity", "start", "end"),
    "agent_states": ("agent_id", "state", "start", "end"),
}


def _checked(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The table's columns with start and end as int64 UTC nanoseconds (naive times are taken as UTC)."""
    missing = [c for c in _COLUMNS[name] if c not in frame.columns]
    if missing:
        raise CxcertError(f"{name} needs columns {', '.join(missing)}")
    out = frame.loc[:, list(_COLUMNS[name])].copy()
    for column in ("start", "end"):
        moments = pd.to_datetime(out[column], utc=True).dt.tz_localize(None).astype("datetime64[ns]")
        out[column] = moments.to_numpy().view(np.int64)
    backwards = (out["end"] < out["start"]).to_numpy()
    if backwards.any():
        raise CxcertError(f"{name} row {int(np.flatnonzero(backwards)[0]) + 1}: end is before start")
    out["agent_id"] = out["agent_id"].astype(str)
    return out


def _per_agent(agents: pd.Series, nanoseconds: Ints) -> dict[str, int]:
    """Σ nanoseconds per agent id (integers: exact, whatever the order)."""
    totals = pd.Series(nanoseconds, index=agents.to_numpy()).groupby(level=0).sum()
    return {str(k): int(v) for k, v in totals.items()}


def _adherent_ns(sched: pd.DataFrame, states: pd.DataFrame, rules: StateMapping) -> dict[str, int]:
    """Σ overlap of each schedule segment with the states its activity allows, per agent (a sorted sweep)."""
    activities = pd.Index(list(rules.activities))
    state_names = pd.Index(sorted({st for _, st in rules.allowed_pairs()}))
    allowed = np.zeros((len(activities) + 1, len(state_names) + 1), dtype=bool)  # last row/column: unmapped
    for act, st in rules.allowed_pairs():
        allowed[activities.get_loc(act), state_names.get_loc(st)] = True
    act_code = activities.get_indexer(pd.Index(sched["activity"]))
    act_code[act_code < 0] = len(activities)
    st_code = state_names.get_indexer(pd.Index(states["state"]))
    st_code[st_code < 0] = len(state_names)
    order = states.reset_index(drop=True).sort_values(["agent_id", "start"], kind="stable").index.to_numpy()
    st_agent = states["agent_id"].to_numpy()[order]
    st_start, st_end, st_code = states["start"].to_numpy()[order], states["end"].to_numpy()[order], st_code[order]
    totals: dict[str, int] = {}
    for agent, rows in sched.groupby("agent_id", sort=True).indices.items():
        first, last = np.searchsorted(st_agent, str(agent), "left"), np.searchsorted(st_agent, str(agent), "right")
        if first == last:
            continue
        starts, ends = st_start[first:last], st_end[first:last]
        reach = np.maximum.accumulate(ends)  # running max end: states before `lo` all end by the segment start
        s_start, s_end = sched["start"].to_numpy()[rows], sched["end"].to_numpy()[rows]
        lo = np.searchsorted(reach, s_start, "right")
        hi = np.searchsorted(starts, s_end, "left")
        counts = np.maximum(hi - lo, 0)
        if not counts.any():
            continue
        seg = np.repeat(np.arange(len(rows)), counts)
        state = np.repeat(lo, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
        overlap = np.minimum(s_end[seg], ends[state]) - np.maximum(s_start[seg], starts[state])
        match = allowed[act_code[rows][seg], st_code[first:last][state]]
        totals[str(agent)] = int(np.clip(overlap, 0, None)[match].sum())
    return totals


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def adherence_report(
    schedules: pd.DataFrame, agent_states: pd.DataFrame, mapping: StateMapping | None = None
) -> AdherenceReport:
    """Adherence and conformance of every scheduled agent."""
    rules = mapping or default_state_mapping()
    sched = _checked(schedules, "schedules")
    states = _checked(agent_states, "agent_states")
    duration = (sched["end"] - sched["start"]).to_numpy()
    is_work = sched["activity"].isin(rules.work_activities()).to_numpy()
    known = sched["activity"].isin(list(rules.activities)).to_numpy()
    unmapped_ns = pd.Series(duration[~known], index=sched["activity"].astype(str).to_numpy()[~known])
    unmapped = tuple(
        UnmappedActivity(str(act), int(ns) / _NS_PER_S) for act, ns in unmapped_ns.groupby(level=0).sum().items()
    )
    adherent = _adherent_ns(sched, states, rules)
    working = states["state"].isin(rules.working_states).to_numpy()
    worked = _per_agent(states["agent_id"][working], (states["end"] - states["start"]).to_numpy()[working])
    scheduled = _per_agent(sched["agent_id"], duration)
    scheduled_work = _per_agent(sched["agent_id"], np.where(is_work, duration, 0))
    agents = tuple(
        AgentAdherence(
            agent_id=agent,
            scheduled_s=scheduled[agent] / _NS_PER_S,
            adherent_s=adherent.get(agent, 0) / _NS_PER_S,
            scheduled_work_s=scheduled_work[agent] / _NS_PER_S,
            worked_s=worked.get(agent, 0) / _NS_PER_S,
            adherence=_ratio(adherent.get(agent, 0), scheduled[agent]),
            conformance=_ratio(worked.get(agent, 0), scheduled_work[agent]),
        )
        for agent in sorted(scheduled)
    )
    tot_sched = sum(a.scheduled_s for a in agents)
    tot_adh = sum(a.adherent_s for a in agents)
    tot_work_sched = sum(a.scheduled_work_s for a in agents)
    tot_worked = sum(a.worked_s for a in agents)
    adh, conf = _ratio(tot_adh, tot_sched), _ratio(tot_worked, tot_work_sched)
    return AdherenceReport(agents, adh, conf, _explain(adh, conf, len(agents), totals=(tot_adh, tot_sched,
                           tot_worked, tot_work_sched), unmapped=unmapped), unmapped)  # fmt: skip


def _pct(x: float | None) -> str:
    return "undefined" if x is None else f"{100 * x:.1f} %"


def unmapped_note(unmapped: tuple[UnmappedActivity, ...]) -> str:
    """One line naming the activities the mapping lacks (for explanations and warnings)."""
    listed = ", ".join(f"{u.activity} ({u.scheduled_s / 3600:,.1f} h)" for u in unmapped)
    return (
        f"scheduled activities without a state mapping: {listed}; counted as scheduled, never as adherent "
        "(add them to workforce/data/adherence_states.yaml)"
    )


def _explain(
    adh: float | None,
    conf: float | None,
    agents: int,
    *,
    totals: tuple[float, float, float, float],
    unmapped: tuple[UnmappedActivity, ...],
) -> Explanation:
    tot_adh, tot_sched, tot_worked, tot_work_sched = totals
    expl = (
        Explanation(f"adherence {_pct(adh)}, conformance {_pct(conf)} over {agents} agents")
        .with_step(
            "adherence = time in a state the scheduled activity allows / scheduled time",
            _pct(adh),
            adherent_s=tot_adh,
            scheduled_s=tot_sched,
        )
        .with_step(
            "conformance = time in working states / time scheduled to work",
            _pct(conf),
            worked_s=tot_worked,
            scheduled_work_s=tot_work_sched,
        )
    )
    if unmapped:
        expl = expl.with_step(
            "unmapped activities", unmapped_note(unmapped), **{u.activity: u.scheduled_s for u in unmapped}
        )
    return expl
