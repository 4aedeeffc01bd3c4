"""Erlang A (M/M/n+M, Palm's queue with exponential patience): waiting, abandonment, service level, ASA.

Following Mandelbaum & Zeltyn, "The Palm/Erlang-A Queue, with Applications to Call Centers" (2004/2007 note)
and Garnett, Mandelbaum & Reiman (2002). With arrival rate λ, service rate μ = 1/AHT, abandonment rate
θ = 1/patience and n agents, write A = λ/μ, a = nμ/θ and y = λ/θ. The queue part of the birth-death chain
sums to S = Σ_k Π_{i<=k} y/(a+i) = Γ(a+1)·y^(−a)·e^y·P(a, y) (P: the regularised lower incomplete gamma),
kept in log space. With B the Erlang B value B(n, A):

- P(wait) = B·S / (1 + (S − 1)·B)
- P(abandon) = P(wait)·(1 − n/A + n/(A·S))
- P(answered after waiting more than T) = P(wait)·(n/A)·P(a+1, y·e^(−θT)) / P(a, y), computed through
  1F1(1; a+2; ·) in log space so that it does not underflow as patience grows
- service level (answered within T, over offered) = 1 − P(abandon) − P(answered after T)
- mean wait of all callers = P(abandon)/θ; ASA (mean wait of answered callers) by summing, over the queue
  position k met on arrival, P(served | k)·E[wait | served, k] = a/(a+k+1) · Σ_{j<=k+1} 1/(θ(a+j)).
- occupancy = A·(1 − P(abandon)) / n (abandoners take no agent time).

As patience grows the results tend to Erlang C, and as it vanishes to Erlang B; tests pin both limits, an
independent numerical solution of the truncated birth-death chain, pyworkforce's regression values and a seeded
simulation (no published table of Erlang A values could be read).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammainc, hyp1f1

from cxcert.workforce.erlang_b import FloatArray, as_load, as_servers, erlang_b_direct, log_poisson_pmf
from cxcert.workforce.erlang_c import positive

_ASA_TOLERANCE = 1e-15  # relative size of a series term below which the ASA sum stops (double precision)
_ASA_BLOCK = 1024  # queue positions summed per vector step, at most
_ASA_CELLS = 1 << 20  # positions × intervals per vector step, at most (memory: many intervals take short blocks)
# Queue positions more than this many standard deviations below the most likely one carry a weight below e^-800
# (zero in double precision); overloaded intervals start their ASA sum there instead of at position 0.
_ASA_SKIP_SD = 40.0


@dataclass(frozen=True)
class ErlangAMetrics:
    """Erlang A results per interval (arrays of one shape).

    ``service_level`` is the share of offered calls answered within ``answer_s``; ``asa_s`` the mean wait of
    answered calls (``None`` when not asked for: it needs a series per interval); ``mean_wait_s`` the mean
    wait of all offered calls, abandoners included.
    """

    agents: FloatArray
    load: FloatArray
    p_wait: FloatArray
    p_abandon: FloatArray
    service_level: FloatArray
    mean_wait_s: FloatArray
    occupancy: FloatArray
    asa_s: FloatArray | None


def _log_m(a: FloatArray, x: FloatArray) -> FloatArray:
    """log 1F1(1; a+1; x) = log Σ_k x^k / ((a+1)···(a+k)): via the incomplete gamma where it is representable
    (x near or above a), directly by scipy's 1F1 where that underflows (x well below a, the Erlang C side)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = gammainc(a, x)
        log_m = np.log(p) - log_poisson_pmf(a, x)  # log Γ(a+1) − a·log x + x, without its cancellation
        small = ~np.isfinite(log_m) | (p < 1e-200)
        if np.any(small):
            log_m = np.where(small, np.log(hyp1f1(1.0, a + 1.0, x)), log_m)
    return np.asarray(log_m, dtype=np.float64)


def erlang_a_metrics(
    agents: ArrayLike,
    load: ArrayLike,
    aht_s: ArrayLike,
    patience_s: ArrayLike,
    answer_s: ArrayLike,
    *,
    with_asa: bool = True,
) -> ErlangAMetrics:
    """All Erlang A measures for ``agents`` facing ``load`` Erlangs, mean handle time ``aht_s`` and mean
    patience ``patience_s`` (exponential), with the service level measured at ``answer_s`` seconds."""
    n_i = as_servers(agents, name="agents")
    a_load = as_load(load)
    aht = positive(aht_s, "aht_s")
    patience = positive(patience_s, "patience_s")
    t = np.asarray(answer_s, dtype=np.float64)
    n_i, a_load, aht, patience, t = np.broadcast_arrays(n_i, a_load, aht, patience, t)
    n = n_i.astype(np.float64)
    busy = (a_load > 0) & (n_i > 0)
    # Evaluate the formulas on safe stand-ins where there are no calls or no agents, then overwrite.
    a_s = np.where(busy, a_load, 1.0)
    n_s = np.where(busy, n, 1.0)
    ratio = patience / aht
    a_big = n_s * ratio  # a = nμ/θ
    y = a_s * ratio  # y = λ/θ
    log_s = _log_m(a_big, y)  # log S
    b = erlang_b_direct(n_s.astype(np.int64), a_s)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.exp(np.log1p(-b) - np.log(b) - log_s)
        p_wait = 1.0 / (1.0 + x)
        inv_rho = n_s / a_s
        p_ab = p_wait * (1.0 - inv_rho * (-np.expm1(-log_s)))
        p_ab = np.clip(p_ab, 0.0, p_wait)
        # P(answered after T) = P(wait)·(a/(a+1))·e^(−(a+1)θT + y(1 − e^(−θT)))·1F1(1; a+2; y·e^(−θT)) / S:
        # the ratio of incomplete gammas rewritten through 1F1 so neither side underflows near Erlang C.
        theta_t = t / patience
        x_late = y * np.exp(-theta_t)
        log_late = -(a_big + 1.0) * theta_t - y * np.expm1(-theta_t) + _log_m(a_big + 1.0, x_late) - log_s
        p_late = p_wait * a_big / (a_big + 1.0) * np.exp(log_late)
    sl = np.clip(1.0 - p_ab - p_late, 0.0, 1.0)
    occ = np.minimum(a_s * (1.0 - p_ab) / n_s, 1.0)
    no_calls = a_load <= 0
    no_agents = (n_i == 0) & ~no_calls
    p_wait = np.where(no_calls, 0.0, np.where(no_agents, 1.0, p_wait))
    p_ab = np.where(no_calls, 0.0, np.where(no_agents, 1.0, p_ab))
    sl = np.where(no_calls, 1.0, np.where(no_agents, 0.0, sl))
    occ = np.where(no_calls | no_agents, 0.0, occ)
    asa: FloatArray | None = None
    if with_asa:
        served_wait = _served_wait(a_big, y, log_s, p_wait, patience)
        with np.errstate(divide="ignore", invalid="ignore"):
            asa = np.where(p_ab < 1.0, served_wait / (1.0 - p_ab), np.inf)
        asa = np.asarray(np.where(no_calls, 0.0, np.where(no_agents, np.inf, asa)), dtype=np.float64)
    return ErlangAMetrics(
        agents=n,
        load=np.asarray(a_load, dtype=np.float64),
        p_wait=np.asarray(p_wait, dtype=np.float64),
        p_abandon=np.asarray(p_ab, dtype=np.float64),
        service_level=np.asarray(sl, dtype=np.float64),
        mean_wait_s=np.asarray(p_ab * patience, dtype=np.float64),
        occupancy=np.asarray(occ, dtype=np.float64),
        asa_s=asa,
    )


def _served_wait(
    a: FloatArray, y: FloatArray, log_s: FloatArray, p_wait: FloatArray, patience: FloatArray
) -> FloatArray:
    """E[wait; answered] = Σ_k P(arrive to queue position k)·P(served | k)·E[wait | served, k].

    The weight of position k is r_k / S with r_k = Π_{i<=k} y/(a+i), a Poisson-like law in a + k with mean y,
    so an overloaded interval (y far above a) starts at the position 40 standard deviations below its mode,
    with r and the harmonic sum there in closed form (log Poisson ratio, digamma difference), instead of
    walking 10⁷ positions. Positions are summed in blocks of :data:`_ASA_BLOCK`, in log space so overloaded
    intervals (S huge) do not overflow; finished intervals are dropped.
    """
    flat_a, flat_y, flat_ls = a.ravel(), y.ravel(), log_s.ravel()
    total = np.zeros(flat_a.size, dtype=np.float64)
    start = np.maximum(np.floor(flat_y - flat_a - _ASA_SKIP_SD * np.sqrt(flat_y)), 0.0)
    skipped = start > 0
    log_r = np.where(skipped, log_poisson_pmf(flat_a + start, flat_y) - log_poisson_pmf(flat_a, flat_y), 0.0)
    # Σ_{j<=k} 1/(a+j) at k = start (the block adds 1/(a+k+1) for its first position k = start).
    harmonic = np.where(skipped, digamma(flat_a + start + 1.0) - digamma(flat_a + 1.0), 0.0)
    idx = np.arange(flat_a.size)
    block = 4  # most intervals need a few dozen positions; the block doubles for those that need more
    while idx.size:
        offsets = np.arange(max(1, min(block, _ASA_CELLS // idx.size)), dtype=np.float64)
        block = min(2 * block, _ASA_BLOCK)
        ak, yk = flat_a[idx, None], flat_y[idx, None]
        k = start[idx, None] + offsets  # queue positions of this block
        h = harmonic[idx, None] + np.cumsum(1.0 / (ak + k + 1.0), axis=1)
        lr = log_r[idx, None] + np.concatenate(
            [np.zeros((idx.size, 1)), np.cumsum(np.log(yk) - np.log(ak + k[:, :-1] + 1.0), axis=1)], axis=1
        )
        terms = np.exp(lr - flat_ls[idx, None]) * ak / (ak + k + 1.0) * h
        total[idx] += terms.sum(axis=1)
        last_k = k[:, -1]
        harmonic[idx] = h[:, -1]
        log_r[idx] = lr[:, -1] + np.log(flat_y[idx]) - np.log(flat_a[idx] + last_k + 1.0)
        start[idx] = last_k + 1.0
        past_peak = (flat_a[idx] + last_k + 1.0) > flat_y[idx]
        idx = idx[~(past_peak & (terms[:, -1] <= _ASA_TOLERANCE * total[idx]))]
    out = total.reshape(a.shape) * p_wait * patience
    return np.asarray(out, dtype=np.float64)
