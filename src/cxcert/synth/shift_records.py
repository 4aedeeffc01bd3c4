"""One day's schedules, agent states and absences, from the day's shifts and the contacts agents handled.

Schedules hold every assigned shift block by block (absent agents were scheduled too). Agent states follow the
schedule for the agents who came in: each phone block starts a little late (exponential lateness, so schedule
adherence is below 100 %), then splits into ``talk``, ``hold``, ``acw`` and ``available`` in the proportions of
the agent's talk, hold and ACW seconds that day to their phone time, so occupancy in the states agrees with the
contacts at the level of an agent-day. Break and lunch blocks become states of the same name. Absences have one
row per assigned agent-day: scheduled seconds and absent seconds (all or nothing).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from cxcert.canonical import ABSENCES, AGENT_STATES, SCHEDULES
from cxcert.synth.arrivals import FloatArray, IntArray
from cxcert.synth.calendar import US_PER_S
from cxcert.synth.identifiers import constant, timestamps
from cxcert.synth.plan import Plan
from cxcert.synth.random_streams import Stream, rng_for
from cxcert.synth.workforce_data import DayShifts

WORK_STATES = ("talk", "hold", "acw")
AVAILABLE = "available"


def _blocks(plan: Plan) -> tuple[IntArray, IntArray, list[str]]:
    """Offset (us from shift start), length (us) and activity of each block of the shift pattern."""
    minutes = np.array([b.minutes for b in plan.profile.staffing.shift_pattern], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(minutes)[:-1]]) * 60 * US_PER_S
    return offsets, minutes * 60 * US_PER_S, [b.activity for b in plan.profile.staffing.shift_pattern]


def _day_shifts(plan: Plan, day: int) -> tuple[DayShifts, IntArray]:
    """All programs' shifts of the day in one, with the program index of each shift."""
    shifts = plan.shifts[day]
    program = np.concatenate([np.full(s.agent.shape[0], k, dtype=np.int64) for k, s in enumerate(shifts)])
    merged = DayShifts(
        agent=np.concatenate([s.agent for s in shifts]),
        start=np.concatenate([s.start for s in shifts]),
        absent=np.concatenate([s.absent for s in shifts]),
        planned=np.concatenate([s.planned for s in shifts]),
    )
    return merged, program


def _lineage(plan: Plan, program: IntArray, entity_id: str, source: str) -> list[pa.Array]:
    names = pa.array([p.id for p in plan.profile.programs], type=pa.string())
    return [constant(entity_id, program.shape[0]), names.take(pa.array(program)), constant(source, program.shape[0])]


def schedules_batch(plan: Plan, day: int, agent_ids: pa.Array, entity_id: str, source: str) -> pa.RecordBatch:
    """Every block of every shift assigned on ``day``."""
    shifts, program = _day_shifts(plan, day)
    offsets, lengths, activities = _blocks(plan)
    shift_start = plan.calendar.interval_start_us[day][shifts.start]
    start = (shift_start[:, None] + offsets[None, :]).ravel()
    end = start + np.tile(lengths, shifts.agent.shape[0])
    per_block = len(activities)
    program_rows = np.repeat(program, per_block)
    columns = [
        *_lineage(plan, program_rows, entity_id, source),
        agent_ids.take(pa.array(np.repeat(shifts.agent, per_block))),
        pa.array(activities, type=pa.string()).take(pa.array(np.tile(np.arange(per_block), shifts.agent.shape[0]))),
        timestamps(start),
        timestamps(end),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=SCHEDULES)


def agent_states_batch(
    plan: Plan, day: int, handled: FloatArray, agent_ids: pa.Array, entity_id: str, source: str, seed: int
) -> pa.RecordBatch:
    """States of the agents who worked on ``day``.

    ``handled`` is (agents, 3): talk, hold and ACW seconds per global agent index that day.
    """
    shifts, program = _day_shifts(plan, day)
    present = ~shifts.absent
    agents, program = shifts.agent[present], program[present]
    offsets, lengths, activities = _blocks(plan)
    phone = np.array([a == plan.profile.staffing.phone_activity for a in activities])
    rng = rng_for(seed, Stream.STATES, day)
    n, b, k = agents.shape[0], len(activities), len(WORK_STATES) + 1
    block_start = plan.calendar.interval_start_us[day][shifts.start[present]][:, None] + offsets[None, :]
    late = rng.exponential(plan.profile.staffing.late_login_mean_s * US_PER_S, (n, b)).astype(np.int64)
    late = np.where(phone[None, :], np.minimum(late, lengths[None, :] // 2), 0)
    begin = block_start + late
    end = block_start + lengths[None, :]
    phone_time = ((end - begin) * phone[None, :]).sum(axis=1).astype(np.float64) / US_PER_S
    work = handled[agents]  # (n, 3)
    busy = work.sum(axis=1)
    scale = np.divide(np.minimum(busy, phone_time), busy, out=np.zeros(n), where=busy > 0)
    shares = np.divide(
        work * scale[:, None], phone_time[:, None], out=np.zeros_like(work), where=phone_time[:, None] > 0
    )
    # Each phone block splits into talk, hold, ACW (the agent's shares of the day) then available; other blocks
    # are one state named after the activity. Cut points per block: (n, b, k + 1).
    cumulative = np.concatenate([np.zeros((n, 1)), np.cumsum(shares, axis=1), np.ones((n, 1))], axis=1)
    cumulative = np.where(phone[None, :, None], cumulative[:, None, :], np.array([0.0] + [1.0] * k)[None, None, :])
    cuts = begin[:, :, None] + ((end - begin)[:, :, None] * cumulative).astype(np.int64)
    starts, ends = cuts[:, :, :-1].reshape(n, b * k), cuts[:, :, 1:].reshape(n, b * k)
    per_block = [(*WORK_STATES, AVAILABLE) if p else (a,) * k for a, p in zip(activities, phone, strict=True)]
    names = pa.array([name for block in per_block for name in block])
    state = np.tile(np.arange(b * k), n)
    rows = np.repeat(agents, b * k)
    keep = (ends > starts).ravel()
    columns = [
        *_lineage(plan, np.repeat(program, b * k)[keep], entity_id, source),
        agent_ids.take(pa.array(rows[keep])),
        names.take(pa.array(state[keep])),
        timestamps(starts.ravel()[keep]),
        timestamps(ends.ravel()[keep]),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=AGENT_STATES)


def absences_batch(plan: Plan, day: int, agent_ids: pa.Array, entity_id: str, source: str) -> pa.RecordBatch:
    """One row per agent scheduled on ``day``: scheduled and absent seconds."""
    shifts, program = _day_shifts(plan, day)
    scheduled = float(sum(b.minutes for b in plan.profile.staffing.shift_pattern) * 60)
    n = shifts.agent.shape[0]
    date: dt.date = plan.calendar.days[day]
    columns = [
        *_lineage(plan, program, entity_id, source),
        agent_ids.take(pa.array(shifts.agent)),
        pa.array([date] * n, type=pa.date32()),
        pa.array(np.full(n, scheduled), type=pa.float64()),
        pa.array(np.where(shifts.absent, scheduled, 0.0), type=pa.float64()),
        pa.array(shifts.planned, type=pa.bool_()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=ABSENCES)
