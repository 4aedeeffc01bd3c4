"""`cxcert adherence`: schedule adherence and conformance per agent, from the warehouse's schedules and states.

The science is :func:`cxcert.workforce.adherence.adherence_report`; this module selects the window's segments
in the backend (clipped to the window), calls it and prints. Heavy imports happen inside the command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from cxcert.cli.output import console, err_console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    import pandas as pd

    from cxcert.performance.periods import Window


def register(app: typer.Typer) -> None:
    app.command("adherence")(adherence)


def adherence(
    entity: str = typer.Option(..., "--entity", help="Entity whose schedules and agent states to compare."),
    start: str = typer.Option(..., "--from", help="First local date, e.g. 2026-03-01."),
    end: str = typer.Option(..., "--to", help="Last local date (inclusive)."),
    agent: list[str] = typer.Option([], "--agent", help="Only these agents (repeat the option for several)."),
    tz: str | None = typer.Option(
        None, "--tz", help="IANA zone of the dates; default: the entity's first location, else UTC."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Schedule adherence and conformance of every scheduled agent, and for the whole team.

    adherence = time in a state that the scheduled activity allows / scheduled time (e.g. scheduled `phone`
    and in `talk`: adherent; scheduled `phone` and on `break`: not). conformance = time in working states
    (wherever it falls) / time scheduled to work. Which states match which activity, and which count as work,
    is the packaged adherence_states.yaml (the same mapping `cxcert kpi --metric schedule_adherence` uses); a
    scheduled activity it does not name is reported and counts as scheduled, never as adherent. Schedule and
    state segments are clipped to the local dates
    --from..--to; load them first with `cxcert ingest schedules` and `cxcert ingest agent_states`.

      cxcert adherence --entity acme-care --from 2026-03-02 --to 2026-03-06

      cxcert adherence --entity acme-care --from 2026-03-02 --to 2026-03-02 --agent a17 --json
    """
    from cxcert.cli.dates import parse_date
    from cxcert.cli.site import site_zone
    from cxcert.performance.periods import Window
    from cxcert.workforce.adherence import adherence_report, unmapped_note

    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    zone = site_zone(entity, tz)
    window = Window(zone, first, last)
    schedules = _segments("schedules", "activity", entity, window, agent)
    if schedules.empty:
        who = f" for agent(s) {', '.join(agent)}" if agent else ""
        raise CxcertError(
            f"entity {entity} has no schedule between {first} and {last} ({zone}){who}; "
            "load them with `cxcert ingest schedules FILE --entity ID --program P`"
        )
    states = _segments("agent_states", "state", entity, window, agent)
    report = adherence_report(schedules, states)
    if report.unmapped:
        err_console.print(f"warning: {unmapped_note(report.unmapped)}", highlight=False, markup=False)
    if json_out:
        print_json(
            {
                "entity": entity,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "tz": zone,
                "adherence": report.adherence,
                "conformance": report.conformance,
                "unmapped_activities": [
                    {"activity": u.activity, "scheduled_s": u.scheduled_s} for u in report.unmapped
                ],
                "agents": [
                    {
                        "agent_id": a.agent_id,
                        "scheduled_s": a.scheduled_s,
                        "adherent_s": a.adherent_s,
                        "adherence": a.adherence,
                        "scheduled_work_s": a.scheduled_work_s,
                        "worked_s": a.worked_s,
                        "conformance": a.conformance,
                    }
                    for a in report.agents
                ],
                "explanation": report.explanation.to_dict(),
            }
        )
        return
    rows: list[tuple[Any, ...]] = [
        (a.agent_id, _hm(a.scheduled_s), _hm(a.adherent_s), _pct(a.adherence), _hm(a.scheduled_work_s),
         _hm(a.worked_s), _pct(a.conformance))
        for a in report.agents
    ]  # fmt: skip
    rows.append(
        ("total", _hm(sum(a.scheduled_s for a in report.agents)), _hm(sum(a.adherent_s for a in report.agents)),
         _pct(report.adherence), _hm(sum(a.scheduled_work_s for a in report.agents)),
         _hm(sum(a.worked_s for a in report.agents)), _pct(report.conformance))
    )  # fmt: skip
    print_table(
        f"Adherence and conformance, {first} to {last} ({zone})",
        ("agent", "scheduled", "in adherence", "adherence", "scheduled to work", "worked", "conformance"),
        rows,
    )
    console.print(report.explanation.render(), highlight=False, markup=False)


def _segments(table: str, label: str, entity: str, window: Window, agents: list[str]) -> pd.DataFrame:
    """(agent_id, label, start, end) of ``table`` overlapping the window, clipped to it, computed by DuckDB."""
    import ibis

    from cxcert.performance.periods import utc_literal
    from cxcert.warehouse import Warehouse

    lo, hi = utc_literal(window.utc_start), utc_literal(window.utc_end)
    t = Warehouse.default().table(table, entity)
    t = t.filter(t.start < hi, t.end > lo)
    if agents:
        t = t.filter(t.agent_id.isin(agents))
    clipped = t.select(
        agent_id=t.agent_id,
        **{label: t[label]},
        start=ibis.greatest(t.start, lo),
        end=ibis.least(t.end, hi),
    )
    frame: pd.DataFrame = clipped.order_by(["agent_id", "start"]).to_pandas()
    return frame


def _hm(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"
