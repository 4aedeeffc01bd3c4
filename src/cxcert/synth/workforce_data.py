"""People: the roster (hires, training, exits) and who works which shift each day, and who is absent.

Each program has its own agents. Headcount per month is the busiest day's shifts grossed up for days off and
the profile's buffer. Every month each agent leaves with the attrition probability (voluntarily or not); new
hires start ``training_days`` before the month they are needed and take contacts only once verified (some fail
verification and leave on that day). Each agent has ``days_off_per_week`` consecutive days off (staggered by
agent). Each day, the shifts laid by :mod:`cxcert.synth.staffing` go to available agents at random; when there
are fewer agents than shifts the extra shifts are left unfilled. An assigned agent is absent with the absence
rate (planned or not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxcert.synth.arrivals import IntArray
from cxcert.synth.calendar import Calendar
from cxcert.synth.profile import CentreProfile
from cxcert.synth.random_streams import Stream, rng_for

BoolArray = npt.NDArray[np.bool_]
NEVER = 10**9
"""Exit day of an agent who does not leave within the run."""


@dataclass(frozen=True)
class Roster:
    """Every agent of the run, by global agent index (day numbers count from the run's first day)."""

    program: IntArray
    team: IntArray
    hired_day: IntArray
    verified_day: IntArray
    exit_day: IntArray
    exit_voluntary: BoolArray
    trained_in_run: BoolArray
    passed: BoolArray

    @property
    def size(self) -> int:
        return int(self.program.shape[0])


@dataclass(frozen=True)
class DayShifts:
    """The shifts of one day of one program."""

    agent: IntArray
    start: IntArray  # interval index of the shift start
    absent: BoolArray
    planned: BoolArray


def headcount_targets(profile: CentreProfile, calendar: Calendar, shifts_per_day: IntArray) -> IntArray:
    """Agents wanted per (program, month): the month's busiest day grossed up for days off and the buffer."""
    workforce = profile.workforce
    working_share = (7 - workforce.days_off_per_week) / 7
    targets = np.zeros((shifts_per_day.shape[0], calendar.n_months), dtype=np.int64)
    for m in range(calendar.n_months):
        busiest = shifts_per_day[:, calendar.month_index == m].max(axis=1)
        targets[:, m] = np.ceil(busiest / working_share * workforce.headcount_buffer)
    return targets


def build_roster(profile: CentreProfile, calendar: Calendar, targets: IntArray, seed: int) -> Roster:
    """Initial agents, then monthly exits and hires to meet each month's headcount target."""
    workforce = profile.workforce
    rng = rng_for(seed, Stream.ROSTER)
    month_first = [int(np.flatnonzero(calendar.month_index == m)[0]) for m in range(calendar.n_months)]
    month_last = [int(np.flatnonzero(calendar.month_index == m)[-1]) for m in range(calendar.n_months)]
    cols: dict[str, list[int]] = {k: [] for k in ("program", "hired", "verified", "exit", "voluntary", "run", "pass")}

    def add(program: int, hired: int, verified: int, exit_day: int, voluntary: bool, in_run: bool, ok: bool) -> None:
        for key, value in zip(cols, (program, hired, verified, exit_day, voluntary, in_run, ok), strict=True):
            cols[key].append(int(value))

    for k in range(len(profile.programs)):
        for _ in range(int(targets[k, 0])):
            hired = -int(rng.integers(workforce.training_days + 1, 3 * 365))
            add(k, hired, hired + workforce.training_days, NEVER, False, False, True)
    for m in range(calendar.n_months):
        first, last = month_first[m], month_last[m]
        program = np.array(cols["program"])
        exit_day = np.array(cols["exit"])
        verified_day = np.array(cols["verified"])
        at_work = (exit_day > first) & (verified_day <= first)
        leaving = at_work & (rng.random(program.shape[0]) < workforce.attrition_monthly)
        for i in np.flatnonzero(leaving):
            cols["exit"][i] = int(rng.integers(first, last + 1))
            cols["voluntary"][i] = int(rng.random() < workforce.voluntary_share)
        if m + 1 >= calendar.n_months:
            break
        start_next = month_first[m + 1]
        exit_day = np.array(cols["exit"])
        for k in range(len(profile.programs)):
            staying = int(((program == k) & (exit_day > start_next)).sum())
            gap = int(targets[k, m + 1]) - staying
            for _ in range(max(0, math.ceil(gap / max(workforce.verification_pass_rate, 1e-9)))):
                verified = start_next
                passed = bool(rng.random() < workforce.verification_pass_rate)
                add(k, verified - workforce.training_days, verified, NEVER if passed else verified, False, True, passed)
    program = np.array(cols["program"], dtype=np.int64)
    team = np.zeros_like(program)
    for k in range(len(profile.programs)):
        members = np.flatnonzero(program == k)
        team[members] = np.arange(members.shape[0]) // workforce.team_size
    return Roster(
        program=program,
        team=team,
        hired_day=np.array(cols["hired"], dtype=np.int64),
        verified_day=np.array(cols["verified"], dtype=np.int64),
        exit_day=np.array(cols["exit"], dtype=np.int64),
        exit_voluntary=np.array(cols["voluntary"], dtype=bool),
        trained_in_run=np.array(cols["run"], dtype=bool),
        passed=np.array(cols["pass"], dtype=bool),
    )


def assign_shifts(
    profile: CentreProfile, calendar: Calendar, roster: Roster, program: int, day: int, starts: IntArray, seed: int
) -> DayShifts:
    """Give one day's shifts of one program to its available agents; draw absences."""
    workforce = profile.workforce
    rng = rng_for(seed, Stream.SHIFTS, day, program)
    index = np.arange(roster.size)
    off_start = index % 7
    working_day = (calendar.weekday[day] - off_start) % 7 >= workforce.days_off_per_week
    available = index[
        (roster.program == program) & (roster.verified_day <= day) & (roster.exit_day > day) & working_day
    ]
    shifts = np.repeat(np.arange(starts.shape[0], dtype=np.int64), starts)
    agents = rng.permutation(available)
    if shifts.shape[0] > agents.shape[0]:
        shifts = np.sort(rng.permutation(shifts)[: agents.shape[0]])
    agents = agents[: shifts.shape[0]]
    absent = rng.random(shifts.shape[0]) < workforce.absence_rate
    planned = absent & (rng.random(shifts.shape[0]) < workforce.planned_absence_share)
    return DayShifts(agent=agents, start=shifts, absent=absent, planned=planned)
