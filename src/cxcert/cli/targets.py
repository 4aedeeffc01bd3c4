"""`cxcert targets set|list|import|export`: an entity's dated targets, kept in its workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.dates import parse_date
from cxcert.cli.output import console, err_console, print_json, print_table
from cxcert.cli.workspace import actor, workspace
from cxcert.errors import CxcertError, ValidationFailed

if TYPE_CHECKING:
    from cxcert.certification.entity import Entity
    from cxcert.performance.targets import Target, TargetEntry, TargetKind

targets_app = typer.Typer(
    help="An entity's dated targets per metric and program (client SLA or internal, with their benchmark).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")


def target_json(t: Target) -> dict[str, object]:
    return {
        "metric": t.metric, "entity": t.entity, "program": t.program, "value": t.value, "kind": t.kind.value,
        "benchmark": t.benchmark, "source": t.source, "valid_from": t.valid_from.isoformat(),
        "valid_until": t.valid_until.isoformat() if t.valid_until else None,
    }  # fmt: skip


def show_value(metric: str, value: float) -> str:
    from cxcert.performance.catalogue import Unit, default_catalogue

    return f"{value:.4g} ({value:.1%})" if default_catalogue().get(metric).unit is Unit.SHARE else f"{value:,.4g}"


def _kind(text: str | None) -> TargetKind | None:
    from cxcert.performance.targets import TargetKind

    if text is None:
        return None
    try:
        return TargetKind(text.strip().lower())
    except ValueError:
        raise CxcertError(f"--kind must be one of {', '.join(k.value for k in TargetKind)}, not {text!r}") from None


def _program_problem(program: str, known: frozenset[str]) -> str | None:
    from cxcert.performance.targets import ANY

    if program == ANY or not known or program in known:
        return None
    return f"unknown program {program!r}; known: {', '.join(sorted(known))} (or '*' for every program)"


def _entry_checker(
    entities: dict[str, Entity | None], programs: dict[str, frozenset[str]], default: str | None
) -> Callable[[TargetEntry], list[str]]:
    """An import's checks per entry: its entity exists (or --entity names it) and its program is known."""
    from cxcert.cli.target_files import known_programs
    from cxcert.performance.targets import ANY

    def check(entry: TargetEntry) -> list[str]:
        entity_id = default if entry.entity == ANY else entry.entity
        if entity_id is None:
            return ["entity: name the entity (entity: ID in the entry, or --entity ID)"]
        if default is not None and entry.entity not in (ANY, default):
            return [f"entity: the entry names {entry.entity}, but --entity is {default}"]
        entity = entities.get(entity_id)
        if entity is None:
            return [f"entity: no entity {entity_id!r} in this workspace"]
        if entity_id not in programs:
            programs[entity_id] = known_programs(entity)
        problem = _program_problem(entry.program, programs[entity_id])
        return [f"program: {problem}"] if problem else []

    return check


@targets_app.command("set")
def set_target(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    metric: str = typer.Option(..., "--metric", help="A KPI catalogue metric id, e.g. service_level."),
    program: str = typer.Option("*", "--program", help="The program (client line of business); '*' for all."),
    value: float = typer.Option(..., "--value", help="The target; shares as fractions 0..1 (0.80, not 80)."),
    valid_from: str = typer.Option(..., "--from", help="First day the value is in force (YYYY-MM-DD)."),
    kind: str | None = typer.Option(
        None, "--kind", help="client_sla or internal (default: the entry's; for a new one internal)."
    ),
    benchmark: str | None = typer.Option(
        None, "--benchmark", help="Where the value comes from (needed for a new metric/program target)."
    ),
    source: str | None = typer.Option(None, "--source", help="The document it is recorded in (contract, plan)."),
    json_out: bool = typer.Option(False, "--json", help="Print the target's history as JSON."),
) -> None:
    """Put a target value in force from a date; earlier values stay as its history.

    Example:  cxcert targets set --entity acme-care --metric service_level --program retail --value 0.85
    --from 2025-07-01 --kind client_sla --benchmark "retail contract, schedule B" --source "contract 2025-114"
    """
    from cxcert.cli.target_files import known_programs, load_entity_targets, save_entity_targets
    from cxcert.performance.catalogue import default_catalogue
    from cxcert.performance.targets import TargetBook, value_problem

    if metric not in default_catalogue().ids():
        raise CxcertError(f"--metric: unknown metric {metric!r}; known: {', '.join(default_catalogue().ids())}")
    problem = value_problem(metric, value)
    if problem:
        raise CxcertError(f"--value: {problem}")
    day = parse_date(valid_from, "--from")
    chosen_kind = _kind(kind)
    with workspace() as repos:
        entity = repos.organisations.get_entity(entity_id)
        program_problem = _program_problem(program, known_programs(entity))
        if program_problem:
            raise CxcertError(f"--program: {program_problem}")
        book = load_entity_targets(entity_id) or TargetBook(())
        if benchmark is None and all(e.key() != (metric, entity_id, program) for e in book.entries):
            raise CxcertError(f"--benchmark: a new target for {metric} / {program} needs where its value comes from")
        try:
            updated = book.with_value(
                metric=metric, entity=entity_id, program=program, valid_from=day, value=value, kind=chosen_kind,
                benchmark=benchmark, source=source,
            )  # fmt: skip
        except ValidationFailed as exc:
            raise CxcertError(exc.message) from None
        history = updated.history(metric, program, entity_id)
        repos.audit_trail.append(
            actor(), "targets.set", f"entity:{entity_id}",
            {"metric": metric, "program": program, "valid_from": day.isoformat(), "value": value},
        )  # fmt: skip
        path = save_entity_targets(entity_id, updated)
    if json_out:
        print_json({"entity_id": entity_id, "file": str(path), "history": [target_json(t) for t in history]})
        return
    console.print(
        f"{metric} / {program} for {entity_id}: {show_value(metric, value)} from {day} (stored in {path})",
        highlight=False,
    )
    _print_history(history)


def _print_history(targets: tuple[Target, ...]) -> None:
    print_table(
        "history",
        ("metric", "program", "from", "until", "target", "kind", "benchmark", "source"),
        [(t.metric, t.program, t.valid_from, t.valid_until or "-", show_value(t.metric, t.value), t.kind.value,
          t.benchmark, t.source or "-") for t in targets],
    )  # fmt: skip


@targets_app.command("list")
def list_targets(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    on: str | None = typer.Option(None, "--on", help="The day to show targets in force on (default today)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The entity's targets in force on a day, and the history of every dated value.

    Example:  cxcert targets list --entity acme-care --on 2025-07-01
    """
    from cxcert.cli.target_files import load_entity_targets, targets_path

    day = parse_date(on, "--on")
    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
    book = load_entity_targets(entity_id)
    if book is None:
        note = (
            f"{entity_id} has no stored targets: `cxcert evidence` judges it against the packaged examples; "
            f"set its own with `cxcert targets set|import --entity {entity_id}`"
        )
        if json_out:
            print_json({"entity_id": entity_id, "on": day.isoformat(), "stored": False, "note": note,
                        "in_force": [], "history": []})  # fmt: skip
        else:
            console.print(note, highlight=False)
        return
    in_force = [
        t for t in book.dated_targets() if t.valid_from <= day and (t.valid_until is None or day < t.valid_until)
    ]
    if json_out:
        print_json({
            "entity_id": entity_id, "on": day.isoformat(), "stored": True, "file": str(targets_path(entity_id)),
            "in_force": [target_json(t) for t in in_force], "history": [target_json(t) for t in book.dated_targets()],
        })  # fmt: skip
        return
    print_table(
        f"targets of {entity_id} in force on {day}",
        ("metric", "program", "target", "kind", "since", "benchmark", "source"),
        [(t.metric, t.program, show_value(t.metric, t.value), t.kind.value, t.valid_from, t.benchmark,
          t.source or "-") for t in in_force],
    )  # fmt: skip
    _print_history(book.dated_targets())


@targets_app.command("import")
def import_targets(
    path: Path = typer.Argument(..., help="A targets YAML file (format: docs/performance.md)."),
    entity_id: str | None = typer.Option(
        None, "--entity", help="The entity for entries that name none (entity: '*' or absent)."
    ),
    replace: bool = typer.Option(False, "--replace", help="Replace the entities' stored targets instead of merging."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Import targets from YAML into the entities' stored targets, after checking every entry.

    Each entry replaces the stored entry for the same metric and program (its whole dated history); the rest
    stay, unless --replace. Unknown metrics, programs or entities, and shares written as percents, are refused
    with the file's line; nothing is stored unless every entry is valid.

    Example:  cxcert targets import acme-targets.yaml --entity acme-care
    """
    from cxcert.cli.target_files import load_entity_targets, save_entity_targets
    from cxcert.limits import read_yaml_file
    from cxcert.performance.targets import ANY, TargetBook, check_entries, parse_targets

    if not path.is_file():
        raise CxcertError(f"no targets file at {path}")
    text = read_yaml_file(path, "targets")
    book = parse_targets(text, where=str(path))
    report: dict[str, dict[str, int]] = {}
    with workspace() as repos:
        ids = {e.entity for e in book.entries if e.entity != ANY} | ({entity_id} if entity_id else set())
        entities = {i: repos.organisations.find_entity(i) for i in ids}
        check_entries(text, book, _entry_checker(entities, {}, entity_id), where=str(path))
        by_entity: dict[str, list[TargetEntry]] = {}
        for entry in book.entries:
            owner = entity_id if entry.entity == ANY else entry.entity
            assert owner is not None  # checked above
            by_entity.setdefault(owner, []).append(entry.model_copy(update={"entity": owner}))
        for owner, entries in sorted(by_entity.items()):
            stored = None if replace else load_entity_targets(owner)
            incoming = TargetBook(entries, book.source_note)
            merged = incoming if stored is None else stored.merged(incoming)
            old = {e.key(): e for e in (stored.entries if stored else ())}
            report[owner] = {
                "entries": len(entries),
                "new": sum(1 for e in entries if e.key() not in old),
                "replaced": sum(1 for e in entries if e.key() in old and old[e.key()] != e),
                "unchanged": sum(1 for e in entries if old.get(e.key()) == e),
            }
            repos.audit_trail.append(
                actor(), "targets.imported", f"entity:{owner}", {"file": path.name, "replace": replace, **report[owner]}
            )
            save_entity_targets(owner, merged)
    if json_out:
        print_json({"file": str(path), "replace": replace, "entities": report})
        return
    for owner, counts in report.items():
        console.print(
            f"{owner}: {counts['entries']} target entries imported ({counts['new']} new, {counts['replaced']} "
            f"replaced, {counts['unchanged']} unchanged)" + ("; earlier targets replaced" if replace else ""),
            highlight=False,
        )


@targets_app.command("export")
def export_targets(
    entity_id: str = typer.Option(..., "--entity", help="The entity."),
    out: Path | None = typer.Option(None, "--out", help="Write the YAML here (default: print it)."),
    json_out: bool = typer.Option(False, "--json", help="Print the targets as JSON instead of YAML."),
) -> None:
    """Export the entity's stored targets as YAML that `cxcert targets import` reads back.

    Example:  cxcert targets export --entity acme-care --out acme-targets.yaml
    """
    from cxcert.cli.target_files import HEADER, load_entity_targets
    from cxcert.performance.targets import targets_yaml
    from cxcert.reports.atomic import write_atomically

    with workspace() as repos:
        repos.organisations.get_entity(entity_id)
    book = load_entity_targets(entity_id)
    if book is None:
        raise CxcertError(f"{entity_id} has no stored targets; set them with `cxcert targets set|import`")
    if json_out:
        payload: dict[str, object] = {"entity_id": entity_id, "targets": [target_json(t) for t in book.dated_targets()]}
        if out is not None:
            payload["file"] = str(out)
    text = targets_yaml(book, header=HEADER.format(entity=entity_id))
    if out is not None:
        write_atomically(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if json_out:
        print_json(payload)
    elif out is not None:
        err_console.print(f"Wrote {len(book.entries)} target entries of {entity_id} to {out}", highlight=False)
    else:
        typer.echo(text, nl=False)
