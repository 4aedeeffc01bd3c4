"""`cxcert qa coaching ...`: coaching and feedback sessions with an agent, and the agent's acknowledgement.

The records are :class:`cxcert.quality.feedback.CoachingRecord`, kept by the store's feedback repository with an
audit-trail entry for every change; the acknowledgement is due within the program's ``acknowledgement_due_days``
(feedback_rules.yaml, or the program's own). Heavy imports happen inside the commands.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

import typer

from cxcert.cli.output import err_console, print_json, print_table
from cxcert.cli.qa_feedback import audit, exists, policy, required_option, stored_evaluations, text_option
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    from cxcert.quality.feedback import CoachingRecord

coaching_app = typer.Typer(
    help=(
        "Coaching and feedback sessions with an agent, and the agent's acknowledgement.\n\n"
        "  cxcert qa coaching record --entity acme-care --agent a17 --coach tl1 --evaluation ev-1 "
        "--topic verification --action 'shadow a senior agent'\n\n"
        "  cxcert qa coaching acknowledge co-1 --comment understood\n\n"
        "  cxcert qa coaching list --entity acme-care --unacknowledged"
    ),
    no_args_is_help=True,
)


def register(qa_app: typer.Typer) -> None:
    qa_app.add_typer(coaching_app, name="coaching")


@coaching_app.command("record")
def coaching_record(
    entity: str = typer.Option(..., "--entity", help="The agent's entity."),
    agent: str = typer.Option(..., "--agent", help="The coached agent."),
    coach: str = typer.Option(..., "--coach", help="Who gave the coaching or feedback."),
    on: str | None = typer.Option(None, "--on", help="Day of the session (YYYY-MM-DD); default today."),
    evaluation: list[str] = typer.Option([], "--evaluation", help="An evaluation discussed (repeat for several)."),
    topic: list[str] = typer.Option([], "--topic", help="A topic covered (repeat for several)."),
    notes: str = typer.Option("", "--notes", help="Notes of the session."),
    action: list[str] = typer.Option([], "--action", help="A point of the agreed action plan (repeat)."),
    follow_up: str | None = typer.Option(None, "--follow-up", help="Day of the follow-up (YYYY-MM-DD)."),
    program: str | None = typer.Option(None, "--program", help="Program (default: the first evaluation's)."),
    record_id: str | None = typer.Option(None, "--id", help="Record id (default: a new unique id)."),
    tz: str | None = typer.Option(None, "--tz", help="IANA zone of the dates; default the entity's first location."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Record a coaching or feedback session with an agent: topics, notes and the agreed action plan.

    The evaluations named must be the agent's (when they are in the warehouse). The agent acknowledges the record
    with `cxcert qa coaching acknowledge`, due within the program's acknowledgement_due_days.

      cxcert qa coaching record --entity acme-care --agent a17 --coach tl1 --on 2026-03-05 --evaluation ev-1
      --topic verification --action 're-read the verification procedure' --follow-up 2026-03-19
    """
    from cxcert.cli.dates import optional_date, parse_date
    from cxcert.cli.site import site_zone
    from cxcert.cli.workspace import workspace
    from cxcert.quality.feedback import CoachingRecord

    ids = [e.strip() for e in evaluation if e.strip()]
    agent_id = required_option(agent, "--agent")
    found = stored_evaluations(entity, ids, site_zone(entity, tz)) if ids else {}
    for eid in ids:
        if eid not in found:
            err_console.print(f"note: evaluation {eid} is not in entity {entity}'s warehouse", highlight=False)
        elif found[eid].agent_id != agent_id:
            raise CxcertError(f"evaluation {eid} is agent {found[eid].agent_id}'s, not {agent_id}'s")
    chosen_program = text_option(program, "--program") or next((found[e].program for e in ids if e in found), None)
    held_on, follow_up_on = parse_date(on, "--on"), optional_date(follow_up, "--follow-up")
    if follow_up_on is not None and follow_up_on < held_on:
        raise CxcertError(f"--follow-up {follow_up_on} is before the session ({held_on})")
    record = CoachingRecord(
        id=text_option(record_id, "--id") or f"co-{uuid.uuid4().hex[:12]}",
        entity_id=entity,
        agent_id=agent_id,
        program=chosen_program,
        coach_id=required_option(coach, "--coach"),
        held_on=held_on,
        evaluation_ids=tuple(ids),
        topics=tuple(t.strip() for t in topic if t.strip()),
        notes=notes.strip(),
        actions=tuple(a.strip() for a in action if a.strip()),
        follow_up_on=follow_up_on,
    )
    with workspace() as repos:
        if exists(repos.feedback.get_coaching, record.id):
            raise CxcertError(f"coaching record {record.id} already exists; choose another --id")
        repos.feedback.save_coaching(record)
        audit(repos, "qa.coaching.recorded", f"coaching:{record.id}", record)
    _show_coaching([record], json_out, single=True, today=dt.date.today())


@coaching_app.command("acknowledge")
def coaching_acknowledge(
    record_id: str = typer.Argument(..., help="The coaching record's id (see `cxcert qa coaching list`)."),
    on: str | None = typer.Option(None, "--on", help="Day the agent acknowledges (YYYY-MM-DD); default today."),
    comment: str = typer.Option("", "--comment", help="The agent's comment."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """The agent acknowledges a coaching record (once); the audit trail records who did it.

      cxcert qa coaching acknowledge co-1 --on 2026-03-06 --comment 'understood; will re-read the procedure'
    """
    from cxcert.cli.dates import parse_date
    from cxcert.cli.workspace import workspace
    from cxcert.quality.feedback import acknowledge

    day = parse_date(on, "--on")
    with workspace() as repos:
        signed = acknowledge(repos.feedback.get_coaching(record_id), day, comment.strip())
        repos.feedback.save_coaching(signed)
        audit(repos, "qa.coaching.acknowledged", f"coaching:{signed.id}", signed)
    _show_coaching([signed], json_out, single=True, today=day)


@coaching_app.command("list")
def coaching_list(
    entity: str = typer.Option(..., "--entity", help="The entity whose coaching records to list."),
    agent: str | None = typer.Option(None, "--agent", help="Only this agent's."),
    unacknowledged: bool = typer.Option(False, "--unacknowledged", help="Only records the agent has not signed."),
    today: str | None = typer.Option(None, "--today", help="Judge overdue acknowledgements as of this day."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List an entity's coaching records with the acknowledgement due date and whether it is overdue.

      cxcert qa coaching list --entity acme-care --unacknowledged --today 2026-03-10
    """
    from cxcert.cli.dates import parse_date
    from cxcert.cli.workspace import workspace

    with workspace() as repos:
        records = repos.feedback.coaching_records(entity, agent_id=agent, unacknowledged_only=unacknowledged)
    _show_coaching(list(records), json_out, single=False, today=parse_date(today, "--today"))


def _show_coaching(records: list[CoachingRecord], json_out: bool, *, single: bool, today: dt.date) -> None:
    from cxcert.quality.feedback import acknowledgement_due, acknowledgement_overdue

    rules = policy()
    rows = []
    for record in records:
        windows = rules.for_program(record.program)
        rows.append(
            {
                **record.model_dump(mode="json"),
                "acknowledgement_due_on": acknowledgement_due(record, windows).isoformat(),
                "acknowledgement_overdue": acknowledgement_overdue(record, today, windows),
            }
        )
    if json_out:
        print_json(rows[0] if single else rows)
        return
    print_table(
        "Coaching records",
        ("id", "agent", "coach", "held", "evaluations", "topics", "actions", "acknowledged", "due"),
        [
            (r["id"], r["agent_id"], r["coach_id"], r["held_on"], ", ".join(r["evaluation_ids"]),
             "; ".join(r["topics"]), "; ".join(r["actions"]), r["acknowledged_on"] or "no",
             r["acknowledgement_due_on"] + (" OVERDUE" if r["acknowledgement_overdue"] else ""))
            for r in rows
        ],
    )  # fmt: skip
