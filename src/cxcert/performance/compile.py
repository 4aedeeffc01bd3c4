"""Metric definition → Ibis expressions over canonical tables.

A compiled metric is a :class:`MetricPlan`: one or more :class:`Part`s, each a relation with a time column and
measures (:class:`Sum`: a count or a sum of seconds or amounts, over the rows meeting a condition) that the engine
buckets and aggregates, plus how the summed
measures form the numerator (a signed, scaled sum) and the denominator. Parts built straight on a canonical
table share its ``key`` (``contacts@arrived_at``), so the engine aggregates every metric over that table in one
query; parts needing joins or windows (FCR, critical accuracy, forecast accuracy, adherence, headcount) get
their own key.

Every part also says which canonical tables its rows show to have data (``sources``), and a plan lists the tables
that must merely have rows somewhere in the window (``window_sources``): the engine reports a metric whose source
has no rows as *no data* (null, naming the table), never as 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cxcert.canonical import ERROR_CLASSES
from cxcert.errors import CxcertError
from cxcert.performance.catalogue import (
    AbandonTreatment,
    AdherenceMetric,
    AnnualisedRateMetric,
    BoxShareMetric,
    Catalogue,
    Condition,
    CyclesLateMetric,
    DimensionLookup,
    Elapsed,
    ErrorFreeMetric,
    IntervalAccuracyMetric,
    MeanMetric,
    Measure,
    Metric,
    NpsMetric,
    Op,
    RatioMetric,
    RepeatFreeMetric,
    ShareWithinMetric,
    default_catalogue,
)
from cxcert.performance.parameters import Parameter
from cxcert.performance.periods import Window, epoch_seconds, utc_literal
from cxcert.workforce.adherence import default_state_mapping

TimeKind = Literal["timestamp", "date"]


@dataclass(frozen=True)
class Sum:
    """A measure: the sum of ``value`` (``None``: count the rows) over the rows where ``where`` holds (``None``:
    all rows). Kept apart rather than as ``ifelse(where, value, 0)`` so that backends aggregate it with a filter
    (``SUM(value) FILTER (WHERE where)``), which DuckDB runs ~2x faster than summing a per-row CASE."""

    value: ir.NumericValue | None = None
    where: ir.BooleanValue | None = None


@dataclass(frozen=True)
class Part:
    """A relation whose rows carry a time and measure values; parts with equal ``key`` share one query."""

    key: str
    relation: ir.Table
    time: str
    time_kind: TimeKind
    measures: Mapping[str, Sum]
    sources: Mapping[str, str | None] = field(default_factory=dict)
    """Canonical tables that a row of this part shows to have data for its period and dimensions: ``None`` when
    any row does, else the name of one of ``measures`` that is positive where the table had rows."""


@dataclass(frozen=True)
class Check:
    """A follow-up the engine runs when measure ``when`` is positive in some row: ``query`` gives (name, seconds)
    rows that the result then names, after ``message`` (e.g. the scheduled activities the mapping lacks)."""

    when: str
    query: ir.Table
    message: str


@dataclass(frozen=True)
class MetricPlan:
    metric: Metric
    parts: tuple[Part, ...]
    numerator: tuple[tuple[str, float], ...]  # (measure, coefficient)
    denominator: tuple[str, ...]
    window_sources: tuple[tuple[str, str], ...] = ()
    """(table, time column) that must have rows in the window, where no part can tell it period by period."""
    presence: frozenset[str] = frozenset()
    """Measures that only prove a source present: neither in the ratio nor in the output."""
    checks: tuple[Check, ...] = ()
    lookups: tuple[DimensionLookup, ...] = ()
    """Dimension lookups the plan's relations went through (rows without a match are grouped as unknown)."""

    def measure_names(self) -> tuple[str, ...]:
        return tuple(name for part in self.parts for name in part.measures)

    def value_names(self) -> tuple[str, ...]:
        """The measures that make the ratio and the output (not the presence proofs)."""
        return tuple(name for name in self.measure_names() if name not in self.presence)

    def sources(self) -> tuple[str, ...]:
        """Every canonical table the metric needs rows of."""
        tables = [t for part in self.parts for t in part.sources] + [t for t, _ in self.window_sources]
        return tuple(dict.fromkeys(tables))


class _Compiler:
    def __init__(
        self,
        metric: Metric,
        tables: Mapping[str, ir.Table],
        window: Window,
        by: tuple[str, ...] = (),
        lookups: tuple[DimensionLookup, ...] = (),
        span: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> None:
        self.metric = metric
        self.tables = tables
        self.window = window
        # The UTC span of the window's dates in every site zone in use: pre-filters keep all of it.
        self.utc_start, self.utc_end = span or (window.utc_start, window.utc_end)
        self.params = metric.parameters
        self.by = by
        self.lookups = lookups
        self.applied: dict[str, DimensionLookup] = {}

    # -- plumbing -----------------------------------------------------------------------------------------
    def table(self, name: str) -> ir.Table:
        if name not in self.tables:
            raise CxcertError(f"metric {self.metric.id!r} needs table {name!r}, which has no data loaded")
        t = self.tables[name]
        wanted = [d for d in self.by if d not in t.columns]
        found = [lk for lk in self.lookups if lk.table == name and set(wanted) & set(lk.dimensions)]
        return self.looked_up(t, found[0], wanted) if wanted and found else t

    def looked_up(self, t: ir.Table, lookup: DimensionLookup, wanted: list[str]) -> ir.Table:
        """``t`` with the ``wanted`` dimensions of the row it names (one per key: the lookup is deduplicated),
        ``lookup.unknown`` where there is none."""
        if lookup.lookup not in self.tables:
            raise CxcertError(f"metric {self.metric.id!r}: cutting {lookup.table} by {', '.join(wanted)} needs table "
                              f"{lookup.lookup!r}, which has no data loaded")  # fmt: skip
        other = self.tables[lookup.lookup]
        dims = [d for d in wanted if d in lookup.dimensions]
        found = other.group_by(_lk_entity=other.entity_id, _lk_key=other[lookup.lookup_key]).aggregate(
            **{f"_lk_{d}": other[d].min() for d in dims}
        )
        joined = t.left_join(found, [t.entity_id == found._lk_entity, t[lookup.key] == found._lk_key])
        joined = joined.mutate(**{d: joined[f"_lk_{d}"].fill_null(lookup.unknown) for d in dims})
        self.applied[lookup.table] = lookup
        return joined.drop("_lk_entity", "_lk_key", *(f"_lk_{d}" for d in dims))

    def column(self, t: ir.Table, name: str) -> ir.Column:
        if name not in t.columns:
            raise CxcertError(f"metric {self.metric.id!r} names column {name!r}, which the table does not have")
        return t[name]

    def param(self, name: str) -> Parameter:
        if name not in self.params:
            raise CxcertError(f"metric {self.metric.id!r} has no parameter {name!r}")
        return self.params[name]

    def seconds(self, name: str) -> float:
        try:
            return self.param(name).seconds()
        except ValueError as exc:
            raise CxcertError(f"metric {self.metric.id!r}, parameter {name!r}: {exc}") from None

    def number(self, name: str) -> float:
        return float(self.param(name).value)

    def name(self, measure: str) -> str:
        return f"{self.metric.id}__{measure}"

    def time_kind(self, t: ir.Table, column: str) -> TimeKind:
        col = self.column(t, column)
        if col.type().is_timestamp():
            return "timestamp"
        if col.type().is_date():
            return "date"
        raise CxcertError(f"metric {self.metric.id!r}: time column {column!r} is neither a timestamp nor a date")

    def condition(self, t: ir.Table, cond: Condition) -> ir.BooleanValue:
        col = self.column(t, cond.column)
        if cond.param is not None:
            p = self.param(cond.param)
            value: object = p.seconds() if p.unit in {"seconds", "hours", "days"} else p.value
        else:
            value = cond.value
        match cond.op:
            case Op.EQ:
                return col == value
            case Op.NE:  # null-safe: a missing value is not equal to the one named
                return ~col.identical_to(value)
            case Op.LT:
                return col < value
            case Op.LE:
                return col <= value
            case Op.GT:
                return col > value
            case Op.GE:
                return col >= value
            case Op.IN:
                return col.isin(list(value))  # type: ignore[call-overload]
            case Op.NOT_IN:  # null-safe, like NE
                return col.isnull() | col.notin(list(value))  # type: ignore[call-overload]
            case Op.IS_NULL:
                return col.isnull()
            case Op.NOT_NULL:
                return col.notnull()
            case Op.IS_TRUE:
                return self.boolean(col, cond).fill_null(False)
            case Op.IS_FALSE:
                return ~self.boolean(col, cond).fill_null(True)
        raise AssertionError(cond.op)

    def boolean(self, col: ir.Column, cond: Condition) -> ir.BooleanColumn:
        if not col.type().is_boolean():
            raise CxcertError(
                f"metric {self.metric.id!r}: {cond.op.value} needs a true/false column; {cond.column!r} is {col.type()}"
            )
        return col

    def all_of(self, t: ir.Table, conds: tuple[Condition, ...]) -> ir.BooleanValue:
        return ibis.and_(*(self.condition(t, c) for c in conds)) if conds else ibis.literal(True)

    def elapsed(self, t: ir.Table, e: Elapsed) -> ir.NumericValue:
        return self.column(t, e.end).delta(self.column(t, e.start), unit="second")

    def value(self, t: ir.Table, v: tuple[str, ...] | Elapsed) -> ir.NumericValue:
        if isinstance(v, Elapsed):
            return self.elapsed(t, v).fill_null(0)
        terms = [self.column(t, name).fill_null(0) for name in v]
        total: ir.NumericValue = terms[0] if terms else ibis.literal(0.0)
        for term in terms[1:]:
            total = total + term
        return total

    def flag(self, cond: ir.BooleanValue) -> ir.IntegerValue:
        return ibis.ifelse(cond, 1, 0)

    def count(self, cond: ir.BooleanValue) -> Sum:
        return Sum(None, cond)

    def row_part(self, table: str, time: str, measures: Mapping[str, Sum]) -> Part:
        t = self.table(table)
        return Part(f"{table}@{time}", t, time, self.time_kind(t, time), measures, {table: None})

    def measure(self, m: Measure, label: str) -> Part:
        t = self.table(m.table)
        cond = self.all_of(t, m.where)
        expr = self.count(cond) if m.agg == "count" else Sum(self.value(t, m.value or ()), cond)
        return self.row_part(m.table, m.time, {self.name(label): expr})

    def prefilter(self, t: ir.Table, column: str, extra: dt.timedelta = dt.timedelta()) -> ir.Table:
        """Keep rows whose timestamp falls in the window (plus ``extra`` after it): joins then stay small."""
        col = self.column(t, column)
        return t.filter(col >= utc_literal(self.utc_start), col < utc_literal(self.utc_end + extra))

    # -- kinds --------------------------------------------------------------------------------------------
    def compile(self) -> MetricPlan:
        m = self.metric
        match m:
            case RatioMetric():
                return self.ratio(m)
            case MeanMetric():
                return self.mean(m)
            case ShareWithinMetric():
                return self.share_within(m)
            case BoxShareMetric():
                return self.box_share(m)
            case NpsMetric():
                return self.nps(m)
            case RepeatFreeMetric():
                return self.repeat_free(m)
            case ErrorFreeMetric():
                return self.error_free(m)
            case CyclesLateMetric():
                return self.cycles_late(m)
            case IntervalAccuracyMetric():
                return self.interval_accuracy(m)
            case AdherenceMetric():
                return self.adherence(m)
            case AnnualisedRateMetric():
                return self.annualised_rate(m)
        raise AssertionError(m)

    def plan(
        self,
        parts: list[Part],
        num: list[tuple[str, float]],
        den: list[str],
        *,
        window_sources: tuple[tuple[str, str], ...] = (),
        checks: tuple[Check, ...] = (),
    ) -> MetricPlan:
        presence = frozenset(m for part in parts for m in part.sources.values() if m is not None)
        return MetricPlan(
            self.metric,
            tuple(parts),
            tuple((self.name(n), c) for n, c in num),
            tuple(self.name(d) for d in den),
            window_sources,
            presence,
            checks,
            tuple(self.applied.values()),
        )

    def ratio(self, m: RatioMetric) -> MetricPlan:
        parts = [self.measure(x, f"numerator_{i}") for i, x in enumerate(m.numerator)]
        parts += [self.measure(x, f"denominator_{i}") for i, x in enumerate(m.denominator)]
        return self.plan(
            parts,
            [(f"numerator_{i}", m.numerator_scale) for i in range(len(m.numerator))],
            [f"denominator_{i}" for i in range(len(m.denominator))],
        )

    def mean(self, m: MeanMetric) -> MetricPlan:
        t = self.table(m.table)
        cond = self.all_of(t, m.where)
        if isinstance(m.value, Elapsed):
            present = self.elapsed(t, m.value).notnull()
        else:
            present = ibis.or_(*(self.column(t, c).notnull() for c in m.value))
        measures = {
            self.name("total"): Sum(self.value(t, m.value), cond),
            self.name("count"): self.count(cond & present),
        }
        return self.plan([self.row_part(m.table, m.time, measures)], [("total", 1.0)], ["count"])

    def share_within(self, m: ShareWithinMetric) -> MetricPlan:
        t = self.table(m.table)
        duration = self.elapsed(t, m.duration) if isinstance(m.duration, Elapsed) else self.column(t, m.duration)
        threshold = self.seconds(m.threshold)
        offered = self.all_of(t, m.where)
        abandoned = self.column(t, m.abandoned_column).fill_null(False)
        treatment = m.abandon_treatment()
        if treatment is AbandonTreatment.EXCLUDE_SHORT_ABANDONS:
            offered = offered & ~(abandoned & (duration.fill_null(0) < self.seconds("short_abandon_s")))
        elif treatment is AbandonTreatment.EXCLUDE_ABANDONS_WITHIN_THRESHOLD:
            offered = offered & ~(abandoned & (duration.fill_null(0) <= threshold))
        within = offered & self.all_of(t, m.success) & (duration <= threshold)
        measures = {self.name("within"): self.count(within), self.name("offered"): self.count(offered)}
        return self.plan([self.row_part(m.table, m.time, measures)], [("within", 1.0)], ["offered"])

    def box_share(self, m: BoxShareMetric) -> MetricPlan:
        t = self.table("surveys")
        answered = self.column(t, "instrument") == m.instrument
        size = self.number("box_size") - 1
        if m.box == "top":
            in_box = self.column(t, "score") >= self.column(t, "scale_max") - size
        else:
            in_box = self.column(t, "score") <= self.column(t, "scale_min") + size
        measures = {self.name("in_box"): self.count(answered & in_box), self.name("responses"): self.count(answered)}
        return self.plan([self.row_part("surveys", "answered_at", measures)], [("in_box", 1.0)], ["responses"])

    def nps(self, m: NpsMetric) -> MetricPlan:
        t = self.table("surveys")
        answered = self.column(t, "instrument") == m.instrument
        score = self.column(t, "score")
        measures = {
            self.name("promoters"): self.count(answered & (score >= self.number("promoter_min"))),
            self.name("detractors"): self.count(answered & (score <= self.number("detractor_max"))),
            self.name("responses"): self.count(answered),
        }
        part = self.row_part("surveys", "answered_at", measures)
        return self.plan([part], [("promoters", 1.0), ("detractors", -1.0)], ["responses"])

    def repeat_free(self, m: RepeatFreeMetric) -> MetricPlan:
        """Resolved = not followed by another contact of the customer within the window. A contact whose window
        is not wholly observed (it passes the last contact in the data, or the window's end unless
        ``judge_past_window``) cannot be judged: it is censored, out of numerator and denominator, and counted."""
        window_s = self.seconds("repeat_window")
        past = "judge_past_window" in self.params and bool(self.param("judge_past_window").value)
        everything = self.table("contacts")
        data_end = everything.arrived_at.max().as_scalar()  # the last contact the data holds (entity scoped)
        t = everything.filter(everything.customer_key.notnull())
        # Any later contact of the customer counts as a repeat (even one that was abandoned), so the lead runs
        # over all of the customer's contacts, up to one window past the end when judging past it.
        t = self.prefilter(t, "arrived_at", dt.timedelta(seconds=window_s if past else 0))
        w = ibis.window(group_by=[t.entity_id, t.customer_key], order_by=[t.arrived_at, t.contact_id])
        t = t.mutate(_next_at=t.arrived_at.lead().over(w))
        t = t.filter(self.all_of(t, m.where))
        repeated = t._next_at.notnull() & (t._next_at.delta(t.arrived_at, unit="second") <= window_s)
        # Compared as timestamps against the two horizons (scalars), not by a per-row date difference.
        reach = ibis.interval(seconds=int(window_s))
        observed = t.arrived_at <= data_end - reach
        if not past:
            observed = observed & (t.arrived_at < utc_literal(self.utc_end - dt.timedelta(seconds=window_s)))
        measures = {
            self.name("resolved"): self.count(observed & ~repeated),
            self.name("handled"): self.count(observed),
            self.name("censored"): self.count(~observed),
        }
        part = Part(f"{m.id}:repeat_free", t, "arrived_at", "timestamp", measures)
        return self.plan([part], [("resolved", 1.0)], ["handled"], window_sources=(("contacts", "arrived_at"),))

    def error_free(self, m: ErrorFreeMetric) -> MetricPlan:
        unknown = set(m.error_classes) - set(ERROR_CLASSES)
        if unknown:
            raise CxcertError(f"metric {m.id!r}: unknown error class(es) {', '.join(sorted(unknown))}")
        # One relation for every class (failed items per evaluation and class), identical for all four accuracy
        # metrics, so the engine answers them with a single query.
        items = self.table("evaluation_items")
        failed = items.result == m.fail_result
        fails = items.group_by(_eid=items.evaluation_id).aggregate(
            **{f"_failed_{c}": self.flag(failed & (items.error_class == c)).sum() for c in ERROR_CLASSES}
        )
        ev = self.prefilter(self.table("evaluations"), "evaluated_at")
        joined = ev.left_join(fails, ev.evaluation_id == fails._eid)
        failures = ibis.literal(0)
        for c in m.error_classes:
            failures = failures + joined[f"_failed_{c}"].fill_null(0)
        has_items = self.name("has_items")
        measures = {
            self.name("error_free"): self.count(failures == 0),
            self.name("evaluated"): Sum(),
            has_items: self.count(joined._eid.notnull()),  # evaluations with scored items: items were loaded
        }
        sources = {"evaluations": None, "evaluation_items": has_items}
        part = Part("evaluations:error_free", joined, "evaluated_at", "timestamp", measures, sources)
        return self.plan([part], [("error_free", 1.0)], ["evaluated"])

    def cycles_late(self, m: CyclesLateMetric) -> MetricPlan:
        t = self.table("contacts")
        cond = self.all_of(t, m.where)
        cycles = (self.elapsed(t, m.age) / self.seconds("cycle")).ceil() - 1
        late = Sum(cycles, cond & (cycles > 0))
        measures = {self.name("cycles_late"): late, self.name("items"): self.count(cond)}
        return self.plan([self.row_part("contacts", "arrived_at", measures)], [("cycles_late", 1.0)], ["items"])

    def interval_accuracy(self, m: IntervalAccuracyMetric) -> MetricPlan:
        """Actual contacts per forecast interval, each interval with its own length (``interval_s``).

        Contacts are floored to every distinct (length, phase) of the window's forecast intervals (usually one or
        two: 15 and 30 minutes on the epoch grid) and matched on (program, queue, length, start): linear in the
        contacts, unlike a range join, and portable (no ``.bucket()``)."""
        f = self.prefilter(self.table("forecasts"), "interval_start")
        f = f.mutate(_e=epoch_seconds(f.interval_start), _fs=f.interval_s.cast("int64"))
        grid = f.select(_s=f._fs, _ph=f._e % f._fs).distinct()
        # Contacts until the end of the last interval, which may pass the window's last local midnight.
        c = self.prefilter(self.table("contacts"), "arrived_at", dt.timedelta(days=1))
        c = c.filter(self.all_of(c, m.where))
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
            within = error <= self.number("tolerance") * a + 1e-12
            measures = {self.name("within"): self.count(within), self.name("intervals"): Sum()}
        elif m.statistic == "wape":
            measures = {self.name("abs_error"): Sum(error), self.name("actual"): Sum(a)}
        elif m.statistic == "bias":
            measures = {self.name("error"): Sum(fc - a), self.name("actual"): Sum(a)}
        else:
            measures = {self.name("ape"): Sum(error / a, a > 0), self.name("intervals"): self.count(a > 0)}
        num, den = list(measures)
        part = Part(f"forecasts:{m.where!r}", j, "interval_start", "timestamp", measures, {"forecasts": None})
        prefix = f"{m.id}__"
        return self.plan(
            [part],
            [(num.removeprefix(prefix), 1.0)],
            [den.removeprefix(prefix)],
            window_sources=(("contacts", "arrived_at"),),
        )

    def adherence(self, m: AdherenceMetric) -> MetricPlan:
        rules = default_state_mapping()
        sched = self.table("schedules")
        seconds = sched.end.delta(sched.start, unit="second")
        unknown = sched.activity.notin(list(rules.activities))
        unmapped = self.name("unmapped_s")
        window_sched = self.prefilter(sched, "start")
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
            states = self.table("agent_states")
            states = states.filter(states.agent_id.isin(window_sched.agent_id))
            worked = Sum(states.end.delta(states.start, unit="second"), states.state.isin(list(rules.working_states)))
            work = Sum(seconds, sched.activity.isin(list(rules.work_activities())))
            parts = [
                Part(
                    f"{m.id}:worked",
                    states,
                    "start",
                    "timestamp",
                    {self.name("worked_s"): worked},
                    {"agent_states": None},
                ),
                self.row_part(
                    "schedules", "start", {self.name("scheduled_work_s"): work, unmapped: Sum(seconds, unknown)}
                ),
            ]
            return self.plan(parts, [("worked_s", 1.0)], ["scheduled_work_s"], checks=(check,))
        # Overlaps by an equi-join on (agent, UTC day): each segment meets only the states of the days it touches
        # (clipped to each day, so a segment over midnight counts once), not every state of its agent.
        s = _by_day(window_sched.mutate(_s0=epoch_seconds(window_sched.start), _s1=epoch_seconds(window_sched.end)))
        states = self.table("agent_states")
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
        adhered = Part(f"{m.id}:adherence", j, "start", "timestamp", {self.name("adhered_s"): Sum(hi - lo, hi > lo)})
        planned = self.row_part(
            "schedules", "start", {self.name("scheduled_s"): Sum(seconds), unmapped: Sum(seconds, unknown)}
        )
        return self.plan(
            [adhered, planned],
            [("adhered_s", 1.0)],
            ["scheduled_s"],
            window_sources=(("agent_states", "start"),),
            checks=(check,),
        )

    def annualised_rate(self, m: AnnualisedRateMetric) -> MetricPlan:
        roster = self.table("roster")
        exited = self.count(roster.exited_on.notnull() & self.all_of(roster, m.where))
        exits = self.row_part("roster", "exited_on", {self.name("exits"): exited})
        days = ibis.memtable(pa.table({"_day": pa.array(self.window.days(), pa.date32())}))
        on_roster = roster.join(
            days, [roster.hired_on <= days._day, roster.exited_on.isnull() | (roster.exited_on > days._day)]
        )
        headcount = Part(
            f"{m.id}:headcount", on_roster, "_day", "date", {self.name("agent_days"): Sum()}, {"roster": None}
        )
        return self.plan([exits, headcount], [("exits", self.number("days_per_year"))], ["agent_days"])


_DAY_S = 86_400


def _by_day(segments: ir.Table) -> ir.Table:
    """One row per UTC day (``_d``, epoch days) that each segment [``_s0``, ``_s1``] (epoch seconds) touches."""
    return segments.mutate(_d=ibis.range(segments._s0 // _DAY_S, segments._s1 // _DAY_S + 1).unnest())


def forecast_actuals(contacts: ir.Table, catalogue: Catalogue | None = None) -> ir.BooleanValue:
    """Which contacts make a forecast interval's actual volume: the ``where`` of the catalogue's
    ``forecast_accuracy`` (inbound), the one definition for the KPIs and ``cxcert forecast-accuracy``."""
    metric = (catalogue or default_catalogue()).get("forecast_accuracy")
    if not isinstance(metric, IntervalAccuracyMetric):
        raise CxcertError(f"metric 'forecast_accuracy' is of kind {metric.kind}, not interval_accuracy")
    no_window = Window("UTC", dt.date(1970, 1, 1), dt.date(1970, 1, 1))  # conditions read no window
    return _Compiler(metric, {"contacts": contacts}, no_window).all_of(contacts, metric.where)


def compile_metric(
    metric: Metric,
    tables: Mapping[str, ir.Table],
    window: Window,
    by: tuple[str, ...] = (),
    lookups: tuple[DimensionLookup, ...] = (),
    span: tuple[dt.datetime, dt.datetime] | None = None,
) -> MetricPlan:
    """Compile ``metric`` against the canonical ``tables`` for ``window`` (used for pre-filters and calendars);
    relations lacking a dimension of ``by`` get it through ``lookups`` (surveys: their contact's queue); ``span``
    widens the pre-filters to the window's UTC span in every site zone."""
    return _Compiler(metric, tables, window, by, lookups, span).compile()
