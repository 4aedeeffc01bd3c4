"""`cxcert forecast-accuracy`: how close were the forecasts to the contacts that came, from the warehouse or files.

The science is :func:`cxcert.workforce.forecast_accuracy.forecast_accuracy`; this module gathers forecast and
actual volumes per interval (in the backend for the warehouse), calls it per queue and overall, and prints.
Heavy imports (pandas, ibis, the warehouse) happen inside the command so that `cxcert --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cxcert.cli.output import console, err_console, print_json, print_table
from cxcert.cli.site import site_zone
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    import pandas as pd

    from cxcert.workforce.forecast_accuracy import ForecastAccuracy

_FORECAST_COLUMNS = ("contacts_forecast", "forecast", "calls")
_ACTUAL_COLUMNS = ("contacts", "actual", "calls")


def register(app: typer.Typer) -> None:
    """`cxcert forecast baseline|accuracy`, and `cxcert forecast-accuracy` (the same command, kept as it was)."""
    from cxcert.cli.forecast_baseline import baseline_command

    group = typer.Typer(
        help="Forecasts: a seasonal baseline for the days ahead, and accuracy against the contacts that came.",
        no_args_is_help=True,
    )
    group.command("baseline")(baseline_command)
    group.command("accuracy")(forecast_accuracy_command)
    app.add_typer(group, name="forecast")
    app.command("forecast-accuracy")(forecast_accuracy_command)


def _date(text: str | None, option: str) -> dt.date | None:
    from cxcert.cli.dates import optional_date

    return optional_date(text, option)


def forecast_accuracy_command(
    entity: str | None = typer.Option(None, "--entity", help="Entity whose forecasts and contacts to compare."),
    start: str | None = typer.Option(None, "--from", help="First local date, e.g. 2026-03-01."),
    end: str | None = typer.Option(None, "--to", help="Last local date (inclusive)."),
    tolerance: float | None = typer.Option(
        None,
        "--tolerance",
        help="Accurate when |forecast - actual| <= tolerance x actual (default: the KPI catalogue's "
        "forecast_accuracy.tolerance, yours when CXCERT_HOME/kpis.yaml sets it).",
    ),
    grain: str | None = typer.Option(None, "--grain", help="interval, day or month (default: forecast_defaults.yaml)."),
    queue: list[str] = typer.Option([], "--queue", help="Only these queues (repeat the option for several)."),
    tz: str | None = typer.Option(
        None, "--tz", help="IANA zone for days and months; default: the entity's first location, else UTC."
    ),
    forecast_file: Path | None = typer.Option(None, "--forecast", help="Forecast CSV/Parquet (file mode)."),
    actual_file: Path | None = typer.Option(None, "--actual", help="Actual volumes CSV/Parquet (file mode)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Forecast accuracy: share of periods within +/- X %, MAPE, WAPE and bias, overall and per queue.

    From the warehouse: forecasts of the entity whose interval starts in the local dates --from..--to, against
    the contacts (answered or abandoned; inbound, as the KPI catalogue's forecast_accuracy defines the actual
    volume) of the same program and queue that arrived in each
    forecast interval [interval_start, interval_start + interval_s); an interval with no contact has actual 0.

      cxcert forecast-accuracy --entity acme-care --from 2026-03-01 --to 2026-03-31 --grain day

    From files: --forecast FILE with columns interval_start and contacts_forecast (or forecast, or calls);
    --actual FILE with columns interval_start and contacts (or actual, or calls). Both may carry a queue column
    (then both must). Rows are matched on (queue, interval_start); rows of one file without a partner in the
    other are left out and counted, so write intervals with no contacts as 0. Timestamps with an offset (or Z)
    are converted to --tz (default UTC); timestamps without one are taken as local times as written.

      cxcert forecast-accuracy --forecast forecast.csv --actual actual.csv --tolerance 0.05 --json

    Definitions: within tolerance |f - a| <= X a (a period with no actual is within only if its forecast is 0);
    MAPE over periods with actual > 0; WAPE = sum |f - a| / sum a; bias = sum (f - a) / sum a (+ = over-forecast).
    At interval grain every queue's interval is a period; days and months sum the selected queues.
    """
    from cxcert.workforce.forecast_accuracy import GRAINS, forecast_accuracy_defaults

    defaults = forecast_accuracy_defaults()
    chosen_grain = grain or defaults.grain
    if chosen_grain not in GRAINS:
        raise CxcertError(f"--grain must be one of {', '.join(GRAINS)}, got {chosen_grain!r}")
    tol, tolerance_source = _tolerance(tolerance)
    first, last = _date(start, "--from"), _date(end, "--to")
    file_mode = forecast_file is not None or actual_file is not None
    if file_mode:
        if forecast_file is None or actual_file is None:
            raise CxcertError("file mode needs both --forecast FILE and --actual FILE")
        if entity is not None:
            raise CxcertError("give either --entity (warehouse) or --forecast/--actual (files), not both")
        zone = site_zone(None, tz) if tz else "UTC"
        frame = _from_files(forecast_file, actual_file, zone)
        frame = _local_window(frame, first, last)
        source: dict[str, Any] = {"forecast": str(forecast_file), "actual": str(actual_file)}
        if not tz:  # naive timestamps are taken as written; only offset ones were converted (to UTC)
            zone = "times as written"
    else:
        missing = [name for name, v in (("--entity", entity), ("--from", first), ("--to", last)) if v is None]
        if missing:
            raise CxcertError(
                f"missing {', '.join(missing)}: cxcert forecast-accuracy --entity ID --from DATE --to DATE "
                "(or --forecast FILE --actual FILE)"
            )
        assert entity is not None and first is not None and last is not None
        zone = site_zone(entity, tz)
        frame = _from_warehouse(entity, first, last, zone, queue)
        source = {"entity": entity}
    if queue and file_mode:
        frame = frame[frame["queue"].isin(queue)]
    if frame.empty:
        raise CxcertError("no forecast interval to compare in this window" + (" and queue" if queue else ""))
    _report(frame, tol, chosen_grain, zone, source, first, last, json_out, tolerance_source)


def _tolerance(given: float | None) -> tuple[float, str]:
    """The tolerance and where it comes from: ``--tolerance``, else the KPI catalogue's forecast_accuracy
    parameter (one value for this command and the KPI, with the user's overrides)."""
    if given is not None:
        return given, "--tolerance"
    from cxcert.cli.kpi_catalogue import effective_catalogue

    parameter = effective_catalogue().get("forecast_accuracy").parameters["tolerance"]
    if not isinstance(parameter.value, int | float):  # the catalogue validates it as a share
        raise CxcertError(f"forecast_accuracy.tolerance is not a number: {parameter.value!r}")
    return float(parameter.value), f"KPI catalogue forecast_accuracy.tolerance: {parameter.source}"


def _from_warehouse(entity: str, first: dt.date, last: dt.date, zone: str, queues: list[str]) -> pd.DataFrame:
    """Forecast and actual per forecast interval, aggregated by DuckDB; interval_start in local wall-clock time."""
    from cxcert.performance.compile import forecast_actuals
    from cxcert.performance.periods import Window, utc_literal
    from cxcert.warehouse import Warehouse

    window = Window(zone, first, last)
    warehouse = Warehouse.default()
    f = warehouse.table("forecasts", entity)
    f = f.filter(f.interval_start >= utc_literal(window.utc_start), f.interval_start < utc_literal(window.utc_end))
    if queues:
        f = f.filter(f.queue.isin(queues))
    keys = [f.program, f.queue, f.interval_start]
    duplicated = f.group_by(keys).aggregate(n=f.count()).filter(lambda t: t.n > 1)
    dup_count = int(duplicated.count().execute())
    if dup_count:
        raise CxcertError(
            f"entity {entity}: {dup_count} forecast intervals appear more than once (the same forecast ingested "
            "twice, or two versions of it); accuracy needs one forecast per program, queue and interval"
        )
    c = warehouse.table("contacts", entity)
    # Contacts can arrive until the end of the last forecast interval, which may pass local midnight.
    c = c.filter(
        c.arrived_at >= utc_literal(window.utc_start),
        c.arrived_at < utc_literal(window.utc_end + dt.timedelta(days=1)),
        forecast_actuals(c),  # the KPI catalogue's definition of actual volume, shared with cxcert kpi
    )
    joined = f.left_join(
        c,
        [
            f.program == c.program,
            f.queue == c.queue,
            c.arrived_at >= f.interval_start,
            c.arrived_at < f.interval_start + f.interval_s.as_interval("s"),
        ],
    )
    per_interval = joined.group_by([f.program, f.queue, f.interval_start]).aggregate(
        forecast=f.contacts_forecast.max(), actual=c.contact_id.count()
    )
    frame = per_interval.order_by(["program", "queue", "interval_start"]).to_pandas()
    if frame.empty:
        raise CxcertError(
            f"entity {entity} has no forecast between {first} and {last} ({zone}); "
            "load one with `cxcert ingest forecasts FILE --entity ID --program P`"
        )
    return _finish(frame, zone)


def _finish(frame: pd.DataFrame, zone: str) -> pd.DataFrame:
    import pandas as pd

    programs = frame["program"].nunique() if "program" in frame.columns else 1
    if programs > 1:  # queue names are only unique within a program
        frame["queue"] = frame["program"].astype(str) + "/" + frame["queue"].astype(str)
    start = pd.to_datetime(frame["interval_start"], utc=True).dt.tz_convert(zone).dt.tz_localize(None)
    return pd.DataFrame(
        {
            "queue": frame["queue"].astype(str).to_numpy(),
            "interval_start": start.to_numpy(),
            "forecast": frame["forecast"].astype(float).to_numpy(),
            "actual": frame["actual"].astype(float).to_numpy(),
        }
    )


def _local_window(frame: pd.DataFrame, first: dt.date | None, last: dt.date | None) -> pd.DataFrame:
    import pandas as pd

    if first is not None:
        frame = frame[frame["interval_start"] >= pd.Timestamp(first)]
    if last is not None:
        frame = frame[frame["interval_start"] < pd.Timestamp(last + dt.timedelta(days=1))]
    return frame


def _from_files(forecast_file: Path, actual_file: Path, zone: str) -> pd.DataFrame:
    """The two files matched on (queue, interval_start); unmatched rows are dropped and reported."""
    fc = _read_volumes(forecast_file, _FORECAST_COLUMNS, "forecast", zone)
    ac = _read_volumes(actual_file, _ACTUAL_COLUMNS, "actual", zone)
    if ("queue" in fc.columns) != ("queue" in ac.columns):
        raise CxcertError("a queue column must be in both files or in neither")
    keys = ["queue", "interval_start"] if "queue" in fc.columns else ["interval_start"]
    merged = fc.merge(ac, on=keys, how="outer", indicator=True)
    only_f = int((merged["_merge"] == "left_only").sum())
    only_a = int((merged["_merge"] == "right_only").sum())
    if only_f or only_a:
        err_console.print(
            f"note: left out {only_f} forecast intervals without an actual row and {only_a} actual rows without "
            "a forecast (write intervals with no contacts as 0)"
        )
    both = merged[merged["_merge"] == "both"].drop(columns="_merge")
    if "queue" not in both.columns:
        both = both.assign(queue="all")
    both = both.sort_values(["queue", "interval_start"], kind="stable")
    return both[["queue", "interval_start", "forecast", "actual"]].reset_index(drop=True)


def _read_volumes(path: Path, names: tuple[str, ...], role: str, zone: str) -> pd.DataFrame:
    """One file as (queue?, interval_start local naive, <role>): checked, with row numbers in the errors."""
    import pandas as pd

    from cxcert.cli.staffing_forecast import read_table

    raw = read_table(path)
    if "interval_start" not in raw.columns:
        raise CxcertError(f"{path}: needs a column interval_start (has {', '.join(map(str, raw.columns))})")
    column = next((n for n in names if n in raw.columns), None)
    if column is None:
        raise CxcertError(f"{path}: needs a column {' or '.join(names)} (has {', '.join(map(str, raw.columns))})")
    text = raw["interval_start"].astype(str).str.strip()
    try:
        start = pd.to_datetime(text, format="ISO8601")
    except (ValueError, TypeError):
        try:  # mixed offsets: bring everything to UTC first
            start = pd.to_datetime(text, format="ISO8601", utc=True)
        except (ValueError, TypeError) as exc:
            raise CxcertError(f"{path}: interval_start is not an ISO 8601 timestamp ({exc})") from None
    if start.dt.tz is not None:
        start = start.dt.tz_convert(zone).dt.tz_localize(None)
    values = pd.to_numeric(raw[column], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise CxcertError(f"{path}: row {row + 2}, column {column}: not a number >= 0 ({raw[column].iloc[row]!r})")
    out = pd.DataFrame({"interval_start": start, role: values.astype(float)})
    if "queue" in raw.columns:
        out.insert(0, "queue", raw["queue"].astype(str))
    keys = [c for c in ("queue", "interval_start") if c in out.columns]
    dup = out.duplicated(keys)
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0])
        raise CxcertError(f"{path}: row {row + 2}: interval {out['interval_start'].iloc[row]} appears twice")
    return out


def _accuracy_json(result: ForecastAccuracy, forecast_total: float, actual_total: float) -> dict[str, Any]:
    return {
        "periods": result.periods,
        "share_within_tolerance": result.share_within_tolerance,
        "mape": result.mape,
        "mape_periods_excluded": result.mape_periods_excluded,
        "wape": result.wape,
        "bias": result.bias,
        "forecast_total": forecast_total,
        "actual_total": actual_total,
        "explanation": result.explanation.to_dict(),
    }


def _pct(value: float | None) -> str:
    return "undefined" if value is None else f"{100 * value:.1f} %"


def _report(
    frame: pd.DataFrame,
    tolerance: float,
    grain: str,
    zone: str,
    source: dict[str, Any],
    first: dt.date | None,
    last: dt.date | None,
    json_out: bool,
    defaults_source: str,
) -> None:
    from cxcert.workforce.forecast_accuracy import GRAINS, forecast_accuracy

    g = next(x for x in GRAINS if x == grain)
    scopes: list[tuple[str, pd.DataFrame]] = [("all", frame)]
    queues = sorted(frame["queue"].unique())
    if len(queues) > 1:
        scopes += [(str(q), frame[frame["queue"] == q]) for q in queues]
    results = [
        (name, part, forecast_accuracy(part["interval_start"], part["forecast"], part["actual"], tolerance=tolerance,
                                       grain=g))
        for name, part in scopes
    ]  # fmt: skip
    overall = results[0][2]
    if json_out:
        print_json(
            {
                **source,
                "from": None if first is None else first.isoformat(),
                "to": None if last is None else last.isoformat(),
                "tz": zone,
                "grain": g,
                "tolerance": tolerance,
                "tolerance_source": defaults_source,
                **_accuracy_json(overall, float(frame["forecast"].sum()), float(frame["actual"].sum())),
                "queues": [
                    {"queue": name, **_accuracy_json(r, float(part["forecast"].sum()), float(part["actual"].sum()))}
                    for name, part, r in results[1:]
                ],
            }
        )
        return
    print_table(
        f"Forecast accuracy by {g} (within +/-{100 * tolerance:g} %, {zone})",
        ("queue", "periods", f"within +/-{100 * tolerance:g} %", "MAPE", "WAPE", "bias", "forecast", "actual"),
        [
            (name, r.periods, _pct(r.share_within_tolerance), _pct(r.mape), _pct(r.wape), _pct(r.bias),
             f"{part['forecast'].sum():,.0f}", f"{part['actual'].sum():,.0f}")
            for name, part, r in results
        ],
    )  # fmt: skip
    console.print(overall.explanation.render(), highlight=False, markup=False)
