"""`cxcert staffing --forecast FILE`: staffing for every interval of a forecast table (CSV or Parquet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError
from cxcert.workforce.erlang_b import FloatArray
from cxcert.workforce.staffing import QueueModel, StaffingTarget, solve_staffing

BoolArray = np.ndarray[Any, np.dtype[np.bool_]]

_CALLS = ("calls", "contacts_forecast")
_AHT = ("aht_s", "aht_forecast_s")


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a data frame; a user mistake when missing or of another kind."""
    if not path.is_file():
        raise CxcertError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except (ValueError, OSError) as exc:
        raise CxcertError(f"{path}: cannot be read ({exc})") from exc
    raise CxcertError(f"{path}: expected a .csv or .parquet file")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as Parquet (.parquet, .pq) or CSV (anything else; formula-safe), atomically: a temporary
    file beside ``path`` swapped in, so a failure leaves any previous file whole. Missing folders are created; a
    path that cannot be written is a user mistake naming it."""
    from cxcert.reports.atomic import write_atomically
    from cxcert.spreadsheet_cells import csv_frame

    def write(tmp: Path) -> None:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame.to_parquet(tmp, index=False)
        else:
            csv_frame(frame).to_csv(tmp, index=False)  # text from data never becomes a live formula

    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise CxcertError(f"{path}: cannot be written ({blocking} is a file, not a folder)")
    try:
        write_atomically(path, write)
    except OSError as exc:
        raise CxcertError(f"{path}: cannot be written ({exc.strerror or exc})") from None


def _pick(frame: pd.DataFrame, names: tuple[str, ...], path: Path) -> str:
    for name in names:
        if name in frame.columns:
            return name
    raise CxcertError(f"{path}: needs a column {' or '.join(names)} (has {', '.join(map(str, frame.columns))})")


def _numeric(frame: pd.DataFrame, column: str, path: Path, blank_ok: BoolArray | None = None) -> FloatArray:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = np.array(values.isna().to_numpy(), dtype=bool)
    if blank_ok is not None:
        bad &= ~(blank_ok & frame[column].isna().to_numpy())
    if np.any(bad):
        row = int(np.flatnonzero(bad)[0]) + 2  # 1-based, after the header line
        cell = frame[column].iloc[row - 2]
        raise CxcertError(
            f"{path}: row {row}, column {column}: {'blank' if pd.isna(cell) else f'not a number ({cell!r})'}"
        )
    return values.to_numpy(dtype=np.float64)


def _handle_times(
    frame: pd.DataFrame, path: Path, zero_calls: BoolArray, aht_s: float | None
) -> tuple[FloatArray, int]:
    """Each row's AHT: its own aht_s (or aht_forecast_s) where it has one, else ``aht_s`` (--aht-s), for a
    forecast of volumes only; with the number of rows that took ``aht_s``."""
    column = next((c for c in _AHT if c in frame.columns), None)
    if column is None:
        if aht_s is None:
            raise CxcertError(
                f"{path}: needs a column {' or '.join(_AHT)} (has {', '.join(map(str, frame.columns))}), or --aht-s "
                "to staff a forecast of volumes with one handle time"
            )
        return np.full(len(frame), aht_s, dtype=np.float64), len(frame)
    blank = frame[column].isna().to_numpy()
    if aht_s is None:
        return _numeric(frame, column, path, blank_ok=zero_calls), 0
    values = _numeric(frame, column, path, blank_ok=blank)
    return np.where(blank, aht_s, values), int(blank.sum())


def staff_forecast(
    path: Path,
    out: Path | None,
    model: QueueModel,
    target: StaffingTarget,
    interval_s: float,
    patience_s: float | None,
    json_out: bool,
    aht_s: float | None = None,
) -> None:
    """Solve every row of the forecast, print a per-queue summary and write the rows to ``out``. ``aht_s`` is the
    handle time of rows without one (a forecast of volumes only)."""
    frame = read_table(path)
    for col in ("queue", "interval_start"):
        if col not in frame.columns:
            raise CxcertError(f"{path}: needs a column {col}")
    calls = _numeric(frame, _pick(frame, _CALLS, path), path)
    zero_calls = calls <= 0
    if aht_s is not None and not (np.isfinite(aht_s) and aht_s > 0):
        raise CxcertError(f"--aht-s must be > 0 seconds, got {aht_s:g}")
    aht, aht_defaulted = _handle_times(frame, path, zero_calls, aht_s)
    ivl = _numeric(frame, "interval_s", path) if "interval_s" in frame.columns else np.full(len(frame), interval_s)
    patience: FloatArray | None = None
    if model == "erlang-a":
        if "patience_s" in frame.columns:
            patience = _numeric(frame, "patience_s", path)
        elif patience_s is not None:
            patience = np.full(len(frame), patience_s)
        else:
            raise CxcertError("--model erlang-a needs --patience-s or a patience_s column in the forecast")
    aht = np.where(zero_calls & ~(aht > 0), 1.0, aht)  # no calls: AHT irrelevant, may be blank or 0
    plan = solve_staffing(calls, aht, ivl, target, model=model, patience_s=patience)
    result = frame[["queue", "interval_start"]].copy()
    result["load_erlangs"] = plan.load
    result["agents_on_phone"] = plan.agents_on_phone
    result["agents_required_fractional"] = plan.agents_required_fractional
    result["scheduled_with_shrinkage"] = plan.scheduled_with_shrinkage
    result["service_level"] = plan.measures.service_level
    result["asa_s"] = plan.measures.asa_s
    result["abandon_rate"] = plan.measures.abandon_rate
    result["occupancy"] = plan.measures.occupancy
    result["p_wait"] = plan.measures.p_wait
    result["aht_s"] = aht
    if out is not None:
        write_table(result, out)
    summary = (
        result.groupby("queue", sort=True)
        .agg(
            intervals=("agents_on_phone", "size"),
            peak_agents=("agents_on_phone", "max"),
            agent_intervals=("agents_on_phone", "sum"),
            fractional_agent_intervals=("agents_required_fractional", "sum"),
            scheduled_agent_intervals=("scheduled_with_shrinkage", "sum"),
        )
        .reset_index()
    )
    cols = {c: summary[c].to_numpy() for c in summary.columns}
    rows = [
        {
            "queue": str(cols["queue"][i]),
            "intervals": int(cols["intervals"][i]),
            "peak_agents_on_phone": int(cols["peak_agents"][i]),
            "agent_intervals_on_phone": int(cols["agent_intervals"][i]),
            "agent_intervals_fractional": float(cols["fractional_agent_intervals"][i]),
            # rounded once, here, at the end
            "agent_intervals_scheduled": int(np.ceil(float(cols["scheduled_agent_intervals"][i]) - 1e-9)),
        }
        for i in range(len(summary))
    ]
    if json_out:
        print_json(
            {"model": model, "rows": len(result), "out": str(out) if out else None,
             "aht_from_option": {"aht_s": aht_s, "rows": aht_defaulted}, "queues": rows}
        )  # fmt: skip
        return
    print_table(
        f"Staffing ({model}) for {len(result)} intervals" + (f", written to {out}" if out else ""),
        ("queue", "intervals", "peak on phone", "agent-intervals on phone", "fractional", "scheduled (rounded once)"),
        [
            (
                r["queue"],
                r["intervals"],
                r["peak_agents_on_phone"],
                r["agent_intervals_on_phone"],
                f"{r['agent_intervals_fractional']:.1f}",
                r["agent_intervals_scheduled"],
            )
            for r in rows
        ],
    )
    if aht_defaulted:
        console.print(f"{aht_defaulted} of {len(result)} intervals had no handle time: staffed with --aht-s {aht_s:g}")
