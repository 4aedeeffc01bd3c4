"""The roster and trainings tables, from the run's :class:`~cxcert.synth.workforce_data.Roster`."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from cxcert.canonical import ROSTER, TRAININGS
from cxcert.synth.identifiers import constant
from cxcert.synth.plan import Plan

JOB = "agent"
COURSE = "new_hire"


def _dates(start: dt.date, days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    epoch = (start - dt.date(1970, 1, 1)).days
    return pa.array((epoch + days).astype(np.int32), type=pa.int32(), mask=mask).cast(pa.date32())


def roster_batch(plan: Plan, agent_ids: pa.Array, entity_id: str, source: str) -> pa.RecordBatch:
    """One row per agent: program, team, hire date, exit date and whether the exit was voluntary."""
    roster, start = plan.roster, plan.calendar.days[0]
    n = roster.size
    names = [p.id for p in plan.profile.programs]
    teams = pa.array([f"{names[k]}-T{t + 1:02d}" for k, t in zip(roster.program, roster.team, strict=True)])
    left = roster.exit_day < plan.calendar.n_days
    return pa.RecordBatch.from_arrays(
        [
            constant(entity_id, n),
            pa.array(names).take(pa.array(roster.program)),
            constant(source, n),
            agent_ids,
            constant(JOB, n),
            teams,
            _dates(start, roster.hired_day),
            _dates(start, roster.exit_day, mask=~left),
            pa.array(roster.exit_voluntary, type=pa.bool_(), mask=~left),
        ],
        schema=ROSTER,
    )


def trainings_batch(plan: Plan, agent_ids: pa.Array, entity_id: str, source: str) -> pa.RecordBatch:
    """New-hire training of every agent (before or during the run), with the verification result."""
    roster, start = plan.roster, plan.calendar.days[0]
    rows = np.arange(roster.size)
    n = rows.shape[0]
    return pa.RecordBatch.from_arrays(
        [
            constant(entity_id, n),
            pa.array([p.id for p in plan.profile.programs]).take(pa.array(roster.program[rows])),
            constant(source, n),
            agent_ids.take(pa.array(rows)),
            constant(COURSE, n),
            _dates(start, roster.hired_day[rows]),
            _dates(start, roster.verified_day[rows]),
            pa.array(roster.passed[rows], type=pa.bool_()),
        ],
        schema=TRAININGS,
    )
