"""`cxcert kickoff record|list`: the on-site kickoff, one session per audience (docs/domain.md section 3 step 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the domain (pydantic models) loads only when a command runs
    from cxcert.certification.people import KickoffCheck

kickoff_app = typer.Typer(
    help="Record the kickoff sessions held on site (executives, centre managers, implementation team) and list "
    "them against the founding document's durations.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(kickoff_app, name="kickoff")


def _check_json(check: KickoffCheck) -> dict[str, object]:
    return {
        **check.session.model_dump(mode="json"),
        "within_guide": check.within_guide,
        "explanation": check.explanation.to_dict(),
    }


@kickoff_app.command("record")
def record(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    audience: str = typer.Option(..., "--audience", help="executives, centre_managers or implementation_team."),
    hours: float = typer.Option(..., "--hours", help="How long the session lasted, in hours (e.g. 2 or 4.5)."),
    on: str | None = typer.Option(None, "--on", help="Day of the session (YYYY-MM-DD); default today."),
    attendees: list[str] = typer.Option([], "--attendee", help="Who attended: a person id or a name, repeatable."),
    replace: bool = typer.Option(
        False, "--replace", help="Replace the session already recorded for this audience on this day."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record one kickoff session; its length is compared with the guide (executives about 2 h, centre managers
    about 4 h, implementation team 4-8 h): outside it is noted, not refused.

    Recording the same session twice stores it once. The engagement step kickoff_held needs at least one session.

    Example:  cxcert kickoff record --entity acme-care --on 2026-01-06 --audience executives --hours 2
    --attendee dana --attendee omar
    """
    from pydantic import ValidationError

    from cxcert.certification.people import KickoffAudience, KickoffSession, check_kickoff_session
    from cxcert.cli.entity import first_error

    try:
        which = KickoffAudience.parse(audience)
    except CxcertError as exc:
        raise CxcertError(f"--audience: {exc.message}") from None
    try:
        session = KickoffSession(
            audience=which,
            held_on=parse_date(on, "--on"),
            duration_hours=hours,
            attendees=tuple(a.strip() for a in attendees if a.strip()),
        )
    except ValidationError as exc:
        raise CxcertError(f"--hours: {first_error(exc).removeprefix('duration_hours: ')}") from None
    check = check_kickoff_session(session)
    stored = True
    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
        same_day = [
            s
            for s in repos.people.kickoff_sessions(entity_id)
            if s.audience is session.audience and s.held_on == session.held_on
        ]
        if same_day == [session]:
            stored = False
        elif same_day and not replace:
            have = same_day[0]
            raise CxcertError(
                f"a kickoff session for {session.audience.value} on {session.held_on.isoformat()} is recorded "
                f"already ({have.duration_hours:g} h); add --replace to replace it"
            )
        else:
            if same_day:
                repos.people.remove_kickoff(entity_id, session.audience, session.held_on)
            repos.people.save_kickoff(entity_id, session)
            repos.audit_trail.append(
                actor(),
                "kickoff.replaced" if same_day else "kickoff.recorded",
                f"entity:{entity_id}",
                {**_check_json(check), "replaced": [s.model_dump(mode="json") for s in same_day]},
            )
    if json_out:
        print_json({"entity_id": entity_id, "stored": stored, **_check_json(check)})
        return
    console.print(check.explanation.render(), markup=False, highlight=False)
    if not stored:
        console.print("Already recorded: nothing stored.", highlight=False)


@kickoff_app.command("list")
def list_sessions(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List an entity's kickoff sessions with each one's guide, and the audiences still without a session.

    Example:  cxcert kickoff list --entity acme-care
    """
    from cxcert.certification.people import audiences_without_session, check_kickoff_session, kickoff_guide

    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
        sessions = repos.people.kickoff_sessions(entity_id)
        names = {p.id: p.name for p in repos.people.list_people()}
    checks = [check_kickoff_session(s) for s in sessions]
    missing = audiences_without_session(sessions)
    if json_out:
        print_json(
            {
                "entity_id": entity_id,
                "sessions": [_check_json(c) for c in checks],
                "audiences_without_session": [a.value for a in missing],
            }
        )
        return
    guide = kickoff_guide()
    print_table(
        f"kickoff of {entity_id}",
        ("held on", "audience", "hours", "guide", "attendees"),
        [
            (
                c.session.held_on,
                c.session.audience.value,
                f"{c.session.duration_hours:g}",
                guide.audiences[c.session.audience].guide + ("" if c.within_guide else " (outside)"),
                ", ".join(names.get(a, a) for a in c.session.attendees),
            )
            for c in checks
        ],
    )
    if missing:
        console.print(f"Audiences without a session yet: {', '.join(a.value for a in missing)}", highlight=False)
