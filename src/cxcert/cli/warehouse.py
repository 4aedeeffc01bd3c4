"""`cxcert warehouse check` and `cxcert warehouse repair`: is the warehouse whole, and mend it when it is not.

The work lives in :mod:`cxcert.warehouse.repair`; this module prints the report. Both exit 1 when an error is
left (a damaged part, a manifest or log that could not be mended), 0 otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from cxcert.cli.output import console, print_json

if TYPE_CHECKING:
    from cxcert.warehouse.repair import Report

warehouse_app = typer.Typer(
    help="Check the warehouse (manifest, ingest log, every part's size and SHA-256, leftovers of killed "
    "processes) and repair it.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(warehouse_app, name="warehouse")


@warehouse_app.command("check")
def check(json_out: bool = typer.Option(False, "--json", help="Print JSON instead of text.")) -> None:
    """Read the whole warehouse and say what is wrong; change nothing.

    Checks that the manifest and the ingest log are there, sound and agree, hashes every committed part against
    the size and SHA-256 recorded at its commit, and lists batch directories no commit names and what killed
    processes left behind. Exits 1 when it finds an error (a damaged part, a lost manifest...), else 0; notes
    (leftovers the next ingest deletes) do not fail it.

    Example:  cxcert warehouse check --json
    """
    from cxcert.warehouse import Warehouse
    from cxcert.warehouse.repair import check as run_check

    warehouse = Warehouse.default()
    _show(run_check(warehouse.root, warehouse.quarantine_dir), json_out)


@warehouse_app.command("repair")
def repair(json_out: bool = typer.Option(False, "--json", help="Print JSON instead of text.")) -> None:
    """Mend the warehouse and say what was done, then check it again.

    Rebuilds a lost, cut or garbled manifest from the ingest log (or the log from the manifest; when both are
    lost, from each batch's batch.json), upgrades an old manifest with each part's size and SHA-256, and deletes
    what killed processes left and batch directories proven never committed or removed. It never deletes a part
    it cannot prove is garbage. A damaged part cannot be mended: it is reported with what to do (remove its
    ingest and ingest its file again). Exits 1 when an error is left, else 0.

    Example:  cxcert warehouse repair
    """
    from cxcert.warehouse import Warehouse
    from cxcert.warehouse.repair import repair as run_repair

    warehouse = Warehouse.default()
    _show(run_repair(warehouse.root, warehouse.quarantine_dir), json_out, repaired=True)


def _show(report: Report, json_out: bool, *, repaired: bool = False) -> None:
    if json_out:
        print_json(report.to_json())
    else:
        for action in report.actions:
            console.print(f"[bold]repaired:[/] {escape(action)}", highlight=False, soft_wrap=True)
        if repaired and not report.actions:
            console.print("nothing to repair", highlight=False)
        for finding in report.findings:
            label = "[bold red]error:[/]" if finding.severity == "error" else "[bold]note:[/]"
            console.print(f"{label} {escape(finding.message)}", highlight=False, soft_wrap=True)
        errors = sum(1 for f in report.findings if f.severity == "error")
        verdict = "ok" if report.ok else _count(errors, "error")
        counts = ", ".join((_count(report.batches, "batch", "batches"), _count(report.parts, "part"),
                            _count(report.rows, "row")))  # fmt: skip
        console.print(
            f"warehouse {escape(str(report.root))}: {counts}: {verdict}",
            highlight=False,
            soft_wrap=True,
        )
    if not report.ok:
        raise typer.Exit(1)


def _count(n: int, one: str, many: str | None = None) -> str:
    """``n`` things, in the singular for one (``1 batch``, ``33,066 rows``)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
