"""Erlang A against an independent numerical solution of the M/M/n+M birth-death chain, a peer library's pinned
values, a seeded simulation, and its two limits.

No published table of Erlang A values could be read for this suite: Mandelbaum & Zeltyn's note "The Palm/Erlang-A
Queue, with Applications to Call Centers" and its 4CallCenters examples were found only as contents pages. So the
oracles are independent computations, each named in its test: the truncated birth-death chain solved by linear
algebra and matrix exponentials, pyworkforce's own regression values (another implementation, by uniformization),
a discrete-event simulation, and the limits patience -> infinity (Erlang C) and patience -> 0 (Erlang B).
"""

from __future__ import annotations

import heapq

import numpy as np
import pytest
from scipy.linalg import expm

from cxcert.workforce.erlang_a import erlang_a_metrics
from cxcert.workforce.erlang_b import erlang_b
from cxcert.workforce.erlang_c import erlang_c_metrics


def _ctmc_oracle(n: int, load: float, aht: float, patience: float, t: float, extra: int = 400) -> dict[str, float]:
    """Solve the truncated chain numerically: the stationary law from the generator by linear algebra, then
    a tagged caller's fate (served before T, abandoned, wait if served) from its own absorbing chain by matrix
    exponential and first-step analysis. Nothing here uses the incomplete-gamma formulas."""
    mu, theta = 1.0 / aht, 1.0 / patience
    lam = load * mu
    size = n + extra
    q = np.zeros((size, size))
    for j in range(size - 1):
        q[j, j + 1] = lam
        q[j + 1, j] = min(j + 1, n) * mu + max(j + 1 - n, 0) * theta
    np.fill_diagonal(q, -q.sum(axis=1))
    lhs = np.vstack([q.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
    k_max = extra - 1
    # Tagged caller with j callers ahead: moves up at rate nμ + jθ (service or an abandonment ahead),
    # is served from the head at rate nμ, abandons at rate θ. States 0..k_max, then "served".
    g = np.zeros((k_max + 2, k_max + 2))
    for j in range(k_max + 1):
        if j == 0:
            g[0, k_max + 1] = n * mu
        else:
            g[j, j - 1] = n * mu + j * theta
        g[j, j] = -(n * mu + j * theta + theta)
    served_by_t = expm(g * t)[: k_max + 1, k_max + 1]
    p_served = np.empty(k_max + 1)
    wait_served = np.empty(k_max + 1)  # E[wait · 1{served}] from j ahead
    for j in range(k_max + 1):
        rate = n * mu + j * theta
        out = rate + theta
        p_served[j] = rate / out * (p_served[j - 1] if j else 1.0)
        wait_served[j] = p_served[j] / out + (rate / out * wait_served[j - 1] if j else 0.0)
    queue = pi[n : n + k_max + 1]
    p_wait = float(pi[n:].sum())
    p_ab = float((queue * (1 - p_served)).sum())
    sl = float(pi[:n].sum() + (queue * served_by_t).sum())
    asa = float((queue * wait_served).sum()) / (1 - p_ab)
    return {"p_wait": p_wait, "p_abandon": p_ab, "service_level": sl, "asa_s": asa}


@pytest.mark.parametrize(
    ("n", "load", "aht", "patience", "t"),
    [
        (12, 10.0, 180.0, 120.0, 20.0),  # the 100-calls half-hour, impatient callers
        (5, 8.0, 180.0, 60.0, 30.0),  # overloaded: fewer agents than Erlangs (fine in Erlang A)
        (30, 25.0, 300.0, 600.0, 20.0),  # patient callers
        (3, 1.2, 240.0, 90.0, 10.0),  # a small queue
    ],
)
def test_matches_birth_death_chain(n: int, load: float, aht: float, patience: float, t: float) -> None:
    """Oracle: the numerical chain above (M/M/n+M, Mandelbaum & Zeltyn's model)."""
    want = _ctmc_oracle(n, load, aht, patience, t)
    got = erlang_a_metrics(n, load, aht, patience, t)
    assert got.asa_s is not None
    assert float(got.p_wait) == pytest.approx(want["p_wait"], rel=1e-7)
    assert float(got.p_abandon) == pytest.approx(want["p_abandon"], rel=1e-7)
    assert float(got.service_level) == pytest.approx(want["service_level"], rel=1e-7)
    assert float(got.asa_s) == pytest.approx(want["asa_s"], rel=1e-7)
    # Little's law on abandonment: mean wait of all callers = P(abandon) × mean patience.
    assert float(got.mean_wait_s) == pytest.approx(float(got.p_abandon) * patience, rel=1e-12)


@pytest.mark.parametrize("patience", [1e8, 1e10])
def test_tends_to_erlang_c_as_patience_grows(patience: float) -> None:
    """With infinite patience (θ = 0) the M/M/n+M chain is M/M/n: Erlang A is Erlang C, by definition."""
    n = np.array([11, 12, 14, 60])
    a = np.array([10.0, 10.0, 10.0, 52.0])
    c = erlang_c_metrics(n, a, 180.0, 20.0)
    ea = erlang_a_metrics(n, a, 180.0, patience, 20.0)
    assert ea.asa_s is not None
    assert np.allclose(ea.p_wait, c.p_wait, rtol=1e-4)
    assert np.allclose(ea.service_level, c.service_level, rtol=1e-4)
    assert np.allclose(ea.asa_s, c.asa_s, rtol=1e-3)
    assert np.all(ea.p_abandon < 1e-4)


def test_pyworkforce_regression_values() -> None:
    """pyworkforce's Erlang A tests (github.com/rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/
    test_abandonment.py, test_erlanga_regression_metrics, read there): 100 calls per 30 min, AHT 3 min, mean
    patience 5 min, answer time 20 s, 14 agents: waiting probability 0.14526, abandonment 0.013984, occupancy
    0.704297, service level 0.916792, and "average speed of answer" 0.069919 min, which pyworkforce defines as
    E[queue length] / λ, the mean wait of all callers (our ``mean_wait_s``; our ``asa_s`` counts answered ones)."""
    m = erlang_a_metrics(14, 10.0, 180.0, 300.0, 20.0)
    assert round(float(m.p_wait), 5) == 0.14526
    assert round(float(m.p_abandon), 6) == 0.013984
    assert round(float(m.occupancy), 6) == 0.704297
    assert round(float(m.service_level), 6) == 0.916792
    assert round(float(m.mean_wait_s) / 60, 6) == 0.069919


@pytest.mark.parametrize("patience", [1e-6, 1e-9])
def test_tends_to_erlang_b_as_patience_vanishes(patience: float) -> None:
    """With no patience a caller who finds every agent busy leaves at once: the loss system M/M/n/n, so
    P(wait) = P(abandon) = B(n, A) and the service level is 1 − B (the model with θ -> infinity, by definition)."""
    n = np.array([3, 12, 60])
    a = np.array([2.0, 10.0, 52.0])
    b = erlang_b(n, a)
    m = erlang_a_metrics(n, a, 180.0, patience, 20.0)
    assert np.allclose(m.p_wait, b, rtol=1e-5)
    assert np.allclose(m.p_abandon, b, rtol=1e-5)
    assert np.allclose(m.service_level, 1 - b, rtol=1e-5)


def _simulate(n: int, load: float, aht: float, patience: float, t: float) -> dict[str, tuple[float, float]]:
    """M/M/n+M served first come, first served, by the offered-wait recursion: a caller's offered wait is the
    time until the earliest of the n agents' committed finishing times; they abandon if it exceeds their
    patience (and then occupy no agent), else the agent is committed until they finish. 40,000 callers, seeded,
    the first 2,000 dropped as warm-up; returns per measure (estimate, standard error from 20 batch means)."""
    rng = np.random.default_rng(20260101)
    calls, warm, batches = 40_000, 2_000, 20
    arrivals = np.cumsum(rng.exponential(aht / load, calls)).tolist()
    services = rng.exponential(aht, calls).tolist()
    patiences = rng.exponential(patience, calls).tolist()
    free = [0.0] * n  # a heap of the agents' committed finishing times
    waited, abandoned, within = np.zeros(calls), np.zeros(calls), np.zeros(calls)
    for i in range(calls):
        wait = max(free[0] - arrivals[i], 0.0)
        waited[i] = wait > 0
        if wait > patiences[i]:
            abandoned[i] = 1.0
        else:
            heapq.heapreplace(free, arrivals[i] + wait + services[i])
            within[i] = wait <= t
    out: dict[str, tuple[float, float]] = {}
    for name, x in (("p_wait", waited), ("p_abandon", abandoned), ("service_level", within)):
        kept = x[warm:]
        means = kept[: len(kept) // batches * batches].reshape(batches, -1).mean(axis=1)
        out[name] = (float(kept.mean()), float(means.std(ddof=1) / np.sqrt(batches)))
    return out


@pytest.mark.parametrize(
    ("n", "load", "aht", "patience", "t"),
    [(12, 10.0, 180.0, 120.0, 20.0), (5, 8.0, 180.0, 60.0, 30.0), (3, 1.2, 240.0, 90.0, 10.0)],
)
def test_matches_a_seeded_simulation(n: int, load: float, aht: float, patience: float, t: float) -> None:
    """Oracle: the discrete-event simulation above (no formula of ours in it). Each measure must lie within
    4 batch-means standard errors of the simulated one (a standard error is 0.001-0.008 here)."""
    got = erlang_a_metrics(n, load, aht, patience, t)
    for name, (estimate, se) in _simulate(n, load, aht, patience, t).items():
        assert abs(float(getattr(got, name)) - estimate) <= 4 * se, name


def test_abandonment_helps_the_waiting() -> None:
    """With the same staffing, impatient callers leave and the rest wait less: ASA(A) < ASA(C)."""
    c = erlang_c_metrics(12, 10.0, 180.0, 20.0)
    ea = erlang_a_metrics(12, 10.0, 180.0, 120.0, 20.0)
    assert ea.asa_s is not None
    assert float(ea.asa_s) < float(c.asa_s)
    assert float(ea.p_abandon) > 0


def test_edges() -> None:
    """No calls: nothing waits. No agents: everyone waits and abandons."""
    m = erlang_a_metrics([5, 0], [0.0, 3.0], 180.0, 60.0, 20.0)
    assert m.asa_s is not None
    assert m.p_wait.tolist() == [0.0, 1.0]
    assert m.p_abandon.tolist() == [0.0, 1.0]
    assert m.service_level.tolist() == [1.0, 0.0]


def test_heavy_overload_stays_finite() -> None:
    """500 Erlangs on 200 agents with patient callers: S is astronomically large; no overflow or NaN."""
    m = erlang_a_metrics(200, 500.0, 300.0, 900.0, 20.0)
    assert m.asa_s is not None
    assert float(m.p_wait) == pytest.approx(1.0, abs=1e-9)
    assert float(m.p_abandon) == pytest.approx(1 - 200 / 500, rel=1e-6)  # carried load = n when saturated
    assert np.isfinite(m.asa_s).all()
