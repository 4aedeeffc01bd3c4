"""Running compiled metrics: bucket by period in the site's zone, aggregate in the backend, keep the ratio parts.

``compute`` returns one metric's :class:`KpiResult`; ``scorecard`` computes many metrics with one query per
source (every metric over ``contacts`` by ``arrived_at`` shares a single scan). Only aggregated rows come back
to Python; numerator and denominator stay in the result so :func:`reaggregate` rolls days into months exactly.

A source table with no rows is *no data*, never 0: a row (period and dimensions) where one of the metric's
tables had no rows gets a null value and names the table in ``missing``; so does every row when a table has no
rows in the whole window (costs never loaded, absences missing for a month). Tables without any row in the
window are also listed in :attr:`KpiResult.missing_sources`.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from cxcert.errors import CxcertError
from cxcert.explain import Explanation
from cxcert.performance.assemble import (
    PERIOD_KEY,
    ROWS,
    arrow_schema,
    assemble,
    finish,
    lookup_note,
    missing_in_all,
    sources_note,
)
from cxcert.performance.catalogue import Catalogue, Direction, Metric, Unit, default_catalogue
from cxcert.performance.compile import compile_metric
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
from cxcert.performance.plan import MetricPlan, Part, Sum
from cxcert.performance.site_zones import SiteZones, span, zoned

Progress = Callable[[int, int], None]  # (steps done, steps in all): for a progress bar, never for the result


@dataclass(frozen=True)
class KpiResult:
    """One metric by period and dimensions. ``table`` columns: period_start (a day, week or month: its local
    start, naive; an interval: its start as an aware timestamp in the site's zone, so the two 01:00 intervals of
    a night when clocks go back are 01:00+01:00 and 01:00+00:00), the ``by`` dims, the metric's measures,
    numerator, denominator, value (= numerator / denominator; null when 0/0 or when a source is missing),
    missing (the source tables without rows for that row, comma-separated, else null) and partial (the period
    reaches outside the window: a first or last week or month cut by the window's dates).
    ``missing_sources``: the tables that had no rows in the whole window; ``notes``: what the metric's checks
    found (e.g. scheduled activities the state mapping lacks)."""

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
    missing_sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

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


def _window_filter(part: Part, window: Window, zones: SiteZones | None = None) -> list[ir.BooleanValue]:
    time = part.relation[part.time]
    if part.time_kind == "date":
        return [time >= window.start, time <= window.end]

    def inside(w: Window) -> ir.BooleanValue:
        return (time >= utc_literal(w.utc_start)) & (time < utc_literal(w.utc_end))

    condition: ir.BooleanValue = zoned(part.relation, zones, window, inside)
    return [condition]


def period_column(part: Part, window: Window, grain: Grain, zones: SiteZones | None = None) -> ir.IntegerValue:
    """The period key of each row of ``part`` (a date's own; a timestamp's in its site's zone)."""
    time = part.relation[part.time]
    if part.time_kind == "date":
        return bucket(date_epoch(time), grain)
    key: ir.IntegerValue = zoned(part.relation, zones, window, lambda w: period_of(time, w, grain))
    return key


def _run(
    plans: Sequence[MetricPlan],
    window: Window,
    grain: Grain,
    by: tuple[str, ...],
    zones: SiteZones | None,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """One aggregate query per distinct part key; the frames by key. ``progress(done, total)`` after each query."""
    groups: dict[str, list[Part]] = {}
    for plan in plans:
        for part in plan.parts:
            groups.setdefault(part.key, []).append(part)
    frames: dict[str, pd.DataFrame] = {}
    for done, (key, parts) in enumerate(groups.items(), start=1):
        if parts[0].time_kind == "date" and grain.kind is GrainKind.INTERVAL:
            raise CxcertError(f"{key} is dated by day; use grain day, week or month")
        missing = [d for d in by if d not in parts[0].relation.columns]
        if missing:
            raise CxcertError(f"{key} has no column {', '.join(missing)} to group by")
        frames[key] = _aggregate_group(parts, window, grain, by, zones)
        if progress is not None:
            progress(done, len(groups))
    return frames


def _window_absent(
    plans: Sequence[MetricPlan],
    tables: Mapping[str, ir.Table],
    frames: Mapping[str, pd.DataFrame],
    window: Window,
    zones: SiteZones | None,
) -> tuple[set[str], int]:
    """The plans' window sources with no row in the window, and how many probe queries that took. A source
    already scanned as a plain table (part key ``table@time``) is answered by its frame."""
    absent: set[str] = set()
    probes = 0
    for table, time in dict.fromkeys(s for plan in plans for s in plan.window_sources):
        frame = frames.get(f"{table}@{time}")
        if frame is not None:
            has_rows = len(frame) > 0
        else:
            t = tables[table]
            rows = t.filter(*_window_filter(Part("", t, time, "timestamp", {}), window, zones)).limit(1).count()
            has_rows = int(rows.execute()) > 0
            probes += 1
        if not has_rows:
            absent.add(table)
    return absent, probes


def _conjuncts(condition: ir.BooleanValue) -> list[ir.BooleanValue]:
    """``condition`` split at its top-level ANDs (``a & (b & c)`` gives a, b, c)."""
    op = condition.op()
    if isinstance(op, ops.And):
        return [*_conjuncts(op.left.to_expr()), *_conjuncts(op.right.to_expr())]
    return [condition]


def _aggregate_group(
    parts: Sequence[Part], window: Window, grain: Grain, by: tuple[str, ...], zones: SiteZones | None
) -> pd.DataFrame:
    """One query for every measure of ``parts`` (which share a relation): filter to the window, bucket, project
    each distinct value and each distinct *conjunct* of the conditions once, then aggregate each measure with a
    filter (``SUM(v) FILTER (WHERE c1 AND c2)``) rather than summing a per-row CASE. Metrics sharing a test
    (inbound, handled...) share its column, and a test is computed once per row however many conditions use it
    (projecting whole conditions recomputed the shared tests: 1.6 s against 1.25 s at 10 M contacts)."""
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
        name: (
            None if m.value is None else column(m.value),
            () if m.where is None else tuple(dict.fromkeys(column(c) for c in _conjuncts(m.where))),
        )
        for name, m in measures.items()
    }
    rows = rel.filter(*_window_filter(first, window, zones)).select(
        **{PERIOD_KEY: period_column(first, window, grain, zones)}, **{d: rel[d] for d in by}, **dict(columns.values())
    )
    aggregates: dict[str, ir.Scalar] = {}
    for name, (value, where) in refs.items():
        cond = None if not where else functools.reduce(operator.and_, (rows[c] for c in where))
        aggregates[name] = rows.count(where=cond) if value is None else rows[value].sum(where=cond).fill_null(0)
    aggregates[ROWS] = rows.count()
    result: pd.DataFrame = rows.group_by([PERIOD_KEY, *by]).aggregate(**aggregates).execute()
    return result


def _run_checks(plan: MetricPlan, frame: pd.DataFrame) -> tuple[str, ...]:
    """Each check whose measure is positive somewhere, run and turned into one line naming what it found."""
    notes = []
    for check in plan.checks:
        column = check.when.removeprefix(f"{plan.metric.id}__")
        if column in frame.columns and float(frame[column].sum()) > 0:
            found = check.query.order_by("name").execute()
            pairs = zip(found["name"], found["seconds"], strict=True)
            listed = ", ".join(f"{n} ({float(v) / 3600:,.1f} h)" for n, v in pairs)
            notes.append(f"{check.message}: {listed}")
    return tuple(notes)


def _to_result(
    plan: MetricPlan,
    frame: pd.DataFrame,
    window: Window,
    grain: Grain,
    by: tuple[str, ...],
    absent: tuple[str, ...],
    notes: tuple[str, ...] = (),
    zones: SiteZones | None = None,
) -> KpiResult:
    m = plan.metric
    names = tuple(n.removeprefix(f"{m.id}__") for n in plan.value_names())
    explanation = Explanation(f"{m.title} ({m.id}) by {grain.label} in {window.tz}, {window.start} to {window.end}")
    explanation = explanation.with_step(
        f"kind:{m.kind}",
        "value = numerator / denominator; numerator = "
        + " + ".join(f"{c:g}×{n.removeprefix(m.id + '__')}" for n, c in plan.numerator)
        + "; denominator = "
        + " + ".join(n.removeprefix(m.id + "__") for n in plan.denominator),
        **{name: p.value for name, p in m.parameters.items()},
    )
    if zones is not None:
        explanation = explanation.with_step("zones", zones.describe())
    explanation = explanation.with_step("sources", sources_note(plan.sources(), absent, frame))
    for lookup in plan.lookups:
        explanation = explanation.with_step("lookup", lookup_note(lookup, frame, by))
    for note in notes:
        explanation = explanation.with_step("check", note)
    table = pa.Table.from_pandas(frame, preserve_index=False, schema=arrow_schema(frame))
    return KpiResult(
        m.id, m.title, m.unit, m.direction, grain, window.tz, window.start, window.end, by, names, table,
        explanation, absent, notes,
    )  # fmt: skip


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
    parameters: Mapping[str, float | bool | str] | None = None,
    zones: SiteZones | None = None,
) -> KpiResult:
    """Compute one metric by ``grain`` periods (local to ``tz``, or to each row's site with ``zones``) between
    local dates ``start`` and ``end``."""
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
        zones=zones,
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
    parameters: Mapping[str, Mapping[str, float | bool | str]] | None = None,
    strict: bool = False,
    zones: SiteZones | None = None,
    progress: Progress | None = None,
) -> Scorecard:
    """Compute ``metrics`` together, one backend query per source relation (not per metric).

    With ``strict=False`` a metric whose tables or dimensions are missing is listed in ``missing`` instead of
    failing the whole scorecard. ``zones`` buckets each row in its own site's zone (by queue, then program);
    intervals are still labelled in ``tz``. ``progress(done, total)`` is called after each backend query.
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
            plans.append(compile_metric(metric, scoped, window, dims, cat.lookups, span(zones, window)))
        except CxcertError as exc:
            if strict:
                raise
            missing[metric_id] = str(exc)
    frames = _run(plans, window, grain, dims, zones, progress)
    window_absent, probes = _window_absent(plans, scoped, frames, window, zones)
    results: dict[str, KpiResult] = {}
    for plan in plans:
        frame, absent = assemble(
            plan, frames, dims, window_absent & {t for t, _ in plan.window_sources}, grain, window
        )
        notes = _run_checks(plan, frame)
        probes += len(notes)
        results[plan.metric.id] = _to_result(plan, frame, window, grain, dims, absent, notes, zones)
        if absent and len(frame) == 0:
            missing[plan.metric.id] = f"no rows in {', '.join(absent)} between {start} and {end}"
    return Scorecard(results, missing, len(frames) + probes)


def reaggregate(result: KpiResult, grain: Grain) -> KpiResult:
    """Roll ``result`` up to a coarser ``grain`` by summing measures, numerators and denominators."""
    if not grain.coarser_or_equal(result.grain):
        raise CxcertError(f"cannot re-aggregate {result.grain.label} results to {grain.label} exactly")
    frame = result.to_pandas()
    frame["period_start"] = [period_start_python(ts.to_pydatetime(), grain) for ts in frame["period_start"]]
    sums = [*result.measures, "numerator", "denominator"]
    groups = frame.groupby(["period_start", *result.by], dropna=False, sort=True)
    grouped = groups[sums].sum().reset_index()
    # A coarse row lacks a source only where every finer row did, as computing it directly would find.
    grouped["missing"] = groups["missing"].agg(missing_in_all).to_numpy()
    if grain.kind is GrainKind.INTERVAL:
        grouped["period_start"] = pd.to_datetime(grouped["period_start"], utc=True).dt.tz_convert(result.tz)
    else:
        grouped["period_start"] = pd.to_datetime(grouped["period_start"])
    out = finish(grouped, result.by, result.measures, grain, Window(result.tz, result.start, result.end))
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
        pa.Table.from_pandas(out, preserve_index=False, schema=arrow_schema(out)),
        explanation,
        result.missing_sources,
        result.notes,
    )


def memtables(tables: Mapping[str, pa.Table]) -> dict[str, ir.Table]:
    """Wrap in-memory Arrow tables as Ibis tables (handy for callers and tests without a warehouse)."""
    return {name: ibis.memtable(t) for name, t in tables.items()}
