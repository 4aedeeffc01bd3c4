"""A whole directory of canonical tables, as `cxcert generate` writes it (``<table>/part-00000.parquet``...) or
as an export names its files (``<table>.csv``, ``<table>.parquet``): which file holds which table, in the order
they must be ingested (evaluations before their items), and what was left out, said rather than skipped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cxcert.canonical import TABLES
from cxcert.errors import CxcertError

SUFFIXES = (".parquet", ".csv", ".tsv")
"""The file kinds a canonical ingest reads."""


@dataclass(frozen=True)
class DirectoryPlan:
    """The files of a directory to ingest, as (table, file) in ingest order, and the entries left out."""

    root: Path
    files: tuple[tuple[str, Path], ...]
    ignored: tuple[Path, ...]


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def plan_directory(root: Path) -> DirectoryPlan:
    """The canonical files under ``root``: for each table (in :data:`~cxcert.canonical.TABLES` order), every
    data file of the folder ``root/<table>/`` (sorted) and a file ``root/<table>.<csv|tsv|parquet>``. Anything else
    (other names, hidden files, sub-folders) is listed in ``ignored``. A directory with no table is a mistake."""
    if not root.exists():
        raise CxcertError("no such directory", where=str(root))
    if not root.is_dir():
        raise CxcertError("not a directory: give the folder `cxcert generate --out` wrote", where=str(root))
    files: list[tuple[str, Path]] = []
    used: set[Path] = set()
    for table in TABLES:
        folder = root / table
        if folder.is_dir():
            found = _data_files(folder)
            files += [(table, p) for p in found]
            used.add(folder)
        for suffix in SUFFIXES:
            single = root / f"{table}{suffix}"
            if single.is_file():
                files.append((table, single))
                used.add(single)
    ignored = [p for p in sorted(root.iterdir()) if p not in used and not p.name.startswith(".")]
    for folder in (root / t for t in TABLES if (root / t).is_dir()):
        ignored += [p for p in sorted(folder.iterdir()) if p.suffix.lower() not in SUFFIXES and p.name[:1] != "."]
    if not files:
        names = ", ".join(TABLES)
        raise CxcertError(
            f"no canonical table in it: expected folders or files named after the tables ({names}), as "
            "`cxcert generate` writes them",
            where=str(root),
        )
    return DirectoryPlan(root, tuple(files), tuple(ignored))
