"""`cxcert staffing --forecast FILE`: staffing for every interval of a forecast table (CSV or Parquet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError
from cxcert.workforce.erlang_b import FloatArray
from cxcert.workforce.staffing import QueueMeasures, QueueModel, StaffingPlan, StaffingTarget, solve_staffing

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


def _starts(frame: pd.DataFrame, path: Path, zone_of: Callable[[str], str]) -> list[dt.datetime]:
    """Each row's interval start as a UTC instant: with an offset (or Z) as written, without one as a local time of
    its queue's site."""
    out: list[dt.datetime] = []
    for i, (queue, raw) in enumerate(zip(frame["queue"], frame["interval_start"], strict=True)):
        where = f"{path}: row {i + 2}, column interval_start"
        try:
            parsed = dt.datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise CxcertError(f"{where}: not a date and time ({raw!r})") from None
        if parsed.tzinfo is None:
            name = zone_of(str(queue))
            local = parsed.replace(tzinfo=ZoneInfo(name))
            # a wall time the clock skips or shows twice (daylight saving) has no one instant
            if local.astimezone(dt.UTC).astimezone(local.tzinfo).replace(tzinfo=None) != parsed or (
                local.replace(fold=1).utcoffset() != local.utcoffset()
            ):
                raise CxcertError(
                    f"{where}: {raw!r} does not exist or is ambiguous on the clock of {name} (a daylight-saving "
                    "change): write it with its UTC offset"
                )
            parsed = local
        out.append(parsed.astimezone(dt.UTC))
    return out


def _email_plan(
    frame: pd.DataFrame, starts: list[dt.datetime], calls: FloatArray, aht: FloatArray, ivl: FloatArray,
    target: StaffingTarget, response_h: float,
) -> StaffingPlan:  # fmt: skip
    """E-mail per queue, intervals in time order (each queue's intervals of one length): the backlog model's agents
    as the fractional requirement, rounded up on the phone; service measures do not apply (NaN)."""
    from cxcert.workforce.channels import email_staffing

    agents = np.zeros(len(frame), dtype=np.float64)
    queues = frame["queue"].astype(str).to_numpy()
    for queue in sorted(set(queues)):
        idx = np.array(sorted(np.flatnonzero(queues == queue), key=lambda i: starts[i]), dtype=np.int64)
        lengths = set(ivl[idx].tolist())
        if len(lengths) != 1:
            raise CxcertError(f"e-mail queue {queue}: its intervals must all have one length (has {sorted(lengths)})")
        staffed = email_staffing(calls[idx], aht[idx], float(ivl[idx][0]), response_h * 3600, target.max_occupancy)
        agents[idx] = staffed.agents
    nan = np.full(len(frame), np.nan)
    load = calls * aht / ivl
    occupancy = np.where(agents > 0, np.minimum(load / np.maximum(agents, 1e-12), 1.0), 0.0)
    return StaffingPlan(
        model="erlang-c", load=load, agents_on_phone=np.ceil(agents - 1e-9).astype(np.int64),
        agents_required_fractional=agents, scheduled_with_shrinkage=agents / (1 - target.shrinkage),
        measures=QueueMeasures(nan, nan, nan, np.zeros(len(frame)), occupancy),
    )  # fmt: skip


def _span(first: str, last: str) -> str:
    """The local starts of the first and last interval (ISO with offset) as ``2026-03-02 09:00 to 17:30``, the date
    repeated only when it changes (the zone is printed beside them)."""
    start, end = first[:16].replace("T", " "), last[:16].replace("T", " ")
    return f"{start} to {end[11:] if end[:10] == start[:10] else end}"


def staff_forecast(
    path: Path,
    out: Path | None,
    model: QueueModel,
    target: StaffingTarget,
    interval_s: float,
    patience_s: float | None,
    json_out: bool,
    aht_s: float | None = None,
    zone_of: Callable[[str], str] = lambda _queue: "UTC",
    fte_hours_per_week: float = 40.0,
    aht_factor: float = 1.0,
    email_response_h: float | None = None,
) -> None:
    """Solve every row of the forecast, print a per-queue summary in hours and FTE on each queue's local clock
    (``zone_of(queue)``) and write the rows to ``out`` with their local start. ``aht_s`` is the handle time of rows
    without one (a forecast of volumes only). Chat: Erlang C on the handle time / ``aht_factor`` (the concurrency
    factor); e-mail (``email_response_h``): the backlog model of :func:`~cxcert.workforce.channels.email_staffing`,
    per queue in time order."""
    from cxcert.workforce.staffing_totals import staffing_totals

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
    starts = _starts(frame, path, zone_of)
    aht = np.where(zero_calls & ~(aht > 0), 1.0, aht)  # no calls: AHT irrelevant, may be blank or 0
    if email_response_h is not None:
        plan = _email_plan(frame, starts, calls, aht, ivl, target, email_response_h)
    else:
        plan = solve_staffing(calls, aht / aht_factor, ivl, target, model=model, patience_s=patience)
    queues = [str(q) for q in frame["queue"]]
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
    result["tz"] = [zone_of(q) for q in queues]
    result["interval_start_local"] = [
        s.astimezone(ZoneInfo(z)).isoformat() for s, z in zip(starts, result["tz"], strict=True)
    ]
    result["interval_s"] = ivl
    if out is not None:
        write_table(result, out)
    rows: list[dict[str, Any]] = []
    for queue in sorted(set(queues)):
        idx = [i for i, q in enumerate(queues) if q == queue]
        totals = staffing_totals(
            [starts[i] for i in idx], ivl[idx], plan.agents_on_phone[idx], plan.scheduled_with_shrinkage[idx],
            tz=zone_of(queue), fte_hours_per_week=fte_hours_per_week,
        )  # fmt: skip
        rows.append({
            "queue": queue, "tz": totals.tz, "first_interval_local": totals.first_local.isoformat(),
            "last_interval_local": totals.last_local.isoformat(), "local_days": totals.days, "intervals": len(idx),
            "peak_agents_on_phone": int(plan.agents_on_phone[idx].max()),
            "agent_intervals_on_phone": int(plan.agents_on_phone[idx].sum()),
            "agent_intervals_fractional": float(plan.agents_required_fractional[idx].sum()),
            # rounded once, here, at the end
            "agent_intervals_scheduled": int(np.ceil(float(plan.scheduled_with_shrinkage[idx].sum()) - 1e-9)),
            "on_phone_hours": totals.on_phone_hours, "scheduled_hours": totals.scheduled_hours,
            "fte": totals.fte, "fte_hours_per_week": fte_hours_per_week,
        })  # fmt: skip
    if json_out:
        print_json(
            {"model": model, "rows": len(result), "out": str(out) if out else None,
             "aht_from_option": {"aht_s": aht_s, "rows": aht_defaulted}, "queues": rows}
        )  # fmt: skip
        return
    zones = sorted({r["tz"] for r in rows})
    one_zone = len(zones) == 1
    columns = ("queue", *(() if one_zone else ("zone",)), "intervals start", "days", "peak on phone", "hours on phone",
               "hours scheduled", "FTE")  # fmt: skip
    print_table(
        f"Staffing ({model}) for {len(result)} intervals, "
        + (f"local time {zones[0]}" if one_zone else "each queue on its site's clock")
        + f", FTE of {fte_hours_per_week:g} h a week"
        + (f", written to {out}" if out else ""),
        columns,
        [
            (r["queue"], *(() if one_zone else (r["tz"],)), _span(r["first_interval_local"], r["last_interval_local"]),
             r["local_days"], r["peak_agents_on_phone"],
             f"{r['on_phone_hours']:,.1f}", f"{r['scheduled_hours']:,.1f}", f"{r['fte']:,.2f}")
            for r in rows
        ],
    )  # fmt: skip
    if aht_defaulted:
        console.print(f"{aht_defaulted} of {len(result)} intervals had no handle time: staffed with --aht-s {aht_s:g}")
