"""`cxcert coordinator register|list`: registered coordinators, at least one per location (docs/domain.md section 3)."""

from __future__ import annotations

import typer

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.shares import SHARE_HELP, parse_share
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError

coordinator_app = typer.Typer(
    help="Register coordinators (class attended + written exam at the rule set's pass mark) and list them.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(coordinator_app, name="coordinator")


@coordinator_app.command("register")
def register_coordinator(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    person_id: str = typer.Option(..., "--person", help="The coordinator's person id."),
    name: str | None = typer.Option(None, "--name", help="Full name, when the person is new."),
    email: str | None = typer.Option(None, "--email", help="E-mail, when the person is new."),
    location_id: str = typer.Option(..., "--location", help="The location the coordinator covers."),
    exam_score: str = typer.Option(
        ..., "--exam-score", help=f"Share of the written exam answered right, {SHARE_HELP}."
    ),
    on: str | None = typer.Option(None, "--on", help="Exam day (YYYY-MM-DD); default today."),
    class_on: str | None = typer.Option(None, "--class-on", help="Day the class ended; default the exam day."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Register a coordinator for one location; refused (exit 2, with the reason) below the exam pass mark.

    Every exam attempt is kept with its day and score, a failed one too (`cxcert coordinator list` shows them);
    only a passed one registers the coordinator and grants the role. A new person needs --name.

    Example:  cxcert coordinator register --entity acme-care --person ana --name "Ana Silva"
    --location lon --exam-score 93 --on 2026-01-16
    """
    from pydantic import ValidationError

    from cxcert.certification.people import CoordinatorRegistration, Person, Role, RoleGrant
    from cxcert.certification.registration import check_registration
    from cxcert.standards import library

    exam_day = parse_date(on, "--on")
    try:
        score = parse_share(exam_score)
    except ValueError as exc:
        raise CxcertError(f"--exam-score: {exc}") from None
    try:
        registration = CoordinatorRegistration(
            person_id=person_id,
            location_id=location_id,
            class_attended_on=parse_date(class_on, "--class-on", default=exam_day),
            exam_score=score,
            exam_taken_on=exam_day,
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise CxcertError(f"--{str(first['loc'][0]).replace('_', '-')}: {first['msg']}") from None
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        try:
            entity.location(location_id)
        except KeyError:
            known = ", ".join(loc.id for loc in entity.locations)
            raise CxcertError(f"--location {location_id!r} is not a location of {entity_id} ({known})") from None
        rule_set = library.rule_set(entity.rule_set_id)
        verdict = check_registration(registration, rule_set)
        person = repos.people.find_person(person_id)
        if person is None:
            if not name:
                raise CxcertError(f"person {person_id!r} is new: give their --name")
            repos.people.save_person(Person(id=person_id, name=name, email=email, organisation=entity.organisation_id))
        # Every attempt is kept, with its day and score: a failed one too (the guards count only the passed ones).
        repos.people.save_registration(entity_id, registration)
        if not verdict.registered:
            repos.audit_trail.append(
                actor(),
                "coordinator.refused",
                f"entity:{entity_id}",
                {**registration.model_dump(mode="json"), "explanation": verdict.explanation.to_dict()},
            )
        else:
            repos.people.grant(
                RoleGrant(person_id=person_id, entity_id=entity_id, role=Role.COORDINATOR, location_id=location_id)
            )
            repos.audit_trail.append(
                actor(), "coordinator.registered", f"entity:{entity_id}", registration.model_dump(mode="json")
            )
    if not verdict.registered:
        raise CxcertError(
            f"{verdict.explanation.summary} (rule set {rule_set.id}); the attempt is kept: "
            f"`cxcert coordinator list --entity {entity_id}`"
        )
    if json_out:
        print_json(
            {
                "registered": True,
                "registration": registration.model_dump(mode="json"),
                "explanation": verdict.explanation.to_dict(),
            }
        )
    else:
        console.print(verdict.explanation.render(), highlight=False)


@coordinator_app.command("list")
def list_coordinators(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List an entity's registered coordinators, every exam attempt (failed ones too), and the locations still
    without a coordinator.

    Example:  cxcert coordinator list --entity acme-care
    """
    from cxcert.certification.registration import check_registration, locations_without_coordinator
    from cxcert.standards import library

    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        attempts = repos.people.registrations(entity_id)
        names = {p.id: p.name for p in repos.people.list_people()}
    rule_set = library.rule_set(entity.rule_set_id)
    verdicts = [check_registration(a, rule_set) for a in attempts]
    registered = [a for a, v in zip(attempts, verdicts, strict=True) if v.registered]
    missing = locations_without_coordinator(entity, attempts, rule_set)
    if json_out:
        print_json(
            {
                "registrations": [r.model_dump(mode="json") for r in registered],
                "exam_attempts": [
                    {**a.model_dump(mode="json"), "passed": v.registered, "explanation": v.explanation.summary}
                    for a, v in zip(attempts, verdicts, strict=True)
                ],
                "locations_without_coordinator": list(missing),
            }
        )
        return
    print_table(
        f"coordinators of {entity_id}",
        ("person", "name", "location", "exam score", "exam on"),
        [
            (r.person_id, names.get(r.person_id, ""), r.location_id, f"{r.exam_score:.0%}", r.exam_taken_on)
            for r in registered
        ],
    )
    if len(registered) < len(attempts):
        print_table(
            f"exam attempts of {entity_id} (every one, in the order taken; pass mark "
            f"{rule_set.coordinator_exam_pass_mark:.0%})",
            ("person", "location", "class on", "exam on", "score", "result"),  # names: in the table above
            [
                (
                    a.person_id,
                    a.location_id,
                    a.class_attended_on,
                    a.exam_taken_on,
                    f"{a.exam_score:.0%}",
                    "passed" if v.registered else "[red]not passed[/]",
                )
                for a, v in zip(attempts, verdicts, strict=True)
            ],
        )
    if missing:
        console.print(f"Locations still without a registered coordinator: {', '.join(missing)}", highlight=False)
