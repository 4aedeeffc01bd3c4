"""`cxcert decide`: the certification decision on an audit (or the result of a six-month review, which leaves the
standing decision in place), with its explanation, stored and audit-trailed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.panel import Panel

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the decision engine (pydantic models) loads only when a command runs
    from cxcert.certification.authority import EntityAuthority
    from cxcert.certification.decision import Decision
    from cxcert.cli.decision_record import RecordedDecision


def register(app: typer.Typer) -> None:
    app.command("decide")(decide_command)


def _role(role: str) -> str:
    return role.replace("_", " ")


def authority_lines(authority: EntityAuthority) -> list[str]:
    """Who authorises, submits and oversees, one line per distinct authority with the locations it covers."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for a in authority.per_location:
        groups.setdefault((a.authorises_decision, a.submits_application, a.oversees), []).append(
            f"{a.location_id} ({a.country})"
        )
    return [
        f"{_role(authorises)} authorises the decision, {_role(submits)} submits the final application, "
        f"{_role(oversees)} oversees the process: {', '.join(where)}"
        for (authorises, submits, oversees), where in groups.items()
    ]


def print_decision(decision: Decision, *, title: str = "decision", steps: bool = True) -> None:
    """The decision for people: class, counts, points view, then the explanation step by step."""
    colour = "green" if decision.certifies else "red"
    console.print(
        Panel(
            f"[bold {colour}]{escape(decision.decision_class)}[/]\n{escape(decision.explanation.summary)}",
            title=f"{title}: {decision.entity_id}",
            expand=False,
        )
    )
    console.print(f"[bold]What decides[/]: {escape(decision.governance.conclusion)}", highlight=False)
    if decision.authority is not None:
        lines = authority_lines(decision.authority)
        head = "Who decides" + (" (every authority must act)" if len(lines) > 1 else "")
        console.print(f"[bold]{head}[/]: " + "; ".join(escape(line) for line in lines), highlight=False)
    print_table(
        "counts",
        ("scorable", "compliant", "minor", "major", "missing", "not applicable"),
        [
            (
                decision.scorable,
                decision.compliant,
                decision.minor,
                decision.major,
                decision.missing,
                decision.not_applicable,
            )
        ],
    )
    if decision.points_pass_mark is not None:
        print_table(
            "points view (informative, does not decide)",
            ("earned", "possible", "pass mark", "required here", "passed"),
            [
                (
                    f"{decision.points_earned:g}",
                    f"{decision.points_possible:g}",
                    decision.points_pass_mark,
                    f"{decision.points_required:g}" if decision.points_required is not None else "-",
                    "yes" if decision.points_passed else "no",
                )
            ],
        )
    if steps:
        console.print("[bold]Why[/]")
        for step in decision.explanation.steps:
            if not step.rule.startswith("item:"):
                console.print(f"  - {escape(f'[{step.rule}]')} {escape(step.conclusion)}", highlight=False)
        if decision.contributions:  # each item's contribution, as the explanation's item steps give it
            print_table(
                "each item's contribution",
                ("item", "finding", "points"),
                [
                    (
                        c.item,
                        (c.level.value if c.level else "none")
                        + ("" if c.level and c.counted_as == c.level.value else f" (counted as {c.counted_as})"),
                        f"{c.points_earned:g} / {c.points_possible:g}",
                    )
                    for c in decision.contributions
                ],
            )


def print_recorded(done: RecordedDecision) -> None:
    """The decision (or review result) for people, then what was stored and what stands now."""
    record, decision = done.record, done.record.decision
    print_decision(decision, title="decision" if decision.stands else "review result")
    entity_id = decision.entity_id
    if done.reused:
        console.print(
            f"Already decided on {record.decided_on} with the same result (decision {record.id}); nothing stored.",
            highlight=False,
        )
    else:
        kind = "decision" if decision.stands else "review result"
        console.print(f"Stored as {kind} {record.id} on {record.decided_on}.", highlight=False)
    s = done.standing
    if not decision.stands:
        stands = (
            "no certification decision stands yet"
            if s is None
            else f"the standing decision is still {s.decision.decision_class}, "
            f"decided on {s.decided_on} (decision {s.id})"
        )
        console.print(
            f"A {decision.assessment_kind.value} gives a review result: {stands}.",
            highlight=False,
        )
    raised = done.actions
    if raised.all:
        due = sorted({a.due_on for a in raised.opened})
        owners = ", ".join(sorted({a.owner for a in raised.opened}))
        console.print(
            f"Corrective actions: {len(raised.opened)} opened"
            + (f" (owner {escape(owners)}, due {due[0]})" if due else "")
            + (f", {len(raised.updated)} updated to the finding's new level" if raised.updated else "")
            + f", {len(raised.already_raised)} raised before; see "
            f"[bold]cxcert actions list --entity {escape(entity_id)}[/]",
            highlight=False,
        )
    console.print(f"Next: [bold]cxcert calendar --entity {escape(entity_id)}[/]")


def decide_command(
    entity_id: str = typer.Option(..., "--entity", help="The entity to decide on."),
    assessment_id: str | None = typer.Option(
        None, "--assessment", help="The assessment to decide on; default the entity's latest audit."
    ),
    on: str | None = typer.Option(None, "--on", help="Decision day (YYYY-MM-DD); default today."),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Show the class the findings would give if the assessment were a compliance audit (a baseline's "
        "would-be class); nothing is decided or stored. Default: the entity's latest assessment of any kind.",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
) -> None:
    """Decide an entity's certification from an audit's findings under its rule set, and explain why.

    Takes the latest audit (the kinds the rule set says give a certification decision: compliance, second or
    re-certification audit) unless --assessment names one. A six-month review gives a review result instead:
    scored, stored and shown, but the standing decision and its calendar stay. A baseline is advice and is
    refused. When the entity's engagement is followed (`cxcert engagement advance`), a decision waits for it:
    stage audited, on an audit held since the audit was planned. Prints the class, the item counts, the points
    view and every rule applied; stores the result and adds it to the hash-chained audit trail. Deciding an
    unchanged assessment again stores nothing new.

    --dry-run reads any assessment (a baseline too) as if it were a compliance audit and shows the class it would
    give, labelled as not a decision: nothing is stored, no corrective action raised, the engagement not asked.

    Example:  cxcert decide --entity acme-care --json

    Example:  cxcert decide --entity acme-care --assessment acme-care/baseline-2026-03-02 --dry-run
    """
    from cxcert.cli.decision_record import assessment_to_decide, record_decision
    from cxcert.standards import library

    if dry_run:
        if on is not None:
            raise CxcertError("--dry-run decides nothing, so it has no decision day: leave out --on")
        would_be(entity_id, assessment_id, json_out)
        return
    day = parse_date(on, "--on")
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        assessment = assessment_to_decide(repos, entity_id, library.rule_set(entity.rule_set_id), assessment_id)
        done = record_decision(repos, entity, assessment, on=day, by=actor(), on_given=on is not None)
    if json_out:
        print_json(done.to_dict())
    else:
        print_recorded(done)


WOULD_BE_NOTE = (
    "not a decision: what the findings would give if this assessment were a compliance audit; nothing is stored"
)


def would_be(entity_id: str, assessment_id: str | None, json_out: bool) -> None:
    """The class an assessment's findings would give under the entity's rule set, whatever its kind decides."""
    from cxcert.certification.decision import would_be_decision
    from cxcert.errors import NotFound
    from cxcert.standards import library

    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        if assessment_id is None:
            found = repos.assessments.assessments(entity_id)
            if not found:
                raise NotFound(f"entity {entity_id!r} has no assessment yet (`cxcert assessment create`)")
            assessment = found[-1]
        else:
            assessment = repos.assessments.get_assessment(assessment_id)
            if assessment.entity_id != entity_id:
                raise CxcertError(f"assessment {assessment_id!r} is of entity {assessment.entity_id}, not {entity_id}")
    rule_set = library.rule_set(entity.rule_set_id)
    decision = would_be_decision(assessment, library.standard(entity.standard_urn), rule_set, entity=entity)
    if json_out:
        print_json({"dry_run": True, "is_decision": False, "note": WOULD_BE_NOTE, **decision.to_dict()})
        return
    console.print(
        f"[bold yellow]Would be {escape(decision.decision_class)}[/] — {escape(WOULD_BE_NOTE)} "
        f"({escape(assessment.id)} is a {assessment.kind.value})",
        highlight=False,
    )
    print_decision(decision, title="would be (not a decision)")
