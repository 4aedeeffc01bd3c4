"""`cxcert decide`: the certification decision on an audit, with its explanation, stored and audit-trailed."""

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
    from cxcert.certification.decision import Decision


def register(app: typer.Typer) -> None:
    app.command("decide")(decide_command)


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
            "points view",
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
        deficient = [c for c in decision.contributions if c.counted_as not in ("compliant", "not_applicable")]
        if deficient:
            print_table(
                "items not compliant",
                ("item", "title", "counted as", "points"),
                [(c.item, c.title, c.counted_as, f"{c.points_earned:g} / {c.points_possible:g}") for c in deficient],
            )


def decide_command(
    entity_id: str = typer.Option(..., "--entity", help="The entity to decide on."),
    assessment_id: str | None = typer.Option(
        None, "--assessment", help="The assessment to decide on; default the entity's latest audit."
    ),
    on: str | None = typer.Option(None, "--on", help="Decision day (YYYY-MM-DD); default today."),
    json_out: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
) -> None:
    """Decide an entity's certification from an audit's findings under its rule set, and explain why.

    Takes the latest audit (compliance, second or re-certification audit) unless --assessment names one. Prints
    the decision class, the item counts, the points view and every rule applied; stores the decision and adds it
    to the hash-chained audit trail.

    Example:  cxcert decide --entity acme-care --json
    """
    from cxcert.certification.decision import decide
    from cxcert.standards import library

    day = parse_date(on, "--on")
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        if assessment_id is None:
            assessment = repos.assessments.latest_audit(entity_id)
        else:
            assessment = repos.assessments.get_assessment(assessment_id)
            if assessment.entity_id != entity_id:
                raise CxcertError(f"assessment {assessment_id!r} is of entity {assessment.entity_id}, not {entity_id}")
        decision = decide(assessment, library.standard(entity.standard_urn), library.rule_set(entity.rule_set_id))
        record = repos.decisions.save_decision(decision, day, decided_by=actor())
        repos.audit_trail.append(
            actor(),
            "decision.made",
            f"entity:{entity_id}",
            {"decision_id": record.id, "decided_on": day.isoformat(), **decision.to_dict()},
        )
    if json_out:
        print_json({"decision_id": record.id, "decided_on": day.isoformat(), **decision.to_dict()})
    else:
        print_decision(decision)
        console.print(f"Stored as decision {record.id} on {day}; next: [bold]cxcert calendar --entity {entity_id}[/]")
