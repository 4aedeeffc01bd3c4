"""Erlang C (M/M/n, callers wait forever): probability of waiting, service level, ASA, occupancy.

Computed from Erlang B, C = n·B / (n − A·(1 − B)), so no factorial is ever formed; vectorised elementwise
over arrays of intervals. Where n <= A the queue never empties: every caller waits (C = 1), the service
level is 0, the ASA is infinite and occupancy is 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cxcert.errors import CxcertError
from cxcert.workforce.erlang_b import FloatArray, as_load, as_servers, erlang_b_direct


def positive(values: ArrayLike, name: str) -> FloatArray:
    """A float array of strictly positive finite values; a user mistake otherwise."""
    out = np.asarray(values, dtype=np.float64)
    if out.size and (np.any(~np.isfinite(out)) or np.any(out <= 0)):
        raise CxcertError(f"{name} must be > 0")
    return out


def erlang_c_from_b(servers: ArrayLike, load: ArrayLike, blocking: ArrayLike) -> FloatArray:
    """Probability of waiting C(n, A) from the Erlang B value B(n, A); 1 where n <= A."""
    n = np.asarray(servers, dtype=np.float64)
    a = np.asarray(load, dtype=np.float64)
    b = np.asarray(blocking, dtype=np.float64)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(stable, n * b / (n - a * (1.0 - b)), 1.0)
    return np.asarray(np.where(a <= 0, 0.0, c), dtype=np.float64)


def erlang_c(servers: ArrayLike, load: ArrayLike) -> FloatArray:
    """Probability that a caller waits, C(n, A), elementwise (1 where n <= A, 0 where A = 0)."""
    n = as_servers(servers, name="agents")
    a = as_load(load)
    return erlang_c_from_b(n, a, erlang_b_direct(n, a))


@dataclass(frozen=True)
class ErlangCMetrics:
    """Erlang C results per interval (arrays of one shape).

    ``service_level`` is the share of calls answered within ``answer_s``; ``asa_s`` the mean wait of all
    calls (all are answered in Erlang C), infinite where n <= A; ``occupancy`` A / n, capped at 1.
    """

    agents: FloatArray
    load: FloatArray
    p_wait: FloatArray
    service_level: FloatArray
    asa_s: FloatArray
    occupancy: FloatArray


def erlang_c_metrics(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike, answer_s: ArrayLike) -> ErlangCMetrics:
    """All Erlang C measures for ``agents`` facing ``load`` Erlangs with mean handle time ``aht_s``."""
    n = as_servers(agents, name="agents")
    a = as_load(load)
    aht = positive(aht_s, "aht_s")
    t = np.asarray(answer_s, dtype=np.float64)
    n, a, aht, t = np.broadcast_arrays(n, a, aht, t)
    c = erlang_c_from_b(n, a, erlang_b_direct(n, a))
    return metrics_from_c(n.astype(np.float64), a, aht, t, c)


def metrics_from_c(n: FloatArray, a: FloatArray, aht: FloatArray, t: FloatArray, c: FloatArray) -> ErlangCMetrics:
    """Service level, ASA and occupancy from C(n, A) (shared by the staffing solver, which has C already)."""
    stable = n > a
    gap = np.where(stable, n - a, 1.0)
    sl = np.where(stable, 1.0 - c * np.exp(-gap * t / aht), 0.0)
    asa = np.where(stable, c * aht / gap, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a / np.where(n > 0, n, 1.0), 1.0), np.where(a > 0, 1.0, 0.0))
    no_calls = a <= 0
    sl = np.where(no_calls, 1.0, sl)
    asa = np.where(no_calls, 0.0, asa)
    return ErlangCMetrics(
        agents=n,
        load=a,
        p_wait=np.asarray(c, dtype=np.float64),
        service_level=np.asarray(np.clip(sl, 0.0, 1.0), dtype=np.float64),
        asa_s=np.asarray(asa, dtype=np.float64),
        occupancy=np.asarray(occ, dtype=np.float64),
    )
