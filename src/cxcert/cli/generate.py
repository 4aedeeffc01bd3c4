"""`cxcert generate`: a synthetic contact centre written as canonical Parquet tables."""

from __future__ import annotations

from pathlib import Path

import typer

from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)


def generate_command(
    out: Path = typer.Option(
        ..., "--out", help="Directory to write (created when missing; tables already in it are replaced)."
    ),
    contacts: int | None = typer.Option(
        None, "--contacts", help="About this many contacts in total (default: the profile's daily volume)."
    ),
    months: int = typer.Option(12, "--months", help="Months to generate from the profile's start date."),
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed gives byte-identical files."),
    entity: str = typer.Option("demo", "--entity", help="entity_id written on every row."),
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

    Example: cxcert generate --out data/demo --contacts 1000000 --seed 7
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cxcert.synth import generate, load_profile

    profile = load_profile(profile_file)
    _prepare(out)
    with Progress(
        TextColumn("[bold]generating[/] days"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=json_out,
    ) as bar:
        task = bar.add_task("days", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = generate(
            out, contacts=contacts, months=months, seed=seed, profile=profile, entity_id=entity, progress=advance
        )
    if json_out:
        print_json(summary.to_dict())
        return
    rows = [(table, f"{summary.rows[table]:,}", summary.parts[table]) for table in summary.rows]
    print_table(
        f"{profile.name}: {summary.first_day} to {summary.last_day}, seed {seed}, in {out}",
        ("table", "rows", "parts"),
        rows,
    )


def _prepare(out: Path) -> None:
    """``--out`` as a directory, created when missing; a file there, or one that cannot be made, is a mistake."""
    if out.exists() and not out.is_dir():
        raise CxcertError("--out must be a directory (it is created when missing), not a file", where=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CxcertError(f"cannot create the --out directory: {exc.strerror}", where=str(out)) from None
