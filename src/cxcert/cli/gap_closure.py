"""`cxcert gap-closure plan|list|record`: structured calls every other week (docs/domain.md section 3 step 6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the domain (pydantic models) loads only when a command runs
    from cxcert.certification.gap_closure import GapClosureCall

gap_closure_app = typer.Typer(
    help="Plan the gap closure calls (every other week, with the founding agenda), list them and record what "
    "each call concluded.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(gap_closure_app, name="gap-closure")


def parse_owners(values: Sequence[str]) -> dict[str, str]:
    """``--owner PERSON`` (every topic) or ``--owner TOPIC=PERSON`` as the core's owners mapping."""
    from cxcert.certification.gap_closure import DEFAULT_OWNER

    owners: dict[str, str] = {}
    for value in values:
        topic, sep, person = value.partition("=")
        key, who = (topic.strip(), person.strip()) if sep else (DEFAULT_OWNER, topic.strip())
        if not key or not who:
            raise CxcertError(f"--owner {value!r}: write PERSON (owns every call) or TOPIC=PERSON, e.g. kcrps=dana")
        if key in owners:
            raise CxcertError(f"--owner names {'the default owner' if key == DEFAULT_OWNER else key} twice")
        owners[key] = who
    return owners


def call_json(call: GapClosureCall, today: dt.date) -> dict[str, object]:
    return {**call.model_dump(mode="json"), "status": call.status(today).value}


@gap_closure_app.command("plan")
def plan(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    start: str | None = typer.Option(None, "--from", help="Day of the first call (YYYY-MM-DD); default today."),
    calls: int | None = typer.Option(None, "--calls", help="How many calls (the first N agenda topics); default all."),
    owners: list[str] = typer.Option(
        [], "--owner", help="PERSON who owns every call, or TOPIC=PERSON for one topic; repeatable."
    ),
    agenda: list[str] = typer.Option(
        [], "--agenda", help="A topic: a packaged topic id (kcrps, kcrp_metrics...) or free text; repeatable."
    ),
    replace: bool = typer.Option(False, "--replace", help="Replace a plan none of whose calls has been held."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Plan the gap closure: one call per agenda topic, the first on --from, then at the rule set's interval
    (14 days: every other week). The default agenda is the founding one: the KCRPs, then their metrics, then the
    key suppliers, then cxcert's continuation (see `cxcert gap-closure list` once planned).

    Example:  cxcert gap-closure plan --entity acme-care --from 2026-03-02 --calls 6 --owner ana
    --owner key_suppliers=omar
    """
    from cxcert.certification.gap_closure import check_replan, plan_gap_closure
    from cxcert.standards import library

    first = parse_date(start, "--from")
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        rule_set = library.rule_set(entity.rule_set_id)
        planned = plan_gap_closure(first, rule_set, owners=parse_owners(owners), agenda=agenda or None, calls=calls)
        current = repos.gap_closure.plan(entity_id)
        if current:
            check_replan(entity_id, current)
            if not replace:
                raise CxcertError(
                    f"{entity_id} has a gap closure plan of {len(current)} calls already; add --replace to replace it"
                )
        repos.gap_closure.save_plan(entity_id, planned)
        repos.audit_trail.append(
            actor(),
            "gap_closure.planned",
            f"entity:{entity_id}",
            {
                "calls": [c.model_dump(mode="json") for c in planned],
                "replaced": len(current),
                "interval_days": rule_set.gap_closure_call_interval_days,
            },
        )
    if json_out:
        print_json({"entity_id": entity_id, "calls": [call_json(c, first) for c in planned]})
        return
    _print_calls(f"gap closure plan of {entity_id}", planned, first, {})
    console.print(
        f"{len(planned)} calls every {rule_set.gap_closure_call_interval_days} days (rule set {rule_set.id}); "
        f"record each with `cxcert gap-closure record --entity {entity_id} --call N --outcome ...`",
        highlight=False,
        markup=False,
    )


@gap_closure_app.command("list")
def list_calls(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    today: str | None = typer.Option(None, "--today", help="Judge overdue calls as of this day; default today."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the gap closure calls: date, agenda topic, owner, outcome and status (held, overdue or planned).

    Example:  cxcert gap-closure list --entity acme-care
    """
    day = parse_date(today, "--today")
    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
        calls = repos.gap_closure.plan(entity_id)
        names = {p.id: p.name for p in repos.people.list_people()}
    if json_out:
        print_json({"entity_id": entity_id, "today": day.isoformat(), "calls": [call_json(c, day) for c in calls]})
        return
    if not calls:
        console.print(f"{entity_id} has no gap closure plan yet: `cxcert gap-closure plan --entity {entity_id}`")
        return
    _print_calls(f"gap closure of {entity_id} as of {day}", calls, day, names)


@gap_closure_app.command("record")
def record(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    number: int = typer.Option(..., "--call", help="The call's number (see `cxcert gap-closure list`)."),
    outcome: str = typer.Option(..., "--outcome", help="What the call concluded."),
    owner: str | None = typer.Option(None, "--owner", help="Who owns the topic from now on."),
    held_on: str | None = typer.Option(None, "--held-on", help="Day the call was held (YYYY-MM-DD); default today."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record that a planned call was held and what it concluded (recording again corrects the outcome).

    Example:  cxcert gap-closure record --entity acme-care --call 1 --held-on 2026-03-02
    --outcome "Four KCRPs agreed, with owners"
    """
    day = parse_date(held_on, "--held-on")
    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
        calls = {c.number: c for c in repos.gap_closure.plan(entity_id)}
        if not calls:
            raise CxcertError(f"{entity_id} has no gap closure plan; plan one with `cxcert gap-closure plan`")
        before = calls.get(number)
        if before is None:
            raise CxcertError(f"--call {number}: the gap closure plan of {entity_id} has calls 1 to {max(calls)}")
        after = before.record(day, outcome, owner=owner)
        repos.gap_closure.save_call(entity_id, after)
        repos.audit_trail.append(
            actor(),
            "gap_closure.call_recorded",
            f"entity:{entity_id}",
            {"call": after.model_dump(mode="json"), "before": before.model_dump(mode="json")},
        )
    if json_out:
        print_json({"entity_id": entity_id, "call": call_json(after, day)})
    else:
        console.print(
            f"Call {after.number} ({after.topic}) held on {day}: {after.outcome}", highlight=False, markup=False
        )


def _print_calls(title: str, calls: Sequence[GapClosureCall], today: dt.date, names: dict[str, str]) -> None:
    print_table(
        title,
        ("call", "scheduled", "held on", "agenda", "owner", "outcome", "status"),
        [
            (
                c.number,
                c.scheduled_on,
                c.held_on or "",
                escape(c.topic),
                escape(names.get(c.owner, c.owner)) if c.owner else "",
                escape(c.outcome or ""),
                c.status(today).value,
            )
            for c in calls
        ],
    )
