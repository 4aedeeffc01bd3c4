"""Erlang B: the blocking probability of a loss system (M/M/n/n), for trunks and as the base of Erlang C and A.

Computed by the numerically stable recursion B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)), which never forms
A^n or n!, vectorised over arrays of intervals (iterate k up to the largest n, masking the finished ones).
Beyond :data:`RECURSION_LIMIT` servers, and for the staffing solver, which starts near n = A,
:func:`erlang_b_direct` gives B(n) without the walk up from 0: the ratio of the Poisson(A) probability of n to
its distribution function, with the probability in Loader's saddle-point form (no n·log A − log n! cancellation,
which loses 7 digits at n ~ 10⁸); where the distribution function underflows (n far below A) it sums the
unrolled inverse recursion 1/B(n) = 1 + (n/A)/B(n−1) instead.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gammaincc, gammaln

from cxcert.errors import CxcertError
from cxcert.workforce.search import smallest_meeting

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# The recursion costs one vector step per server: past this many servers the direct form is cheaper, and as exact.
RECURSION_LIMIT = 10_000
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_SERIES_BLOCK = 512  # terms of the inverse-B series formed per vector step


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
    big = n > RECURSION_LIMIT
    b = np.ones(n.shape, dtype=np.float64)
    top = int(np.max(n, where=~big, initial=0))
    for k in range(1, top + 1):
        step = (k <= n) & ~big
        ab = a * b
        with np.errstate(invalid="ignore", divide="ignore"):
            b = np.where(step, ab / (k + ab), b)
    if np.any(big):
        b[big] = erlang_b_direct_unchecked(n[big], a[big])
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
        log_pmf = log_poisson_pmf(n_f, a)
        cdf = gammaincc(n_f + 1, a)
        b = np.where(a > 0, np.exp(log_pmf - np.log(cdf)), np.where(n == 0, 1.0, 0.0))
    bad = (a > 0) & (~np.isfinite(b) | (cdf < 1e-250))
    if np.any(bad):
        b = b.copy()
        b[bad] = 1.0 / _inverse_b_series(n_f[bad], a[bad])
    return np.asarray(b, dtype=np.float64)


def log_poisson_pmf(n: FloatArray, a: FloatArray) -> FloatArray:
    """log(e^(−A)·A^n / Γ(n + 1)) for real n >= 0 and A > 0, as −bd0(n, A) − ½·log(2πn) − stirlerr(n).

    bd0 = n·log(n/A) − n + A = A·((1 + x)·log1p(x) − x) with x = (n − A)/A, exact to ~1e-16·|n − A|; stirlerr
    is the error of Stirling's formula (C. Loader, "Fast and Accurate Computation of Binomial Probabilities",
    2000). The textbook n·log A − A − log Γ(n + 1) subtracts numbers of size n·log n and loses their digits.
    """
    safe_n = np.where(n > 0, n, 1.0)
    safe_a = np.where(a > 0, a, 1.0)
    x = (safe_n - safe_a) / safe_a
    with np.errstate(divide="ignore", invalid="ignore"):
        bd0 = safe_a * ((1.0 + x) * np.log1p(x) - x)
        out = -bd0 - np.log(safe_n) / 2 - _HALF_LOG_2PI - _stirlerr(safe_n)
    out = np.where(n > 0, out, -a)
    return np.asarray(np.where(a > 0, out, np.where(n > 0, -np.inf, 0.0)), dtype=np.float64)


def _stirlerr(n: FloatArray) -> FloatArray:
    """log Γ(n + 1) − (n + ½)·log n + n − ½·log(2π): by its asymptotic series where that is exact to double
    precision (n > 15, the next term is below 1e-14), directly from log Γ below."""
    small = n <= 15
    big_n = np.where(small, 16.0, n)
    inv2 = 1.0 / (big_n * big_n)
    series = (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188)))) / big_n
    small_n = np.where(small, n, 1.0)
    direct = gammaln(small_n + 1) - (small_n + 0.5) * np.log(small_n) + small_n - _HALF_LOG_2PI
    return np.asarray(np.where(small, direct, series), dtype=np.float64)


def _inverse_b_series(n: FloatArray, a: FloatArray) -> FloatArray:
    """1/B(n, A) = Σ_{j=0..n} n·(n−1)···(n−j+1) / A^j, the recursion 1/B(n) = 1 + (n/A)/B(n−1) unrolled.

    Used where n is far below A: the terms fall at least as fast as (n/A)^j. They are formed in blocks of
    :data:`_SERIES_BLOCK` from cumulative sums of log((n − j)/A), and the sum stops once the geometric bound on
    the rest is below double precision.
    """
    total = np.ones(n.shape, dtype=np.float64)
    log_term = np.zeros(n.shape, dtype=np.float64)
    idx = np.arange(n.size)
    start = 0
    while idx.size:
        j = np.arange(start, start + _SERIES_BLOCK, dtype=np.float64)
        ni, ai = n[idx, None], a[idx, None]
        ratio = (ni - j) / ai
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = log_term[idx, None] + np.cumsum(np.where(ratio > 0, np.log1p((ni - j - ai) / ai), -np.inf), axis=1)
        terms = np.exp(logs)
        total[idx] += terms.sum(axis=1)
        log_term[idx] = logs[:, -1]
        last = ratio[:, -1]
        done = (last <= 0) | (terms[:, -1] <= 1e-17 * total[idx] * np.maximum(1.0 - last, 1e-300))
        idx = idx[~done]
        start += _SERIES_BLOCK
    return total


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
    """The fewest servers (trunks) whose blocking probability is at most ``blocking``, elementwise.

    Searched from a count known to block too much: the carried load A·(1 − B) fits on n servers, so
    B(n) >= 1 − n/A, which exceeds ``blocking`` below n = A·(1 − blocking); then gallop and bisect.
    """
    if not 0 < blocking < 1:
        raise CxcertError(f"blocking must be between 0 and 1 (exclusive), got {blocking}")
    a = as_load(load)
    flat = a.ravel()
    lo = np.maximum(np.ceil(flat * (1.0 - blocking)) - 1, 0).astype(np.int64)
    step = np.ceil(np.sqrt(flat)).astype(np.int64)

    def ok_at(n: IntArray, sub: IntArray) -> NDArray[np.bool_]:
        return np.asarray(erlang_b_direct_unchecked(n, flat[sub]) <= blocking)

    return smallest_meeting(lo, step, ok_at).reshape(a.shape)
