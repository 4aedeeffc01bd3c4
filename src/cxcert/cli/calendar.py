"""`cxcert calendar`: what falls due after each decision (reviews, re-certification, application update,
corrective actions) and the revocations proposed for corrective action left overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cxcert.cli.dates import optional_date, parse_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.workspace import workspace

if TYPE_CHECKING:  # the domain (pydantic) and the store (SQLAlchemy) load only when a command runs
    from cxcert.certification.calendar import CalendarEvent, EventKind
    from cxcert.certification.corrective_action import RevocationProposal
    from cxcert.store.decisions import DecisionRecord
    from cxcert.store.repository import Repositories


@dataclass(frozen=True)
class EntityCalendar:
    entity_id: str
    decision: DecisionRecord | None
    events: tuple[CalendarEvent, ...]
    revocation_proposals: tuple[RevocationProposal, ...]
    summary: str

    def to_dict(self) -> dict[str, object]:
        d = self.decision
        return {
            "entity_id": self.entity_id,
            "decision": None
            if d is None
            else {
                "id": d.id,
                "decision_class": d.decision.decision_class,
                "decided_on": d.decided_on.isoformat(),
                "certifies": d.decision.certifies,
            },
            "summary": self.summary,
            "events": [e.to_dict() for e in self.events],
            "revocation_proposals": [
                {
                    "entity_id": p.entity_id,
                    "proposed_on": p.proposed_on.isoformat(),
                    "action_ids": list(p.action_ids),
                    "explanation": p.explanation.to_dict(),
                }
                for p in self.revocation_proposals
            ],
        }


def register(app: typer.Typer) -> None:
    app.command("calendar")(calendar_command)


def entity_calendar(
    repos: Repositories, entity_id: str, today: dt.date, planned_audit: dt.date | None = None
) -> EntityCalendar:
    """The calendar of one entity as of ``today``, from its latest decision and its open corrective actions."""
    from cxcert.certification.calendar import EventKind, action_events, plan_calendar
    from cxcert.certification.corrective_action import review
    from cxcert.certification.engagement import Stage
    from cxcert.standards import library

    entity = repos.organisations.get_entity(entity_id)
    rule_set = library.rule_set(entity.rule_set_id)
    record = repos.decisions.latest_decision(entity_id)
    actions = repos.corrective_actions.actions(entity_id)
    events: list[CalendarEvent] = list(action_events(actions, rule_set, today))
    summary = "no decision yet: nothing falls due until an audit is decided"
    if record is not None:
        done: dict[EventKind, dt.date] = {}
        engagement = repos.engagements.find_engagement(entity_id)
        for step in engagement.history if engagement else ():
            if step.to_stage is Stage.SIX_MONTH_REVIEWED and step.on >= record.decided_on:
                done[EventKind.SIX_MONTH_REVIEW] = step.on
        planned = plan_calendar(
            record.decided_on, record.decision, rule_set, planned_audit=planned_audit, today=today, done=done
        )
        events.extend(planned.events)
        summary = planned.explanation.summary
    proposals = review(actions, today, rule_set)
    events.sort(key=lambda e: (e.due_on, e.kind.value, e.reference or ""))
    return EntityCalendar(entity_id, record, tuple(events), proposals, summary)


def print_calendar(cal: EntityCalendar) -> None:
    """One entity's calendar as a Rich table, then any revocation proposal with its reasons."""
    title = f"calendar of {cal.entity_id}"
    if cal.decision is not None:
        title += f" ({cal.decision.decision.decision_class} on {cal.decision.decided_on})"
    styles = {"overdue": "[bold red]overdue[/]", "due": "[yellow]due[/]"}
    # Grace periods still ahead are a consequence of each action's due date, not a date to act on: one line.
    later_grace = [
        e for e in cal.events if e.kind.value == "corrective_action_grace_ends" and e.status.value == "upcoming"
    ]
    print_table(
        title,
        ("due on", "event", "status", "why"),
        [
            (e.due_on, e.kind.value, styles.get(e.status.value, e.status.value), e.explanation.summary)
            for e in cal.events
            if e not in later_grace
        ],
    )
    if later_grace:
        first, last = min(e.due_on for e in later_grace), max(e.due_on for e in later_grace)
        console.print(
            f"  and {len(later_grace)} corrective-action grace periods ending {first} to {last}: an action still "
            "open then is proposed for revocation (--json lists them)",
            highlight=False,
        )
    if not cal.events:
        console.print(f"  {cal.summary}", highlight=False)
    for proposal in cal.revocation_proposals:
        console.print(f"[bold red]Revocation proposed[/]: {proposal.explanation.render()}", highlight=False)


def calendar_command(
    entity_id: str | None = typer.Option(None, "--entity", help="Only this entity (default: every entity)."),
    today: str | None = typer.Option(None, "--today", help="Judge due/overdue as of this day (YYYY-MM-DD)."),
    planned_audit: str | None = typer.Option(
        None, "--planned-audit", help="Day of the next planned audit, if one is planned (YYYY-MM-DD)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show what falls due after each decision, and what is overdue.

    Six-month review, re-certification audit, application update, corrective actions due or overdue, and
    revocation proposals, each with its status as of --today and the rule behind its date.

    Example:  cxcert calendar --entity acme-care --today 2027-03-01
    """
    day = parse_date(today, "--today")
    audit = optional_date(planned_audit, "--planned-audit")
    with workspace() as repos:
        ids = [entity_id] if entity_id else [e.id for e in repos.organisations.list_entities()]
        calendars = [entity_calendar(repos, i, day, audit) for i in ids]
    if json_out:
        print_json({"today": day.isoformat(), "entities": [c.to_dict() for c in calendars]})
        return
    for cal in calendars:
        print_calendar(cal)
    if not calendars:
        console.print("No entity yet: create one with `cxcert entity create --help`, or run `cxcert demo`.")
