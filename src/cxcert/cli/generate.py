"""`cxcert generate`: a synthetic contact centre written as canonical Parquet tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError, Unavailable

if TYPE_CHECKING:
    from cxcert.synth.profile import CentreProfile


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)


def generate_command(
    out: Path = typer.Option(
        ..., "--out", help="Directory to write (created when missing; tables already in it are replaced)."
    ),
    contacts: int | None = typer.Option(
        None, "--contacts", help="About this many contacts in total (default: the profile's daily volume)."
    ),
    months: int | None = typer.Option(
        None, "--months", help="Months to generate from the start date (default: 12, or up to --to)."
    ),
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed gives byte-identical files."),
    entity: str = typer.Option(
        "demo",
        "--entity",
        help="entity_id written on every row; an entity of the workspace also gives its programs and its sites' "
        "time zone.",
    ),
    first_day: str | None = typer.Option(None, "--from", help="First local day (default: the profile's start)."),
    last_day: str | None = typer.Option(None, "--to", help="Last local day, inclusive (default: --months months)."),
    profile_file: Path | None = typer.Option(
        None, "--profile", help="A centre profile YAML (default: the packaged demo centre)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Generate a realistic synthetic contact centre as Parquet, one directory per canonical table.

    Contacts arrive as a non-homogeneous Poisson process with intraday, weekly and monthly shape; waits and
    abandonment follow an Erlang A queue on the agents actually scheduled; handle times are lognormal. Agents,
    rosters, schedules, states, absences, forecasts with error, QA evaluations with critical errors, surveys,
    trainings and costs come with them. The default profile tells a story over 12 months (understaffed months,
    a quality dip, an improving program) so a scorecard built on it has real misses and alerts.

    With --entity naming an entity of the workspace (`cxcert entity create`), the centre is that entity's: its
    programs (those its KCRPs and sites name) take the profile's programs as templates, in order, with queues
    named PROGRAM_CHANNEL, and the clock is the zone of the site serving them (all in one zone). --from/--to
    choose the local days.

    Example: cxcert generate --out data/demo --contacts 1000000 --seed 7

    Example: cxcert generate --out data/acme --entity acme-care --from 2026-01-01 --to 2026-03-31
    """
    from cxcert.cli.dates import optional_date
    from cxcert.cli.progress import steps_bar
    from cxcert.synth import generate, load_profile

    start, end = optional_date(first_day, "--from"), optional_date(last_day, "--to")
    profile, note = _entity_profile(load_profile(profile_file), entity, start)
    n_months = _months(profile.start_date, end, months)
    _prepare(out)
    with steps_bar("generating days", json_out=json_out) as advance:
        summary = generate(
            out, contacts=contacts, months=n_months, seed=seed, profile=profile, entity_id=entity, progress=advance,
            last_day=end,
        )  # fmt: skip
    if json_out:
        print_json(summary.to_dict() | {"time_zone": profile.timezone, "programs": _programs(profile), "note": note})
        return
    rows = [(table, f"{summary.rows[table]:,}", summary.parts[table]) for table in summary.rows]
    print_table(
        f"{profile.name}: {summary.first_day} to {summary.last_day}, seed {seed}, in {out}",
        ("table", "rows", "parts"),
        rows,
    )
    console.print(
        f"{profile.timezone}; " + "; ".join(f"{p}: {', '.join(q)}" for p, q in _programs(profile).items()),
        highlight=False,
        markup=False,
    )
    if note:
        console.print(f"note: {note}", highlight=False, markup=False)


def _programs(profile: CentreProfile) -> dict[str, list[str]]:
    return {p.id: [q.id for q in p.queues] for p in profile.programs}


def _months(start: dt.date, end: dt.date | None, months: int | None) -> int:
    """--months, or the months from ``start`` that reach --to (the run then stops after --to)."""
    from cxcert.synth.calendar import add_months

    if end is None:
        return months if months is not None else 12
    if months is not None:
        raise CxcertError("give --months or --to, not both")
    if end < start:
        raise CxcertError(f"--to {end} is before the first day {start}")
    n = 1
    while add_months(start, n) <= end:
        n += 1
    return n


def _entity_profile(profile: CentreProfile, entity_id: str, start: dt.date | None) -> tuple[CentreProfile, str | None]:
    """The profile fitted to the workspace's entity (its programs, its sites' zone, from ``start``); the packaged
    profile with ``start`` when the workspace does not know the entity, said in the note."""
    from cxcert.cli.site import site_zones, workspace_entity
    from cxcert.synth.entity_profile import fitted_profile

    entity = workspace_entity(entity_id)
    if entity is None:
        fitted = profile if start is None else profile.model_copy(update={"start_date": start})
        return fitted, (
            f"entity {entity_id!r} is not in the workspace: the profile's own programs and zone are used "
            "(create it with `cxcert entity create` to generate its own)"
        )
    named = [p for k in entity.kcrps() for p in k.programs] + [p for loc in entity.locations for p in loc.programs]
    zones = site_zones(entity)
    default = entity.locations[0].time_zone

    def zone_of(program: str) -> str:
        return zones.programs.get(program, zones.default) if zones else default

    fitted = fitted_profile(profile, named, zone_of, start=start)
    declared = sorted({q for loc in entity.locations for q in loc.queues} - {q.id for _, q in fitted.queues})
    note = None
    if not named:
        note = f"entity {entity_id!r} names no program (KCRPs or sites): the profile's programs are used"
    if declared:
        note = (note + "; " if note else "") + (
            f"queues its sites declare are not generated ({', '.join(declared)}): generated queues are PROGRAM_CHANNEL"
        )
    return fitted, note


def _prepare(out: Path) -> None:
    """``--out`` as a directory, created when missing; a file there, or one that cannot be made, is a mistake."""
    if out.exists() and not out.is_dir():
        raise CxcertError("--out must be a directory (it is created when missing), not a file", where=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise CxcertError(f"cannot create the --out directory: {exc.strerror}", where=str(out)) from None
    except OSError as exc:  # read-only, full, forbidden: the file system's doing, not a typo (exit 3)
        raise Unavailable(f"{out}: cannot create the --out directory: {exc.strerror}") from None
