"""`cxcert entity create|list|show|edit`: define the entity seeking certification (docs/domain.md section 3, step 1)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, print_json, print_mapping, print_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError

if TYPE_CHECKING:  # the domain models are pydantic: they load only when a command runs
    from pydantic import ValidationError

    from cxcert.certification.entity import Entity, Location, Organisation, Process, Service

entity_app = typer.Typer(
    help="Define, list, show and edit the entities seeking certification (company, locations, services).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(entity_app, name="entity")


def parse_location(text: str) -> Location:
    """``id:name:CC:Area/Zone`` (e.g. ``lon:London:GB:Europe/London``) as a location."""
    parts = text.split(":")
    if len(parts) != 4 or not all(p.strip() for p in parts):
        raise CxcertError(f"--location {text!r}: write id:name:CC:Area/Zone, e.g. lon:London:GB:Europe/London")
    from pydantic import ValidationError

    from cxcert.certification.entity import Location

    loc_id, name, country, zone = (p.strip() for p in parts)
    try:
        return Location(id=loc_id, name=name, country=country, time_zone=zone)
    except ValidationError as exc:
        raise CxcertError(f"--location {text!r}: {first_error(exc)}") from None


def first_error(exc: ValidationError) -> str:
    """pydantic's first error as ``field: message``, without its 'Value error, ' prefix."""
    first = exc.errors(include_url=False)[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    field = ".".join(map(str, first["loc"]))
    return f"{field}: {message}" if field else message


def parse_service(text: str) -> Service:
    from cxcert.certification.entity import Service

    try:
        return Service(text.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in Service)
        raise CxcertError(f"--service {text!r} is not a service; known: {known}") from None


def check_standard_and_rule_set(entity: Entity) -> Entity:
    """The entity with its standard named by URN, refused if the rule set is not for that standard."""
    from cxcert.standards import library

    standard = library.standard(entity.standard_urn)
    rules = library.rule_set(entity.rule_set_id)
    if rules.standard != standard.key:
        raise CxcertError(
            f"rule set {rules.id} is for {rules.standard.urn}, not {standard.key.urn}; "
            f"pick a rule set for the entity's standard"
        )
    return entity.model_copy(update={"standard_urn": standard.key.urn, "rule_set_id": rules.id})


def entity_json(entity: Entity) -> dict[str, object]:
    return entity.model_dump(mode="json")


def show_entity(entity: Entity, organisation: Organisation | None) -> None:
    """Print an entity as Rich tables (summary, locations, scope)."""
    print_mapping(
        f"entity {entity.id}",
        {
            "name": entity.name,
            "organisation": f"{organisation.name} ({organisation.id})" if organisation else entity.organisation_id,
            "standard": entity.standard_urn,
            "rule set": entity.rule_set_id,
            "services": ", ".join(s.value for s in entity.services) or "-",
            "functions": ", ".join(entity.functions) or "-",
            "KCRPs": "; ".join(map(_with_programs, entity.kcrps())) or "-",
            "KSPs": "; ".join(map(_with_programs, entity.ksps())) or "-",
            "key suppliers": ", ".join(k.name for k in entity.key_suppliers) or "-",
            "clients": ", ".join(c.name for c in entity.clients) or "-",
        },
    )
    print_table(
        "locations",
        ("id", "name", "country", "time zone", "programs", "queues"),
        [
            (loc.id, loc.name, loc.country, loc.time_zone, ", ".join(loc.programs) or "-", ", ".join(loc.queues) or "-")
            for loc in entity.locations
        ],
    )


def _with_programs(process: Process) -> str:
    return f"{process.name} ({', '.join(process.programs)})" if process.programs else process.name


@entity_app.command("create")
def create(
    entity_id: str | None = typer.Option(None, "--id", help="Entity id, e.g. acme-care."),
    name: str | None = typer.Option(None, "--name", help="Entity name, e.g. 'Acme Customer Care'."),
    organisation: str | None = typer.Option(None, "--organisation", help="Organisation id; created if new."),
    organisation_name: str | None = typer.Option(None, "--organisation-name", help="Name of a new organisation."),
    country: str | None = typer.Option(
        None, "--country", help="Head-office country (ISO alpha-2) of a new organisation; default: first location's."
    ),
    standard: str = typer.Option(
        "copc-2000-csp", "--standard", help="Standard URN or packaged name (see `cxcert standard list`)."
    ),
    rule_set: str = typer.Option("copc-2000-founding", "--rule-set", help="Rule set id the entity is decided by."),
    locations: list[str] = typer.Option(
        [], "--location", help="id:name:CC:Area/Zone, repeatable, e.g. lon:London:GB:Europe/London."
    ),
    services: list[str] = typer.Option([], "--service", help="A service in scope, repeatable."),
    functions: list[str] = typer.Option([], "--function", help="A department in scope, repeatable."),
    from_file: Path | None = typer.Option(None, "--from-file", help="Read the whole entity from a YAML file."),
    on: str | None = typer.Option(None, "--on", help="Day the entity is defined (YYYY-MM-DD); default today."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Create (or redefine) an entity: what is certified, where, and against which standard and rule set.

    Example:

      cxcert entity create --id acme-care --name "Acme Customer Care" --organisation acme
      --location lon:London:GB:Europe/London --location "cpt:Cape Town:ZA:Africa/Johannesburg"
      --service inbound_customer_service

    Or from a file (keys: organisation {id, name, country}, entity {id, organisation_id, name, standard_urn,
    rule_set_id, locations, services, functions, processes, key_suppliers, clients}; docs/entity-file.md explains
    every field, with a complete example):

      cxcert entity create --from-file entity.yaml

    In a file, a process (KCRP or KSP) may name the programs it serves, `programs: [retail_banking]`, so the
    evidence summary table shows the KCRP of each program; a location may name the programs and queues it
    handles, `programs: [card_services]`, `queues: [rb_email]`, so each contact is counted on its own site's
    clock (a queue's site wins over its program's; a program or queue has one site). Program and queue ids are
    the `program` and `queue` values of the ingested data.
    """
    from pydantic import ValidationError

    from cxcert.certification.engagement import Engagement
    from cxcert.certification.entity import Entity, Organisation
    from cxcert.cli.entity_file import load_entity_file

    new_org: Organisation | None = None
    if from_file is not None:
        loaded = load_entity_file(from_file)
        entity, new_org = loaded.entity, loaded.organisation
    else:
        missing = [opt for opt, v in (("--id", entity_id), ("--name", name), ("--organisation", organisation)) if not v]
        if missing or not locations:
            needed = ", ".join([*missing, *([] if locations else ["--location"])])
            raise CxcertError(f"entity create needs {needed} (or --from-file FILE.yaml); see --help")
        assert entity_id and name and organisation
        parsed_locations = tuple(parse_location(text) for text in locations)
        try:
            entity = Entity(
                id=entity_id,
                organisation_id=organisation,
                name=name,
                standard_urn=standard,
                rule_set_id=rule_set,
                locations=parsed_locations,
                services=tuple(parse_service(s) for s in services),
                functions=tuple(functions),
            )
        except ValidationError as exc:
            raise CxcertError(f"entity: {first_error(exc)}") from None
        if organisation_name or country:
            try:
                new_org = Organisation(
                    id=organisation,
                    name=organisation_name or organisation,
                    country=country or entity.locations[0].country,
                )
            except ValidationError as exc:
                raise CxcertError(f"organisation: {first_error(exc)}") from None
    entity = check_standard_and_rule_set(entity)
    with workspace() as repos:
        orgs = repos.organisations
        previous = orgs.find_entity(entity.id)
        if previous is not None and previous.organisation_id != entity.organisation_id:
            raise CxcertError(
                f"entity {entity.id!r} belongs to organisation {previous.organisation_id!r}, not "
                f"{entity.organisation_id!r}; an entity does not move between organisations (pick another --id)"
            )
        existing_org = orgs.find_organisation(entity.organisation_id)
        if new_org is not None:
            if new_org.id != entity.organisation_id:
                raise CxcertError(f"organisation {new_org.id!r} is not the entity's ({entity.organisation_id!r})")
            orgs.save_organisation(new_org)
        elif existing_org is None:
            orgs.save_organisation(
                Organisation(
                    id=entity.organisation_id, name=entity.organisation_id, country=entity.locations[0].country
                )
            )
        existed = previous is not None
        orgs.save_entity(entity)
        if repos.engagements.find_engagement(entity.id) is None:
            # Defining the entity is step 1 of the process: the engagement starts here.
            repos.engagements.save_engagement(Engagement.start(entity.id, parse_date(on, "--on"), by=actor()))
        repos.audit_trail.append(
            actor(), "entity.updated" if existed else "entity.created", f"entity:{entity.id}", entity_json(entity)
        )
        org = orgs.get_organisation(entity.organisation_id)
    if json_out:
        print_json({"created": not existed, "organisation": org.model_dump(mode="json"), "entity": entity_json(entity)})
    else:
        console.print(f"{'Updated' if existed else 'Created'} entity [bold]{entity.id}[/]")
        show_entity(entity, org)


@entity_app.command("list")
def list_entities(json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List every entity with its organisation, standard, rule set and locations.

    Example:  cxcert entity list --json
    """
    with workspace() as repos:
        entities = repos.organisations.list_entities()
    if json_out:
        print_json([entity_json(e) for e in entities])
        return
    print_table(
        "entities",
        ("id", "name", "organisation", "standard", "rule set", "locations"),
        [
            (e.id, e.name, e.organisation_id, e.standard_urn, e.rule_set_id, ", ".join(loc.id for loc in e.locations))
            for e in entities
        ],
    )
    if not entities:
        console.print("No entity yet: create one with `cxcert entity create --help`, or run `cxcert demo`.")


@entity_app.command("show")
def show(
    entity_id: str = typer.Argument(..., help="The entity id."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Show one entity: organisation, standard, rule set, locations and scope.

    Example:  cxcert entity show acme-care
    """
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        org = repos.organisations.find_organisation(entity.organisation_id)
    if json_out:
        print_json({"organisation": org.model_dump(mode="json") if org else None, "entity": entity_json(entity)})
    else:
        show_entity(entity, org)


@entity_app.command("edit")
def edit(
    entity_id: str = typer.Argument(..., help="The entity to edit."),
    from_file: Path | None = typer.Option(
        None, "--from-file", help="A YAML entity file; the fields its `entity:` gives replace the entity's."
    ),
    name: str | None = typer.Option(None, "--name", help="A new name."),
    standard: str | None = typer.Option(None, "--standard", help="Another standard (URN or packaged name)."),
    rule_set: str | None = typer.Option(None, "--rule-set", help="Another rule set (for the entity's standard)."),
    add_locations: list[str] = typer.Option([], "--add-location", help="id:name:CC:Area/Zone, repeatable."),
    remove_locations: list[str] = typer.Option([], "--remove-location", help="A location id, repeatable."),
    add_services: list[str] = typer.Option([], "--add-service", help="A service in scope, repeatable."),
    remove_services: list[str] = typer.Option([], "--remove-service", help="A service, repeatable."),
    add_functions: list[str] = typer.Option([], "--add-function", help="A department in scope, repeatable."),
    remove_functions: list[str] = typer.Option([], "--remove-function", help="A department, repeatable."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Edit an entity already defined: from a file (the fields it gives replace the entity's) and/or options.

    The id and the organisation stay (every record points to them). The edited entity is checked as a whole
    (one site per program and queue, a rule set for its standard...) and the change goes into the audit trail
    with the fields that changed. docs/entity-file.md explains every field of the file.

    Example:  cxcert entity edit acme-care --name "Acme Care Europe" --add-location "dub:Dublin:IE:Europe/Dublin"

    Example:  cxcert entity edit acme-care --from-file entity.yaml
    """
    from cxcert.certification.entity_edit import EntityEdit, apply_edit
    from cxcert.cli.entity_file import load_entity_edit

    with workspace() as repos:
        orgs = repos.organisations
        current = orgs.get_entity(entity_id)
        replace: dict[str, object] = {}
        new_org = None
        if from_file is not None:
            replace, new_org = load_entity_edit(from_file, current)
            if new_org is not None and new_org.id != current.organisation_id:
                raise CxcertError(f"organisation {new_org.id!r} is not the entity's ({current.organisation_id!r})")
        change = EntityEdit(
            replace=replace,
            name=name,
            standard_urn=standard,
            rule_set_id=rule_set,
            add_locations=tuple(parse_location(t) for t in add_locations),
            remove_locations=tuple(remove_locations),
            add_services=tuple(parse_service(s) for s in add_services),
            remove_services=tuple(parse_service(s) for s in remove_services),
            add_functions=tuple(f.strip() for f in add_functions),
            remove_functions=tuple(f.strip() for f in remove_functions),
        )
        edited = check_standard_and_rule_set(apply_edit(current, change)[0])  # the standard by its URN
        changed = tuple(k for k in type(edited).model_fields if getattr(edited, k) != getattr(current, k))
        if new_org is not None and new_org != orgs.find_organisation(new_org.id):
            orgs.save_organisation(new_org)
            repos.audit_trail.append(
                actor(), "organisation.updated", f"organisation:{new_org.id}", new_org.model_dump(mode="json")
            )
        if changed:
            orgs.save_entity(edited)
            repos.audit_trail.append(
                actor(), "entity.updated", f"entity:{edited.id}", {"changed": list(changed), **entity_json(edited)}
            )
        org = orgs.get_organisation(edited.organisation_id)
    if json_out:
        organisation = org.model_dump(mode="json")
        print_json({"changed": list(changed), "organisation": organisation, "entity": entity_json(edited)})
        return
    if changed:
        console.print(f"Updated entity [bold]{edited.id}[/]: {', '.join(changed)}", highlight=False)
    else:
        console.print(f"Entity [bold]{edited.id}[/] already says so: nothing changed", highlight=False)
    show_entity(edited, org)
