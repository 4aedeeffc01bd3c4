"""Staffing to a target: the fewest agents per interval that meet a service level, ASA or abandonment target
under a maximum occupancy, vectorised over any number of intervals (a year of half-hours for many queues).

Nothing is rounded early. Per interval the result holds the integer minimum of agents on the phone, a
fractional requirement (the continuous staffing at which the binding target is met exactly: interpolated
between n − 1 and n on the measure's curve, or the occupancy bound A / max occupancy) and the scheduled agents
after shrinkage, built from that fractional requirement (fractional / (1 − shrinkage)), a float. Sums over
queues or intervals are taken on those floats and rounded once, at the end, by whoever reports them; the
integer agents on the phone are reported alongside. (Rounding every interval up before aggregating is the
over-staffing users of other tools complain about.)

The search is vectorised across intervals; only the loop over candidate agent counts is in Python. Erlang C
walks up from the smallest stable count with the Erlang B recursion, dropping intervals as they are met (for
loads past the recursion's range it gallops and bisects on B in closed form); Erlang A gallops up from a lower
bound and bisects (its measures need an incomplete gamma per step). Loads beyond ``max_load_erlangs`` of
``staffing_defaults.yaml`` are refused: no interval of a contact centre is that large, and it is the usual sign
of calls per year or an AHT in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from cxcert.errors import CxcertError
from cxcert.workforce.erlang_a import erlang_a_metrics
from cxcert.workforce.erlang_b import (
    RECURSION_LIMIT,
    FloatArray,
    IntArray,
    erlang_b_direct,
    erlang_b_direct_unchecked,
    erlang_b_next,
    erlang_b_previous,
    erlang_b_walk,
)
from cxcert.workforce.erlang_c import erlang_c_from_b, metrics_from_c
from cxcert.workforce.search import smallest_meeting
from cxcert.workforce.staffing_defaults import staffing_defaults

QueueModel = Literal["erlang-c", "erlang-a"]
QUEUE_MODELS: tuple[QueueModel, ...] = ("erlang-c", "erlang-a")

_EPS = 1e-12  # comparisons of computed shares against targets tolerate floating-point noise only


@dataclass(frozen=True)
class StaffingTarget:
    """What an interval must achieve. Any of service level (with its answer time), ASA, abandonment and the
    probability of waiting (P(wait > 0), Erlang C's own quantity C(n, A)) may be set; all that are set must hold,
    and occupancy must not exceed ``max_occupancy``.

    Shares are fractions (0.8 for 80 %); times are seconds. Abandonment targets need Erlang A.
    """

    service_level: float | None = None
    answer_s: float = 0.0
    asa_s: float | None = None
    abandon_rate: float | None = None
    max_occupancy: float = 1.0
    shrinkage: float = 0.0
    p_wait: float | None = None

    def __post_init__(self) -> None:
        if self.service_level is None and self.asa_s is None and self.abandon_rate is None and self.p_wait is None:
            raise CxcertError(
                "give at least one target: service level, ASA, abandonment rate or probability of waiting"
            )
        if self.service_level is not None and not 0 < self.service_level < 1:
            raise CxcertError(f"target service level must be between 0 and 1 (exclusive), got {self.service_level}")
        if self.answer_s < 0:
            raise CxcertError(f"target answer time must be >= 0 seconds, got {self.answer_s}")
        if self.asa_s is not None and self.asa_s <= 0:
            raise CxcertError(f"target ASA must be > 0 seconds, got {self.asa_s}")
        if self.abandon_rate is not None and not 0 < self.abandon_rate < 1:
            raise CxcertError(f"target abandonment rate must be between 0 and 1 (exclusive), got {self.abandon_rate}")
        if self.p_wait is not None and not 0 < self.p_wait < 1:
            raise CxcertError(f"target probability of waiting must be between 0 and 1 (exclusive), got {self.p_wait}")
        if not 0 < self.max_occupancy <= 1:
            raise CxcertError(f"maximum occupancy must be in (0, 1], got {self.max_occupancy}")
        if not 0 <= self.shrinkage < 1:
            raise CxcertError(f"shrinkage must be in [0, 1), got {self.shrinkage}")


@dataclass(frozen=True)
class QueueMeasures:
    """Service measures of given agent counts (arrays of one shape); ``abandon_rate`` is 0 under Erlang C."""

    service_level: FloatArray
    asa_s: FloatArray
    p_wait: FloatArray
    abandon_rate: FloatArray
    occupancy: FloatArray


@dataclass(frozen=True)
class StaffingPlan:
    """Staffing per interval (arrays of the inputs' shape), unrounded except for the integer minimum.

    ``agents_on_phone``: the fewest agents meeting every target; ``agents_required_fractional``: where the
    binding target is crossed between n − 1 and n (a continuous requirement for aggregation);
    ``scheduled_with_shrinkage``: agents_required_fractional / (1 − shrinkage), a float (not the rounded-up
    on-phone count). Measures are those achieved with ``agents_on_phone`` agents.
    """

    model: QueueModel
    load: FloatArray
    agents_on_phone: IntArray
    agents_required_fractional: FloatArray
    scheduled_with_shrinkage: FloatArray
    measures: QueueMeasures


def offered_load(calls: ArrayLike, aht_s: ArrayLike, interval_s: ArrayLike) -> FloatArray:
    """Offered load in Erlangs: calls × AHT / interval length."""
    c = np.asarray(calls, dtype=np.float64)
    aht = np.asarray(aht_s, dtype=np.float64)
    ivl = np.asarray(interval_s, dtype=np.float64)
    if c.size and (np.any(~np.isfinite(c)) or np.any(c < 0)):
        raise CxcertError("calls must be finite and >= 0")
    if aht.size and (np.any(~np.isfinite(aht)) or np.any(aht <= 0)):
        raise CxcertError("AHT must be > 0 seconds")
    if ivl.size and (np.any(~np.isfinite(ivl)) or np.any(ivl <= 0)):
        raise CxcertError("interval length must be > 0 seconds")
    return np.asarray(c * aht / ivl, dtype=np.float64)


def queue_measures(
    model: QueueModel,
    agents: ArrayLike,
    load: ArrayLike,
    aht_s: ArrayLike,
    answer_s: ArrayLike,
    patience_s: ArrayLike | None = None,
    *,
    with_asa: bool = True,
) -> QueueMeasures:
    """Measures of ``agents`` facing ``load`` Erlangs under ``model`` (Erlang A needs ``patience_s``)."""
    if model == "erlang-c":
        n = np.asarray(agents, dtype=np.int64)
        a = np.asarray(load, dtype=np.float64)
        n, a, aht, t = np.broadcast_arrays(n, a, np.asarray(aht_s, np.float64), np.asarray(answer_s, np.float64))
        m = metrics_from_c(n.astype(np.float64), a, aht, t, erlang_c_from_b(n, a, erlang_b_direct(n, a)))
        return QueueMeasures(m.service_level, m.asa_s, m.p_wait, np.zeros_like(m.p_wait), m.occupancy)
    if patience_s is None:
        raise CxcertError("Erlang A needs the callers' mean patience (patience_s)")
    ma = erlang_a_metrics(agents, load, aht_s, patience_s, answer_s, with_asa=with_asa)
    asa = ma.asa_s if ma.asa_s is not None else np.full(ma.p_wait.shape, np.nan)
    return QueueMeasures(ma.service_level, asa, ma.p_wait, ma.p_abandon, ma.occupancy)


def _meets(m: QueueMeasures, target: StaffingTarget) -> NDArrayBool:
    ok = m.occupancy <= target.max_occupancy + _EPS
    if target.service_level is not None:
        ok &= m.service_level >= target.service_level - _EPS
    if target.asa_s is not None:
        ok &= m.asa_s <= target.asa_s * (1 + _EPS)
    if target.abandon_rate is not None:
        ok &= m.abandon_rate <= target.abandon_rate + _EPS
    if target.p_wait is not None:
        ok &= m.p_wait <= target.p_wait + _EPS
    return ok


NDArrayBool = np.ndarray[tuple[int, ...], np.dtype[np.bool_]]


def solve_staffing(
    calls: ArrayLike,
    aht_s: ArrayLike,
    interval_s: ArrayLike,
    target: StaffingTarget,
    *,
    model: QueueModel = "erlang-c",
    patience_s: ArrayLike | None = None,
) -> StaffingPlan:
    """The fewest agents per interval meeting ``target`` (arrays broadcast together; any shape).

    Example: 100 calls in 1800 s with a 180 s AHT at 80 % in 20 s under Erlang C needs 14 agents (13 give
    79.6 %).
    """
    if model not in QUEUE_MODELS:
        raise CxcertError(f"unknown queue model {model!r}; use one of {', '.join(QUEUE_MODELS)}")
    if model == "erlang-c" and target.abandon_rate is not None:
        raise CxcertError("an abandonment target needs Erlang A (--model erlang-a with a patience)")
    if model == "erlang-a" and patience_s is None:
        raise CxcertError("Erlang A needs the callers' mean patience (patience_s)")
    load = offered_load(calls, aht_s, interval_s)
    _check_range(load)
    shape = np.broadcast_shapes(load.shape, np.shape(aht_s), np.shape(patience_s) if patience_s is not None else ())
    a = np.broadcast_to(load, shape).ravel().astype(np.float64)
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), shape).ravel()
    pat = np.broadcast_to(np.asarray(patience_s, dtype=np.float64), shape).ravel() if patience_s is not None else None
    if pat is not None and pat.size and (np.any(~np.isfinite(pat)) or np.any(pat <= 0)):
        raise CxcertError("patience must be > 0 seconds")
    t = np.full(a.shape, target.answer_s)
    if model == "erlang-c":
        n, b_n = _search_erlang_c(a, aht, t, target)
        # Measures at n and n − 1 from the B values the search already holds: no second incomplete gamma.
        n_f = n.astype(np.float64)
        final = _c_measures(n_f, a, aht, t, b_n)
        below = _c_measures(np.maximum(n_f - 1, 0), a, aht, t, erlang_b_previous(n, a, b_n))
    else:
        assert pat is not None
        n = _search_erlang_a(a, aht, t, pat, target)
        final = queue_measures(model, n, a, aht, t, pat)
        below = queue_measures(model, np.maximum(n - 1, 0), a, aht, t, pat, with_asa=target.asa_s is not None)
    frac = _fractional(n, a, final, below, target)
    if model == "erlang-c":
        # Erlang C needs more agents than Erlangs (n <= A never empties the queue): interpolating across n − 1 <= A,
        # where the service level is 0, would put a lax target's crossing below the load itself.
        frac = np.where(n > 0, np.maximum(frac, a), frac)
    return StaffingPlan(
        model=model,
        load=a.reshape(shape),
        agents_on_phone=n.reshape(shape),
        agents_required_fractional=frac.reshape(shape),
        scheduled_with_shrinkage=(frac / (1.0 - target.shrinkage)).reshape(shape),
        measures=QueueMeasures(*(np.asarray(v).reshape(shape) for v in _fields(final))),
    )


def _check_range(load: FloatArray) -> None:
    """Refuse loads past the packaged ``max_load_erlangs``: a user's unit mistake, not a contact centre."""
    limit = staffing_defaults().max_load_erlangs
    if load.size and float(load.max()) > limit:
        raise CxcertError(
            f"offered load {float(load.max()):.4g} Erlangs (calls × AHT / interval) is beyond the solver's range of "
            f"{limit:.4g} Erlangs (max_load_erlangs in staffing_defaults.yaml): check that calls are per interval "
            "and AHT in seconds"
        )


def _fields(m: QueueMeasures) -> tuple[FloatArray, ...]:
    return (m.service_level, m.asa_s, m.p_wait, m.abandon_rate, m.occupancy)


def _c_measures(n: FloatArray, a: FloatArray, aht: FloatArray, t: FloatArray, b: FloatArray) -> QueueMeasures:
    m = metrics_from_c(n, a, aht, t, erlang_c_from_b(n, a, b))
    return QueueMeasures(m.service_level, m.asa_s, m.p_wait, np.zeros_like(m.p_wait), m.occupancy)


def _search_erlang_c(
    a: FloatArray, aht: FloatArray, t: FloatArray, target: StaffingTarget
) -> tuple[IntArray, FloatArray]:
    """The fewest agents from n0 = max(⌊A⌋ + 1, ⌈A / max occupancy⌉) up (n0 − 1 fails: it is unstable or over
    the occupancy cap); returns n and B(n).

    Up to :data:`RECURSION_LIMIT` agents: B(n0) by the recursion, then walk up with B(n+1) = A·B(n)/(n+1 + A·B(n)).
    Beyond: B in closed form at any n, galloping up from n0 in steps of √A (square-root staffing puts the answer
    about β·√A above the load) and bisecting, so 10⁸ Erlangs cost a few dozen evaluations, not 10⁸ steps.
    """
    result = np.zeros(a.shape, dtype=np.int64)
    result_b = np.ones(a.shape, dtype=np.float64)  # B(0) = 1 where there are no calls
    busy = np.flatnonzero(a > 0)
    if not busy.size:
        return result, result_b
    start = np.maximum(np.floor(a[busy]) + 1, np.ceil(a[busy] / target.max_occupancy - 1e-9)).astype(np.int64)
    large = start > RECURSION_LIMIT
    if np.any(large):
        idx = busy[large]

        def ok_at(n: IntArray, sub: IntArray) -> NDArrayBool:
            at = idx[sub]
            b = erlang_b_direct_unchecked(n, a[at])
            return _meets(_c_measures(n.astype(np.float64), a[at], aht[at], t[at], b), target)

        step = np.ceil(np.sqrt(a[idx])).astype(np.int64)
        n_large = smallest_meeting(start[large] - 1, step, ok_at)
        result[idx] = n_large
        result_b[idx] = erlang_b_direct_unchecked(n_large, a[idx])
    idx, n = busy[~large], start[~large]
    b = erlang_b_walk(n, a[idx])
    lean = target.asa_s is None and target.p_wait is None  # the common service-level case: test only what it needs
    while idx.size:
        if lean:
            # n > A holds on this walk, and n >= A / max occupancy from the start: only the service level is open.
            ai, n_f = a[idx], n.astype(np.float64)
            c = n_f * b / (n_f - ai * (1.0 - b))
            sl = 1.0 - c * np.exp(-(n_f - ai) * t[idx] / aht[idx])
            ok = sl >= (target.service_level or 0.0) - _EPS
        else:
            ok = _meets(_c_measures(n.astype(np.float64), a[idx], aht[idx], t[idx], b), target)
        result[idx[ok]] = n[ok]
        result_b[idx[ok]] = b[ok]
        keep = ~ok
        idx, n, b = idx[keep], n[keep] + 1, b[keep]
        b = erlang_b_next(n, a[idx], b)
    return result, result_b


def _search_erlang_a(
    a: FloatArray, aht: FloatArray, t: FloatArray, pat: FloatArray, target: StaffingTarget
) -> IntArray:
    """Gallop up from a lower bound in steps of √A, then bisect; every measure is monotone in the agents.

    Lower bound: agents are at least the carried load A·(1 − P(abandon)), which is at least A × the service
    level (answered within T) and A × (1 − abandonment target).
    """
    result = np.zeros(a.shape, dtype=np.int64)
    idx = np.flatnonzero(a > 0)
    if not idx.size:
        return result
    ai = a[idx]
    floor_share = max(target.service_level or 0.0, 1.0 - (target.abandon_rate or 1.0))
    lo = np.maximum(np.floor(ai * floor_share).astype(np.int64), 1)

    def ok_at(n: IntArray, sub: IntArray) -> NDArrayBool:
        m = queue_measures("erlang-a", n, a[sub], aht[sub], t[sub], pat[sub], with_asa=target.asa_s is not None)
        return _meets(m, target)

    met = ok_at(lo, idx)
    result[idx[met]] = lo[met]
    idx, lo = idx[~met], lo[~met]  # from here lo fails
    if idx.size:
        step = np.ceil(np.sqrt(a[idx])).astype(np.int64)
        result[idx] = smallest_meeting(lo, step, lambda n, sub: ok_at(n, idx[sub]))
    return result


def _fractional(
    n: IntArray, a: FloatArray, at_n: QueueMeasures, below: QueueMeasures, target: StaffingTarget
) -> FloatArray:
    """Where each failing target is crossed between n − 1 and n (linear in the measure; in 1/ASA for ASA, which
    is infinite on unstable Erlang C staffing); the largest crossing binds. 0 where there are no calls."""
    base = (n - 1).astype(np.float64)
    frac = np.where(n > 0, base, 0.0)

    def cross(lo_v: FloatArray, hi_v: FloatArray, goal: float) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(hi_v != lo_v, (goal - lo_v) / (hi_v - lo_v), 1.0)
        return np.asarray(base + np.clip(w, 0.0, 1.0), dtype=np.float64)

    if target.service_level is not None:
        failing = below.service_level < target.service_level - _EPS
        frac = np.where(
            failing, np.maximum(frac, cross(below.service_level, at_n.service_level, target.service_level)), frac
        )
    if target.asa_s is not None:
        with np.errstate(divide="ignore"):
            inv_lo, inv_hi = 1.0 / below.asa_s, 1.0 / at_n.asa_s
        failing = below.asa_s > target.asa_s * (1 + _EPS)
        frac = np.where(failing, np.maximum(frac, cross(inv_lo, inv_hi, 1.0 / target.asa_s)), frac)
    if target.abandon_rate is not None:
        failing = below.abandon_rate > target.abandon_rate + _EPS
        frac = np.where(
            failing, np.maximum(frac, cross(below.abandon_rate, at_n.abandon_rate, target.abandon_rate)), frac
        )
    if target.p_wait is not None:
        failing = below.p_wait > target.p_wait + _EPS
        frac = np.where(failing, np.maximum(frac, cross(below.p_wait, at_n.p_wait, target.p_wait)), frac)
    occ_failing = (below.occupancy > target.max_occupancy + _EPS) & (n > 1)
    frac = np.where(occ_failing, np.maximum(frac, np.minimum(a / target.max_occupancy, n)), frac)
    return np.asarray(np.where(n > 0, frac, 0.0), dtype=np.float64)
