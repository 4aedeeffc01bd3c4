"""Schedule adherence and conformance from schedules and agent states.

- adherence = time spent in a state that the scheduled activity allows (overlap of the two timelines) /
  scheduled time, over every scheduled activity;
- conformance = time in working states (wherever it falls) / time scheduled in working activities.
Which states match which activity, and which count as work, is data (``data/adherence_states.yaml``).
Overlaps are computed vectorised: schedule and state segments of the same agent are joined and clipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.yaml_source import load_packaged


class ActivityRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    allowed_states: tuple[str, ...] = Field(min_length=1)
    work: bool


class StateMapping(BaseModel):
    """Activity → allowed states, and the states that count as working."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    effective_from: dt.date
    source: str = Field(min_length=1)
    activities: dict[str, ActivityRule]
    working_states: tuple[str, ...]


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
class AdherenceReport:
    """Per agent and overall, with the explanation of the overall figures."""

    agents: tuple[AgentAdherence, ...]
    adherence: float | None
    conformance: float | None
    explanation: Explanation


_COLUMNS = {
    "schedules": ("agent_id", "activity", "start", "end"),
    "agent_states": ("agent_id", "state", "start", "end"),
}


def _checked(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [c for c in _COLUMNS[name] if c not in frame.columns]
    if missing:
        raise CxcertError(f"{name} needs columns {', '.join(missing)}")
    out = frame.loc[:, list(_COLUMNS[name])].copy()
    out["start"] = pd.to_datetime(out["start"])
    out["end"] = pd.to_datetime(out["end"])
    if (out["end"] < out["start"]).any():
        row = int(np.flatnonzero((out["end"] < out["start"]).to_numpy())[0])
        raise CxcertError(f"{name} row {row + 1}: end is before start")
    return out


def _sums(keys: pd.Series, values: pd.Series) -> dict[str, float]:
    """Σ values per key, as plain floats keyed by the agent id as text."""
    total: dict[str, float] = {}
    for k, v in zip(keys.astype(str).to_numpy(), values.to_numpy(dtype=np.float64), strict=True):
        total[str(k)] = total.get(str(k), 0.0) + float(v)
    return total


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def adherence_report(
    schedules: pd.DataFrame, agent_states: pd.DataFrame, mapping: StateMapping | None = None
) -> AdherenceReport:
    """Adherence and conformance of every scheduled agent."""
    rules = mapping or default_state_mapping()
    sched = _checked(schedules, "schedules")
    states = _checked(agent_states, "agent_states")
    unknown = sorted(set(sched["activity"]) - set(rules.activities))
    if unknown:
        raise CxcertError(f"activities without a state mapping: {', '.join(map(str, unknown))}")
    sched["dur"] = (sched["end"] - sched["start"]).dt.total_seconds()
    sched["work"] = sched["activity"].map({k: v.work for k, v in rules.activities.items()}).astype(bool)
    allowed = pd.DataFrame(
        [(act, st) for act, rule in rules.activities.items() for st in rule.allowed_states],
        columns=["activity", "state"],
    )
    pairs = sched.reset_index(names="seg").merge(states, on="agent_id", suffixes=("", "_st"))
    pairs = pairs.merge(allowed.assign(match=True), on=["activity", "state"], how="left")
    ends = pairs[["end", "end_st"]].min(axis=1)
    starts = pairs[["start", "start_st"]].max(axis=1)
    pairs["overlap"] = (ends - starts).dt.total_seconds().clip(lower=0.0)
    matched = pairs[pairs["match"].fillna(False).astype(bool)]
    adherent = _sums(matched["agent_id"], matched["overlap"])
    states["dur"] = (states["end"] - states["start"]).dt.total_seconds()
    working = states[states["state"].isin(rules.working_states)]
    worked = _sums(working["agent_id"], working["dur"])
    scheduled = _sums(sched["agent_id"], sched["dur"])
    scheduled_work = _sums(sched["agent_id"], sched["dur"].where(sched["work"], 0.0))
    agents = tuple(
        AgentAdherence(
            agent_id=agent,
            scheduled_s=scheduled[agent],
            adherent_s=adherent.get(agent, 0.0),
            scheduled_work_s=scheduled_work[agent],
            worked_s=worked.get(agent, 0.0),
            adherence=_ratio(adherent.get(agent, 0.0), scheduled[agent]),
            conformance=_ratio(worked.get(agent, 0.0), scheduled_work[agent]),
        )
        for agent in sorted(scheduled)
    )
    tot_sched = sum(a.scheduled_s for a in agents)
    tot_adh = sum(a.adherent_s for a in agents)
    tot_work_sched = sum(a.scheduled_work_s for a in agents)
    tot_worked = sum(a.worked_s for a in agents)
    adh, conf = _ratio(tot_adh, tot_sched), _ratio(tot_worked, tot_work_sched)

    def pct(x: float | None) -> str:
        return "undefined" if x is None else f"{100 * x:.1f} %"

    expl = (
        Explanation(f"adherence {pct(adh)}, conformance {pct(conf)} over {len(agents)} agents")
        .with_step(
            "adherence = time in a state the scheduled activity allows / scheduled time",
            pct(adh),
            adherent_s=tot_adh,
            scheduled_s=tot_sched,
        )
        .with_step(
            "conformance = time in working states / time scheduled to work",
            pct(conf),
            worked_s=tot_worked,
            scheduled_work_s=tot_work_sched,
        )
    )
    return AdherenceReport(agents, adh, conf, expl)
