"""`cxcert kpi`: compute a KPI from the warehouse by period, and `cxcert kpi list`: the KPI catalogue."""

from __future__ import annotations

import csv
import datetime as dt
import math
import sys

import typer

from cxcert.cli.kpi_catalogue import PARAM_OPTION_HELP
from cxcert.cli.output import err_console, print_json, print_table
from cxcert.errors import CxcertError

kpi_app = typer.Typer(
    name="kpi",
    invoke_without_command=True,
    no_args_is_help=False,
)


def register(app: typer.Typer) -> None:
    app.add_typer(kpi_app)


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CxcertError(f"{option} must be a date like 2024-03-31, not {text!r}") from None


def _period(start: object, *, iso: bool = False) -> str:
    """A period's label: a day, week or month by its local date; an interval by its local start and UTC offset
    (2025-10-26 01:00+01:00, then 01:00+00:00 when clocks go back), ISO 8601 in CSV and JSON."""
    if isinstance(start, dt.datetime) and start.tzinfo is not None:
        if iso:
            return start.isoformat()
        return start.strftime("%Y-%m-%d %H:%M") + start.isoformat()[-6:]
    if isinstance(start, dt.datetime) and start.time() == dt.time(0):
        return start.date().isoformat()
    return str(start)


def _cell(value: object) -> object:
    """A CSV or JSON cell: whole numbers without a decimal point (counts), periods as labels, nulls empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return _period(value, iso=True)
    return value


def _csv(value: object) -> object:
    if value is None:
        return ""
    return ("true" if value else "false") if isinstance(value, bool) else value


def _param(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value).lower() if isinstance(value, bool) else str(value)


def _amount(value: object) -> str:
    """Numerators and denominators in full (counts with thousands separators, sums to two decimals)."""
    if not isinstance(value, float | int):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _display(value: object, unit: str) -> str:
    if not isinstance(value, float | int) or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit == "share":
        return f"{value * 100:.2f} %"
    return f"{value:,.2f}"


@kpi_app.callback()
def kpi(
    ctx: typer.Context,
    entity: str | None = typer.Option(None, "--entity", help="Entity id whose data to read."),
    metric: str | None = typer.Option(None, "--metric", help="Catalogue id, e.g. service_level."),
    grain: str = typer.Option("day", "--grain", help="interval, day, week or month."),
    interval: int = typer.Option(900, "--interval", help="Interval length in seconds for --grain interval."),
    start: str | None = typer.Option(None, "--from", help="First local date, e.g. 2024-01-01."),
    end: str | None = typer.Option(None, "--to", help="Last local date (inclusive)."),
    by: str = typer.Option("program", "--by", help="Comma-separated dimensions: program, queue, channel."),
    tz: str | None = typer.Option(
        None,
        "--tz",
        help="IANA time zone for bucketing everything; default: each contact's site (the entity's locations' "
        "programs and queues), else the entity's first location, else UTC.",
    ),
    param: list[str] = typer.Option([], "--param", help=PARAM_OPTION_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    csv_out: bool = typer.Option(False, "--csv", help="Print CSV."),
) -> None:
    """Compute one KPI by period (in the site's time zone) from the warehouse; `cxcert kpi list` shows the catalogue.

    Results keep numerator and denominator, so they re-aggregate exactly. Example:

        cxcert kpi --entity acme-lisbon --metric service_level --grain week --from 2024-01-01 --to 2024-03-31

        cxcert kpi --entity acme-lisbon --metric aht --grain month --by program,queue --from 2024-01-01
        --to 2024-12-31 --tz Europe/Lisbon --csv

        cxcert kpi --entity acme-lisbon --metric service_level --from 2024-01-01 --to 2024-01-31
        --param service_level.threshold_s=30 --param service_level.abandon_treatment=count_all

    Parameters come from the packaged catalogue, then CXCERT_HOME/kpis.yaml (a `parameters:` mapping of metric
    to values, and whole `metrics:` definitions), then --param.

    An entity whose locations name the programs or queues they handle (`programs: [care_pt]`, `queues:
    [pt_chat]` on a location in `cxcert entity create --from-file`) has each row counted in its site's zone
    (a queue's site first; intervals are labelled in the first location's). Without them, or with --tz, one zone.
    """
    if ctx.invoked_subcommand is not None:
        return
    missing = [name for name, v in (("--entity", entity), ("--metric", metric), ("--from", start), ("--to", end))
               if v is None]  # fmt: skip
    if missing:
        raise CxcertError(f"missing {', '.join(missing)} (e.g. cxcert kpi --entity E --metric service_level "
                          "--from 2024-01-01 --to 2024-01-31), or use `cxcert kpi list`")  # fmt: skip
    assert entity is not None and metric is not None and start is not None and end is not None
    if json_out and csv_out:
        raise CxcertError("choose one of --json and --csv")

    from cxcert.canonical import TABLES
    from cxcert.cli.kpi_catalogue import effective_catalogue
    from cxcert.cli.site import require_entity, site_zone, site_zones
    from cxcert.performance.engine import compute
    from cxcert.performance.periods import Grain
    from cxcert.warehouse import Warehouse

    catalogue = effective_catalogue(param)
    catalogue.get(metric)  # an unknown metric is named before the workspace is opened
    warehouse = Warehouse.default()
    known = require_entity(entity, warehouse)
    zone = site_zone(entity, tz, known)
    zones = site_zones(known) if known is not None and tz is None else None
    tables = {name: warehouse.table(name, entity) for name in TABLES}
    dims = tuple(d.strip() for d in by.split(",") if d.strip())
    result = compute(
        metric,
        tables,
        grain=Grain.parse(grain, interval),
        tz=zone,
        start=_date(start, "--from"),
        end=_date(end, "--to"),
        by=dims,
        catalogue=catalogue,
        zones=zones,
    )
    rows = result.rows()
    columns = ["period_start", *result.by, "numerator", "denominator", "value", "missing", "partial"]
    if json_out:
        print_json(
            {
                "entity": entity,
                "metric": result.metric_id,
                "title": result.title,
                "unit": result.unit.value,
                "direction": result.direction.value,
                "grain": result.grain.label,
                "tz": result.tz,
                "site_zones": None if zones is None else {"queues": dict(zones.queues),
                                                          "programs": dict(zones.programs)},
                "from": result.start.isoformat(),
                "to": result.end.isoformat(),
                "missing_sources": list(result.missing_sources),
                "explanation": result.explanation.to_dict(),
                "rows": [{c: _cell(r[c]) for c in columns} for r in rows],
            }
        )
        return
    if csv_out:
        from cxcert.spreadsheet_cells import csv_cell

        writer = csv.writer(sys.stdout)
        writer.writerow([csv_cell(c) for c in columns])
        for r in rows:  # a queue or program named =HYPERLINK(...) stays text in a spreadsheet
            writer.writerow([csv_cell(_csv(_cell(r[c]))) for c in columns])
        return
    title = f"{result.title} ({result.unit.value}, {result.direction.value.replace('_', ' ')}) by {result.grain.label}"
    table_rows = [
        [_period(r["period_start"]) + (" (partial)" if r["partial"] else ""), *(r[d] for d in result.by),
         _amount(r["numerator"]), _amount(r["denominator"]),
         f"no data ({r['missing']})" if r["missing"] else _display(r["value"], result.unit.value)]
        for r in rows
    ]  # fmt: skip
    print_table(title, columns[:-2], table_rows)
    if any(r["partial"] for r in rows):
        err_console.print("(partial): the period reaches outside --from..--to, so it holds only part of its days")
    if result.missing_sources:
        err_console.print(f"no data: {', '.join(result.missing_sources)} had no rows for this entity in the window")
    elif not rows:
        err_console.print("no data for this metric in the window")


@kpi_app.command("list")
def list_metrics(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the KPI catalogue: id, title, kind, unit, direction, dimensions and parameters with their source.

    Example: cxcert kpi list --json
    """
    from cxcert.cli.kpi_catalogue import effective_catalogue

    metrics = effective_catalogue().metrics
    if json_out:
        print_json(
            [
                {
                    "id": m.id,
                    "title": m.title,
                    "kind": m.kind,
                    "unit": m.unit.value,
                    "direction": m.direction.value,
                    "dimensions": list(m.dimensions),
                    "description": m.description,
                    "parameters": {k: p.model_dump(mode="json") for k, p in m.parameters.items()},
                }
                for m in metrics
            ]
        )
        return
    print_table(
        "KPI catalogue",
        ("id", "title", "kind", "unit", "direction", "dimensions", "parameters"),
        [
            (m.id, m.title, m.kind, m.unit.value, m.direction.value.replace("_", " "), ", ".join(m.dimensions),
             ", ".join(f"{k}={_param(p.value)} {p.unit.value}" for k, p in m.parameters.items()))
            for m in metrics
        ],
    )  # fmt: skip
