"""Metric definition → Ibis expressions over canonical tables: a :class:`~cxcert.performance.plan.MetricPlan`.

:class:`Compiler` holds the plumbing (tables, with dimension lookups; conditions; values; parameters; window
pre-filters) and the kinds measured straight on one canonical table (ratio, mean, share within, box share, NPS,
cycles late), whose parts share the table's key so the engine scans each table once; the kinds that need joins
or windows are in :mod:`cxcert.performance.compile_joins`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

from cxcert.errors import CxcertError
from cxcert.performance import compile_joins as joins
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
from cxcert.performance.periods import Window, utc_literal
from cxcert.performance.plan import Check, MetricPlan, Part, Sum, TimeKind


class Compiler:
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
                return joins.repeat_free(self, m)
            case ErrorFreeMetric():
                return joins.error_free(self, m)
            case CyclesLateMetric():
                return self.cycles_late(m)
            case IntervalAccuracyMetric():
                return joins.interval_accuracy(self, m)
            case AdherenceMetric():
                return joins.adherence(self, m)
            case AnnualisedRateMetric():
                return joins.annualised_rate(self, m)
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

    def cycles_late(self, m: CyclesLateMetric) -> MetricPlan:
        t = self.table("contacts")
        cond = self.all_of(t, m.where)
        cycles = (self.elapsed(t, m.age) / self.seconds("cycle")).ceil() - 1
        late = Sum(cycles, cond & (cycles > 0))
        measures = {self.name("cycles_late"): late, self.name("items"): self.count(cond)}
        return self.plan([self.row_part("contacts", "arrived_at", measures)], [("cycles_late", 1.0)], ["items"])

def forecast_actuals(contacts: ir.Table, catalogue: Catalogue | None = None) -> ir.BooleanValue:
    """Which contacts make a forecast interval's actual volume: the ``where`` of the catalogue's
    ``forecast_accuracy`` (inbound), the one definition for the KPIs and ``cxcert forecast-accuracy``."""
    metric = (catalogue or default_catalogue()).get("forecast_accuracy")
    if not isinstance(metric, IntervalAccuracyMetric):
        raise CxcertError(f"metric 'forecast_accuracy' is of kind {metric.kind}, not interval_accuracy")
    no_window = Window("UTC", dt.date(1970, 1, 1), dt.date(1970, 1, 1))  # conditions read no window
    return Compiler(metric, {"contacts": contacts}, no_window).all_of(contacts, metric.where)


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
    return Compiler(metric, tables, window, by, lookups, span).compile()
