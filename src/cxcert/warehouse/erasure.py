"""Erasing one customer: their rows out of an entity's batches in one atomic step, and out of its quarantine files.

The caller gives the customer's keys under each scheme a batch may record (``IngestRecord.key_id``: the
workspace key's id for keyed hashes; None for plain SHA-256 from before keyed hashing). Everything is decided
under the warehouse lock before anything changes: a batch holding customer keys made under a key that was not
given is an error (the customer's rows there could not be recognised), and nothing is erased. Batches holding
the customer are copied without their rows (untouched parts hard-linked, not rewritten) and swapped in by one
manifest replace (:meth:`Warehouse.replace_batches`): a crash leaves the warehouse as it was or fully erased.

Quarantine files of the entity's ingests keep rejected rows, and those hold the customer's keyed hash (or, in
files written before keyed hashing, the number itself): rows where either appears as a whole field are removed,
each file rewritten aside and renamed over the old one.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cxcert.errors import CxcertError
from cxcert.ingest.parts import write_part
from cxcert.ingest.quarantine import quarantine_reader
from cxcert.warehouse.manifest import IngestRecord
from cxcert.warehouse.warehouse import Warehouse, table_schema

KEY_COLUMN = "customer_key"


@dataclass(frozen=True)
class Erasure:
    """What an erasure took out: rows per ingest id, and quarantine rows per file."""

    entity_id: str
    rows: dict[str, int]
    quarantined: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def as_json(self) -> dict[str, object]:
        return {
            "entity": self.entity_id,
            "rows_erased": self.total,
            "ingests": self.rows,
            "quarantine_rows_erased": sum(self.quarantined.values()),
            "quarantine_files": self.quarantined,
        }


def erase_customer(
    warehouse: Warehouse,
    entity_id: str,
    keys: Mapping[str | None, frozenset[str]],
    *,
    raw: frozenset[str] = frozenset(),
    table: str = "contacts",
    apply: bool = True,
) -> Erasure:
    """Take the rows of ``entity_id``'s ``table`` whose customer key is in ``keys[batch.key_id]`` out of the
    warehouse, and the quarantine rows showing one of those keys or a text in ``raw`` (the number, for files from
    before keyed hashing). With ``apply`` false, only count."""
    schema = table_schema(table)
    with warehouse.lock():
        batches = [b for b in warehouse.ingests() if b.table == table and b.entity_id == entity_id]
        found: list[tuple[IngestRecord, dict[int, pa.Array]]] = []
        for batch in batches:
            hits = _hits(warehouse, batch, keys)
            if hits:
                found.append((batch, hits))
        counts = {b.ingest_id: sum(int(m.true_count) for m in hits.values()) for b, hits in found}
        needles = frozenset().union(*keys.values()) | raw
        quarantined = _quarantine_hits(batches, needles)
        if not apply:
            return Erasure(entity_id, counts, quarantined)
        staging = warehouse.new_staging()
        try:
            rewritten = [(batch, _copy_without(warehouse, batch, hits, staging, schema), counts[batch.ingest_id])
                         for batch, hits in found]  # fmt: skip
            if rewritten:
                warehouse.replace_batches(rewritten)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for name in quarantined:
            _rewrite_quarantine(Path(name), needles)
    return Erasure(entity_id, counts, quarantined)


def _hits(warehouse: Warehouse, batch: IngestRecord, keys: Mapping[str | None, frozenset[str]]) -> dict[int, pa.Array]:
    """Part index to the mask of the customer's rows in it (parts without any left out)."""
    wanted = keys.get(batch.key_id)
    hits: dict[int, pa.Array] = {}
    for n, relative in enumerate(batch.files):
        column = pq.read_table(warehouse.root / relative, columns=[KEY_COLUMN]).column(0).combine_chunks()
        if wanted is None:
            if column.null_count < len(column):
                scheme = batch.key_id or "plain SHA-256"
                raise CxcertError(
                    f"ingest {batch.ingest_id} holds customer keys made under {scheme}, not this workspace's key: "
                    "the customer's rows there cannot be recognised; restore the key that made them, or remove "
                    "that ingest (docs/privacy.md); nothing was erased"
                )
            continue
        mask = pc.fill_null(pc.is_in(column, value_set=pa.array(sorted(wanted), pa.string())), False)
        if mask.true_count:
            hits[n] = mask
    return hits


def _copy_without(
    warehouse: Warehouse, batch: IngestRecord, hits: dict[int, pa.Array], staging: Path, schema: pa.Schema
) -> list[Path]:
    """The batch's parts staged without the customer's rows (a part left empty is dropped)."""
    folder = staging / batch.batch_id
    folder.mkdir()
    parts: list[Path] = []
    for n, relative in enumerate(batch.files):
        source = warehouse.root / relative
        target = folder / f"part-{n:05d}.parquet"
        if n in hits:
            kept = pq.read_table(source, schema=schema).filter(pc.invert(hits[n]))
            if not kept.num_rows:
                continue
            write_part(target, kept)
        else:
            try:
                os.link(source, target)  # unchanged: the same file under a second name, no copy
            except OSError:
                shutil.copy2(source, target)
        parts.append(target)
    return parts


def _mentions(raw: str, needles: frozenset[str]) -> bool:
    """Whether one of ``needles`` is a whole field of a quarantined row's raw text (JSON object or a line)."""
    try:
        row = json.loads(raw)
    except ValueError:
        row = None
    if isinstance(row, dict):
        return any(str(v).strip() in needles for v in row.values() if v is not None)
    text = raw.removeprefix("'")
    for delimiter in (",", ";", "\t", "|"):
        for fields in csv.reader([text], delimiter=delimiter):
            if any(f.strip() in needles for f in fields):
                return True
    return False


def _quarantine_hits(batches: list[IngestRecord], needles: frozenset[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for name in sorted({b.quarantine for b in batches if b.quarantine}):
        path = Path(name)
        if not path.is_file():
            continue
        with path.open(newline="", encoding="utf-8") as handle, quarantine_reader(handle) as reader:
            count = sum(1 for row in reader if _mentions(row.get("raw") or "", needles))
        if count:
            found[name] = count
    return found


def _rewrite_quarantine(path: Path, needles: frozenset[str]) -> None:
    """``path`` without the rows mentioning the customer: written aside, then renamed over it."""
    with path.open(newline="", encoding="utf-8") as handle, quarantine_reader(handle) as reader:
        fields = list(reader.fieldnames or [])
        kept = [row for row in reader if not _mentions(row.get("raw") or "", needles)]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".erase", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            writer.writerows(kept)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
