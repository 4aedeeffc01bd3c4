"""Running compiled metrics: bucket by period in the site's zone, aggregate in the backend, keep the ratio parts.

``compute`` returns one metric's :class:`KpiResult`; ``scorecard`` computes many metrics with one query per
source (every metric over ``contacts`` by ``arrived_at`` shares a single scan). Only aggregated rows come back
to Python; numerator and denominator stay in the result so :func:`reaggregate` rolls days into months exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.performance.catalogue import Catalogue, Direction, Metric, Unit, default_catalogue
from cxcert.performance.compile import MetricPlan, Part, Sum, compile_metric
from cxcert.performance.periods import (
    MONTH,
    Grain,
    GrainKind,
    Window,
    bucket,
    date_epoch,
    period_of,
    period_start_python,
    utc_literal,
)

_P = "_period"


@dataclass(frozen=True)
class KpiResult:
    """One metric by period and dimensions. ``table`` columns: period_start (local, naive), the ``by`` dims,
    the metric's measures, numerator, denominator, value (= numerator / denominator, null when 0/0)."""

    metric_id: str
    title: str
    unit: Unit
    direction: Direction
    grain: Grain
    tz: str
    start: dt.date
    end: dt.date
    by: tuple[str, ...]
    measures: tuple[str, ...]
    table: pa.Table
    explanation: Explanation

    def to_pandas(self) -> pd.DataFrame:
        frame: pd.DataFrame = self.table.to_pandas()
        return frame

    def rows(self) -> list[dict[str, object]]:
        return [dict(r) for r in self.table.to_pylist()]


@dataclass(frozen=True)
class Scorecard:
    """Many metrics over one window; ``missing`` says why a requested metric could not be computed."""

    results: Mapping[str, KpiResult]
    missing: Mapping[str, str] = field(default_factory=dict)
    queries: int = 0


def _scoped(tables: Mapping[str, ir.Table], entity_id: str | None) -> dict[str, ir.Table]:
    if entity_id is None:
        return dict(tables)
    return {name: t.filter(t.entity_id == entity_id) if "entity_id" in t.columns else t for name, t in tables.items()}


def _check_by(metric: Metric, by: Sequence[str]) -> tuple[str, ...]:
    bad = [d for d in by if d not in metric.dimensions]
    if bad:
        raise CxcertError(
            f"metric {metric.id!r} cannot be cut by {', '.join(bad)}; it has: {', '.join(metric.dimensions)}"
        )
    return tuple(by)


def _window_filter(part: Part, window: Window) -> list[ir.BooleanValue]:
    time = part.relation[part.time]
    if part.time_kind == "date":
        return [time >= window.start, time <= window.end]
    return [time >= utc_literal(window.utc_start), time < utc_literal(window.utc_end)]


def period_column(part: Part, window: Window, grain: Grain) -> ir.IntegerValue:
    """The local period start (local epoch seconds) of each row of ``part``."""
    time = part.relation[part.time]
    return bucket(date_epoch(time), grain) if part.time_kind == "date" else period_of(time, window, grain)


def _run(
    plans: Sequence[MetricPlan], window: Window, grain: Grain, by: tuple[str, ...]
) -> tuple[dict[str, pd.DataFrame], int]:
    groups: dict[str, list[Part]] = {}
    for plan in plans:
        for part in plan.parts:
            groups.setdefault(part.key, []).append(part)
    frames: dict[str, pd.DataFrame] = {}
    for key, parts in groups.items():
        if parts[0].time_kind == "date" and grain.kind is GrainKind.INTERVAL:
            raise CxcertError(f"{key} is dated by day; use grain day, week or month")
        missing = [d for d in by if d not in parts[0].relation.columns]
        if missing:
            raise CxcertError(f"{key} has no column {', '.join(missing)} to group by")
        frame = _aggregate_group(parts, window, grain, by)
        for part in parts:
            for name in part.measures:
                frames[name] = frame  # the group's whole frame: _assemble takes a metric's columns in one go
    return frames, len(groups)


def _aggregate_group(parts: Sequence[Part], window: Window, grain: Grain, by: tuple[str, ...]) -> pd.DataFrame:
    """One query for every measure of ``parts`` (which share a relation): filter to the window, bucket, project
    each distinct condition and value once, then aggregate each measure with a filter (``SUM(v) FILTER (WHERE
    c)``) rather than summing a per-row CASE; metrics sharing a condition (handled, inbound...) share its column."""
    first = parts[0]
    measures: dict[str, Sum] = {}
    for part in parts:
        measures.update(part.measures)
    rel = first.relation
    columns: dict[object, tuple[str, ir.Value]] = {}

    def column(expr: ir.Value) -> str:
        name, _ = columns.setdefault(expr.op(), (f"_c{len(columns)}", expr))
        return name

    refs = {
        name: (None if m.value is None else column(m.value), None if m.where is None else column(m.where))
        for name, m in measures.items()
    }
    rows = rel.filter(*_window_filter(first, window)).select(
        **{_P: period_column(first, window, grain)}, **{d: rel[d] for d in by}, **dict(columns.values())
    )
    aggregates: dict[str, ir.Scalar] = {}
    for name, (value, where) in refs.items():
        cond = None if where is None else rows[where]
        aggregates[name] = rows.count(where=cond) if value is None else rows[value].sum(where=cond).fill_null(0)
    result: pd.DataFrame = rows.group_by([_P, *by]).aggregate(**aggregates).execute()
    return result


def _assemble(plan: MetricPlan, frames: Mapping[str, pd.DataFrame], by: tuple[str, ...]) -> pd.DataFrame:
    keys = [_P, *by]
    sources: dict[int, tuple[pd.DataFrame, list[str]]] = {}
    for name in plan.measure_names():
        sources.setdefault(id(frames[name]), (frames[name], []))[1].append(name)
    merged: pd.DataFrame | None = None
    for frame, names_here in sources.values():
        if len(frame) == 0:
            continue  # an empty frame has untyped columns that cannot be merged; its measures are 0 below
        columns = frame[[*keys, *names_here]]
        merged = columns if merged is None else merged.merge(columns, on=keys, how="outer")
    if merged is None:
        merged = pd.DataFrame({k: pd.Series(dtype="int64" if k == _P else "object") for k in keys})
    for name in plan.measure_names():
        if name not in merged.columns:
            merged[name] = 0
    prefix = f"{plan.metric.id}__"
    merged = merged.rename(columns={n: n.removeprefix(prefix) for n in plan.measure_names()})
    names = [n.removeprefix(prefix) for n in plan.measure_names()]
    for n in names:
        merged[n] = merged[n].fillna(0)
    # A period where every measure of this metric is zero had no data for it (other metrics shared the scan).
    merged = merged[(merged[names] != 0).any(axis=1)]
    merged["numerator"] = sum(merged[n.removeprefix(prefix)] * c for n, c in plan.numerator)
    merged["denominator"] = sum(merged[n.removeprefix(prefix)] for n in plan.denominator)
    return _finish(merged, by, names)


def _finish(frame: pd.DataFrame, by: tuple[str, ...], names: Sequence[str]) -> pd.DataFrame:
    frame = frame.copy()
    num = frame["numerator"].astype("float64")
    den = frame["denominator"].astype("float64")
    frame["numerator"] = num
    frame["denominator"] = den
    frame["value"] = (num / den).where(den != 0)
    if _P in frame.columns:
        frame.insert(0, "period_start", pd.to_datetime(frame.pop(_P).astype("int64"), unit="s"))
    frame = frame.sort_values(["period_start", *by], kind="stable").reset_index(drop=True)
    return frame[["period_start", *by, *names, "numerator", "denominator", "value"]]


def _to_result(plan: MetricPlan, frame: pd.DataFrame, window: Window, grain: Grain, by: tuple[str, ...]) -> KpiResult:
    m = plan.metric
    names = tuple(n.removeprefix(f"{m.id}__") for n in plan.measure_names())
    explanation = Explanation(f"{m.title} ({m.id}) by {grain.label} in {window.tz}, {window.start} to {window.end}")
    explanation = explanation.with_step(
        f"kind:{m.kind}",
        "value = numerator / denominator; numerator = "
        + " + ".join(f"{c:g}×{n.removeprefix(m.id + '__')}" for n, c in plan.numerator)
        + "; denominator = "
        + " + ".join(n.removeprefix(m.id + "__") for n in plan.denominator),
        **{name: float(p.value) for name, p in m.parameters.items()},
    )
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return KpiResult(
        m.id, m.title, m.unit, m.direction, grain, window.tz, window.start, window.end, by, names, table, explanation
    )


def compute(
    metric_id: str,
    tables: Mapping[str, ir.Table],
    *,
    grain: Grain,
    tz: str,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = ("program",),
    catalogue: Catalogue | None = None,
    entity_id: str | None = None,
    parameters: Mapping[str, float | bool] | None = None,
) -> KpiResult:
    """Compute one metric by ``grain`` periods (local to ``tz``) between local dates ``start`` and ``end``."""
    card = scorecard(
        tables,
        (metric_id,),
        tz=tz,
        start=start,
        end=end,
        grain=grain,
        by=by,
        catalogue=catalogue,
        entity_id=entity_id,
        parameters={metric_id: parameters} if parameters else None,
        strict=True,
    )
    return card.results[metric_id]


def scorecard(
    tables: Mapping[str, ir.Table],
    metrics: Sequence[str],
    *,
    tz: str,
    start: dt.date,
    end: dt.date,
    grain: Grain = MONTH,
    by: Sequence[str] = ("program",),
    catalogue: Catalogue | None = None,
    entity_id: str | None = None,
    parameters: Mapping[str, Mapping[str, float | bool]] | None = None,
    strict: bool = False,
) -> Scorecard:
    """Compute ``metrics`` together, one backend query per source relation (not per metric).

    With ``strict=False`` a metric whose tables or dimensions are missing is listed in ``missing`` instead of
    failing the whole scorecard.
    """
    cat = catalogue or default_catalogue()
    window = Window(tz, start, end)
    scoped = _scoped(tables, entity_id)
    dims = tuple(by)
    plans: list[MetricPlan] = []
    missing: dict[str, str] = {}
    for metric_id in metrics:
        overrides = (parameters or {}).get(metric_id)
        metric = cat.with_parameters(metric_id, overrides) if overrides else cat.get(metric_id)
        try:
            _check_by(metric, dims)
            plans.append(compile_metric(metric, scoped, window))
        except CxcertError as exc:
            if strict:
                raise
            missing[metric_id] = str(exc)
    frames, queries = _run(plans, window, grain, dims)
    results = {p.metric.id: _to_result(p, _assemble(p, frames, dims), window, grain, dims) for p in plans}
    return Scorecard(results, missing, queries)


def reaggregate(result: KpiResult, grain: Grain) -> KpiResult:
    """Roll ``result`` up to a coarser ``grain`` by summing measures, numerators and denominators."""
    if not grain.coarser_or_equal(result.grain):
        raise CxcertError(f"cannot re-aggregate {result.grain.label} results to {grain.label} exactly")
    frame = result.to_pandas()
    frame["period_start"] = [period_start_python(ts.to_pydatetime(), grain) for ts in frame["period_start"]]
    sums = [*result.measures, "numerator", "denominator"]
    grouped = frame.groupby(["period_start", *result.by], dropna=False, sort=True)[sums].sum().reset_index()
    grouped["period_start"] = pd.to_datetime(grouped["period_start"])
    out = _finish(grouped, result.by, result.measures)
    explanation = result.explanation.with_step(
        "reaggregate", f"summed numerators and denominators from {result.grain.label} to {grain.label}"
    )
    return KpiResult(
        result.metric_id,
        result.title,
        result.unit,
        result.direction,
        grain,
        result.tz,
        result.start,
        result.end,
        result.by,
        result.measures,
        pa.Table.from_pandas(out, preserve_index=False),
        explanation,
    )


def memtables(tables: Mapping[str, pa.Table]) -> dict[str, ir.Table]:
    """Wrap in-memory Arrow tables as Ibis tables (handy for callers and tests without a warehouse)."""
    return {name: ibis.memtable(t) for name, t in tables.items()}
