"""One ingest, start to finish: fingerprint, stream, convert, validate, stage, check keys, quarantine, commit.

- The fingerprint is the SHA-256 of the file's bytes and of everything that changes how they are read (kind,
  entity, format, program, mapping text). A fingerprint already in the warehouse makes the ingest a no-op. It is
  computed first when a file was already ingested from the same path, else alongside the reading (and checked
  before the commit, so identical content under another name is still a no-op).
- The file is read in bounded chunks; each chunk is converted and validated with whole-column operations, its
  accepted rows go to Parquet parts in a private staging directory and its rejected rows to the quarantine file.
- Once the whole file is staged, rows whose natural key is already in the warehouse for the entity, or repeats
  an earlier row of the file, are found by a query over the staged parts (:mod:`cxcert.ingest.duplicates`), sent
  to quarantine and dropped from the parts that hold them. The check is run again under the warehouse lock
  against whatever was committed meanwhile, and the commit happens under the same lock.
- Only then are the parts committed, in one atomic step. A failure or a kill before that leaves the warehouse
  exactly as it was (the staging directory is deleted now or by the next commit). An ingest that rejected every
  row it read commits nothing (its quarantine file is kept): ``IngestResult.committed`` is false.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from cxcert.canonical import NATURAL_KEYS, TABLES
from cxcert.errors import CxcertError
from cxcert.file_names import file_name_part, inside
from cxcert.ingest.accounting import IngestAccounting
from cxcert.ingest.chunks import DEFAULT_CHUNK_BYTES, Chunk
from cxcert.ingest.duplicates import Clashes, DuplicateCheck, KeyHashes, key_hashes
from cxcert.ingest.form_checks import CHECKED_TABLES, PINS_SCHEMA, FormCheck, FormFacts, FormNotes, empty_notes
from cxcert.ingest.generic import Lineage, MappedConverter
from cxcert.ingest.hashing import Pseudonymiser
from cxcert.ingest.key_scheme import check_key_scheme
from cxcert.ingest.kinds import check_format, table_for_kind
from cxcert.ingest.mapping import LoadedMapping, load_mapping
from cxcert.ingest.ordered_map import ordered_map
from cxcert.ingest.parquet_source import ParquetSource
from cxcert.ingest.parts import PartWriter, rewrite_without
from cxcert.ingest.personal import PersonalFields
from cxcert.ingest.quarantine import QuarantineWriter, raw_json_rows
from cxcert.ingest.row_keys import normalise_ids
from cxcert.ingest.sources import CsvSource, open_source
from cxcert.ingest.staged_rows import StagedRowNumbers
from cxcert.ingest.technion import TechnionConverter
from cxcert.ingest.validation import validate
from cxcert.ingest.verdicts import RowVerdicts
from cxcert.warehouse import IngestRecord, Warehouse

Progress = Callable[[int, int], None]
"""Called after each chunk with (bytes done, total bytes)."""

FINGERPRINT_VERSION = b"cxcert-ingest-1"


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: its row accounting, and whether it was a no-op because the file was already in."""

    table: str
    path: Path
    entity_id: str
    fmt: str
    fingerprint: str
    accounting: IngestAccounting
    skipped: bool
    chunks: int
    record: IngestRecord | None
    forms: FormNotes | None = None
    """What the form checks noted (rows pinning unknown forms...); None when no form facts were given."""

    @property
    def committed(self) -> bool:
        """Whether this ingest added a batch to the warehouse (false when skipped or when every row was rejected)."""
        return self.record is not None and not self.skipped

    def as_json(self) -> dict[str, Any]:
        """``{"read", "accepted", "rejected", "quarantine", "skipped"}`` (the CLI's ``--json``), and the form
        notes (``unknown_forms`` ...) when forms were checked."""
        notes = self.forms.as_json() if self.forms is not None else {}
        return {**self.accounting.as_json(), "skipped": self.skipped, **notes}


@dataclass(frozen=True)
class _Checked:
    """A chunk after conversion and validation: its accepted rows (canonical schema) and rejected ones."""

    chunk: Chunk
    accepted: pa.Table
    kept: np.ndarray | None  # mask of the accepted rows over the chunk; None when every row was accepted
    rejected: list[tuple[int, str, str, str]]  # (index in the chunk, column, reason, raw row as JSON)
    hashes: np.ndarray  # 64-bit hashes of the accepted rows' natural keys
    forms: FormNotes | None  # what the form checks noted in this chunk


def fingerprint(
    path: Path, *, table: str, entity_id: str, fmt: str, program: str | None, mapping: LoadedMapping | None
) -> str:
    """SHA-256 over the file's bytes and the options that shape the result."""
    digest = hashlib.sha256()
    for part in (FINGERPRINT_VERSION, table, entity_id, fmt, program or "", mapping.text if mapping else ""):
        data = part if isinstance(part, bytes) else part.encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(
    warehouse: Warehouse,
    kind: str,
    path: Path,
    *,
    entity_id: str,
    fmt: str,
    mapping: Path | None = None,
    program: str | None = None,
    progress: Progress | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    quarantine_dir: Path | None = None,
    before_commit: Callable[[], None] | None = None,
    forms: FormFacts | None = None,
) -> IngestResult:
    """Ingest ``path`` as ``kind`` for ``entity_id``; every row is accepted or quarantined, all or nothing.

    ``fmt`` is ``canonical``, ``csv``, ``parquet`` (these two with ``mapping``) or ``technion``. Quarantine files
    go to ``quarantine_dir`` (default: ``quarantine/`` beside the warehouse, i.e. CXCERT_HOME/quarantine).
    ``before_commit`` runs after everything is staged and before the commit (a seam for crash tests).
    ``forms``: the QA forms cxcert knows; given, ``evaluations`` and ``evaluation_items`` rows are checked
    against the form version they pin (:mod:`cxcert.ingest.form_checks`) and the result carries the notes.
    """
    table = table_for_kind(kind)
    fmt = check_format(fmt, table)
    path = Path(path)
    if not path.is_file():
        raise CxcertError("no such file" if not path.exists() else "not a file", where=str(path))
    if not entity_id.strip():
        raise CxcertError("--entity must not be empty")
    if fmt in ("csv", "parquet") and mapping is None:
        raise CxcertError(f"--format {fmt} needs --mapping (a column-mapping YAML file); see docs/data/mapping.md")
    if fmt in ("canonical", "technion") and mapping is not None:
        raise CxcertError(f"--mapping is for --format csv or parquet, not {fmt}")
    loaded = load_mapping(Path(mapping), table) if mapping is not None else None
    notes = empty_notes(table, forms)

    def digest() -> str:
        return fingerprint(path, table=table, entity_id=entity_id, fmt=fmt, program=program, mapping=loaded)

    def skipped(fp: str, previous: IngestRecord) -> IngestResult:
        accounting = IngestAccounting(
            previous.read,
            previous.accepted,
            previous.rejected,
            Path(previous.quarantine) if previous.quarantine else None,
        )
        return IngestResult(table, path, entity_id, fmt, fp, accounting, True, 0, previous, notes)

    # A file ingested from this path before is probably the same file again: hash it first, so the no-op is quick.
    # Any other file is hashed on a thread of its own while it is read (hashing a large file takes a while).
    hashing: Future[str] | None = None
    resolved = str(path.resolve())
    if any(r.file == resolved for r in warehouse.ingests()):
        fp = digest()
        previous = _previous(warehouse, fp)
        if previous is not None:
            return skipped(fp, previous)
    else:
        hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxcert-fingerprint")
        hashing = hasher.submit(digest)
        hasher.shutdown(wait=False)
        fp = ""

    form_check = _form_check(warehouse, table, entity_id, forms)
    source = _open(path, fmt, loaded, chunk_bytes)
    lineage = Lineage(entity_id=entity_id, program=program, source=path.name)
    # Customer numbers are keyed-hashed with the workspace's key (the warehouse's parent is the workspace).
    pseudonyms = _pseudonymiser(warehouse, table, loaded)
    key_id = pseudonyms.key_id if pseudonyms is not None and "customer_key" in TABLES[table].names else None
    if key_id is not None:
        check_key_scheme(warehouse, table, entity_id, key_id)
    converter: MappedConverter | TechnionConverter
    if fmt == "technion":
        assert pseudonyms is not None
        converter = TechnionConverter(path, source.columns, lineage, pseudonyms)
    else:
        converter = MappedConverter(
            table,
            path,
            source.columns,
            lineage,
            mapping=loaded.spec if loaded else None,
            trim=isinstance(source, CsvSource),  # padding is an artefact of text; identifiers: normalise_ids
            pseudonyms=pseudonyms,
        )
    personal = PersonalFields(
        converter.personal, pseudonyms, source.columns, source.delimiter if isinstance(source, CsvSource) else ","
    )
    if loaded is not None:
        missing = [c for c in loaded.spec.personal if c not in source.columns]
        if missing:  # a misspelt name would leave that column's personal data in the quarantine
            raise CxcertError(
                f"personal column {missing[0]!r} of the mapping is not in the file's header "
                f"({', '.join(source.columns)})",
                where=str(path),
            )

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    qdir = quarantine_dir if quarantine_dir is not None else warehouse.root.parent / "quarantine"
    name = file_name_part(path.stem)  # the source's name, made safe: never a path, never too long
    quarantine = QuarantineWriter(inside(qdir, qdir / f"{stamp}-{table}-{name}.csv", what="quarantine file"))
    staging = warehouse.new_staging()
    writer: PartWriter | None = None
    try:  # from the first line after the staging folder exists: a signal here too must remove it
        writer = PartWriter(staging, TABLES[table])
        numbers = StagedRowNumbers()
        hashes = KeyHashes()
        read = chunks = 0
        # CSV: read every column so a quarantined row keeps all its fields; Parquet: only the columns used.
        wanted = source.columns if isinstance(source, CsvSource) else converter.wanted
        schema = TABLES[table]

        def check(chunk: Chunk) -> _Checked:
            """Convert and validate one chunk (on a worker thread)."""
            batch = chunk.data
            verdicts = RowVerdicts(batch.num_rows)
            canonical = normalise_ids(converter.convert(batch, verdicts), table)  # every format alike
            validate(canonical, table, verdicts, labels=converter.labels)
            noted = form_check.flag(canonical, verdicts, converter.labels) if form_check is not None else None
            if not verdicts.rejected_count:
                accepted = canonical.cast(schema)
                return _Checked(chunk, accepted, None, [], key_hashes(accepted, NATURAL_KEYS[table]), noted)
            found = list(verdicts.rejected())
            raws = raw_json_rows(batch, [i for i, _, _ in found], mask=personal.mask_batch)
            rejected = [(i, column, reason, raw) for (i, column, reason), raw in zip(found, raws, strict=True)]
            kept = verdicts.ok
            accepted = canonical.filter(pa.array(kept)).cast(schema)
            return _Checked(chunk, accepted, kept, rejected, key_hashes(accepted, NATURAL_KEYS[table]), noted)

        workers = source.workers if isinstance(source, CsvSource) else 2
        for checked in ordered_map(check, source.chunks(wanted), workers=workers, name="cxcert-check"):
            chunk = checked.chunk
            for index, column, reason, raw in checked.rejected:
                quarantine.write(chunk.row_number(index), column, reason, raw)
            writer.write(checked.accepted)
            numbers.add(chunk, checked.kept)
            hashes.add(checked.hashes)
            if notes is not None and checked.forms is not None:
                notes += checked.forms
            for bad in chunk.malformed:
                quarantine.write(bad.row_number, "", bad.reason, personal.mask_line(bad.text))
            read += chunk.data.num_rows + len(chunk.malformed)
            chunks += 1
            if progress is not None:
                progress(chunk.bytes_done, source.total_bytes)
        parts = writer.close()
        if hashing is not None:
            fp = hashing.result()
            previous = _previous(warehouse, fp)
            if previous is not None:  # the same content was ingested from another path
                quarantine.discard()
                return skipped(fp, previous)
        keys = DuplicateCheck(warehouse.root, table, entity_id, parts, writer.part_rows, hashes)
        label = converter.labels.get(keys.keys[0], keys.keys[0])

        def reject(clashes: Clashes) -> None:
            _quarantine_clashes(
                clashes, quarantine, numbers, label, lambda rows: _raw_rows(source, wanted, rows, personal)
            )

        reject(keys.run(warehouse.checked_ingests(table)))
        with warehouse.lock():
            reject(keys.run(warehouse.checked_ingests(table)))  # batches committed since the first run (usually none)
            parts, accepted = _drop_rows(parts, writer.part_rows, keys.found, schema)
            final = qdir / f"{stamp}-{table}-{name}-{fp[:8]}.csv"
            accounting = IngestAccounting(
                read=read, accepted=accepted, rejected=quarantine.count, quarantine=quarantine.finish(final)
            )
            if read and not accepted:  # nothing to add: commit nothing, keep the quarantine file
                return IngestResult(table, path, entity_id, fmt, fp, accounting, False, chunks, None, notes)
            if before_commit is not None:
                before_commit()
            record = warehouse.commit_batch(
                table,
                parts,
                fingerprint=fp,
                source=path.name,
                entity_id=entity_id,
                accounting=accounting,
                file=str(path.resolve()),
                fmt=fmt,
                key_id=key_id,
            )
    except BaseException:
        if writer is not None:
            writer.abort()
        quarantine.discard()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return IngestResult(table, path, entity_id, fmt, fp, accounting, False, chunks, record, notes)


def _pseudonymiser(warehouse: Warehouse, table: str, mapping: LoadedMapping | None) -> Pseudonymiser | None:
    """The workspace's pseudonymiser when this ingest holds personal data (customer keys, or ``hash:`` columns)."""
    if "customer_key" in TABLES[table].names or (mapping is not None and (mapping.spec.hash or mapping.spec.personal)):
        return Pseudonymiser.of_workspace(warehouse.root.parent)
    return None


def _form_check(warehouse: Warehouse, table: str, entity_id: str, forms: FormFacts | None) -> FormCheck | None:
    """The form checks of this ingest; for items, with the form each of the entity's evaluations pins."""
    if forms is None or table not in CHECKED_TABLES:
        return None
    if table == "evaluations":
        return FormCheck(forms, table)
    evaluations = warehouse.table("evaluations", entity_id)
    pins = evaluations.select(*PINS_SCHEMA.names).to_pyarrow().cast(PINS_SCHEMA)
    return FormCheck(forms, table, pins)


def _previous(warehouse: Warehouse, fp: str) -> IngestRecord | None:
    """The committed ingest with fingerprint ``fp``, if any."""
    return next((r for r in warehouse.ingests() if r.fingerprint == fp), None)


def _open(path: Path, fmt: str, mapping: LoadedMapping | None, chunk_bytes: int) -> CsvSource | ParquetSource:
    spec = mapping.spec if mapping else None
    if fmt == "parquet":
        return ParquetSource(path, chunk_bytes=chunk_bytes)
    if fmt in ("csv", "technion"):
        return CsvSource(
            path,
            delimiter=spec.delimiter if spec else None,
            encoding=spec.encoding if spec else "utf8",
            chunk_bytes=chunk_bytes,
        )
    return open_source(path, chunk_bytes=chunk_bytes)


def _quarantine_clashes(
    clashes: Clashes,
    quarantine: QuarantineWriter,
    numbers: StagedRowNumbers,
    column: str,
    raw_rows: Callable[[np.ndarray], dict[int, str]],
) -> None:
    """Write the rows rejected for their key to the quarantine, in source row order, with their raw text."""
    if not len(clashes):
        return
    rows = numbers.source_rows(clashes.staged)
    reasons = clashes.reasons(numbers.source_rows)
    raws = raw_rows(rows)
    for n in np.argsort(rows, kind="stable"):
        quarantine.write(int(rows[n]), column, reasons[n], raws[int(rows[n])])


def _raw_rows(
    source: CsvSource | ParquetSource, wanted: list[str], rows: np.ndarray, personal: PersonalFields
) -> dict[int, str]:
    """The raw JSON of the source rows numbered ``rows``, read from the file again (only when rows clashed)."""
    targets = np.unique(rows)
    out: dict[int, str] = {}
    for chunk in source.chunks(wanted):
        found = chunk.row_numbers()
        if not len(found):
            continue
        at = np.minimum(np.searchsorted(targets, found), len(targets) - 1)
        hits = np.flatnonzero(targets[at] == found)
        raws = raw_json_rows(chunk.data, hits.tolist(), mask=personal.mask_batch)
        for number, raw in zip(found[hits].tolist(), raws, strict=True):
            out[number] = raw
        if found[-1] >= targets[-1]:
            break
    return out


def _drop_rows(
    parts: list[Path], part_rows: list[int], drop: np.ndarray, schema: pa.Schema
) -> tuple[list[Path], int]:
    """Rewrite only the parts holding staged rows in ``drop`` (staging indices); the parts left and their rows."""
    kept_parts: list[Path] = []
    total = 0
    start = 0
    for part, count in zip(parts, part_rows, strict=True):
        inside = drop[(drop >= start) & (drop < start + count)] - start
        left = rewrite_without(part, schema, inside) if len(inside) else count
        if left:
            kept_parts.append(part)
        total += left
        start += count
    return kept_parts, total
