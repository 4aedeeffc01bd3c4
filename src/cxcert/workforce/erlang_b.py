"""Erlang B: the blocking probability of a loss system (M/M/n/n), for trunks and as the base of Erlang C and A.

Computed by the numerically stable recursion B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)), which never forms
A^n or n!, vectorised over arrays of intervals (iterate k up to the largest n, masking the finished ones).
For the staffing solver, which starts near n = A, :func:`erlang_b_direct` gives B(n) without the walk up from
0, as the ratio of the Poisson(A) probability of n to its distribution function, in log space.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaincc, gammaln

from cxcert.errors import CxcertError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def as_servers(servers: ArrayLike, *, name: str = "servers") -> IntArray:
    """Servers (agents, trunks) as an integer array; a user mistake if negative or fractional."""
    raw = np.asarray(servers, dtype=np.float64)
    if raw.size and (np.any(~np.isfinite(raw)) or np.any(raw < 0) or np.any(raw != np.round(raw))):
        raise CxcertError(f"{name} must be whole numbers >= 0")
    return raw.astype(np.int64)


def as_load(load: ArrayLike, *, name: str = "load") -> FloatArray:
    """Offered load in Erlangs as a float array; a user mistake if negative or not finite."""
    values = np.asarray(load, dtype=np.float64)
    if values.size and (np.any(~np.isfinite(values)) or np.any(values < 0)):
        raise CxcertError(f"{name} must be finite and >= 0 Erlangs")
    return values


def erlang_b(servers: ArrayLike, load: ArrayLike) -> FloatArray:
    """Blocking probability B(n, A) of ``servers`` n facing an offered ``load`` A (Erlangs), elementwise.

    Example: ``erlang_b(15, 8.108)`` is 0.0100 (15 trunks carry 8.108 Erlangs at 1 % blocking).
    """
    n, a = np.broadcast_arrays(as_servers(servers), as_load(load))
    b = np.ones(n.shape, dtype=np.float64)
    top = int(n.max()) if n.size else 0
    for k in range(1, top + 1):
        step = k <= n
        ab = a * b
        with np.errstate(invalid="ignore", divide="ignore"):
            b = np.where(step, ab / (k + ab), b)
    return b


def erlang_b_walk(n: IntArray, a: FloatArray) -> FloatArray:
    """B(n, A) by the recursion from B(0) = 1 for 1-D arrays already validated, doing only Σ n steps in all.

    Intervals are sorted by n, largest first, so the ones still walking at step k are a prefix of the
    arrays: plain slices, no masks, no gathers (the solver's start; cheaper than an incomplete gamma).
    """
    # A stable sort on 16-bit keys is a radix sort in numpy: much faster than on int64 for a year of intervals.
    key = -n.astype(np.int16) if n.size and int(n.max()) < 32767 else -n
    order = np.argsort(key, kind="stable")
    n_sorted, a_sorted = n[order], a[order]
    b = np.ones(n.shape, dtype=np.float64)
    top = int(n_sorted[0]) if n.size else 0
    # walking[k] = how many intervals need step k (n >= k); n_sorted is descending.
    walking = np.searchsorted(-n_sorted, -np.arange(top + 1), side="right")
    for k in range(1, top + 1):
        m = int(walking[k])
        ab = a_sorted[:m] * b[:m]
        b[:m] = ab / (k + ab)
    out = np.empty_like(b)
    out[order] = b
    return out


def erlang_b_direct(servers: ArrayLike, load: ArrayLike) -> FloatArray:
    """B(n, A) as Poisson(A) pmf(n) / cdf(n), in log space; exact and cheap for n near or above A.

    Where the distribution function underflows (n far below a huge A) the recursion is used instead.
    """
    n, a = np.broadcast_arrays(as_servers(servers), as_load(load))
    return erlang_b_direct_unchecked(n, a)


def erlang_b_direct_unchecked(n: IntArray, a: FloatArray) -> FloatArray:
    """:func:`erlang_b_direct` on arrays already validated and of one shape (the solver's inner loop)."""
    n_f = n.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        safe_a = np.where(a > 0, a, 1.0)
        log_pmf = n_f * np.log(safe_a) - a - gammaln(n_f + 1)
        cdf = gammaincc(n_f + 1, a)
        b = np.where(a > 0, np.exp(log_pmf - np.log(cdf)), np.where(n == 0, 1.0, 0.0))
    bad = ~np.isfinite(b) | (cdf < 1e-250)
    if np.any(bad):
        b = b.copy()
        b[bad] = erlang_b(n[bad], a[bad])
    return np.asarray(b, dtype=np.float64)


def erlang_b_previous(servers: IntArray, load: FloatArray, blocking: FloatArray) -> FloatArray:
    """One step down: B(n−1) = n·B(n) / (A·(1 − B(n))), the recursion solved for B(n−1) (n >= 1, A > 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        prev = servers * blocking / (load * (1.0 - blocking))
    return np.asarray(np.where(servers <= 0, 1.0, np.minimum(prev, 1.0)), dtype=np.float64)


def erlang_b_next(servers_next: IntArray, load: FloatArray, blocking: FloatArray) -> FloatArray:
    """One step of the recursion: B(n+1) from B(n), where ``servers_next`` is n+1."""
    ab = load * blocking
    return np.asarray(ab / (servers_next + ab), dtype=np.float64)


def trunks_required(load: ArrayLike, blocking: float) -> IntArray:
    """The fewest servers (trunks) whose blocking probability is at most ``blocking``, elementwise."""
    if not 0 < blocking < 1:
        raise CxcertError(f"blocking must be between 0 and 1 (exclusive), got {blocking}")
    a = as_load(load)
    n = np.zeros(a.shape, dtype=np.int64)
    b = np.ones(a.shape, dtype=np.float64)
    active = b > blocking
    while np.any(active):
        n = np.where(active, n + 1, n)
        b = np.where(active, erlang_b_next(n, a, b), b)
        active = b > blocking
    return n
