"""One day's contacts: arrivals, waits and abandonment, handling, agents and customers, as numpy columns.

Everything is drawn queue by queue with one random stream per (day, queue, purpose), then the day is sorted by
arrival. Answered queued contacts go to an agent on the phone in the interval they arrived in (at random among
the program's worked shifts covering it); deferred ones to any agent of the program who worked that day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cxcert.canonical import CONTACTS
from cxcert.synth.arrivals import FloatArray, IntArray, arrival_instants
from cxcert.synth.calendar import US_PER_S
from cxcert.synth.handling import CustomerPool, draw_handle_times
from cxcert.synth.identifiers import constant, prefixed, timestamps
from cxcert.synth.plan import Plan
from cxcert.synth.queueing import draw_deferred_waits, draw_queued_waits
from cxcert.synth.random_streams import Stream, rng_for
from cxcert.synth.workforce_data import BoolArray, DayShifts

NO_AGENT = -1


@dataclass(frozen=True)
class DayContacts:
    """Columns of one day's contacts, sorted by arrival; ``agent`` is a global agent index or -1."""

    queue: IntArray
    program: IntArray
    arrived_us: IntArray
    abandoned: BoolArray
    wait_s: FloatArray
    talk_s: FloatArray
    hold_s: FloatArray
    acw_s: FloatArray
    agent: IntArray
    customer: IntArray
    repeat: BoolArray
    transferred: BoolArray

    @property
    def size(self) -> int:
        return int(self.queue.shape[0])

    @property
    def answered(self) -> BoolArray:
        return ~self.abandoned

    @property
    def handle_s(self) -> FloatArray:
        return self.talk_s + self.hold_s + self.acw_s

    @property
    def answered_us(self) -> IntArray:
        return self.arrived_us + np.round(self.wait_s * US_PER_S).astype(np.int64)

    @property
    def ended_us(self) -> IntArray:
        return self.answered_us + np.round(np.where(self.abandoned, 0.0, self.handle_s) * US_PER_S).astype(np.int64)


def _agents_by_interval(shifts: DayShifts, shares: FloatArray, per_day: int) -> tuple[IntArray, IntArray, IntArray]:
    """CSR of the agents on the phone in each interval: (agents, offsets, counts)."""
    present = ~shifts.absent
    starts, agents = shifts.start[present], shifts.agent[present]
    offsets_in_shift = np.flatnonzero(shares > 0)
    interval = (starts[:, None] + offsets_in_shift[None, :]).ravel()
    who = np.repeat(agents, offsets_in_shift.shape[0])
    keep = interval < per_day
    interval, who = interval[keep], who[keep]
    order = np.argsort(interval, kind="stable")
    counts = np.bincount(interval, minlength=per_day).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return who[order], offsets, counts


def draw_day(plan: Plan, day: int, pools: list[CustomerPool], seed: int) -> DayContacts:
    """All contacts of ``day`` (updates the customer pools with the day's customers)."""
    profile, calendar = plan.profile, plan.calendar
    per_day = profile.intervals_per_day
    month = int(calendar.month_index[day])
    parts: list[dict[str, np.ndarray]] = []
    by_interval = [_agents_by_interval(s, plan.shift_shares, per_day) for s in plan.shifts[day]]
    for q, (program, queue) in enumerate(profile.queues):
        k = profile.programs.index(program)
        arrived, interval = arrival_instants(
            plan.counts[day, :, q],
            calendar.interval_start_us[day],
            calendar.interval_s,
            rng_for(seed, Stream.ARRIVAL_TIMES, day, q),
        )
        n = arrived.shape[0]
        rng = rng_for(seed, Stream.QUEUEING, day, q)
        who, offsets, counts = by_interval[k]
        if queue.model == "queued":
            assert queue.patience is not None
            wait, abandoned = draw_queued_waits(
                plan.delay_probability[day, interval, q], plan.mean_delay_s[day, interval, q], queue.patience, rng
            )
            abandoned |= counts[interval] == 0  # nobody on the phone at all: the caller gives up
            pick = offsets[interval] + np.floor(rng.random(n) * np.maximum(counts[interval], 1)).astype(np.int64)
            agent = who[np.clip(pick, 0, who.shape[0] - 1)] if who.size else np.zeros(n, dtype=np.int64)
            agent = np.where(abandoned, NO_AGENT, agent)
        else:
            stretch = np.full(n, plan.deferred_stretch[day, q])
            wait = draw_deferred_waits(float(queue.response_mean_s or 0.0), queue.response_sigma, stretch, rng)
            worked = np.unique(who)
            abandoned = np.full(n, worked.shape[0] == 0)
            agent = worked[rng.integers(0, worked.shape[0], n)] if worked.size else np.full(n, NO_AGENT)
            agent = np.where(abandoned, NO_AGENT, agent)
        hrng = rng_for(seed, Stream.HANDLING, day, q)
        talk, hold, acw = draw_handle_times(queue.handle, program.monthly.at("aht", month), n, hrng)
        transfer_rate = min(1.0, queue.transfer_rate * program.monthly.at("transfers", month))
        transferred = hrng.random(n) < transfer_rate
        customer, repeat = pools[k].draw(n, queue.repeat_rate, rng_for(seed, Stream.CUSTOMERS, day, q))
        nan = np.where(abandoned, np.nan, 1.0)
        parts.append(
            {
                "queue": np.full(n, q, dtype=np.int64),
                "program": np.full(n, k, dtype=np.int64),
                "arrived_us": arrived,
                "abandoned": abandoned,
                "wait_s": wait,
                "talk_s": talk * nan,
                "hold_s": hold * nan,
                "acw_s": acw * nan,
                "agent": agent.astype(np.int64),
                "customer": customer,
                "repeat": repeat,
                "transferred": transferred & ~abandoned,
            }
        )
    columns = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    order = np.argsort(columns["arrived_us"], kind="stable")
    day_contacts = DayContacts(**{name: values[order] for name, values in columns.items()})
    for k, pool in enumerate(pools):
        pool.end_day(day_contacts.customer[day_contacts.program == k])
    return day_contacts


def contacts_batch(
    plan: Plan, contacts: DayContacts, first_number: int, agent_ids: pa.Array, entity_id: str, source: str
) -> pa.RecordBatch:
    """The canonical ``contacts`` rows of one day; contact ids count on from ``first_number``."""
    profile = plan.profile
    n = contacts.size
    answered = contacts.answered
    program_names = pa.array([p.id for p in profile.programs], type=pa.string())
    queue_names = pa.array([q.id for _, q in profile.queues], type=pa.string())
    channels = pa.array([q.channel for _, q in profile.queues], type=pa.string())
    queue_index = pa.array(contacts.queue)
    agent = pa.array(contacts.agent, mask=contacts.agent == NO_AGENT)
    outcome = np.where(contacts.abandoned, "abandoned", np.where(contacts.transferred, "transferred", "handled"))
    columns = [
        constant(entity_id, n),
        program_names.take(pa.array(contacts.program)),
        constant(source, n),
        prefixed("C", np.arange(first_number, first_number + n, dtype=np.int64), 10),
        queue_names.take(queue_index),
        channels.take(queue_index),
        constant("inbound", n),
        timestamps(contacts.arrived_us),
        timestamps(contacts.answered_us, mask=~answered),
        timestamps(contacts.ended_us),
        pa.array(contacts.abandoned, type=pa.bool_()),
        pa.array(contacts.wait_s, type=pa.float64()),
        pa.array(contacts.talk_s, type=pa.float64(), from_pandas=True),
        pa.array(contacts.hold_s, type=pa.float64(), from_pandas=True),
        pa.array(contacts.acw_s, type=pa.float64(), from_pandas=True),
        agent_ids.take(agent),
        prefixed("K", contacts.customer, 14),
        pa.array(contacts.transferred, type=pa.bool_(), mask=contacts.abandoned),
        pa.array(outcome, type=pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=CONTACTS)
