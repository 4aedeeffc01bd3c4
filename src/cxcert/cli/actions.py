"""`cxcert actions list|show|assign|plan|close`: the corrective action plans of an entity, who owns them, when they
are due, their root cause and plan, and closing them with what was implemented and how it was verified
(docs/domain.md section 3: an action plan not implemented within a reasonable time leads to revocation)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, print_json, print_mapping, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the domain (pydantic) and the store (SQLAlchemy) load only when a command runs
    from cxcert.certification.corrective_action import CorrectiveAction
    from cxcert.standards.rule_set import RuleSet
    from cxcert.store.audit_trail import AuditEntry
    from cxcert.store.repository import Repositories

actions_app = typer.Typer(
    help="Corrective action plans (raised by `cxcert decide` from deficiencies and by `cxcert evidence "
    "--open-actions` from alerts): list, show, assign an owner, record the root cause and plan, close with what "
    "was implemented and how it was verified.",
    no_args_is_help=True,
)

TODAY_HELP = "Judge overdue as of this day (YYYY-MM-DD); default today."


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions")


def action_json(action: CorrectiveAction, rule_set: RuleSet, today: dt.date) -> dict[str, object]:
    """The action with its standing on ``today``: overdue, and past the rule set's grace (revocation proposed)."""
    grace = rule_set.corrective_action_grace_days
    late = action.days_overdue(today)
    return {
        **action.model_dump(mode="json"),
        "overdue": late > 0,
        "days_overdue": late,
        "grace_ends_on": (action.due_on + dt.timedelta(days=grace)).isoformat(),
        "past_grace": late > grace,
    }


def assign(
    repos: Repositories, action_id: str, owner: str, *, by: str
) -> tuple[CorrectiveAction, CorrectiveAction]:
    """Give the stored action ``owner`` and audit-trail it; the action before and after."""
    action = repos.corrective_actions.get_action(action_id)
    assigned = action.assign(owner)
    repos.corrective_actions.save_action(assigned)
    repos.audit_trail.append(
        by, "corrective_action.assigned", f"corrective_action:{action.id}",
        {"owner": assigned.owner, "previous_owner": action.owner},
    )  # fmt: skip
    return action, assigned


def close(
    repos: Repositories, action_id: str, on: dt.date, note: str, verification: str, *, by: str
) -> tuple[CorrectiveAction, CorrectiveAction]:
    """Close the stored action as implemented ``on``, with ``note`` in the audit trail and ``verification`` (how
    the fix was checked) stored with it; before and after."""
    if not note.strip():
        raise CxcertError("--note must say what was implemented")
    action = repos.corrective_actions.get_action(action_id)
    closed = action.close(on, verification)
    repos.corrective_actions.save_action(closed)
    repos.audit_trail.append(
        by, "corrective_action.closed", f"corrective_action:{action.id}",
        {"closed_on": on.isoformat(), "note": note.strip(), "verification": closed.verification},
    )  # fmt: skip
    return action, closed


def set_plan(
    repos: Repositories, action_id: str, *, root_cause: str | None, plan: str | None, by: str
) -> tuple[CorrectiveAction, CorrectiveAction]:
    """Set the stored open action's root cause and/or plan and audit-trail the change; before and after."""
    action = repos.corrective_actions.get_action(action_id)
    planned = action.with_plan(root_cause=root_cause, plan=plan)
    repos.corrective_actions.save_action(planned)
    repos.audit_trail.append(
        by, "corrective_action.planned", f"corrective_action:{action.id}",
        {"root_cause": planned.root_cause, "plan": planned.plan,
         "previous_root_cause": action.root_cause, "previous_plan": action.plan},
    )  # fmt: skip
    return action, planned


def _rule_set(repos: Repositories, entity_id: str) -> RuleSet:
    from cxcert.standards import library

    return library.rule_set(repos.organisations.get_entity(entity_id).rule_set_id)


def _overdue_cell(action: CorrectiveAction, rule_set: RuleSet, today: dt.date) -> str:
    late = action.days_overdue(today)
    if late == 0:
        return "no"
    past = late > rule_set.corrective_action_grace_days
    return f"[bold red]{late} days, past grace[/]" if past else f"[red]{late} days[/]"


@actions_app.command("list")
def list_actions(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    open_only: bool = typer.Option(False, "--open", help="Only actions still open."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List an entity's corrective actions by due date: item, owner, due date, status and whether overdue.

    An open action overdue by more than the rule set's grace period is one the calendar proposes revocation for.

    Example:  cxcert actions list --entity acme-care --open --today 2026-12-01
    """
    from cxcert.cli.workspace import workspace

    day = parse_date(today, "--today")
    with workspace() as repos:
        rule_set = _rule_set(repos, entity_id)
        actions = repos.corrective_actions.actions(entity_id, open_only=open_only)
    if json_out:
        listed = [action_json(a, rule_set, day) for a in actions]
        print_json({"entity_id": entity_id, "today": day.isoformat(), "actions": listed})
        return
    print_table(
        f"corrective actions of {entity_id} as of {day}",
        ("id", "item", "level", "owner", "raised", "due", "status", "overdue"),
        [
            (
                escape(a.id),
                a.item,
                a.finding_level.value,
                escape(a.owner),
                a.raised_on,
                a.due_on,
                a.status.value if a.is_open else f"closed {a.closed_on}",
                _overdue_cell(a, rule_set, day),
            )
            for a in actions
        ],
    )
    if not actions:
        console.print("  none" + (" open" if open_only else "") + ": `cxcert decide` raises them from deficiencies")


def _history(entries: tuple[AuditEntry, ...]) -> list[dict[str, object]]:
    return [
        {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "payload": dict(e.payload)}
        for e in entries
    ]


@actions_app.command("show")
def show_action(
    action_id: str = typer.Argument(..., help="The action id (see `cxcert actions list`)."),
    today: str | None = typer.Option(None, "--today", help=TODAY_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one corrective action and its history (raised, assigned, closed with its note) from the audit trail.

    Example:  cxcert actions show acme-care/compliance_audit-2026-09-01/CA-2.4
    """
    from cxcert.cli.workspace import workspace

    day = parse_date(today, "--today")
    with workspace() as repos:
        action = repos.corrective_actions.get_action(action_id)
        rule_set = _rule_set(repos, action.entity_id)
        entries = repos.audit_trail.entries(f"corrective_action:{action.id}")
    closing = next((e for e in reversed(entries) if e.action == "corrective_action.closed"), None)
    note = None if closing is None else str(closing.payload.get("note", ""))
    history = _history(entries)
    payload = action_json(action, rule_set, day) | {"closing_note": note, "history": history}
    if json_out:
        print_json(payload)
        return
    print_mapping(
        f"corrective action {action.id}",
        {
            "entity": action.entity_id,
            "assessment": action.assessment_id or "-",
            "item": f"{action.item} ({action.finding_level.value})",
            "description": action.description,
            "owner": action.owner,
            "raised / due": f"{action.raised_on} / {action.due_on}",
            "status": action.status.value if action.is_open else f"closed on {action.closed_on}",
            "overdue": f"{payload['days_overdue']} days" if payload["overdue"] else "no",
            "grace ends": payload["grace_ends_on"],
            "root cause": action.root_cause or "- (`cxcert actions plan --root-cause`)",
            "plan": action.plan or "- (`cxcert actions plan --plan`)",
            "closing note": note or "-",
            "verification": action.verification or "-",
        },
    )
    print_table(
        "history (audit trail)",
        ("#", "at", "by", "what"),
        [(h["seq"], h["at"], h["actor"], h["action"]) for h in history],
    )


@actions_app.command("assign")
def assign_action(
    action_id: str = typer.Argument(..., help="The action id (see `cxcert actions list`)."),
    owner: str = typer.Option(..., "--owner", help="Who owns it now: a person id, or a role to fill."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Give an open corrective action a new owner; the change goes into the audit trail.

    Example:  cxcert actions assign acme-care/compliance_audit-2026-09-01/CA-2.4 --owner p-wei
    """
    from cxcert.cli.workspace import actor, workspace

    with workspace() as repos:
        action, assigned = assign(repos, action_id, owner, by=actor())
        rule_set = _rule_set(repos, action.entity_id)
    if json_out:
        print_json(action_json(assigned, rule_set, dt.date.today()))
    else:
        console.print(f"{escape(action.id)} is now owned by {escape(assigned.owner)} (was {escape(action.owner)})")


@actions_app.command("close")
def close_action(
    action_id: str = typer.Argument(..., help="The action id (see `cxcert actions list`)."),
    note: str = typer.Option(..., "--note", help="What was implemented, and the evidence of it."),
    verification: str = typer.Option(
        ..., "--verification", help="How the fix was checked to work (e.g. two months back on target)."
    ),
    on: str | None = typer.Option(None, "--on", help="Day the action was implemented (YYYY-MM-DD); default today."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Close a corrective action as implemented on --on, with a note of what was done (kept in the audit trail)
    and the verification of it (stored with the action): an action closes only once its fix is verified.

    Example:  cxcert actions close acme-care/compliance_audit-2026-09-01/CA-2.4 --on 2026-10-15
    --note "Intraday actions logged in the WFM tool for every queue since 2026-10-01"
    --verification "Two weeks of logs checked for every queue by the WFM lead"
    """
    from cxcert.cli.workspace import actor, workspace

    day = parse_date(on, "--on")
    with workspace() as repos:
        action, closed = close(repos, action_id, day, note, verification, by=actor())
        rule_set = _rule_set(repos, action.entity_id)
    if json_out:
        print_json(action_json(closed, rule_set, day) | {"note": note.strip()})
    else:
        late = action.days_overdue(day)
        console.print(
            f"Closed {escape(action.id)} as implemented on {day}"
            + (f", {late} days after it was due" if late else ""),
            highlight=False,
        )


@actions_app.command("plan")
def plan_action(
    action_id: str = typer.Argument(..., help="The action id (see `cxcert actions list`)."),
    root_cause: str | None = typer.Option(None, "--root-cause", help="Why the deficiency happened."),
    plan: str | None = typer.Option(None, "--plan", help="What will be done about it, and by when."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record an open corrective action's root cause and plan (either or both; a later call replaces them); the
    change goes into the audit trail.

    Example:  cxcert actions plan acme-care/compliance_audit-2026-09-01/CA-2.4 --root-cause "No intraday log
    kept for chat" --plan "Log every intraday action in the WFM tool from 2026-10-01; WFM lead checks weekly"
    """
    from cxcert.cli.workspace import actor, workspace

    with workspace() as repos:
        action, planned = set_plan(repos, action_id, root_cause=root_cause, plan=plan, by=actor())
        rule_set = _rule_set(repos, action.entity_id)
    if json_out:
        print_json(action_json(planned, rule_set, dt.date.today()))
        return
    console.print(f"Planned {escape(action.id)}:", highlight=False)
    console.print(f"  root cause: {planned.root_cause or '-'}", highlight=False, markup=False)
    console.print(f"  plan: {planned.plan or '-'}", highlight=False, markup=False)
