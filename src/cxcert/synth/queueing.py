"""Waiting and abandonment: the Erlang A (M/M/n+M) queue per interval, vectorised over the whole run.

The model (a steady-state approximation per interval, not a multi-server simulation, but it moves with load and
staffing the way a real queue does):

* In each interval a queued queue is an Erlang A system: ``n`` agents on the phone (from the worked shifts),
  Poisson arrivals at rate ``lambda`` = the interval's realised count / interval length, exponential service at
  ``mu`` = concurrency / AHT per agent, and exponential patience at rate ``theta`` = 1 / mean patience (a
  lognormal patience is represented by its mean here).
* Its stationary distribution gives, exactly: the probability that an arriving caller waits at all,
  ``P(W > 0)``, and the probability of abandoning, ``P(Ab) = theta * Lq / lambda``. A queue in overload
  (``lambda > n mu``) stays finite because abandonment sheds the excess, as real queues do.
* Each caller is then drawn: delayed with ``P(W > 0)``; a delayed caller's virtual wait (the wait of an
  infinitely patient caller) is exponential with the mean ``m`` that makes ``P(patience < wait | delayed)`` equal
  Erlang A's ``P(Ab) / P(W > 0)``; the caller abandons when their patience (drawn from the profile's
  distribution) is shorter, and the recorded wait is ``min(wait, patience)``. With exponential patience this
  reproduces Erlang A's delay probability, abandonment and mean wait exactly; service level is close.
* Deferred work (email) never abandons; its response time is lognormal with the profile's mean when the day is
  staffed as required, stretched in proportion to required / worked agent time when it is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxcert.synth.arrivals import FloatArray, IntArray
from cxcert.synth.profile import Patience
from cxcert.workforce.erlang_a import erlang_a_metrics

PATIENCE_NODES = 32
NO_AGENT_WAIT_S = 1e7
"""Virtual wait when nobody is on the phone: every caller runs out of patience first."""


@dataclass(frozen=True)
class QueueState:
    """Per interval of one queue: the delay probability and the mean virtual wait of a delayed caller."""

    delay_probability: FloatArray
    mean_delay_s: FloatArray


def patience_nodes(patience: Patience) -> FloatArray:
    """Mid-quantiles of the patience distribution: a quadrature for E[f(patience)]."""
    u = (np.arange(PATIENCE_NODES) + 0.5) / PATIENCE_NODES
    if patience.distribution == "exponential":
        nodes: FloatArray = -patience.mean_s * np.log1p(-u)
        return nodes
    from scipy.special import ndtri  # local: scipy is heavy and only the lognormal needs it

    sigma = float(patience.sigma or 1.0)
    mu = np.log(patience.mean_s) - sigma**2 / 2
    lognormal: FloatArray = np.exp(mu + sigma * ndtri(u))
    return lognormal


def erlang_a(
    servers: IntArray, arrival_rate: FloatArray, service_rate: FloatArray, abandon_rate: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """P(wait > 0) and P(abandon) of Erlang A (M/M/n+M), elementwise, in rates: the workforce science's
    :func:`~cxcert.workforce.erlang_a.erlang_a_metrics` with load = lambda / mu, AHT = 1 / mu, patience = 1 / theta."""
    mu = np.asarray(service_rate, dtype=np.float64)
    metrics = erlang_a_metrics(
        servers,
        np.asarray(arrival_rate, dtype=np.float64) / mu,
        1.0 / mu,
        1.0 / np.asarray(abandon_rate, dtype=np.float64),
        0.0,
        with_asa=False,
    )
    return metrics.p_wait, metrics.p_abandon


def queue_state(
    arrivals: FloatArray, agents: IntArray, aht_s: FloatArray, concurrency: float, interval_s: float, patience: Patience
) -> QueueState:
    """Delay probability and mean virtual wait of a delayed caller per interval (any array shape)."""
    arrivals = np.asarray(arrivals, dtype=np.float64)
    agents = np.asarray(agents, dtype=np.int64)
    mu = np.broadcast_to(concurrency / np.asarray(aht_s, dtype=np.float64), arrivals.shape)
    delay = np.zeros_like(arrivals)
    mean_delay = np.full_like(arrivals, NO_AGENT_WAIT_S)
    delay[(agents == 0) & (arrivals > 0)] = 1.0
    staffed = (agents > 0) & (arrivals > 0)
    if staffed.any():
        lam = arrivals[staffed] / interval_s
        p_delay, p_abandon = erlang_a(agents[staffed], lam, mu[staffed], np.full_like(lam, 1.0 / patience.mean_s))
        delay[staffed] = p_delay
        mean_delay[staffed] = _virtual_wait_mean(np.clip(p_abandon / p_delay, 1e-9, 1 - 1e-9), patience)
    return QueueState(delay_probability=delay, mean_delay_s=mean_delay)


def _virtual_wait_mean(gives_up: FloatArray, patience: Patience) -> FloatArray:
    """The mean m of an exponential virtual wait such that P(patience < wait) = ``gives_up``."""
    if patience.distribution == "exponential":  # P(tau < V) = m / (m + P)
        closed: FloatArray = patience.mean_s * gives_up / (1.0 - gives_up)
        return closed
    nodes = patience_nodes(patience)
    low = np.full_like(gives_up, -3.0)
    high = np.full_like(gives_up, 9.0)
    for _ in range(40):  # bisection on log10(m): P(tau < V) = E[exp(-tau / m)] rises with m
        mid = (low + high) / 2
        value = np.exp(-nodes[None, :] / 10.0 ** mid[:, None]).mean(axis=1)
        low = np.where(value < gives_up, mid, low)
        high = np.where(value < gives_up, high, mid)
    result: FloatArray = 10.0 ** ((low + high) / 2)
    return result


def draw_patience(patience: Patience, size: int, rng: np.random.Generator) -> FloatArray:
    """Patience of ``size`` callers."""
    if patience.distribution == "exponential":
        draws: FloatArray = rng.exponential(patience.mean_s, size)
        return draws
    sigma = float(patience.sigma or 1.0)
    return rng.lognormal(np.log(patience.mean_s) - sigma**2 / 2, sigma, size)


def draw_queued_waits(
    delay_probability: FloatArray, mean_delay_s: FloatArray, patience: Patience, rng: np.random.Generator
) -> tuple[FloatArray, np.ndarray]:
    """Recorded wait and abandonment of each caller, given their interval's state (arrays per caller)."""
    size = delay_probability.shape[0]
    delayed = rng.random(size) < delay_probability
    virtual = np.where(delayed, rng.exponential(1.0, size) * mean_delay_s, 0.0)
    tolerance = draw_patience(patience, size, rng)
    abandoned = delayed & (tolerance < virtual)
    return np.where(abandoned, tolerance, virtual), abandoned


def draw_deferred_waits(
    mean_response_s: float, sigma: float, stretch: FloatArray, rng: np.random.Generator
) -> FloatArray:
    """Response times of deferred contacts: lognormal with mean ``mean_response_s * stretch``."""
    mu = np.log(mean_response_s * stretch) - sigma**2 / 2
    waits: FloatArray = rng.lognormal(mu, sigma)
    return waits
