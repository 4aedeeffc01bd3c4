"""Benchmark: generate a centre, ingest it, compute the 12-month scorecard four ways; print one JSON line.

    python benchmarks/kpi_engine.py --contacts 1000000 [--engine all|cxcert,sql,sql_tuned,pandas] [--work DIR]

Phases, each in its own child process so that its peak RSS is its own (``ru_maxrss`` of the child):

1. ``generate``: ``cxcert.synth.generate`` writes every canonical table as Parquet (rows/s over all tables);
2. ``ingest``: ``cxcert.ingest.pipeline.ingest_file`` loads every part file with full validation into a
   ``cxcert.warehouse.Warehouse`` (rows/s over all tables, and over contacts alone);
3. ``cxcert``: ``cxcert.performance.engine.scorecard`` computes the scorecard over the warehouse;
4. ``sql``: the same scorecard as one hand-written DuckDB SQL query over the same Parquet files, local months by
   ``date_trunc('month', timezone(tz, arrived_at))``;
5. ``sql_tuned``: the same SQL with the local month found by comparing ``arrived_at`` with each month's first
   UTC instant (a CASE written out in Python), the trick the engine's bucketing uses;
6. ``pandas``: the same scorecard in plain pandas, under an address-space limit (``--pandas-memory-gb``, set
   with ``resource.setrlimit``) so running out of memory is reported as ``"oom"`` instead of hurting the machine.
   The limit counts address space reserved, not only memory used: pandas at 10 M contacts peaks at 2.7 GB
   resident but reserves more than 4 GB, so the default is 16 GB (of the 24 GB machine), which lets pandas run
   as far as the machine's memory really allows (a 4 GB limit used to report it out of memory at 10 M).

Every scorecard phase imports its libraries before its clock starts (``import_s``, reported apart), then reports
``wall_s``, ``cpu_s`` (user + system, all threads: steadier than wall time on a shared machine), ``rows_per_s``
(contacts / wall_s) and ``peak_rss_mb``. Engines take turns over ``--repeat`` rounds; the best run is reported.

The scorecard: service level, ASA, abandon rate, AHT, hold time, ACW time and transfer rate, by program and
local month (DST-correct), over the generated window, with the KPI catalogue's default definitions
(``src/cxcert/performance/data/kpis.yaml``). The results are compared cell by cell with the engine's
(``agree_with_cxcert``, to 1e-9 relative).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

METRICS = ("service_level", "asa", "abandon_rate", "aht", "hold_time", "acw_time", "transfer_rate")
SL_THRESHOLD_S = 20.0  # the catalogue's default threshold for service_level (kpis.yaml)
SHORT_ABANDON_S = 5.0  # the catalogue's default short-abandon cut (kpis.yaml)
SL_CHANNELS = ("voice", "chat", "messaging")
CONTACT_COLUMNS = [
    "program", "channel", "direction", "arrived_at", "answered_at", "abandoned",
    "wait_s", "talk_s", "hold_s", "acw_s", "transferred", "outcome",
]  # fmt: skip
ENGINES = ("cxcert", "sql", "sql_tuned", "pandas")
# What each scorecard imports; imported (and timed as ``import_s``) before its clock starts, so that ``wall_s``
# compares the computations and not Ibis's ~1 s of imports (its DuckDB backend's SQL compilers alone take 0.2 s,
# imported on first connect) against DuckDB's ~0.1 s.
IMPORTS = {
    "cxcert": ("cxcert.performance.engine", "cxcert.warehouse", "ibis.backends.duckdb", "pandas"),
    "sql": ("duckdb", "cxcert.warehouse"),
    "sql_tuned": ("duckdb", "cxcert.warehouse"),
    "pandas": ("pandas", "cxcert.warehouse"),
}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def load_summary(work: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((work / "summary.json").read_text())
    return summary


# --------------------------------------------------------------------------------------------------- phases


def phase_generate(work: Path, contacts: int, seed: int) -> dict[str, Any]:
    from cxcert.synth import generate, load_profile

    profile = load_profile()
    started = time.perf_counter()
    summary = generate(work / "data", contacts=contacts, months=12, seed=seed, profile=profile, entity_id="bench")
    wall = time.perf_counter() - started
    payload = {**summary.to_dict(), "timezone": profile.timezone}
    (work / "summary.json").write_text(json.dumps(payload))
    rows = sum(summary.rows.values())
    return {"wall_s": round(wall, 2), "rows": rows, "contacts": summary.rows["contacts"],
            "rows_per_s": round(rows / wall), "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def phase_ingest(work: Path) -> dict[str, Any]:
    from cxcert.ingest.pipeline import ingest_file
    from cxcert.warehouse import Warehouse

    warehouse = Warehouse(work / "warehouse")
    rows, contact_rows, contact_wall = 0, 0, 0.0
    started = time.perf_counter()
    for table_dir in sorted((work / "data").iterdir()):
        for part in sorted(table_dir.glob("part-*.parquet")):
            part_started = time.perf_counter()
            result = ingest_file(warehouse, table_dir.name, part, entity_id="bench", fmt="canonical",
                                 quarantine_dir=work / "quarantine")  # fmt: skip
            if result.accounting.rejected:
                raise RuntimeError(f"{part}: {result.accounting.rejected} rows rejected")
            rows += result.accounting.accepted
            if table_dir.name == "contacts":
                contact_rows += result.accounting.accepted
                contact_wall += time.perf_counter() - part_started
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), "rows": rows, "rows_per_s": round(rows / wall),
            "contacts_wall_s": round(contact_wall, 2), "contacts_rows_per_s": round(contact_rows / contact_wall),
            "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def contact_files(work: Path) -> list[str]:
    from cxcert.warehouse import Warehouse

    return [str(p) for p in Warehouse(work / "warehouse").files("contacts")]


def scorecard_cxcert(work: Path) -> pa.Table:
    import datetime as dt

    from cxcert.performance.engine import scorecard
    from cxcert.warehouse import Warehouse

    summary = load_summary(work)
    warehouse = Warehouse(work / "warehouse")
    card = scorecard(
        {"contacts": warehouse.table("contacts")}, METRICS, tz=summary["timezone"],
        start=dt.date.fromisoformat(summary["first_day"]), end=dt.date.fromisoformat(summary["last_day"]),
        by=("program",), strict=True,
    )  # fmt: skip
    frames = []
    for metric in METRICS:
        frame = card.results[metric].to_pandas()
        frame["metric"] = metric
        frame["month"] = frame["period_start"].dt.strftime("%Y-%m")
        frames.append(frame[["metric", "program", "month", "value"]])
    import pandas as pd

    return pa.Table.from_pandas(pd.concat(frames, ignore_index=True), preserve_index=False)


def _sql_query(work: Path, month_sql: str) -> str:
    """The hand-written scorecard: one scan, flags computed once, one FILTERed aggregate per ratio part."""
    summary = load_summary(work)
    tz, first, last = summary["timezone"], summary["first_day"], summary["last_day"]
    files = ", ".join(f"'{f}'" for f in contact_files(work))
    channels = ", ".join(f"'{c}'" for c in SL_CHANNELS)
    return f"""
    WITH c AS (
      SELECT program, {month_sql} AS month,
             direction = 'inbound' AND channel IN ({channels}) AS realtime,
             outcome IS DISTINCT FROM 'ivr_hangup' AS reached_queue,
             answered_at IS NOT NULL AND NOT abandoned AS handled,
             abandoned, wait_s, talk_s, hold_s, acw_s, transferred
      FROM read_parquet([{files}])
      WHERE arrived_at >= timezone('{tz}', TIMESTAMP '{first} 00:00:00')
        AND arrived_at < timezone('{tz}', TIMESTAMP '{last} 00:00:00' + INTERVAL 1 DAY)
    ), a AS (
      SELECT program, month,
        count(*) FILTER (realtime AND reached_queue AND NOT (abandoned AND coalesce(wait_s, 0) < {SHORT_ABANDON_S})
                         AND handled AND wait_s <= {SL_THRESHOLD_S}) AS sl_num,
        count(*) FILTER (realtime AND reached_queue
                         AND NOT (abandoned AND coalesce(wait_s, 0) < {SHORT_ABANDON_S})) AS sl_den,
        sum(wait_s) FILTER (realtime AND handled) AS asa_num,
        count(wait_s) FILTER (realtime AND handled) AS asa_den,
        count(*) FILTER (realtime AND reached_queue AND abandoned) AS ab_num,
        count(*) FILTER (realtime AND reached_queue) AS ab_den,
        sum(coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(acw_s, 0)) FILTER (handled) AS aht_num,
        count(*) FILTER (handled AND (talk_s IS NOT NULL OR hold_s IS NOT NULL OR acw_s IS NOT NULL)) AS aht_den,
        sum(hold_s) FILTER (handled) AS hold_num,
        count(hold_s) FILTER (handled) AS hold_den,
        sum(acw_s) FILTER (handled) AS acw_num,
        count(acw_s) FILTER (handled) AS acw_den,
        count(*) FILTER (handled AND transferred) AS tr_num,
        count(*) FILTER (handled) AS tr_den
      FROM c
      GROUP BY ALL
    )
    SELECT metric, program, month, num / nullif(den, 0) AS value FROM a,
    LATERAL (VALUES ('service_level', sl_num::DOUBLE, sl_den::DOUBLE), ('asa', asa_num, asa_den),
      ('abandon_rate', ab_num, ab_den), ('aht', aht_num, aht_den), ('hold_time', hold_num, hold_den),
      ('acw_time', acw_num, acw_den), ('transfer_rate', tr_num, tr_den)) AS v(metric, num, den)
    ORDER BY metric, program, month
    """


def _run_sql(query: str) -> pa.Table:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    result: pa.Table = con.execute(query).to_arrow_table()
    return result


def scorecard_sql(work: Path) -> pa.Table:
    """The scorecard as an analyst would write it: local month by ``timezone(tz, arrived_at)`` (DST-correct)."""
    tz = load_summary(work)["timezone"]
    return _run_sql(_sql_query(work, f"strftime(date_trunc('month', timezone('{tz}', arrived_at)), '%Y-%m')"))


def scorecard_sql_tuned(work: Path) -> pa.Table:
    """The same SQL with the local month found by comparing ``arrived_at`` with each month's first UTC instant
    (computed in Python with zoneinfo): what an author tuning the query by hand would do, and what the engine's
    bucketing compiles to."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    summary = load_summary(work)
    zone = ZoneInfo(summary["timezone"])
    month = dt.date.fromisoformat(summary["first_day"]).replace(day=1)
    last = dt.date.fromisoformat(summary["last_day"])
    branches = []
    while month <= last:
        first_instant = dt.datetime.combine(month, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        branches.append(f"WHEN arrived_at >= TIMESTAMPTZ '{first_instant.isoformat()}' THEN '{month:%Y-%m}'")
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return _run_sql(_sql_query(work, "CASE " + " ".join(reversed(branches)) + " END"))


def scorecard_pandas(work: Path) -> pa.Table:
    """Plain pandas: read the needed columns, keep the window (UTC bounds of the local dates), local month from
    the tz-converted timestamps, boolean masks, one groupby-sum."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import pandas as pd

    summary = load_summary(work)
    tz = summary["timezone"]
    zone = ZoneInfo(tz)
    first = dt.datetime.combine(dt.date.fromisoformat(summary["first_day"]), dt.time(), tzinfo=zone)
    after = dt.datetime.combine(dt.date.fromisoformat(summary["last_day"]) + dt.timedelta(days=1), dt.time(), zone)
    frame = pd.concat([pd.read_parquet(f, columns=CONTACT_COLUMNS) for f in contact_files(work)], ignore_index=True)
    frame = frame[(frame["arrived_at"] >= first) & (frame["arrived_at"] < after)]
    local = frame["arrived_at"].dt.tz_convert(tz)
    month = local.dt.year * 100 + local.dt.month  # formatted after grouping (cheaper)
    abandoned = frame["abandoned"]
    wait = frame["wait_s"]
    realtime = (frame["direction"] == "inbound") & frame["channel"].isin(SL_CHANNELS)
    reached_queue = frame["outcome"].ne("ivr_hangup") | frame["outcome"].isna()
    handled = frame["answered_at"].notna() & ~abandoned
    offered = realtime & reached_queue & ~(abandoned & (wait.fillna(0) < SHORT_ABANDON_S))
    parts = pd.DataFrame({"program": frame["program"], "month": month})
    parts["sl_num"] = offered & handled & (wait <= SL_THRESHOLD_S)
    parts["sl_den"] = offered
    parts["asa_num"] = wait.where(realtime & handled, 0.0).fillna(0.0)
    parts["asa_den"] = realtime & handled & wait.notna()
    parts["ab_num"] = realtime & reached_queue & abandoned
    parts["ab_den"] = realtime & reached_queue
    handle = frame["talk_s"].fillna(0) + frame["hold_s"].fillna(0) + frame["acw_s"].fillna(0)
    any_part = frame["talk_s"].notna() | frame["hold_s"].notna() | frame["acw_s"].notna()
    parts["aht_num"] = handle.where(handled, 0.0)
    parts["aht_den"] = handled & any_part
    parts["hold_num"] = frame["hold_s"].where(handled, 0.0).fillna(0.0)
    parts["hold_den"] = handled & frame["hold_s"].notna()
    parts["acw_num"] = frame["acw_s"].where(handled, 0.0).fillna(0.0)
    parts["acw_den"] = handled & frame["acw_s"].notna()
    parts["tr_num"] = handled & frame["transferred"].fillna(False).astype(bool)
    parts["tr_den"] = handled
    sums = parts.groupby(["program", "month"], sort=True).sum(numeric_only=True).reset_index()
    sums["month"] = [f"{m // 100:04d}-{m % 100:02d}" for m in sums["month"]]
    out = []
    for metric, key in (("service_level", "sl"), ("asa", "asa"), ("abandon_rate", "ab"), ("aht", "aht"),
                        ("hold_time", "hold"), ("acw_time", "acw"), ("transfer_rate", "tr")):  # fmt: skip
        den = sums[f"{key}_den"].astype("float64")
        value = (sums[f"{key}_num"].astype("float64") / den).where(den > 0)
        out.append(pd.DataFrame({"metric": metric, "program": sums["program"], "month": sums["month"], "value": value}))
    return pa.Table.from_pandas(pd.concat(out, ignore_index=True), preserve_index=False)


SCORECARDS: dict[str, Callable[[Path], pa.Table]] = {
    "cxcert": scorecard_cxcert,
    "sql": scorecard_sql,
    "sql_tuned": scorecard_sql_tuned,
    "pandas": scorecard_pandas,
}


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase_scorecard(work: Path, engine: str) -> dict[str, Any]:
    import importlib

    started = time.perf_counter()
    for module in IMPORTS[engine]:
        importlib.import_module(module)
    import_s = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), cpu_s()
    try:
        table = SCORECARDS[engine](work)
    except MemoryError:
        return {"status": "oom", "wall_s": round(time.perf_counter() - started, 2), "peak_rss_mb": peak_rss_mb()}
    wall, cpu = time.perf_counter() - started, cpu_s() - cpu_started
    (work / "results").mkdir(exist_ok=True)
    pq.write_table(table, work / "results" / f"{engine}.parquet")
    contacts = load_summary(work)["rows"]["contacts"]
    return {"status": "ok", "wall_s": round(wall, 3), "cpu_s": round(cpu, 2), "import_s": round(import_s, 2),
            "rows_per_s": round(contacts / wall), "cells": table.num_rows, "peak_rss_mb": peak_rss_mb()}  # fmt: skip


def run_child(work: Path, phase: str, args: list[str], memory_gb: float | None = None) -> dict[str, Any]:
    """Run one phase in a child process; its last stdout line is the phase's JSON."""

    def limit() -> None:
        if memory_gb is not None:
            cap = int(memory_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    command = [sys.executable, __file__, "--phase", phase, "--work", str(work), *args]
    done = subprocess.run(command, capture_output=True, text=True, preexec_fn=limit, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        if memory_gb is not None and ("MemoryError" in done.stderr or done.returncode < 0):
            return {"status": "oom", "peak_rss_mb": None}
        raise RuntimeError(f"phase {phase} failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def compare(work: Path, engine: str, reference: str = "cxcert", tolerance: float = 1e-9) -> bool:
    """Whether ``engine``'s scorecard equals the reference's, cell by cell (both nulls count as equal)."""
    a = pq.read_table(work / "results" / f"{reference}.parquet").to_pandas()
    b = pq.read_table(work / "results" / f"{engine}.parquet").to_pandas()
    merged = a.merge(b, on=["metric", "program", "month"], how="outer", suffixes=("_a", "_b"), indicator=True)
    if not (merged["_merge"] == "both").all():
        return False
    both_null = merged["value_a"].isna() & merged["value_b"].isna()
    close = (merged["value_a"] - merged["value_b"]).abs() <= tolerance * merged["value_a"].abs().clip(lower=1.0)
    return bool((both_null | close).all())


def run_benchmark(
    contacts: int, engines: tuple[str, ...], work: Path, seed: int, pandas_gb: float, repeat: int = 3
) -> dict[str, Any]:
    """Generate and ingest (unless ``work`` already holds an ingested run), then time each scorecard engine
    ``repeat`` times, each run in a fresh process, taking turns (engine A, B, C, A, B, C...) so that a busy spell
    on a shared machine hits every engine alike; the best wall time is reported, with every run's."""
    report: dict[str, Any] = {"benchmark": "kpi_engine", "contacts_requested": contacts, "cpus": os.cpu_count()}
    if not (work / "ingested").exists():
        report["generate"] = run_child(work, "generate", ["--contacts", str(contacts), "--seed", str(seed)])
        report["ingest"] = run_child(work, "ingest", [])
        (work / "ingested").write_text("ok")
    report["contacts"] = load_summary(work)["rows"]["contacts"]
    runs: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
    for _ in range(repeat):
        for engine in engines:
            if runs[engine] and runs[engine][-1].get("status") == "oom":
                continue  # out of memory once is out of memory
            memory = pandas_gb if engine == "pandas" else None
            runs[engine].append(run_child(work, f"scorecard-{engine}", [], memory_gb=memory))
    for engine in engines:
        best = min(runs[engine], key=lambda r: r.get("wall_s") or float("inf"))
        report[f"scorecard_{engine}"] = {**best, "wall_s_runs": [r.get("wall_s") for r in runs[engine]]}
    ok = {e for e in engines if report[f"scorecard_{e}"].get("status") == "ok"}
    if "cxcert" in ok:
        report["agree_with_cxcert"] = {e: compare(work, e) for e in sorted(ok - {"cxcert"})}
        cx = report["scorecard_cxcert"]
        for other in ("sql", "sql_tuned"):
            if other in ok:
                report[f"cxcert_over_{other}"] = round(cx["wall_s"] / report[f"scorecard_{other}"]["wall_s"], 2)
                report[f"cxcert_over_{other}_cpu"] = round(cx["cpu_s"] / report[f"scorecard_{other}"]["cpu_s"], 2)
        if "pandas" in ok:
            report["pandas_over_cxcert"] = round(report["scorecard_pandas"]["wall_s"] / cx["wall_s"], 2)
            report["pandas_over_cxcert_cpu"] = round(report["scorecard_pandas"]["cpu_s"] / cx["cpu_s"], 2)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--engine", default="all", help=f"all, or some of {', '.join(ENGINES)} joined by commas")
    parser.add_argument("--work", type=Path, help="working directory (kept; reused when already ingested)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pandas-memory-gb", type=float, default=16.0, help="address-space limit of the pandas run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each scorecard engine (best reported)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        work = Path(args.work)
        if args.phase == "generate":
            result = phase_generate(work, args.contacts, args.seed)
        elif args.phase == "ingest":
            result = phase_ingest(work)
        else:
            result = phase_scorecard(work, args.phase.removeprefix("scorecard-"))
        print(json.dumps(result))
        return
    engines = ENGINES if args.engine == "all" else tuple(e.strip() for e in args.engine.split(","))
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}; use all or some of {', '.join(ENGINES)}")
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        print(
            json.dumps(run_benchmark(args.contacts, engines, args.work, args.seed, args.pandas_memory_gb, args.repeat))
        )
        return
    with tempfile.TemporaryDirectory(prefix="cxcert-bench-") as tmp:
        print(
            json.dumps(run_benchmark(args.contacts, engines, Path(tmp), args.seed, args.pandas_memory_gb, args.repeat))
        )


if __name__ == "__main__":
    main()
