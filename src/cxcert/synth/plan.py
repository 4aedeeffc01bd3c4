"""The run's plan: every interval-level quantity, computed once before contacts are drawn.

Interval-level arrays are small (days x intervals x queues, about 90 thousand numbers a year for five queues)
whatever the volume, so the whole year is planned up front: true rates and realised counts, the forecast, the
agents required, the shifts laid and worked, the roster, the agents actually on the phone and the resulting
queue states. The contact-level work that follows (:mod:`cxcert.synth.generate`) streams day by day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from cxcert.synth.arrivals import FloatArray, IntArray, draw_counts, expected_rates, volume_scale
from cxcert.synth.calendar import Calendar, build_calendar
from cxcert.synth.forecasts import Forecast, make_forecast
from cxcert.synth.profile import CentreProfile
from cxcert.synth.queueing import queue_state
from cxcert.synth.staffing import cover, phone_profile, program_targets, required_agents
from cxcert.synth.workforce_data import DayShifts, Roster, assign_shifts, build_roster, headcount_targets


@dataclass(frozen=True)
class Plan:
    profile: CentreProfile
    calendar: Calendar
    scale: float
    rates: FloatArray  # (D, I, Q) expected contacts
    counts: IntArray  # (D, I, Q) realised contacts
    forecast: Forecast
    required: FloatArray  # (D, I, Q) agents required on the phone (before the story's factor)
    shift_shares: FloatArray  # (L,) phone share of each interval of a shift
    roster: Roster
    shifts: tuple[tuple[DayShifts, ...], ...]  # [day][program]
    agents: FloatArray  # (D, I, Q) agents actually on the phone for each queue
    delay_probability: FloatArray  # (D, I, Q) queued queues only
    mean_delay_s: FloatArray  # (D, I, Q)
    deferred_stretch: FloatArray  # (D, Q) required / worked agent time of deferred queues (1 = as planned)

    @property
    def queue_program(self) -> IntArray:
        return np.array([self.profile.programs.index(p) for p, _ in self.profile.queues], dtype=np.int64)


def build_plan(
    profile: CentreProfile, *, months: int, contacts: int | None, seed: int, last_day: dt.date | None = None
) -> Plan:
    """Plan a run of ``months`` months (about ``contacts`` contacts when given) under ``seed``, stopping after
    ``last_day`` when given."""
    calendar = build_calendar(profile, months, last_day)
    scale = volume_scale(profile, calendar, contacts)
    rates = expected_rates(profile, calendar, scale)
    counts = draw_counts(rates, seed)
    forecast = make_forecast(profile, calendar, rates, seed)
    required = required_agents(profile, calendar, forecast)
    targets = program_targets(profile, calendar, required)
    shares = phone_profile(profile)
    n_programs, n_days = len(profile.programs), calendar.n_days
    starts = np.stack([np.stack([cover(targets[k, d], shares) for d in range(n_days)]) for k in range(n_programs)])
    roster = build_roster(profile, calendar, headcount_targets(profile, calendar, starts.sum(axis=2)), seed)
    shifts = tuple(
        tuple(assign_shifts(profile, calendar, roster, k, d, starts[k, d], seed) for k in range(n_programs))
        for d in range(n_days)
    )
    per_day = profile.intervals_per_day
    queue_program = np.array([profile.programs.index(p) for p, _ in profile.queues], dtype=np.int64)
    agents = np.zeros_like(rates)
    for d in range(n_days):
        for k in range(n_programs):
            worked = shifts[d][k]
            present = np.bincount(worked.start[~worked.absent], minlength=per_day)
            on_phone = np.convolve(present, shares)[:per_day]
            members = np.flatnonzero(queue_program == k)
            wanted = required[d][:, members]
            total = wanted.sum(axis=1, keepdims=True)
            split = np.divide(wanted, total, out=np.zeros_like(wanted), where=total > 0)
            agents[d][:, members] = on_phone[:, None] * split
    delay = np.zeros_like(rates)
    mean_delay = np.zeros_like(rates)
    stretch = np.ones((n_days, len(profile.queues)), dtype=np.float64)
    for q, (_, queue) in enumerate(profile.queues):
        if queue.model == "queued":
            assert queue.patience is not None
            state = queue_state(
                counts[:, :, q].astype(np.float64),
                np.floor(agents[:, :, q] + 0.5).astype(np.int64),
                forecast.true_aht_s[:, q][:, None],
                queue.concurrency,
                float(calendar.interval_s),
                queue.patience,
            )
            delay[:, :, q], mean_delay[:, :, q] = state.delay_probability, state.mean_delay_s
        else:
            wanted_time = required[:, :, q].sum(axis=1)
            worked_time = agents[:, :, q].sum(axis=1)
            ratio = np.divide(wanted_time, worked_time, out=np.full(n_days, 5.0), where=worked_time > 0)
            stretch[:, q] = np.clip(ratio, 0.5, 5.0)
    return Plan(
        profile=profile,
        calendar=calendar,
        scale=scale,
        rates=rates,
        counts=counts,
        forecast=forecast,
        required=required,
        shift_shares=shares,
        roster=roster,
        shifts=shifts,
        agents=agents,
        delay_probability=delay,
        mean_delay_s=mean_delay,
        deferred_stretch=stretch,
    )
