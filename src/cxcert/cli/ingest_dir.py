"""`cxcert ingest dir DIR --entity ID`: every canonical table of a directory, one atomic ingest per file, with the
row accounting per file and summed per table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.markup import escape

from cxcert.cli.ingest import form_facts, require_entity, run_ingest
from cxcert.cli.output import console, print_json, print_table
from cxcert.errors import CxcertError

_COUNTS = ("read", "accepted", "rejected")


def ingest_directory(
    directory: str | None, entity: str | None, fmt: str, mapping: Path | None, program: str | None, json_out: bool
) -> None:
    """Ingest every file :func:`~cxcert.ingest.directory.plan_directory` finds; a file whose every row is
    rejected commits nothing and the command ends with exit 2 naming it, after the others are in."""
    from cxcert.ingest.directory import plan_directory

    if directory is None:
        raise CxcertError("missing DIR: cxcert ingest dir DIR --entity ID")
    if entity is None:
        raise CxcertError("missing --entity: which entity (contact centre) does this directory belong to?")
    if fmt.strip().lower() != "canonical" or mapping is not None:
        raise CxcertError("ingest dir reads canonical tables only: leave out --format and --mapping")
    require_entity(entity)
    plan = plan_directory(Path(directory))
    files: list[dict[str, Any]] = []
    for n, (table, path) in enumerate(plan.files, start=1):
        shown = path.relative_to(plan.root).as_posix()
        try:
            result = run_ingest(table, path, entity, "canonical", None, program, form_facts(table),
                                label=f"{n}/{len(plan.files)} {shown}")  # fmt: skip
        except CxcertError as exc:
            done = sum(1 for f in files if not f["skipped"])
            raise CxcertError(
                f"{exc} (stopped at {shown}; {done} earlier file(s) are in, and running the command again skips them)"
            ) from None
        files.append({"table": table, "file": shown, **result.as_json(), "committed": result.committed})
    tables: dict[str, dict[str, int]] = {}
    for f in files:
        total = tables.setdefault(f["table"], {"files": 0, **dict.fromkeys(_COUNTS, 0)})
        total["files"] += 1
        for count in _COUNTS:
            total[count] += f[count]
    refused = [f["file"] for f in files if not f["skipped"] and not f["committed"] and f["read"]]
    ignored = [p.relative_to(plan.root).as_posix() for p in plan.ignored]
    if json_out:
        print_json({"directory": str(plan.root), "entity_id": entity, "files": files, "tables": tables,
                    "ignored": ignored})  # fmt: skip
    else:
        _print(plan.root, files, tables, ignored)
    if refused:
        raise CxcertError(
            f"every row of {', '.join(refused)} was rejected, so nothing of it was committed (the other files are "
            "in); the reasons are in the quarantine files listed"
        )


def _print(root: Path, files: list[dict[str, Any]], tables: dict[str, dict[str, int]], ignored: list[str]) -> None:
    skipped = sum(1 for f in files if f["skipped"])
    print_table(
        f"{root}: {len(files)} files" + (f" ({skipped} already ingested: nothing done)" if skipped else ""),
        ("table", "file", "read", "accepted", "rejected", "quarantine"),
        [(f["table"], f["file"] + (" (already in)" if f["skipped"] else ""), f["read"], f["accepted"], f["rejected"],
          f["quarantine"] or "-") for f in files],
    )  # fmt: skip
    print_table(
        "per table",
        ("table", "files", "read", "accepted", "rejected"),
        [(t, c["files"], c["read"], c["accepted"], c["rejected"]) for t, c in tables.items()],
    )
    if ignored:
        console.print(f"not a canonical table, left out: {escape(', '.join(ignored))}", highlight=False)
