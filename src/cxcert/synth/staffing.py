"""Staffing: how many agents the planners wanted, and the shifts that cover them.

Queued work is staffed per interval by the square-root rule (Halfin-Whitt): ``n = a + beta * sqrt(a)`` agents
for an offered load of ``a`` Erlangs (forecast contacts x forecast AHT / concurrency / interval length), at least
``minimum_agents`` while the queue is open. Deferred work (email, back office) can wait, so its day's workload
divided by the target occupancy is spread evenly over the program's open intervals. Agents are skilled on every
queue of their program; the program's requirement is the sum over its queues, multiplied by the month's
``staffing`` factor of the story and grossed up for expected absence. Shifts (the profile's shift pattern) are
then laid greedily from the first interval on, each new shift starting where the coverage first falls short.
"""

from __future__ import annotations

import math

import numpy as np

from cxcert.synth.arrivals import FloatArray, IntArray
from cxcert.synth.calendar import Calendar
from cxcert.synth.forecasts import Forecast, open_intervals
from cxcert.synth.profile import CentreProfile


def phone_profile(profile: CentreProfile) -> FloatArray:
    """Expected share of each interval of a shift spent on the phone (length = shift length in intervals).

    Planners stagger breaks and lunches across agents, so on average an agent on shift is on the phone for the
    pattern's phone share of every interval of it; covering each break interval by itself would lay whole extra
    shifts for a quarter of an hour.
    """
    total = sum(b.minutes for b in profile.staffing.shift_pattern)
    phone = sum(b.minutes for b in profile.staffing.shift_pattern if b.activity == profile.staffing.phone_activity)
    shares: FloatArray = np.full(total // profile.interval_minutes, phone / total, dtype=np.float64)
    return shares


def required_agents(profile: CentreProfile, calendar: Calendar, forecast: Forecast) -> FloatArray:
    """Agents wanted on the phone per (day, interval, queue), before the story's staffing factor."""
    interval_s = calendar.interval_s
    is_open = open_intervals(profile)
    required = np.zeros_like(forecast.contacts)
    for q, (program, queue) in enumerate(profile.queues):
        load = forecast.contacts[:, :, q] * forecast.aht_s[:, q][:, None] / queue.concurrency / interval_s
        if queue.model == "queued":
            agents = load + profile.staffing.beta * np.sqrt(load)
            agents = np.where(is_open[:, q], np.maximum(np.ceil(agents), profile.staffing.minimum_agents), 0.0)
            required[:, :, q] = agents
        else:
            program_queued = [
                k for k, (p, other) in enumerate(profile.queues) if p.id == program.id and other.model == "queued"
            ]
            hours = np.asarray(is_open[:, program_queued].any(axis=1) if program_queued else is_open[:, q])
            work = load.sum(axis=1) / profile.staffing.deferred_occupancy
            required[:, :, q] = work[:, None] * hours[None, :] / hours.sum()
    return required


def program_targets(profile: CentreProfile, calendar: Calendar, required: FloatArray) -> FloatArray:
    """Agents to schedule on the phone per (program, day, interval): story factor and absence applied."""
    out = np.zeros((len(profile.programs), calendar.n_days, required.shape[1]), dtype=np.float64)
    queue_program = [profile.programs.index(p) for p, _ in profile.queues]
    absence = 1.0 - profile.workforce.absence_rate
    for k, program in enumerate(profile.programs):
        factor = np.array([program.monthly.at("staffing", int(m)) for m in calendar.month_index])
        members = [q for q, p in enumerate(queue_program) if p == k]
        out[k] = required[:, :, members].sum(axis=2) * factor[:, None] / absence
    return out


def cover(target: FloatArray, shares: FloatArray) -> IntArray:
    """Shift starts per interval of one day so that phone coverage meets ``target`` in every interval."""
    n, length = target.shape[0], shares.shape[0]
    last_start = n - length
    coverage = np.zeros(n, dtype=np.float64)
    starts = np.zeros(n, dtype=np.int64)
    for t in np.flatnonzero(target > 0):
        deficit = target[t] - coverage[t]
        if deficit <= 1e-9:
            continue
        s = min(int(t), last_start)
        while s > 0 and (t - s >= length or shares[t - s] <= 0):
            s -= 1
        if t - s >= length or shares[t - s] <= 0:
            continue  # no shift can cover this interval (only when shifts are longer than the day)
        k = math.ceil(deficit / shares[t - s] - 1e-9)
        starts[s] += k
        coverage[s : s + length] += k * shares
    return starts
