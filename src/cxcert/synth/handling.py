"""Handling: talk, hold and after-contact work, transfers, and repeat callers from a customer pool.

Durations are lognormal with the profile's means, times the program's monthly ``aht`` multiplier (the story's
improving trend). Hold happens on a share of contacts only. First-contact resolution shows up the way it does
in real data: a share ``repeat_rate`` of each queue's contacts come from a customer who contacted the same
program within the last ``repeat_window_days`` days; the others are new keys from a pool too large to repeat.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from cxcert.synth.arrivals import FloatArray, IntArray
from cxcert.synth.profile import HandleTime, Lognormal
from cxcert.synth.workforce_data import BoolArray

KEY_SPACE = 10**12
"""Fresh customer keys are drawn from this many per program, so unplanned repeats are negligible."""


def _lognormal(spec: Lognormal, multiplier: float, size: int, rng: np.random.Generator) -> FloatArray:
    draws: FloatArray = rng.lognormal(spec.mu, spec.sigma, size) * multiplier
    return draws


def draw_handle_times(
    handle: HandleTime, multiplier: float, size: int, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Talk, hold and ACW seconds of ``size`` answered contacts (E[sum] = handle.mean_s * multiplier)."""
    talk = _lognormal(handle.talk, multiplier, size, rng)
    held = rng.random(size) < handle.hold_probability
    hold = np.where(held, _lognormal(handle.hold, multiplier, size, rng), 0.0)
    acw = _lognormal(handle.acw, multiplier, size, rng)
    return talk, hold, acw


class CustomerPool:
    """Recent customers of one program, day by day, to draw repeat contacts from."""

    def __init__(self, program_index: int, window_days: int) -> None:
        self.offset = program_index * KEY_SPACE
        self.recent: deque[IntArray] = deque(maxlen=window_days)

    def draw(self, size: int, repeat_rate: float, rng: np.random.Generator) -> tuple[IntArray, BoolArray]:
        """Customer keys of ``size`` contacts and whether each one repeats a recent customer."""
        keys = self.offset + rng.integers(0, KEY_SPACE, size, dtype=np.int64)
        recent = np.concatenate(list(self.recent)) if self.recent else np.empty(0, dtype=np.int64)
        repeat = (rng.random(size) < repeat_rate) & (recent.shape[0] > 0)
        if recent.shape[0]:
            keys = np.where(repeat, recent[rng.integers(0, recent.shape[0], size)], keys)
        return keys, repeat

    def end_day(self, keys: IntArray) -> None:
        """Remember the day's customers (call once per day, even with no contacts)."""
        self.recent.append(keys)
