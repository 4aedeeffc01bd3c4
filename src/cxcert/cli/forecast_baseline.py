"""`cxcert forecast baseline`: the seasonal baseline forecast for the days after a history, as a canonical
forecasts table (`cxcert ingest forecasts FILE --format canonical` reads it back).

The science is :func:`cxcert.workforce.baseline_forecast.forecast_ahead`; this module gathers the history per
interval (from the warehouse's contacts, counted by DuckDB, or from a CSV/Parquet of volumes), calls it, writes
the table and prints a summary. Heavy imports happen inside the command so that `cxcert --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.site import site_zone
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    import pandas as pd

    from cxcert.workforce.baseline_forecast import BaselineForecast

_ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"  # how a CSV writes interval_start: what `cxcert ingest --format canonical` reads


def baseline_command(
    entity: str | None = typer.Option(None, "--entity", help="Entity whose contacts are the history."),
    start: str | None = typer.Option(None, "--from", help="First local day of history, e.g. 2026-01-05."),
    end: str | None = typer.Option(None, "--to", help="Last local day of history (inclusive); the forecast follows."),
    horizon_days: int | None = typer.Option(
        None, "--horizon-days", help="Days to forecast after --to (default: baseline_forecast.yaml)."
    ),
    weeks: int | None = typer.Option(None, "--weeks", help="Weeks of history averaged (default: YAML data)."),
    interval_s: int | None = typer.Option(None, "--interval-s", help="Forecast interval in seconds (default: YAML)."),
    program: str | None = typer.Option(None, "--program", help="Only this program (file mode: written on each row)."),
    queue: list[str] = typer.Option([], "--queue", help="Only these queues (file mode: the one queue's name)."),
    tz: str | None = typer.Option(
        None, "--tz", help="IANA zone of weekdays and times; default: the entity's first location, else UTC."
    ),
    history: Path | None = typer.Option(None, "--history", help="CSV/Parquet of volumes instead of the warehouse."),
    time_column: str = typer.Option("interval_start", "--time-column", help="File mode: the timestamp column."),
    calls_column: str = typer.Option("calls", "--calls-column", help="File mode: the volume column."),
    out: Path | None = typer.Option(None, "--out", help="Write the forecast here (.csv or .parquet)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Seasonal baseline forecast: each future interval is the mean of the same weekday and time of day over the
    last 4 weeks of history (weeks, interval and horizon from baseline_forecast.yaml), the benchmark any better
    forecast must beat. The forecast covers the --horizon-days local days after --to.

    From the warehouse: the entity's contacts that arrived on the local days --from..--to, counted per interval
    by the KPI catalogue's definition of forecast volume (inbound), per program and queue; intervals without a
    contact count as 0. The AHT forecast is the handle time (talk + hold + after-contact work) of the handled
    contacts at the same weekday and time.

      cxcert forecast baseline --entity acme-care --from 2026-01-05 --to 2026-03-01 --horizon-days 7 \\
        --out forecast.csv

    From a file: --history FILE with a timestamp and a volume column (default interval_start and calls), summed
    into --interval-s intervals (an interval is used only when all its rows are present); missing rows are
    unknown, not zero, and a future interval with no history at its weekday and time is left out and counted.

      cxcert forecast baseline --history us-bank-2003-5min.csv --time-column DateTime --calls-column Calls \\
        --queue bank --program retail --out bank-forecast.csv

    The output is a canonical forecasts table (program, queue, interval_start in UTC, interval_s,
    contacts_forecast, aht_forecast_s): load it with `cxcert ingest forecasts FILE --entity ID --format
    canonical` (add --program when it has no program column), staff it with `cxcert staffing --forecast FILE`,
    and score it later with `cxcert forecast accuracy`.
    """
    from cxcert.cli.dates import optional_date
    from cxcert.workforce.baseline_forecast import baseline_defaults, forecast_ahead

    d = baseline_defaults()
    days = horizon_days if horizon_days is not None else d.horizon_days
    k = weeks if weeks is not None else d.weeks
    step = interval_s if interval_s is not None else d.interval_s
    first, last = optional_date(start, "--from"), optional_date(end, "--to")
    if history is not None:
        if entity is not None:
            raise CxcertError("give either --entity (warehouse) or --history FILE, not both")
        if len(queue) > 1:
            raise CxcertError("file mode forecasts one series: give at most one --queue (its name)")
        zone = site_zone(None, tz) if tz else "UTC"
        frame, keys = _from_file(history, time_column, calls_column, zone, step, queue[0] if queue else "all")
        frame = _window(frame, zone, first, last)
        source: dict[str, Any] = {"history": str(history)}
    else:
        missing = [name for name, v in (("--entity", entity), ("--from", first), ("--to", last)) if v is None]
        if missing:
            raise CxcertError(
                f"missing {', '.join(missing)}: cxcert forecast baseline --entity ID --from DATE --to DATE "
                "(or --history FILE)"
            )
        assert entity is not None and first is not None and last is not None
        zone = site_zone(entity, tz)
        frame, keys = _from_warehouse(entity, first, last, zone, step, program, queue)
        source = {"entity": entity}
    if frame.empty:
        raise CxcertError("no history in this window" + (" and queue" if queue else ""))
    history_end = last if last is not None else _last_local_day(frame, zone)
    result = forecast_ahead(
        frame, zone=zone, first_day=history_end + dt.timedelta(days=1), days=days, interval_s=step, weeks=k,
        keys=keys,
    )  # fmt: skip
    table = _canonical(result.intervals, program if history is not None else None)
    if out is not None:
        from cxcert.cli.staffing_forecast import write_table

        parquet = out.suffix.lower() in (".parquet", ".pq")
        written = table if parquet else table.assign(interval_start=table["interval_start"].dt.strftime(_ISO_UTC))
        write_table(written, out)
    _report(result, table, keys, zone, source, out, json_out, d.source)


def _from_warehouse(
    entity: str, first: dt.date, last: dt.date, zone: str, interval_s: int, program: str | None, queues: list[str]
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Contacts per (program, queue, interval) counted by DuckDB, with every interval of the window (0 where
    none arrived); interval_start is the UTC start of the local interval."""
    import ibis
    import pandas as pd

    from cxcert.performance.compile import forecast_actuals
    from cxcert.performance.periods import Grain, GrainKind, Window, period_of, utc_literal
    from cxcert.warehouse import Warehouse

    window = Window(zone, first, last)
    grain = Grain(GrainKind.INTERVAL, interval_s)
    c = Warehouse.default().table("contacts", entity)
    c = c.filter(
        c.arrived_at >= utc_literal(window.utc_start), c.arrived_at < utc_literal(window.utc_end), forecast_actuals(c)
    )
    if program is not None:
        c = c.filter(c.program == program)
    if queues:
        c = c.filter(c.queue.isin(queues))
    # Handled as the KPI catalogue's AHT counts them: answered, not abandoned; talk + hold + ACW, missing parts 0.
    is_handled = c.answered_at.notnull() & ~c.abandoned
    handle = c.talk_s.fill_null(0) + c.hold_s.fill_null(0) + c.acw_s.fill_null(0)
    m = c.mutate(
        key=period_of(c.arrived_at, window, grain),
        one_handled=is_handled.cast("int64"),
        handle=ibis.ifelse(is_handled, handle, 0.0),
    )
    counted = (
        m.group_by(["program", "queue", "key"])
        .aggregate(contacts=m.count(), handled=m.one_handled.sum(), handle_s=m.handle.sum())
        .to_pandas()
    )
    if counted.empty:
        raise CxcertError(
            f"entity {entity} has no contacts between {first} and {last} ({zone})"
            + (" for this program or queue" if program or queues else "")
            + "; load them with `cxcert ingest contacts FILE --entity ID`"
        )
    start_s = int(window.utc_start.timestamp())
    grid = pd.DataFrame({"key": range(start_s, int(window.utc_end.timestamp()), interval_s)})
    series = counted[["program", "queue"]].drop_duplicates()
    full = series.merge(grid, how="cross").merge(counted, on=["program", "queue", "key"], how="left")
    full[["contacts", "handled", "handle_s"]] = full[["contacts", "handled", "handle_s"]].fillna(0.0).astype(float)
    full["interval_start"] = pd.to_datetime(full["key"], unit="s", utc=True)
    return full.drop(columns="key"), ("program", "queue")


def _from_file(
    path: Path, time_column: str, calls_column: str, zone: str, interval_s: int, queue: str
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The file's volumes as (queue, interval_start UTC, contacts), summed into ``interval_s`` intervals."""
    import pandas as pd

    from cxcert.cli.staffing_forecast import read_table
    from cxcert.workforce.baseline_forecast import to_intervals

    raw = read_table(path)
    for column in (time_column, calls_column):
        if column not in raw.columns:
            raise CxcertError(
                f"{path}: needs a column {column} (has {', '.join(map(str, raw.columns))}); "
                "name others with --time-column and --calls-column"
            )
    try:
        start = pd.to_datetime(raw[time_column].astype(str).str.strip(), format="ISO8601")
    except (ValueError, TypeError):
        try:  # mixed offsets: bring everything to UTC first
            start = pd.to_datetime(raw[time_column].astype(str).str.strip(), format="ISO8601", utc=True)
        except (ValueError, TypeError) as exc:
            raise CxcertError(f"{path}: {time_column} is not an ISO 8601 timestamp ({exc})") from None
    if start.dt.tz is None:  # times as written are the site's wall clock
        start = start.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    values = pd.to_numeric(raw[calls_column], errors="coerce")
    bad = (values < 0) | (values.isna() & raw[calls_column].notna())
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        value = raw[calls_column].iloc[row]
        raise CxcertError(f"{path}: row {row + 2}, column {calls_column}: not a number >= 0 ({value!r})")
    frame = pd.DataFrame({"queue": queue, "interval_start": start.dt.tz_convert("UTC"), "contacts": values})
    frame = frame[frame["interval_start"].notna() & frame["contacts"].notna()]
    dup = frame.duplicated(["interval_start"])
    if dup.any():
        raise CxcertError(f"{path}: interval {frame['interval_start'][dup].iloc[0]} appears twice")
    return to_intervals(frame, interval_s), ("queue",)


def _window(frame: pd.DataFrame, zone: str, first: dt.date | None, last: dt.date | None) -> pd.DataFrame:
    import pandas as pd

    local_day = frame["interval_start"].dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
    keep = pd.Series(True, index=frame.index)
    if first is not None:
        keep &= local_day >= pd.Timestamp(first)
    if last is not None:
        keep &= local_day <= pd.Timestamp(last)
    return frame[keep]


def _last_local_day(frame: pd.DataFrame, zone: str) -> dt.date:
    latest = frame["interval_start"].max().tz_convert(zone)
    return dt.date(latest.year, latest.month, latest.day)


def _canonical(intervals: pd.DataFrame, program: str | None) -> pd.DataFrame:
    """The canonical forecasts columns; interval_start as UTC (ISO 8601 with Z in a CSV)."""
    table = intervals.copy()
    if "program" not in table.columns and program is not None:
        table.insert(0, "program", program)
    table["interval_s"] = table["interval_s"].astype("int32")
    columns = [c for c in ("program", "queue") if c in table.columns]
    return table[[*columns, "interval_start", "interval_s", "contacts_forecast", "aht_forecast_s"]]


def _report(
    result: BaselineForecast,
    table: pd.DataFrame,
    keys: tuple[str, ...],
    zone: str,
    source: dict[str, Any],
    out: Path | None,
    json_out: bool,
    defaults_source: str,
) -> None:
    last = result.first_day + dt.timedelta(days=result.days - 1)
    label = table[list(keys)].astype(str).agg("/".join, axis=1) if len(keys) > 1 else table[keys[0]].astype(str)
    summary = table.assign(series=label).groupby("series", sort=True)["contacts_forecast"].agg(["size", "sum"])
    names = [str(s) for s in summary.index]
    sizes = summary["size"].to_numpy()
    sums = summary["sum"].to_numpy()
    if json_out:
        print_json(
            {
                **source,
                "tz": zone,
                "from": result.first_day.isoformat(),
                "to": last.isoformat(),
                "weeks": result.weeks,
                "interval_s": int(table["interval_s"].iloc[0]) if len(table) else None,
                "history_days": result.history_days,
                "intervals": len(table),
                "left_out": result.left_out,
                "contacts_forecast_total": float(table["contacts_forecast"].sum()),
                "out": str(out) if out else None,
                "defaults_source": defaults_source,
                "series": [
                    {"series": n, "intervals": int(i), "contacts_forecast": float(t)}
                    for n, i, t in zip(names, sizes, sums, strict=True)
                ],
                "explanation": result.explanation.to_dict(),
            }
        )
        return
    print_table(
        f"Baseline forecast {result.first_day} to {last} ({zone})" + (f", written to {out}" if out else ""),
        ("series", "intervals", "contacts forecast"),
        [(n, int(i), f"{float(t):,.1f}") for n, i, t in zip(names, sizes, sums, strict=True)],
    )
    console.print(result.explanation.render(), highlight=False, markup=False)
