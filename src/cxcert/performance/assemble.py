"""From per-source frames to one metric's rows: merge a plan's parts, judge which sources had rows (``missing``),
form numerator, denominator and value, label periods (an interval's UTC key as an aware local time) and flag
periods cut by the window (``partial``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd
import pyarrow as pa

from cxcert.performance.catalogue import DimensionLookup
from cxcert.performance.periods import Grain, GrainKind, Window, is_partial
from cxcert.performance.plan import MetricPlan

PERIOD_KEY = "_period"  # the period key column of aggregated frames
ROWS = "_rows"  # per-group row count: a row of a group's frame means its relation had rows for that key


def assemble(
    plan: MetricPlan,
    frames: Mapping[str, pd.DataFrame],
    by: tuple[str, ...],
    window_absent: Collection[str],
    grain: Grain,
    window: Window,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The metric's rows (outer merge of its parts' frames), with ``missing`` and the value nulled where a source
    had no rows; and the sources with no rows in the whole window."""
    keys = [PERIOD_KEY, *by]
    merged: pd.DataFrame | None = None
    flags: dict[str, str] = {}  # part key -> column telling which merged rows that part's frame had
    for i, key in enumerate(dict.fromkeys(p.key for p in plan.parts)):
        frame = frames[key]
        if len(frame) == 0:
            continue  # an empty frame has untyped columns that cannot be merged; its measures are absent below
        names_here = [n for p in plan.parts if p.key == key for n in p.measures]
        flags[key] = f"{ROWS}{i}"
        columns = frame[[*keys, *names_here, ROWS]].rename(columns={ROWS: flags[key]})
        merged = columns if merged is None else merged.merge(columns, on=keys, how="outer")
    if merged is None:
        merged = pd.DataFrame({k: pd.Series(dtype="int64" if k == PERIOD_KEY else "object") for k in keys})
    for name in plan.measure_names():
        if name not in merged.columns:
            merged[name] = float("nan")
    present: dict[str, pd.Series] = {}
    for part in plan.parts:
        for table, proof in part.sources.items():
            flag = flags.get(part.key)
            if flag is None:
                here = pd.Series(False, index=merged.index)
            elif proof is None:
                here = merged[flag].notna()
            else:
                here = merged[proof].fillna(0) > 0
            present[table] = here if table not in present else present[table] | here
    absent = sorted({t for t, rows in present.items() if not rows.any()} | set(window_absent))
    values = list(plan.value_names())
    # A period where every measure of this metric is zero had no data for it (other metrics shared the scan).
    merged = merged[(merged[values].fillna(0) != 0).any(axis=1)]
    gaps = {t: rows.loc[merged.index].to_numpy() for t, rows in present.items()}
    if window_absent or not all(here.all() for here in gaps.values()):
        missing = [
            ",".join(sorted({t for t, here in gaps.items() if not here[i]} | set(window_absent))) or None
            for i in range(len(merged))
        ]
    else:  # every source had rows for every row (the usual case): nothing missing anywhere
        missing = [None] * len(merged)
    merged = merged[[*keys, *values]].fillna(dict.fromkeys(values, 0))
    merged["numerator"] = sum(merged[n] * c for n, c in plan.numerator)
    merged["denominator"] = sum(merged[n] for n in plan.denominator)
    merged["missing"] = pd.Series(missing, index=merged.index, dtype="object")
    prefix = f"{plan.metric.id}__"
    merged = merged.rename(columns={n: n.removeprefix(prefix) for n in values})
    return finish(merged, by, [n.removeprefix(prefix) for n in values], grain, window), tuple(absent)


def period_starts(keys: pd.Series, grain: Grain, tz: str) -> pd.Series:
    """Period keys as starts: an interval's UTC epoch as an aware time in ``tz``, else local epoch as naive."""
    seconds = keys.astype("int64")
    if grain.kind is GrainKind.INTERVAL:
        return pd.to_datetime(seconds, unit="s", utc=True).dt.tz_convert(tz)
    return pd.to_datetime(seconds, unit="s")


def finish(
    frame: pd.DataFrame, by: tuple[str, ...], names: Sequence[str], grain: Grain, window: Window
) -> pd.DataFrame:
    frame = frame.copy()
    num = frame["numerator"].astype("float64")
    den = frame["denominator"].astype("float64")
    frame["numerator"] = num
    frame["denominator"] = den
    frame["value"] = (num / den).where((den != 0) & frame["missing"].isna())
    if PERIOD_KEY in frame.columns:
        frame.insert(0, "period_start", period_starts(frame.pop(PERIOD_KEY), grain, window.tz))
    frame["partial"] = pd.Series([is_partial(ts, grain, window) for ts in frame["period_start"]], dtype=bool,
                                 index=frame.index)  # fmt: skip
    frame = frame.sort_values(["period_start", *by], kind="stable").reset_index(drop=True)
    return frame[["period_start", *by, *names, "numerator", "denominator", "value", "missing", "partial"]]


def sources_note(sources: Sequence[str], absent: Sequence[str], frame: pd.DataFrame) -> str:
    """Which tables the metric reads, and which had no rows (in the whole window, or for some rows)."""
    text = f"reads {', '.join(sources)}"
    if absent:
        return f"{text}; no data: {', '.join(absent)} had no rows in the window, so no value is given"
    gaps = frame["missing"].dropna()
    if len(gaps):
        tables = ", ".join(sorted(set(",".join(gaps).split(","))))
        text += f"; {len(gaps)} of {len(frame)} rows have no value: {tables} had no rows for them"
    return text


def lookup_note(lookup: DimensionLookup, frame: pd.DataFrame, by: Sequence[str]) -> str:
    """Where the looked-up dimensions come from, and how much of the denominator had no match."""
    dims = [d for d in by if d in lookup.dimensions]
    unknown = (frame[dims] == lookup.unknown).any(axis=1) if dims and len(frame) else pd.Series(dtype=bool)
    lost = float(frame.loc[unknown, "denominator"].sum()) if len(unknown) else 0.0
    total = float(frame["denominator"].sum())
    return (
        f"{', '.join(dims)} of {lookup.table} from {lookup.lookup} via {lookup.key}; {lost:,.0f} of {total:,.0f} "
        f"(denominator) name no {lookup.lookup} row and are grouped as {lookup.unknown}"
    )


def arrow_schema(frame: pd.DataFrame) -> pa.Schema:
    """The frame's Arrow schema, with ``missing`` as text even when every row is complete (all nulls)."""
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    schema = schema.set(schema.get_field_index("missing"), pa.field("missing", pa.string()))
    return schema.set(schema.get_field_index("partial"), pa.field("partial", pa.bool_()))


def missing_in_all(values: pd.Series) -> str | None:
    sets = [set(v.split(",")) if isinstance(v, str) else set() for v in values]
    common = set.intersection(*sets) if sets else set()
    return ",".join(sorted(common)) or None
