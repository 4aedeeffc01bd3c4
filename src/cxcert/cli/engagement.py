"""`cxcert engagement advance|show`: the entity's way through the certification process (a state machine)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the state machine (pydantic models) and the store load only when a command runs
    from cxcert.certification.engagement import Engagement, EngagementContext, Stage
    from cxcert.store.repository import Repositories

engagement_app = typer.Typer(
    help="Move an entity through the certification process (kickoff, coordinators, application, baseline, gap "
    "closure, audit, decision, reviews) and show where it is.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(engagement_app, name="engagement")


def engagement_context(
    repos: Repositories, entity_id: str, on: dt.date, *, incomplete_application_reason: str | None = None
) -> EngagementContext:
    """What the state machine's guards read, loaded from the store: always with the entity's records, so every
    step a user takes is checked against the work behind it (and the reason, when one is given, to submit the
    application incomplete)."""
    from cxcert.certification.corrective_action import review
    from cxcert.certification.engagement import EngagementContext, EngagementRecords
    from cxcert.standards import library

    entity = repos.organisations.get_entity(entity_id)
    rule_set = library.rule_set(entity.rule_set_id)
    # The certification decision standing on the whole standard: a later review result (six-month review) or a
    # process certification's decision is not the decision the engagement's decision steps rest on.
    standing = repos.decisions.standing_decision(entity_id)
    return EngagementContext(
        entity=entity,
        rule_set=rule_set,
        registrations=repos.people.registrations(entity_id),
        standard=library.standard(entity.standard_urn),
        incomplete_application_reason=incomplete_application_reason,
        decision=standing.decision if standing else None,
        revocation_proposals=review(repos.corrective_actions.actions(entity_id, open_only=True), on, rule_set),
        records=EngagementRecords(
            kickoff_sessions=repos.people.kickoff_sessions(entity_id),
            application_answers=repos.assessments.answers(entity_id),
            assessments=repos.assessments.assessments(entity_id),
            gap_closure_calls=repos.gap_closure.plan(entity_id),
        ),
    )


def load_or_start(repos: Repositories, entity_id: str, on: dt.date) -> Engagement:
    """The stored engagement, or a new one started ``on`` (the entity being defined is step 1)."""
    from cxcert.certification.engagement import Engagement

    found = repos.engagements.find_engagement(entity_id)
    return found if found is not None else Engagement.start(entity_id, on, by=actor())


def engagement_json(engagement: Engagement) -> dict[str, object]:
    return {
        "entity_id": engagement.entity_id,
        "stage": engagement.stage.value,
        "holds_certification": engagement.holds_certification,
        "allowed_next": [s.value for s in engagement.allowed_next()],
        "history": [
            {
                "from": t.from_stage.value if t.from_stage else None,
                "to": t.to_stage.value,
                "on": t.on.isoformat(),
                "by": t.by,
                "note": t.note,
            }
            for t in engagement.history
        ],
    }


def _stage(text: str) -> Stage:
    from cxcert.certification.engagement import Stage

    try:
        return Stage(text.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in Stage)
        raise CxcertError(f"--to {text!r} is not a stage; stages are {known}") from None


@engagement_app.command("advance")
def advance(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    to: str = typer.Option(..., "--to", help="The next stage, e.g. kickoff_held (see `engagement show`)."),
    on: str | None = typer.Option(None, "--on", help="Day of the step (YYYY-MM-DD); default today."),
    note: str = typer.Option("", "--note", help="Why, or what happened (required to revoke without a proposal)."),
    allow_incomplete: bool = typer.Option(
        False, "--allow-incomplete", help="Submit the application although questions are unanswered (needs --reason)."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why the application goes in incomplete."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Take one step of the certification process; a step the process does not allow is refused with the reason.

    The application is submitted (application_submitted) only when every question is answered in full, unless
    --allow-incomplete --reason TEXT says why it goes in as it is: the step's note and the audit trail record
    the override, the reason and what was missing.

    Example:  cxcert engagement advance --entity acme-care --to kickoff_held --on 2026-01-06

    Example:  cxcert engagement advance --entity acme-care --to application_submitted --allow-incomplete
    --reason "Category 4 answers follow the first month of data, agreed with the lead auditor"
    """
    from cxcert.certification.engagement import Stage
    from cxcert.certification.engagement_guards import incomplete_submission_note

    stage = _stage(to)
    day = parse_date(on, "--on")
    if allow_incomplete != (reason is not None):
        raise CxcertError(
            "--allow-incomplete needs --reason saying why the application goes in incomplete"
            if allow_incomplete
            else "--reason goes with --allow-incomplete (use --note for a step's note)"
        )
    if allow_incomplete and stage is not Stage.APPLICATION_SUBMITTED:
        raise CxcertError(f"--allow-incomplete applies to application_submitted, not {stage.value}")
    if reason is not None and not reason.strip():
        raise CxcertError("--reason must say why the application goes in incomplete")
    with workspace() as repos:
        engagement = load_or_start(repos, entity_id, day)
        context = engagement_context(repos, entity_id, day, incomplete_application_reason=reason)
        override = incomplete_submission_note(context, day) if allow_incomplete else None
        step_note = " ".join(part for part in (override, note.strip()) if part) or note
        moved = engagement.advance(stage, day, by=actor(), note=step_note, context=context)
        repos.engagements.save_engagement(moved)
        step = moved.history[-1]
        payload: dict[str, object] = {
            "from": engagement.stage.value, "to": stage.value, "on": day.isoformat(), "note": step.note,
        }  # fmt: skip
        if override is not None and reason is not None:
            payload["allow_incomplete"] = {"reason": reason.strip(), "what_was_missing": override}
        repos.audit_trail.append(actor(), "engagement.advanced", f"entity:{entity_id}", payload)
    if json_out:
        print_json(engagement_json(moved))
    else:
        console.print(f"{entity_id}: {engagement.stage.value} -> [bold]{stage.value}[/] on {day} ({step.note})")


@engagement_app.command("show")
def show(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    today: str | None = typer.Option(None, "--today", help="Check the next steps as of this day; default today."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show the current stage, the whole history, and each step allowed next with what it needs and, when
    something is missing, what to record first.

    Example:  cxcert engagement show --entity acme-care
    """
    day = parse_date(today, "--today")
    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
        engagement = repos.engagements.load_engagement(entity_id)
        context = engagement_context(repos, entity_id, day)
        steps = engagement.next_steps(context, on=max(day, engagement.last_step_on))
    if json_out:
        print_json({**engagement_json(engagement), "next_steps": [s.to_dict() for s in steps]})
        return
    print_table(
        f"engagement of {entity_id}",
        ("on", "from", "to", "by", "note"),
        [
            (t.on, t.from_stage.value if t.from_stage else "", t.to_stage.value, t.by or "", t.note)
            for t in engagement.history
        ],
    )
    console.print(f"Now at [bold]{engagement.stage.value}[/]. Allowed next:", highlight=False)
    for step in steps:
        needs = f" (needs {step.requires})" if step.requires else ""
        console.print(f"  {step.to_stage.value}: {step.meaning}{needs}", highlight=False, markup=False)
        for blocker in step.blockers:
            console.print(f"      blocked: {blocker}", highlight=False, markup=False)
