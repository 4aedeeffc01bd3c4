"""`cxcert ingest KIND FILE`: operational data into the warehouse, every row accounted for; `cxcert ingest log`
lists past ingests with their ids; `cxcert ingest remove ID --yes` takes one back out.

The work lives in :mod:`cxcert.ingest` and :mod:`cxcert.warehouse`; this module checks that the entity exists in
the workspace, parses options, shows a progress bar and prints the row accounting. Heavy imports (pyarrow,
duckdb, the store) happen inside the command so that `cxcert --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cxcert.cli.output import console, err_console, print_json, print_table
from cxcert.errors import CxcertError

if TYPE_CHECKING:
    from cxcert.ingest.form_checks import FormFacts
    from cxcert.ingest.pipeline import IngestResult
    from cxcert.warehouse import IngestRecord


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)


def ingest(
    kind: str = typer.Argument(
        ...,
        help="What the file holds: contacts, forecasts, schedules, agent_states, evaluations, evaluation_items, "
        "surveys, roster, absences, trainings, costs; or `dir` to ingest a whole directory, `log` to list past "
        "ingests, `remove` to take one out.",
    ),
    file: str | None = typer.Argument(
        None, help="The CSV, TSV or Parquet file to ingest (for `dir`: the directory; for `remove`: the id)."
    ),
    entity: str | None = typer.Option(None, "--entity", help="The entity (contact centre) the data belongs to."),
    fmt: str = typer.Option(
        "canonical", "--format", help="canonical (canonical columns), csv or parquet (with --mapping), technion."
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help="Column-mapping YAML for --format csv/parquet."),
    program: str | None = typer.Option(None, "--program", help="Program (client line of business) of the rows."),
    yes: bool = typer.Option(False, "--yes", help="With `remove`: really remove the ingest."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Load a file into the warehouse: rows read = accepted + rejected, rejected rows go to a quarantine file.

    The entity must exist in the workspace (`cxcert entity create`). A row is rejected when a value does not
    parse or breaks a rule, and when its natural key (contacts: contact_id; see docs/data/mapping.md) is
    already in the warehouse for the entity or repeats an earlier row of the file, so nothing is counted twice.
    Evaluations pinning a QA form cxcert knows (packaged, or yours in CXCERT_HOME/forms/) are checked against
    that form version: dated before its publication, a version that does not exist or a draft is rejected, and
    so is an item whose parameter or error class is not the form's (ingest evaluations before their items).
    Rows pinning a form cxcert does not know are accepted and counted (`unknown_forms` in --json).
    Re-ingesting the same file (same content and options) is a no-op; an ingest that fails or is killed leaves
    the warehouse as it was. When every row is rejected nothing is committed and the command exits with 2,
    pointing at the quarantine file. Files of any size are streamed in bounded memory.

    `cxcert ingest dir DIR --entity ID` ingests a whole directory of canonical tables, as `cxcert generate` writes
    it (DIR/contacts/part-00000.parquet ...) or as an export names them (DIR/contacts.csv ...): each file is its
    own atomic ingest, in an order that checks evaluations before their items; the accounting is shown per file
    and summed per table, files it does not recognise are listed, and running it again is a no-op.

    `cxcert ingest log` lists the ingests with their ids; `cxcert ingest remove ID --yes` removes one (all its
    rows, in one atomic step), for when the wrong file went in.

    Examples:

      cxcert ingest contacts calls-1999-02.tsv --entity bank --format technion

      cxcert ingest contacts acd-export.csv --entity paris --format csv --mapping acd.yaml --program care

      cxcert ingest surveys surveys.parquet --entity paris --program care --json

      cxcert ingest dir data/demo --entity paris

      cxcert ingest log --json

      cxcert ingest remove 3f2a1b9c --yes
    """
    word = kind.strip().lower()
    if word == "log":
        _log(json_out)
        return
    if word == "remove":
        _remove(file, yes, json_out)
        return
    if word == "dir":
        from cxcert.cli.ingest_dir import ingest_directory

        ingest_directory(file, entity, fmt, mapping, program, json_out)
        return
    from cxcert.ingest.kinds import check_format, table_for_kind

    table = table_for_kind(kind)
    check_format(fmt, table)
    if file is None:
        raise CxcertError("missing FILE: cxcert ingest KIND FILE --entity ID")
    if entity is None:
        raise CxcertError("missing --entity: which entity (contact centre) does this file belong to?")
    require_entity(entity)
    path = Path(file)
    result = run_ingest(table, path, entity, fmt, mapping, program, form_facts(table))
    accounting = result.accounting
    if json_out:
        print_json(result.as_json())
    else:
        title = f"{result.table} from {path.name}" + (" (already ingested: nothing done)" if result.skipped else "")
        print_table(
            title,
            ("read", "accepted", "rejected", "quarantine"),
            [(accounting.read, accounting.accepted, accounting.rejected, accounting.quarantine or "-")],
        )
        for line in result.forms.lines() if result.forms is not None else ():
            console.print(f"note: {line}", highlight=False, markup=False)
    if not result.skipped and not result.committed and accounting.read:
        raise CxcertError(
            f"every one of the {accounting.read} rows was rejected, so nothing was committed; "
            f"the reasons are in {accounting.quarantine}"
        )


def require_entity(entity_id: str) -> None:
    """Refuse data for an entity the workspace does not know (a typo would start a second, empty centre)."""
    from cxcert.cli.site import workspace_entity

    if workspace_entity(entity_id) is None:
        raise CxcertError(
            f"unknown entity {entity_id!r}: create it first with `cxcert entity create --id {entity_id} ...` "
            "(`cxcert entity list` shows the entities; a new workspace needs `cxcert init` first)"
        )


def form_facts(table: str) -> FormFacts | None:
    """The QA forms cxcert knows (packaged and CXCERT_HOME/forms/), for the tables whose rows pin one."""
    from cxcert.ingest.form_checks import CHECKED_TABLES, FormFacts

    if table not in CHECKED_TABLES:
        return None
    from cxcert.cli.qa_forms import form_registry

    return FormFacts.of(form_registry())


def run_ingest(
    table: str,
    file: Path,
    entity: str,
    fmt: str,
    mapping: Path | None,
    program: str | None,
    forms: FormFacts | None,
    label: str | None = None,
) -> IngestResult:
    """One file into the warehouse under a progress bar (stderr, on a terminal only) labelled ``label``."""
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
        task = bar.add_task(label or file.name, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return ingest_file(
            warehouse,
            table,
            file,
            entity_id=entity,
            fmt=fmt,
            mapping=mapping,
            program=program,
            progress=advance,
            forms=forms,
        )


def _log(json_out: bool) -> None:
    from cxcert.warehouse import Warehouse

    records = Warehouse.default().ingests()
    if json_out:
        print_json([{"id": r.ingest_id, **r.to_json()} for r in records])
        return
    if not records:
        console.print("No ingest yet. Try: cxcert ingest contacts FILE --entity ID --format canonical")
        return
    print_table(
        "ingests (cxcert ingest remove ID --yes takes one out; --json for quarantine files and fingerprints)",
        ("id", "when (UTC)", "kind", "entity", "file", "read", "accepted", "rejected"),
        [
            (
                r.ingest_id,
                f"{r.committed_at:%Y-%m-%d %H:%M}",
                r.table,
                r.entity_id,
                r.source,
                r.read,
                r.accepted,
                r.rejected,
            )
            for r in records
        ],
    )


def _remove(ingest_id: str | None, yes: bool, json_out: bool) -> None:
    from cxcert.warehouse import Warehouse

    if ingest_id is None:
        raise CxcertError("missing ID: cxcert ingest remove ID --yes (the id column of `cxcert ingest log`)")
    warehouse = Warehouse.default()
    record = warehouse.find_ingest(ingest_id)
    if not yes:
        raise CxcertError(f"this would remove {_describe(record)}; add --yes to remove it")
    removed = warehouse.remove_ingest(record.fingerprint)
    if json_out:
        print_json({"removed": {"id": removed.ingest_id, **removed.to_json()}})
        return
    console.print(f"Removed {_describe(removed)}.")


def _describe(record: IngestRecord) -> str:
    return (
        f"ingest {record.ingest_id}: {record.accepted} {record.table} rows of entity {record.entity_id!r} "
        f"from {record.source}, committed {record.committed_at:%Y-%m-%d %H:%M} UTC"
    )
