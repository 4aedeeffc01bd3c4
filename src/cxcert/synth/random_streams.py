"""Deterministic random streams: one independent generator per (seed, purpose, day, ...).

Keying every draw by what it is for and which day it belongs to makes the output independent of how the run is
chunked (a day's contacts are the same whatever the part size), and the same seed gives byte-identical files.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """What a random draw is for; the values are part of the output's identity, so never renumber them."""

    ARRIVAL_COUNTS = 1
    ARRIVAL_TIMES = 2
    FORECAST = 3
    ROSTER = 4
    SHIFTS = 5
    ABSENCE = 6
    QUEUEING = 7
    HANDLING = 8
    CUSTOMERS = 9
    QUALITY = 10
    SURVEYS = 11
    STATES = 12


def rng_for(seed: int, stream: Stream, *keys: int) -> np.random.Generator:
    """The generator for ``stream`` and ``keys`` (e.g. the day index and the queue index) under ``seed``."""
    return np.random.default_rng(np.random.SeedSequence([seed, int(stream), *keys]))
