"""`cxcert ingest KIND FILE`: operational data into the warehouse, every row accounted for; `cxcert ingest log`.

The work lives in :mod:`cxcert.ingest`; this module parses options, shows a progress bar and prints the row
accounting. Heavy imports (pyarrow, duckdb) happen inside the command so that `cxcert --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.output import console, err_console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    from cxcert.ingest.pipeline import IngestResult


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    kind: str = typer.Argument(
        ...,
        help="What the file holds: contacts, forecasts, schedules, agent_states, evaluations, evaluation_items, "
        "surveys, roster, absences, trainings, costs; or `log` to list past ingests.",
    ),
    file: Path | None = typer.Argument(None, help="The CSV, TSV or Parquet file to ingest."),
    entity: str | None = typer.Option(None, "--entity", help="The entity (contact centre) the data belongs to."),
    fmt: str = typer.Option(
        "canonical", "--format", help="canonical (canonical columns), csv or parquet (with --mapping), technion."
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help="Column-mapping YAML for --format csv/parquet."),
    program: str | None = typer.Option(None, "--program", help="Program (client line of business) of the rows."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Load a file into the warehouse: rows read = accepted + rejected, rejected rows go to a quarantine file.

    Re-ingesting the same file (same content and options) is a no-op; an ingest that fails or is killed leaves
    the warehouse as it was. Files of any size are streamed in bounded memory.

    Examples:

      cxcert ingest contacts calls-1999-02.tsv --entity bank --format technion

      cxcert ingest contacts acd-export.csv --entity paris --format csv --mapping acd.yaml --program care

      cxcert ingest surveys surveys.parquet --entity paris --program care --json

      cxcert ingest log --json
    """
    if kind.strip().lower() == "log":
        _log(json_out)
        return
    from cxcert.ingest.kinds import check_format, table_for_kind

    table = table_for_kind(kind)
    check_format(fmt, table)
    if file is None:
        raise CxcertError("missing FILE: cxcert ingest KIND FILE --entity ID")
    if entity is None:
        raise CxcertError("missing --entity: which entity (contact centre) does this file belong to?")
    result = _run(table, file, entity, fmt, mapping, program)
    if json_out:
        print_json(result.as_json())
        return
    accounting = result.accounting
    title = f"{result.table} from {file.name}" + (" (already ingested: nothing done)" if result.skipped else "")
    print_table(
        title,
        ("read", "accepted", "rejected", "quarantine"),
        [(accounting.read, accounting.accepted, accounting.rejected, accounting.quarantine or "-")],
    )


def _run(table: str, file: Path, entity: str, fmt: str, mapping: Path | None, program: str | None) -> IngestResult:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from cxcert.ingest.pipeline import ingest_file
    from cxcert.warehouse import Warehouse

    warehouse = Warehouse.default()
    with Progress(
        TextColumn("[bold]ingest[/] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(file.name, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return ingest_file(
            warehouse, table, file, entity_id=entity, fmt=fmt, mapping=mapping, program=program, progress=advance
        )


def _log(json_out: bool) -> None:
    from cxcert.warehouse import Warehouse

    records = Warehouse.default().ingests()
    if json_out:
        print_json([r.to_json() for r in records])
        return
    if not records:
        console.print("No ingest yet. Try: cxcert ingest contacts FILE --entity ID --format canonical")
        return
    print_table(
        "ingests (cxcert ingest log --json for quarantine files and fingerprints)",
        ("when (UTC)", "kind", "entity", "file", "read", "accepted", "rejected"),
        [
            (f"{r.committed_at:%Y-%m-%d %H:%M}", r.table, r.entity_id, r.source, r.read, r.accepted, r.rejected)
            for r in records
        ],
    )
