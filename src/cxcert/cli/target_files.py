"""The workspace's targets: one validated YAML file per entity, ``CXCERT_HOME/targets/ENTITY.yaml``.

A file (not a table) so targets stay readable, diffable and editable like the packaged examples, without a
database migration. Every write goes through the same validation as an import and is swapped in atomically;
every read is validated again, with file and line, in case someone edited the file by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cxcert.errors import CxcertError
from cxcert.home import cxcert_home

if TYPE_CHECKING:  # pydantic models and the KPI catalogue load only when a command runs
    from cxcert.certification.entity import Entity
    from cxcert.performance.targets import TargetBook, TargetEntry

_FILE_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LONGEST_ID = 100  # an entity id's own limit, well within a file name's 255 bytes
HEADER = (
    "Targets of entity {entity}, kept by cxcert (edit with `cxcert targets set|import`; format: docs/performance.md).\n"
    "values: {{valid-from date: target}}; a value holds until the next date. Shares are fractions 0..1."
)


def targets_path(entity_id: str) -> Path:
    if not _FILE_SAFE.fullmatch(entity_id) or len(entity_id) > _LONGEST_ID:
        raise CxcertError(f"entity id {entity_id!r} cannot name a targets file")
    return cxcert_home() / "targets" / f"{entity_id}.yaml"


def _names_entity(entity_id: str) -> Callable[[TargetEntry], list[str]]:
    from cxcert.performance.targets import ANY

    def check(entry: TargetEntry) -> list[str]:
        if entry.entity in (ANY, entity_id):
            return []
        return [f"entity: this file holds the targets of {entity_id}, not of {entry.entity}"]

    return check


def load_entity_targets(entity_id: str) -> TargetBook | None:
    """The entity's stored targets (None when it has none), validated with file and line."""
    from cxcert.limits import read_yaml_file
    from cxcert.performance.targets import check_entries, parse_targets

    path = targets_path(entity_id)
    if not path.is_file():
        return None
    text = read_yaml_file(path, "targets")
    book = parse_targets(text, where=str(path))
    check_entries(text, book, _names_entity(entity_id), where=str(path))
    return book


def save_entity_targets(entity_id: str, book: TargetBook) -> Path:
    """Write the entity's targets (atomically, so a crash leaves the previous file whole)."""
    from cxcert.performance.targets import targets_yaml
    from cxcert.reports.atomic import write_atomically

    path = targets_path(entity_id)
    text = targets_yaml(book, header=HEADER.format(entity=entity_id))
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


@dataclass(frozen=True)
class TargetsInUse:
    """The targets a command judges by, and where they came from (said to the user when not the entity's)."""

    book: TargetBook
    origin: str  # "stored", "file" or "packaged"
    where: str
    note: str


def _known_program_for(entity: Entity) -> Callable[[TargetEntry], list[str]]:
    """Entries of a shared file that apply to ``entity`` must name a program it runs (or '*')."""
    from cxcert.performance.targets import ANY

    known = known_programs(entity)

    def check(entry: TargetEntry) -> list[str]:
        if entry.entity not in (ANY, entity.id) or entry.program == ANY or not known or entry.program in known:
            return []
        return [f"program: {entity.id} runs no program {entry.program!r}; known: {', '.join(sorted(known))}"]

    return check


def targets_in_use(entity: Entity, targets_file: Path | None = None) -> TargetsInUse:
    """``targets_file`` when given, else the entity's stored targets, else the packaged examples (said so)."""
    from cxcert.limits import read_yaml_file
    from cxcert.performance.targets import check_entries, default_targets, parse_targets

    entity_id = entity.id
    if targets_file is not None:
        if not targets_file.is_file():
            raise CxcertError(f"no targets file at {targets_file}")
        text = read_yaml_file(targets_file, "targets")
        book = parse_targets(text, where=str(targets_file))
        check_entries(text, book, _known_program_for(entity), where=str(targets_file))
        return TargetsInUse(book, "file", str(targets_file), f"targets from {targets_file}")
    stored = load_entity_targets(entity_id)
    if stored is not None:
        path = targets_path(entity_id)
        return TargetsInUse(stored, "stored", str(path), f"targets of {entity_id} from {path}")
    note = (
        f"{entity_id} has no stored targets: judged against cxcert's packaged example targets; "
        f"set the entity's own with `cxcert targets set|import --entity {entity_id}`"
    )
    return TargetsInUse(default_targets(), "packaged", "cxcert/performance/data/targets.yaml", note)


def known_programs(entity: Entity) -> frozenset[str]:
    """Programs the entity is known to run: its clients' programs and those in its warehouse data."""
    from cxcert.canonical import TABLES
    from cxcert.warehouse import Warehouse

    programs = {p for client in entity.clients for p in client.programs}
    warehouse = Warehouse.default()
    for name in TABLES:
        if not warehouse.files(name, entity.id):
            continue
        column = warehouse.table(name, entity.id).select("program").distinct().to_pyarrow().column(0)
        programs.update(str(p) for p in column.to_pylist() if p is not None)
    return frozenset(programs)
