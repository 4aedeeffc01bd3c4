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
    from cxcert.certification.calendar import Calendar, CalendarEvent
    from cxcert.certification.corrective_action import RevocationProposal
    from cxcert.standards.rule_set import RuleSet
    from cxcert.store.decisions import DecisionRecord
    from cxcert.store.repository import Repositories


def _decision_json(record: DecisionRecord) -> dict[str, object]:
    d = record.decision
    return {
        "id": record.id,
        "assessment_id": d.assessment_id,
        "assessment_kind": d.assessment_kind.value,
        "outcome": d.outcome.value,
        "decision_class": d.decision_class,
        "decided_on": record.decided_on.isoformat(),
        "certifies": d.certifies,
        "scope_items": None if d.scope_items is None else list(d.scope_items),
        "summary": d.explanation.summary,
    }


@dataclass(frozen=True)
class ScopeCalendar:
    """The calendar of one process certification: its own standing decision and the events that follow it."""

    scope: tuple[str, ...]
    title: str
    decision: DecisionRecord
    events: tuple[CalendarEvent, ...]
    summary: str

    def to_dict(self) -> dict[str, object]:
        return {
            "scope": list(self.scope),
            "title": self.title,
            "decision": _decision_json(self.decision),
            "summary": self.summary,
            "events": [e.to_dict() for e in self.events],
        }


@dataclass(frozen=True)
class EntityCalendar:
    """One entity's calendar: the full certification's (from its standing decision), each process
    certification's apart, the corrective actions, the review results since, and any revocation proposal."""

    entity_id: str
    decision: DecisionRecord | None  # the standing decision of the full certification
    events: tuple[CalendarEvent, ...]  # the full certification's events and every corrective action's
    revocation_proposals: tuple[RevocationProposal, ...]
    summary: str
    process_certifications: tuple[ScopeCalendar, ...] = ()
    review_results: tuple[DecisionRecord, ...] = ()  # since the standing decision of their scope

    def to_dict(self) -> dict[str, object]:
        return {
            "entity_id": self.entity_id,
            "decision": None if self.decision is None else _decision_json(self.decision),
            "summary": self.summary,
            "events": [e.to_dict() for e in self.events],
            "process_certifications": [c.to_dict() for c in self.process_certifications],
            "review_results": [_decision_json(r) for r in self.review_results],
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


def _scope_title(scope: tuple[str, ...]) -> str:
    """The process certification whose packaged scope is exactly these items, else the items themselves."""
    from cxcert.certification.process_certification import process_certifications

    for scoped in process_certifications().kinds.values():
        if set(scoped.items) == set(scope):
            return f"process certification {scoped.title}"
    return "process certification of items " + ", ".join(scope)


def _planned(
    record: DecisionRecord,
    reviews: tuple[DecisionRecord, ...],
    rule_set: RuleSet,
    today: dt.date,
    planned_audit: dt.date | None,
    reviewed_on: dt.date | None,
) -> Calendar:
    """The calendar after the standing decision ``record``; a six-month review held since marks its event done."""
    from cxcert.certification.assessment import AssessmentKind
    from cxcert.certification.calendar import EventKind, plan_calendar

    held = [
        r.decided_on
        for r in reviews
        if r.decision.assessment_kind is AssessmentKind.SIX_MONTH_REVIEW and r.decided_on >= record.decided_on
    ]
    if reviewed_on is not None and reviewed_on >= record.decided_on:
        held.append(reviewed_on)
    done = {EventKind.SIX_MONTH_REVIEW: min(held)} if held else {}
    return plan_calendar(
        record.decided_on, record.decision, rule_set, planned_audit=planned_audit, today=today, done=done
    )


def entity_calendar(
    repos: Repositories, entity_id: str, today: dt.date, planned_audit: dt.date | None = None
) -> EntityCalendar:
    """The calendar of one entity as of ``today``: from the standing (latest certification) decision of each
    scope, never from a review result, plus its open corrective actions. ``planned_audit`` is the full
    certification's next audit."""
    from cxcert.certification.calendar import action_events
    from cxcert.certification.corrective_action import review
    from cxcert.certification.engagement import Stage
    from cxcert.standards import library

    entity = repos.organisations.get_entity(entity_id)
    rule_set = library.rule_set(entity.rule_set_id)
    standing = repos.decisions.standing_decisions(entity_id)
    full = next((r for r in standing if r.decision.scope_key is None), None)
    reviews = repos.decisions.review_results(entity_id)
    actions = repos.corrective_actions.actions(entity_id)
    events: list[CalendarEvent] = list(action_events(actions, rule_set, today))
    summary = "no certification decision yet: nothing falls due until an audit is decided"
    if full is not None:
        engagement = repos.engagements.find_engagement(entity_id)
        reviewed = [s.on for s in (engagement.history if engagement else ()) if s.to_stage is Stage.SIX_MONTH_REVIEWED]
        full_reviews = tuple(r for r in reviews if r.decision.scope_key is None)
        planned = _planned(full, full_reviews, rule_set, today, planned_audit, max(reviewed) if reviewed else None)
        events.extend(planned.events)
        summary = planned.explanation.summary
    processes = []
    for record in standing:
        scope = record.decision.scope_key
        if scope is None:
            continue
        scoped_reviews = tuple(r for r in reviews if r.decision.scope_key == scope)
        planned = _planned(record, scoped_reviews, rule_set, today, None, None)
        processes.append(ScopeCalendar(scope, _scope_title(scope), record, planned.events, planned.explanation.summary))
    since = {r.decision.scope_key: r.decided_on for r in standing}
    recent = tuple(
        r for r in reviews if r.decision.scope_key not in since or r.decided_on >= since[r.decision.scope_key]
    )
    proposals = review(actions, today, rule_set)
    events.sort(key=lambda e: (e.due_on, e.kind.value, e.reference or ""))
    return EntityCalendar(entity_id, full, tuple(events), proposals, summary, tuple(processes), recent)


_STATUS_STYLES = {"overdue": "[bold red]overdue[/]", "due": "[yellow]due[/]"}


def _event_rows(events: tuple[CalendarEvent, ...], hidden: list[CalendarEvent]) -> list[tuple[object, ...]]:
    return [
        (e.due_on, e.kind.value, _STATUS_STYLES.get(e.status.value, e.status.value), e.explanation.summary)
        for e in events
        if e not in hidden
    ]


def print_calendar(cal: EntityCalendar) -> None:
    """One entity's calendar as a Rich table, each process certification's apart, the review results since the
    standing decision, then any revocation proposal with its reasons."""
    title = f"calendar of {cal.entity_id}"
    if cal.decision is not None:
        title += f" ({cal.decision.decision.decision_class} on {cal.decision.decided_on})"
    # Grace periods still ahead are a consequence of each action's due date, not a date to act on: one line.
    later_grace = [
        e for e in cal.events if e.kind.value == "corrective_action_grace_ends" and e.status.value == "upcoming"
    ]
    print_table(title, ("due on", "event", "status", "why"), _event_rows(cal.events, later_grace))
    if later_grace:
        first, last = min(e.due_on for e in later_grace), max(e.due_on for e in later_grace)
        console.print(
            f"  and {len(later_grace)} corrective-action grace periods ending {first} to {last}: an action still "
            "open then is proposed for revocation (--json lists them)",
            highlight=False,
        )
    if not cal.events:
        console.print(f"  {cal.summary}", highlight=False)
    for process in cal.process_certifications:
        d = process.decision
        print_table(
            f"{process.title} of {cal.entity_id} ({d.decision.decision_class} on {d.decided_on})",
            ("due on", "event", "status", "why"),
            _event_rows(process.events, []),
        )
        if not process.events:
            console.print(f"  {process.summary}", highlight=False)
    for r in cal.review_results:
        console.print(
            f"  review result of {r.decision.assessment_id} ({r.decision.assessment_kind.value}) on {r.decided_on}: "
            f"{r.decision.explanation.summary}; the standing decision is unchanged",
            highlight=False,
        )
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
    """Show what falls due after each certification decision, and what is overdue.

    Six-month review, re-certification audit, application update, corrective actions due or overdue, and
    revocation proposals, each with its status as of --today and the rule behind its date. Dates follow the
    standing decision (the latest certification decision; a six-month review's result never replaces it), and
    each process certification keeps its own calendar.

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
