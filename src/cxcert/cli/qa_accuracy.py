"""`cxcert qa accuracy`: critical and non-critical error accuracy with confidence intervals, from the warehouse.

An evaluation is accurate for an error class when none of its items failed with that class (the classification
stored with each evaluation item, as the KPI catalogue's accuracy metrics read it). The per-evaluation flags are
computed in the backend; :func:`cxcert.quality.accuracy.accuracy_report` adds the intervals at agent, team (from
the roster) and program level. Heavy imports happen inside the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

LEVELS = ("agent", "team", "program")


def register(qa_app: typer.Typer) -> None:
    qa_app.command("accuracy")(accuracy)


def accuracy(
    entity: str = typer.Option(..., "--entity", help="Entity whose evaluations to read."),
    start: str = typer.Option(..., "--from", help="First local date of evaluation, e.g. 2026-03-01."),
    end: str = typer.Option(..., "--to", help="Last local date (inclusive)."),
    level: list[str] = typer.Option(
        ["team", "program"], "--level", help="agent, team or program; repeat for several (default team and program)."
    ),
    confidence: float | None = typer.Option(
        None, "--confidence", help="Confidence of the intervals; default the packaged sampling confidence."
    ),
    method: str = typer.Option("wilson", "--method", help="wilson (default) or clopper-pearson (exact)."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of the dates; default the entity's first location."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Critical error accuracy per class (customer, business, compliance), any critical, and non-critical
    accuracy, with confidence intervals, per program, team and agent.

    Accuracy is the share of evaluated transactions with no error of the class (docs/domain.md section 5). The
    interval is Wilson's score interval by default (it behaves near 0 % and 100 % errors, where the textbook
    normal interval does not); --method clopper-pearson gives the exact, more conservative one. Load
    evaluations with `cxcert ingest evaluations` and `cxcert ingest evaluation_items`, or `cxcert qa evaluate`.
    An evaluation whose dispute was upheld (`cxcert qa dispute decide --outcome upheld`) was found wrong and is
    left out; the numbers of upheld and pending disputes are printed beside the accuracy.

      cxcert qa accuracy --entity acme-care --from 2026-01-01 --to 2026-03-31

      cxcert qa accuracy --entity acme-care --from 2026-03-01 --to 2026-03-31 --level agent --json
    """
    from cxcert.cli.dates import parse_date
    from cxcert.cli.site import site_zone
    from cxcert.performance.periods import Window
    from cxcert.quality.accuracy import IntervalMethod, Level, accuracy_report
    from cxcert.quality.sampling import sampling_defaults

    unknown = [lv for lv in level if lv not in LEVELS]
    if unknown:
        raise CxcertError(f"--level must be one of {', '.join(LEVELS)}, not {', '.join(unknown)}")
    methods = {"wilson": IntervalMethod.WILSON, "clopper-pearson": IntervalMethod.CLOPPER_PEARSON}
    if method not in methods:
        raise CxcertError(f"--method must be wilson or clopper-pearson, not {method!r}")
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    zone = site_zone(entity, tz)
    scores = _evaluation_flags(entity, Window(zone, first, last))
    if scores.empty:
        raise CxcertError(f"entity {entity} has no evaluations between {first} and {last} ({zone})")
    team_of = _teams(entity)
    levels = tuple(Level(lv) for lv in LEVELS if lv in level)
    chosen = confidence if confidence is not None else sampling_defaults().confidence
    disputes = dispute_counts(entity, set(scores["evaluation_id"].astype(str)))
    upheld = disputes.upheld if disputes is not None else frozenset()
    reports = {
        str(program): accuracy_report(
            group, team_of=team_of, program=str(program), levels=levels, confidence=chosen, method=methods[method],
            overturned=upheld,
        )
        for program, group in scores.groupby("program", sort=True)
        if not set(group["evaluation_id"].astype(str)) <= upheld
    }  # fmt: skip
    if not reports:
        raise CxcertError(f"every evaluation of entity {entity} in the window has an upheld dispute")
    rows: list[dict[str, Any]] = [
        {"program": program, **{str(k): v for k, v in row.items()}}
        for program, report in reports.items()
        for row in report.to_frame().to_dict("records")
    ]
    if json_out:
        print_json(
            {
                "entity": entity, "from": first.isoformat(), "to": last.isoformat(), "tz": zone,
                "confidence": chosen, "method": method, "evaluations": len(scores) - len(upheld), "rows": rows,
                "disputes": None if disputes is None else {
                    "upheld_left_out": len(disputes.upheld), "pending": disputes.pending,
                },
                "explanations": {p: r.explanation.to_dict() for p, r in reports.items()},
            }
        )  # fmt: skip
        return
    print_table(
        f"error accuracy, {first} to {last} ({zone}), {len(scores) - len(upheld):,} evaluations, {chosen:.0%} "
        f"{method} intervals",
        ("program", "level", "group", "measure", "accurate / evaluated", "accuracy", "interval"),
        [
            (r["program"], r["level"], r["group"], r["measure"], f"{r['accurate']} / {r['evaluated']}",
             f"{r['accuracy']:.1%}", f"{r['lower']:.1%} - {r['upper']:.1%}")
            for r in rows
        ],
    )  # fmt: skip
    for program, report in reports.items():
        console.print(f"{program}: {report.explanation.summary}", highlight=False, markup=False)
    if disputes is None:
        console.print("disputes: not read (no workspace database); no evaluation left out", highlight=False)
    else:
        console.print(
            f"disputes: {len(disputes.upheld)} upheld (those evaluations are left out), {disputes.pending} pending "
            "(counted as evaluated until decided)",
            highlight=False,
        )


@dataclass(frozen=True)
class DisputeCounts:
    upheld: frozenset[str]  # evaluation ids in the window whose dispute was upheld
    pending: int


def dispute_counts(entity: str, evaluation_ids: set[str]) -> DisputeCounts | None:
    """The window's evaluations with an upheld dispute, and how many are still pending; None without a database.

    Disputes live in the workspace database: with none (or one not initialised), nothing can have been disputed
    through cxcert, and the report says it did not read any.
    """
    from cxcert.errors import NotInitialised
    from cxcert.quality.feedback import DisputeOutcome
    from cxcert.store.db import open_database
    from cxcert.store.feedback import FeedbackRepository

    try:
        db = open_database()
    except NotInitialised:
        return None
    try:
        with db.session() as session:  # a database that cannot be read is Unavailable, never "no disputes"
            disputes = FeedbackRepository(session).disputes(entity)
    finally:
        db.dispose()
    inside = [d for d in disputes if d.evaluation_id in evaluation_ids]
    return DisputeCounts(
        frozenset(d.evaluation_id for d in inside if d.outcome is DisputeOutcome.UPHELD),
        sum(1 for d in inside if d.outcome is DisputeOutcome.PENDING),
    )


def _evaluation_flags(entity: str, window: Any) -> Any:
    """One row per evaluation in the window: agent, program and an ``error_<class>`` flag per error class."""
    from cxcert.performance.periods import utc_literal
    from cxcert.quality.form import ErrorClass
    from cxcert.quality.scoring import error_column
    from cxcert.warehouse import Warehouse

    warehouse = Warehouse.default()
    evaluations = warehouse.table("evaluations", entity)
    evaluations = evaluations.filter(
        evaluations.evaluated_at >= utc_literal(window.utc_start),
        evaluations.evaluated_at < utc_literal(window.utc_end),
    )
    items = warehouse.table("evaluation_items", entity)
    joined = evaluations.join(items, evaluations.evaluation_id == items.evaluation_id)
    flags = {error_column(c): ((joined.result == "fail") & (joined.error_class == str(c))).any() for c in ErrorClass}
    per_evaluation = joined.group_by([evaluations.evaluation_id, evaluations.agent_id, evaluations.program]).aggregate(
        **flags
    )
    return per_evaluation.to_pandas()


def _teams(entity: str) -> dict[str, str]:
    from cxcert.warehouse import Warehouse

    roster = Warehouse.default().table("roster", entity)
    frame = roster.filter(roster.team.notnull()).select("agent_id", "team").distinct().to_pandas()
    return {str(a): str(t) for a, t in zip(frame["agent_id"], frame["team"], strict=True)}
