"""`cxcert people add|remove|list`: who takes part in an entity's certification, in which role (docs/domain.md
section 1).

Roles that are a plain fact (lead auditor, auditor, licensee, headquarters, senior management, managers) are
granted here. A coordinator is not named but registered, with a class and an exam at the pass mark, so that stays
`cxcert coordinator register`; `people list` shows everyone, coordinators with their registration.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.output import console, print_json, print_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the domain (pydantic models) loads only when a command runs
    from cxcert.certification.people import CoordinatorRegistration, Person, Role, RoleGrant

people_app = typer.Typer(
    help="Grant (and take back) the roles of a certification (lead auditor, licensee, headquarters, auditor, "
    "managers...) for an entity and list everyone involved, coordinators included.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")


def parse_role(text: str) -> Role:
    from cxcert.certification.people import Role

    try:
        return Role(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise CxcertError(f"--role {text!r} is not a role; roles are {known}") from None


def person_id_from(name: str) -> str:
    """A person id from a name: ``Jordan Ellis`` -> ``jordan-ellis``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise CxcertError(f"--name {name!r} gives no person id; give --person")
    return slug


@people_app.command("add")
def add(
    entity_id: str = typer.Option(..., "--entity", help="The entity the role is for (roles are per entity)."),
    role: str = typer.Option(
        ..., "--role", help="lead_auditor, auditor, licensee, headquarters, senior_management, manager, viewer, admin."
    ),
    name: str | None = typer.Option(None, "--name", help="Full name (needed when the person is new)."),
    person_id: str | None = typer.Option(None, "--person", help="Person id; default from the name (jordan-ellis)."),
    organisation: str | None = typer.Option(
        None,
        "--organisation",
        help="Who they work for; needed for a new person on the certifying side (auditors, licensee, headquarters).",
    ),
    email: str | None = typer.Option(None, "--email", help="E-mail, when the person is new."),
    location_id: str | None = typer.Option(None, "--location", help="The location the role covers, if only one."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Grant a person a role for one entity; a new person is added on the way. Granting it again changes nothing.

    Coordinators register instead (class and exam): `cxcert coordinator register`.

    Example:  cxcert people add --entity acme-care --role lead_auditor --name "Jordan Ellis"
    --organisation "Certifying body"
    """
    from cxcert.certification.people import CERTIFYING_SIDE, Person, RoleGrant, check_grantable

    which = parse_role(role)
    check_grantable(which)
    if person_id is None and name is None:
        raise CxcertError("give --person (an existing person) or --name (a new one)")
    pid = (person_id or person_id_from(name or "")).strip()
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        if location_id is not None and location_id not in {loc.id for loc in entity.locations}:
            known = ", ".join(loc.id for loc in entity.locations)
            raise CxcertError(f"--location {location_id!r} is not a location of {entity_id} ({known})")
        person = repos.people.find_person(pid)
        if person is None:
            if not name:
                raise CxcertError(f"person {pid!r} is new: give their --name")
            if organisation is None and which in CERTIFYING_SIDE:
                raise CxcertError(
                    f"a {which.value} works for the certifying body or its licensee, not {entity.organisation_id}: "
                    "give --organisation"
                )
            person = Person(id=pid, name=name, email=email, organisation=organisation or entity.organisation_id)
            repos.people.save_person(person)
            repos.audit_trail.append(actor(), "person.added", f"person:{pid}", person.model_dump(mode="json"))
        elif name is not None and name.strip() != person.name:
            raise CxcertError(f"person {pid!r} is {person.name!r}, not {name!r}; give another --person for them")
        grant = RoleGrant(person_id=pid, entity_id=entity_id, role=which, location_id=location_id)
        granted = grant not in repos.people.grants(entity_id, pid)
        if granted:
            repos.people.grant(grant)
            repos.audit_trail.append(actor(), "role.granted", f"entity:{entity_id}", grant.model_dump(mode="json"))
    if json_out:
        print_json(
            {"granted": granted, "person": person.model_dump(mode="json"), "grant": grant.model_dump(mode="json")}
        )
        return
    where = f" at {location_id}" if location_id else ""
    if granted:
        console.print(f"{person.name} ({pid}) is {which.value}{where} for {entity_id}", highlight=False, markup=False)
    else:
        console.print(f"{person.name} ({pid}) is {which.value}{where} for {entity_id} already: nothing changed",
                      highlight=False, markup=False)  # fmt: skip


@people_app.command("remove")
def remove(
    entity_id: str = typer.Option(..., "--entity", help="The entity the role was for."),
    person_id: str = typer.Option(..., "--person", help="The person's id (see `cxcert people list`)."),
    role: str = typer.Option(..., "--role", help="The role to take back, as granted."),
    location_id: str | None = typer.Option(None, "--location", help="The location, when it was granted for one."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Take a role back from a person (they leave, or it was granted by mistake). The person stays on record, as
    does the grant in the audit trail; `people list` shows a role the entity's authorities need as missing again.

    Coordinators' registrations are records of a class and an exam, not grants: they are not removed here.

    Example:  cxcert people remove --entity acme-care --person jordan-ellis --role lead_auditor
    """
    from cxcert.certification.people import RoleGrant, check_grantable

    which = parse_role(role)
    check_grantable(which)
    grant = RoleGrant(person_id=person_id, entity_id=entity_id, role=which, location_id=location_id)
    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
        if not repos.people.revoke(grant):
            held = repos.people.grants(entity_id, person_id)
            roles = ", ".join(g.role.value + (f" at {g.location_id}" if g.location_id else "") for g in held)
            raise CxcertError(
                f"{person_id} does not hold {which.value}{f' at {location_id}' if location_id else ''} for "
                f"{entity_id}" + (f" (their roles there: {roles})" if roles else " (no role there)")
            )
        repos.audit_trail.append(actor(), "role.revoked", f"entity:{entity_id}", grant.model_dump(mode="json"))
    if json_out:
        print_json({"revoked": True, "grant": grant.model_dump(mode="json")})
        return
    where = f" at {location_id}" if location_id else ""
    console.print(f"{person_id} is no longer {which.value}{where} for {entity_id}", highlight=False, markup=False)


def _person_json(
    person: Person | None, pid: str, grants: list[RoleGrant], registrations: list[CoordinatorRegistration]
) -> dict[str, object]:
    return {
        "person_id": pid,
        "name": person.name if person else None,
        "email": person.email if person else None,
        "organisation": person.organisation if person else None,
        "roles": [{"role": g.role.value, "location_id": g.location_id} for g in grants],
        "registrations": [r.model_dump(mode="json") for r in registrations],
    }


@people_app.command("list")
def list_people(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List everyone with a role for an entity (coordinators with their registration), and the roles the entity's
    authorities need that nobody holds yet (e.g. headquarters for a location outside the US).

    Example:  cxcert people list --entity acme-care
    """
    from cxcert.certification.authority import authority_for_entity
    from cxcert.certification.people import roles_without_person
    from cxcert.certification.registration import registered_coordinators
    from cxcert.standards import library

    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        grants = repos.people.grants(entity_id)
        # Only the attempts that register count here; `cxcert coordinator list` shows every exam attempt.
        registrations = registered_coordinators(
            repos.people.registrations(entity_id), library.rule_set(entity.rule_set_id)
        )
        ids = list(dict.fromkeys([*(g.person_id for g in grants), *(r.person_id for r in registrations)]))
        people = {pid: repos.people.find_person(pid) for pid in ids}
    authority = authority_for_entity(entity, library.rule_set(entity.rule_set_id))
    needed = (*authority.oversees, *authority.submits_application, *authority.authorises_decision)
    missing = roles_without_person(needed, grants)
    if json_out:
        print_json(
            {
                "entity_id": entity_id,
                "people": [
                    _person_json(
                        people[pid],
                        pid,
                        [g for g in grants if g.person_id == pid],
                        [r for r in registrations if r.person_id == pid],
                    )
                    for pid in ids
                ],
                "authority": {
                    "oversees": list(authority.oversees),
                    "submits_application": list(authority.submits_application),
                    "authorises_decision": list(authority.authorises_decision),
                    "roles_without_person": list(missing),
                },
            }
        )
        return
    rows = []
    for g in grants:
        person = people[g.person_id]
        reg = "-"
        if g.role.value == "coordinator":
            mine = [r for r in registrations if r.person_id == g.person_id and r.location_id == g.location_id]
            reg = ", ".join(f"exam {r.exam_score:.0%} on {r.exam_taken_on}" for r in mine) if mine else "not registered"
        rows.append(
            (
                g.person_id,
                escape(person.name) if person else "",
                escape(person.organisation) if person else "",
                g.role.value,
                g.location_id or "",
                reg,
            )
        )
    print_table(f"people of {entity_id}", ("person", "name", "organisation", "role", "location", "registration"), rows)
    console.print(authority.explanation.summary, highlight=False, markup=False)
    for role_missing in missing:
        how = (
            f"cxcert coordinator register --entity {entity_id} ..."
            if role_missing == "coordinator"
            else f"cxcert people add --entity {entity_id} --role {role_missing} ..."
        )
        console.print(f"Nobody is {role_missing} yet: `{how}`", highlight=False, markup=False)
