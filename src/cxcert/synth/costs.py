"""Costs per program and month: paid agent hours (every assigned shift) at the hourly cost, plus overhead.

The overhead is the profile's monthly figure at the profile's own volume, scaled with the run's volume so cost
per contact stays comparable whatever ``--contacts`` is.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cxcert.canonical import COSTS
from cxcert.synth.identifiers import constant
from cxcert.synth.plan import Plan


def costs_batch(plan: Plan, entity_id: str, source: str) -> pa.RecordBatch:
    """One row per (program, month) of the run."""
    profile, calendar = plan.profile, plan.calendar
    shift_hours = sum(b.minutes for b in profile.staffing.shift_pattern) / 60
    programs, starts, ends, amounts = [], [], [], []
    for m in range(calendar.n_months):
        days = np.flatnonzero(calendar.month_index == m)
        for k, program in enumerate(profile.programs):
            shifts = sum(plan.shifts[int(d)][k].agent.shape[0] for d in days)
            amount = shifts * shift_hours * profile.workforce.cost_per_hour
            amount += profile.workforce.overhead_per_month * plan.scale
            programs.append(program.id)
            starts.append(calendar.days[int(days[0])])
            ends.append(calendar.days[int(days[-1])])
            amounts.append(round(amount, 2))
    n = len(programs)
    return pa.RecordBatch.from_arrays(
        [
            constant(entity_id, n),
            pa.array(programs, type=pa.string()),
            constant(source, n),
            pa.array(starts, type=pa.date32()),
            pa.array(ends, type=pa.date32()),
            pa.array(amounts, type=pa.float64()),
            constant(profile.currency, n),
        ],
        schema=COSTS,
    )
