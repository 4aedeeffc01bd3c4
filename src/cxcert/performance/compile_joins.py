"""Metric kinds whose parts need joins or windows, each with its own part key: FCR (the customer's next contact),
error-free evaluations (items per evaluation), forecast intervals (contacts per interval), schedule adherence
(schedule and state overlaps) and headcount (agents on the roster each day). Plumbing is :class:`Compiler`'s."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cxcert.canonical import ERROR_CLASSES
from cxcert.errors import CxcertError
from cxcert.performance.catalogue import (
    AdherenceMetric,
    AnnualisedRateMetric,
    ErrorFreeMetric,
    IntervalAccuracyMetric,
    RepeatFreeMetric,
)
from cxcert.performance.periods import epoch_seconds, utc_literal
from cxcert.performance.plan import Check, MetricPlan, Part, Sum
from cxcert.workforce.adherence import default_state_mapping

if TYPE_CHECKING:
    from cxcert.performance.compile import Compiler

_DAY_S = 86_400


def _by_day(segments: ir.Table) -> ir.Table:
    """One row per UTC day (``_d``, epoch days) that each segment [``_s0``, ``_s1``] (epoch seconds) touches."""
    return segments.mutate(_d=ibis.range(segments._s0 // _DAY_S, segments._s1 // _DAY_S + 1).unnest())


def repeat_free(compiler: Compiler, m: RepeatFreeMetric) -> MetricPlan:
    """Resolved = not followed by another contact of the customer within the window. A contact whose window
    is not wholly observed (it passes the last contact in the data, or the window's end unless
    ``judge_past_window``) cannot be judged: it is censored, out of numerator and denominator, and counted."""
    window_s = compiler.seconds("repeat_window")
    past = "judge_past_window" in compiler.params and bool(compiler.param("judge_past_window").value)
    everything = compiler.table("contacts")
    data_end = everything.arrived_at.max().as_scalar()  # the last contact the data holds (entity scoped)
    t = everything.filter(everything.customer_key.notnull())
    # Any later contact of the customer counts as a repeat (even one that was abandoned), so the lead runs
    # over all of the customer's contacts, up to one window past the end when judging past it.
    t = compiler.prefilter(t, "arrived_at", dt.timedelta(seconds=window_s if past else 0))
    w = ibis.window(group_by=[t.entity_id, t.customer_key], order_by=[t.arrived_at, t.contact_id])
    t = t.mutate(_next_at=t.arrived_at.lead().over(w))
    t = t.filter(compiler.all_of(t, m.where))
    repeated = t._next_at.notnull() & (t._next_at.delta(t.arrived_at, unit="second") <= window_s)
    # Compared as timestamps against the two horizons (scalars), not by a per-row date difference.
    reach = ibis.interval(seconds=int(window_s))
    observed = t.arrived_at <= data_end - reach
    if not past:
        observed = observed & (t.arrived_at < utc_literal(compiler.utc_end - dt.timedelta(seconds=window_s)))
    measures = {
        compiler.name("resolved"): compiler.count(observed & ~repeated),
        compiler.name("handled"): compiler.count(observed),
        compiler.name("censored"): compiler.count(~observed),
    }
    part = Part(f"{m.id}:repeat_free", t, "arrived_at", "timestamp", measures)
    return compiler.plan([part], [("resolved", 1.0)], ["handled"], window_sources=(("contacts", "arrived_at"),))


def error_free(compiler: Compiler, m: ErrorFreeMetric) -> MetricPlan:
    unknown = set(m.error_classes) - set(ERROR_CLASSES)
    if unknown:
        raise CxcertError(f"metric {m.id!r}: unknown error class(es) {', '.join(sorted(unknown))}")
    # One relation for every class (failed items per evaluation and class), identical for all four accuracy
    # metrics, so the engine answers them with a single query.
    items = compiler.table("evaluation_items")
    failed = items.result == m.fail_result
    fails = items.group_by(_eid=items.evaluation_id).aggregate(
        **{f"_failed_{c}": compiler.flag(failed & (items.error_class == c)).sum() for c in ERROR_CLASSES}
    )
    ev = compiler.prefilter(compiler.table("evaluations"), "evaluated_at")
    joined = ev.left_join(fails, ev.evaluation_id == fails._eid)
    failures = ibis.literal(0)
    for c in m.error_classes:
        failures = failures + joined[f"_failed_{c}"].fill_null(0)
    has_items = compiler.name("has_items")
    measures = {
        compiler.name("error_free"): compiler.count(failures == 0),
        compiler.name("evaluated"): Sum(),
        has_items: compiler.count(joined._eid.notnull()),  # evaluations with scored items: items were loaded
    }
    sources = {"evaluations": None, "evaluation_items": has_items}
    part = Part("evaluations:error_free", joined, "evaluated_at", "timestamp", measures, sources)
    return compiler.plan([part], [("error_free", 1.0)], ["evaluated"])


def interval_accuracy(compiler: Compiler, m: IntervalAccuracyMetric) -> MetricPlan:
    """Actual contacts per forecast interval, each interval with its own length (``interval_s``).

    Contacts are floored to every distinct (length, phase) of the window's forecast intervals (usually one or
    two: 15 and 30 minutes on the epoch grid) and matched on (program, queue, length, start): linear in the
    contacts, unlike a range join, and portable (no ``.bucket()``)."""
    f = compiler.prefilter(compiler.table("forecasts"), "interval_start")
    f = f.mutate(_e=epoch_seconds(f.interval_start), _fs=f.interval_s.cast("int64"))
    grid = f.select(_s=f._fs, _ph=f._e % f._fs).distinct()
    # Contacts until the end of the last interval, which may pass the window's last local midnight.
    c = compiler.prefilter(compiler.table("contacts"), "arrived_at", dt.timedelta(days=1))
    c = c.filter(compiler.all_of(c, m.where))
    c = c.select(_en=c.entity_id, _p=c.program, _q=c.queue, _ce=epoch_seconds(c.arrived_at)).cross_join(grid)
    c = c.mutate(_b=((c._ce - c._ph) // c._s) * c._s + c._ph)
    actual = c.group_by(["_en", "_p", "_q", "_s", "_b"]).aggregate(_actual=c.count())
    keys = [f.entity_id == actual._en, f.program == actual._p, f.queue == actual._q]
    j = f.left_join(actual, [*keys, f._fs == actual._s, f._e == actual._b])
    a = j._actual.fill_null(0).cast("float64")
    fc = j.contacts_forecast
    error = (fc - a).abs()
    measures: dict[str, Sum]
    if m.statistic == "within_tolerance":
        # 1e-12 absorbs binary rounding of tolerance × actual (0.1 × 30 is 3.0000000000000004), as the
        # workforce module does, so the two agree on every interval.
        within = error <= compiler.number("tolerance") * a + 1e-12
        measures = {compiler.name("within"): compiler.count(within), compiler.name("intervals"): Sum()}
    elif m.statistic == "wape":
        measures = {compiler.name("abs_error"): Sum(error), compiler.name("actual"): Sum(a)}
    elif m.statistic == "bias":
        measures = {compiler.name("error"): Sum(fc - a), compiler.name("actual"): Sum(a)}
    else:
        measures = {compiler.name("ape"): Sum(error / a, a > 0), compiler.name("intervals"): compiler.count(a > 0)}
    num, den = list(measures)
    part = Part(f"forecasts:{m.where!r}", j, "interval_start", "timestamp", measures, {"forecasts": None})
    prefix = f"{m.id}__"
    return compiler.plan(
        [part],
        [(num.removeprefix(prefix), 1.0)],
        [den.removeprefix(prefix)],
        window_sources=(("contacts", "arrived_at"),),
    )


def adherence(compiler: Compiler, m: AdherenceMetric) -> MetricPlan:
    rules = default_state_mapping()
    sched = compiler.table("schedules")
    seconds = sched.end.delta(sched.start, unit="second")
    unknown = sched.activity.notin(list(rules.activities))
    unmapped = compiler.name("unmapped_s")
    window_sched = compiler.prefilter(sched, "start")
    lacking = window_sched.filter(window_sched.activity.notin(list(rules.activities)))
    check = Check(
        unmapped,
        lacking.group_by(name=lacking.activity).aggregate(
            seconds=lacking.end.delta(lacking.start, unit="second").sum()
        ),
        "scheduled activities without a state mapping (workforce/data/adherence_states.yaml), counted as "
        "scheduled, never adherent",
    )
    if m.statistic == "conformance":
        # Work of the agents scheduled in the window, as `cxcert adherence` reports scheduled agents only.
        states = compiler.table("agent_states")
        states = states.filter(states.agent_id.isin(window_sched.agent_id))
        worked = Sum(states.end.delta(states.start, unit="second"), states.state.isin(list(rules.working_states)))
        work = Sum(seconds, sched.activity.isin(list(rules.work_activities())))
        parts = [
            Part(
                f"{m.id}:worked",
                states,
                "start",
                "timestamp",
                {compiler.name("worked_s"): worked},
                {"agent_states": None},
            ),
            compiler.row_part(
                "schedules", "start", {compiler.name("scheduled_work_s"): work, unmapped: Sum(seconds, unknown)}
            ),
        ]
        return compiler.plan(parts, [("worked_s", 1.0)], ["scheduled_work_s"], checks=(check,))
    # Overlaps by an equi-join on (agent, UTC day): each segment meets only the states of the days it touches
    # (clipped to each day, so a segment over midnight counts once), not every state of its agent.
    s = _by_day(window_sched.mutate(_s0=epoch_seconds(window_sched.start), _s1=epoch_seconds(window_sched.end)))
    states = compiler.table("agent_states")
    a = _by_day(states.select(_ag=states.agent_id, _st=states.state, _s0=epoch_seconds(states.start),
                              _s1=epoch_seconds(states.end)))  # fmt: skip
    a = a.rename(_a0="_s0", _a1="_s1", _ad="_d")
    j = s.join(a, [s.agent_id == a._ag, s._d == a._ad])
    by_activity: dict[str, list[str]] = {}
    for act, state in rules.allowed_pairs():
        by_activity.setdefault(act, []).append(state)
    j = j.filter(ibis.or_(*((j.activity == act) & j._st.isin(ok) for act, ok in by_activity.items())))
    lo = ibis.greatest(j._s0, j._a0, j._d * _DAY_S)
    hi = ibis.least(j._s1, j._a1, (j._d + 1) * _DAY_S)
    adhered = Part(f"{m.id}:adherence", j, "start", "timestamp", {compiler.name("adhered_s"): Sum(hi - lo, hi > lo)})
    planned = compiler.row_part(
        "schedules", "start", {compiler.name("scheduled_s"): Sum(seconds), unmapped: Sum(seconds, unknown)}
    )
    return compiler.plan(
        [adhered, planned],
        [("adhered_s", 1.0)],
        ["scheduled_s"],
        window_sources=(("agent_states", "start"),),
        checks=(check,),
    )


def annualised_rate(compiler: Compiler, m: AnnualisedRateMetric) -> MetricPlan:
    roster = compiler.table("roster")
    exited = compiler.count(roster.exited_on.notnull() & compiler.all_of(roster, m.where))
    exits = compiler.row_part("roster", "exited_on", {compiler.name("exits"): exited})
    days = ibis.memtable(pa.table({"_day": pa.array(compiler.window.days(), pa.date32())}))
    on_roster = roster.join(
        days, [roster.hired_on <= days._day, roster.exited_on.isnull() | (roster.exited_on > days._day)]
    )
    headcount = Part(
        f"{m.id}:headcount", on_roster, "_day", "date", {compiler.name("agent_days"): Sum()}, {"roster": None}
    )
    return compiler.plan([exits, headcount], [("exits", compiler.number("days_per_year"))], ["agent_days"])
