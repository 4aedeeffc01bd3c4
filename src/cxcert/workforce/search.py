"""The smallest integer meeting a monotone condition, for many intervals at once: gallop up, then bisect.

Shared by the staffing solver (agents for a target under Erlang A, and under Erlang C for loads too large to
walk up to) and the Erlang B trunk search. The cost is about 2·log2(answer − start) vector evaluations, however
large the load.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from cxcert.errors import CxcertError

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
# ok_at(candidates, positions): whether each candidate count meets the condition, for the elements at positions.
Condition = Callable[[IntArray, IntArray], BoolArray]

_MAX_DOUBLINGS = 62  # the step doubles at most this often: int64 counts cannot grow further


def smallest_meeting(lo: IntArray, step: IntArray, ok_at: Condition) -> IntArray:
    """Per element, the smallest n > ``lo`` meeting ``ok_at``, where ``lo`` is known to fail and the condition,
    once met, stays met for every larger n. Tries lo + step, then doubles the step until a count meets (the
    failed count becomes the new ``lo``), then bisects between the last failure and the first success.
    """
    lo = lo.astype(np.int64).copy()
    step = np.maximum(step.astype(np.int64), 1)
    hi = lo + step
    pending = np.arange(lo.size)  # still galloping
    for _ in range(_MAX_DOUBLINGS):
        if not pending.size:
            break
        good = ok_at(hi[pending], pending)
        failed = pending[~good]
        lo[failed] = hi[failed]
        step[failed] *= 2
        hi[failed] = lo[failed] + step[failed]
        pending = failed
    if pending.size:
        raise CxcertError(f"no count up to {int(hi[pending].max())} meets the target: it cannot be met")
    bisect(lo, hi, ok_at)
    return hi


def bisect(lo: IntArray, hi: IntArray, ok_at: Condition) -> None:
    """Narrow (lo fails, hi meets) to hi = lo + 1 in place, vectorised."""
    while True:
        sub = np.flatnonzero(hi - lo > 1)
        if not sub.size:
            return
        mid = (lo[sub] + hi[sub]) // 2
        good = ok_at(mid, sub)
        hi[sub[good]] = mid[good]
        lo[sub[~good]] = mid[~good]
