"""``cxcert warehouse check`` and ``cxcert warehouse repair``: find what is wrong with the warehouse, and mend it.

The check reads everything and changes nothing: the manifest and the ingest log (present, sound, agreeing), every
committed part hashed against its recorded size and SHA-256, batch directories no record names, and what dead
processes left behind. Errors (exit 1) are what makes a reader refuse or a figure wrong; notes are harmless.

Repair, under the warehouse lock, decides what is true and writes it back:

- the ingest log is the commit point, so when it is sound the manifest is rebuilt from it (lost, cut, garbled,
  behind); a manifest ahead of a sound log (the log lost its tail) wins and the log starts again from it;
- a lost or damaged log with a sound manifest: the log starts again from the manifest (the old one kept aside);
- both lost: the batches are rebuilt from each batch directory's ``batch.json`` (the log's sound lines first,
  when there are any), each only when its parts still hash as recorded and it was not removed;
- a format-1 manifest gets its parts' sizes and hashes;
- leftovers of dead processes and batch directories proven garbage are deleted; nothing else is.

A damaged part cannot be mended (its rows are gone): it is reported with what to do (remove its ingest, ingest
its file again). A batch directory nothing can vouch for is kept and reported.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cxcert.warehouse import ingest_log
from cxcert.warehouse.commits import (
    BATCH_PREFIX,
    REMOVED,
    SIDECAR,
    batch_dirs,
    ever_written,
    garbage_verdict,
    upgrade,
)
from cxcert.warehouse.ingest_log import LogState, read_log
from cxcert.warehouse.integrity import PartProblem, hash_matches, verify_parts
from cxcert.warehouse.leases import held_generations, oldest_held
from cxcert.warehouse.leftovers import delete, find_dead
from cxcert.warehouse.manifest import (
    FORMAT_VERSION,
    IngestRecord,
    Manifest,
    PartStamp,
    WarehouseDamaged,
    locked,
    parse_batch,
    read_manifest,
    write_manifest,
)

Severity = Literal["error", "note"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str

    def to_json(self) -> dict[str, str]:
        return {"severity": self.severity, "message": self.message}


@dataclass
class Report:
    """What a check found (and what a repair did), with the committed totals it ended on."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    damaged_parts: list[PartProblem] = field(default_factory=list)
    batches: int = 0
    parts: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def error(self, message: str) -> None:
        self.findings.append(Finding("error", message))

    def note(self, message: str) -> None:
        self.findings.append(Finding("note", message))

    def to_json(self) -> dict[str, Any]:
        return {
            "warehouse": str(self.root),
            "ok": self.ok,
            "batches": self.batches,
            "parts": self.parts,
            "rows": self.rows,
            "errors": [f.message for f in self.findings if f.severity == "error"],
            "notes": [f.message for f in self.findings if f.severity == "note"],
            "damaged_parts": [p.to_json() for p in self.damaged_parts],
            "actions": self.actions,
        }


def check(root: Path, quarantine: Path | None) -> Report:
    """Everything wrong with the warehouse at ``root``; changes nothing."""
    report = Report(root)
    if not root.exists():
        return report
    with _locked_if_writable(root):
        manifest: Manifest | None = None
        try:
            manifest = read_manifest(root)
            if manifest is None and ever_written(root):
                report.error("the manifest is missing: `cxcert warehouse repair` rebuilds it from the ingest log")
        except WarehouseDamaged as exc:
            report.error(f"{exc.message.split(';')[0]}: `cxcert warehouse repair` rebuilds it from the ingest log")
        log = read_log(root)
        _check_log(report, log, manifest, ever_written(root))
        truth = manifest if manifest is not None else log.state
        if truth is not None and manifest is not None and manifest.format < FORMAT_VERSION:
            report.note("the manifest is format 1 (no part sizes or hashes yet): the next ingest or repair adds them")
        if truth is not None:
            _check_parts(report, root, truth)
            _check_strays(report, root, truth, log)
        for leftover in find_dead(root, quarantine, locked=True):
            size = _mb(leftover.size)
            report.note(f"{leftover.path} ({size}): {leftover.what}; repair or the next ingest deletes it")
    return report


@contextmanager
def _locked_if_writable(root: Path) -> Iterator[None]:
    """The writers' lock, so a check does not read a commit half-way; none on a read-only warehouse (nobody
    can write there either)."""
    try:
        lock = locked(root)
        lock.__enter__()
    except OSError:
        yield
        return
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _check_log(report: Report, log: LogState, manifest: Manifest | None, written: bool) -> None:
    if log.status == "missing":
        if manifest is not None and manifest.format < FORMAT_VERSION:
            return  # format 1 kept no log; the upgrade starts one
        if written:
            report.error("the ingest log is missing: `cxcert warehouse repair` starts it again from the manifest")
        return
    if log.status == "damaged":
        report.error(f"the ingest log is damaged ({log.problem}): `cxcert warehouse repair` mends it")
        return
    if log.torn is not None:
        report.note("the ingest log ends with a line cut short by a crash (that step never happened; cut next time)")
    if manifest is None or log.state is None or manifest.format < FORMAT_VERSION:
        return
    if log.state.generation > manifest.generation:
        report.error(
            f"the manifest (generation {manifest.generation}) is behind the ingest log ({log.state.generation}): a "
            "crash after a commit; repair or the next ingest brings it forward"
        )
    elif [b.batch_id for b in log.state.batches] != [b.batch_id for b in manifest.batches]:
        report.error("the manifest and the ingest log disagree: `cxcert warehouse repair` rebuilds the manifest")


def _check_parts(report: Report, root: Path, truth: Manifest) -> None:
    problems = verify_parts(root, truth, truth.files_of_all(), full=True)
    report.damaged_parts = problems
    for problem in problems:
        report.error(f"{problem.message}; {_remedy(truth, problem)}")
    report.batches = len(truth.batches)
    report.parts = len(truth.files_of_all())
    report.rows = sum(b.accepted - b.erased for b in truth.batches)  # what the parts hold after any erasure


def _remedy(truth: Manifest, problem: PartProblem) -> str:
    batch = truth.batch_of(problem.file)
    file = batch.file if batch else "its file"
    return f"its rows cannot be trusted: `cxcert ingest remove {problem.ingest_id} --yes`, then ingest {file} again"


def _check_strays(report: Report, root: Path, truth: Manifest, log: LogState) -> None:
    named = {b.directory for b in truth.batches}
    oldest = oldest_held(root, sweep=False)  # a check changes nothing
    for directory in batch_dirs(root):
        relative = f"{directory.parent.name}/{directory.name}"
        if relative in named:
            continue
        verdict = garbage_verdict(root, directory, truth, log, oldest)
        if verdict is not None:
            report.note(f"{relative}: {verdict}; repair or the next ingest deletes it")
        elif (directory / REMOVED).exists():
            report.note(f"{relative}: removed, kept while a running reader may still read it")
        else:
            report.note(f"{relative}: in no committed batch and not proven garbage: kept (`cxcert warehouse repair`)")


def repair(root: Path, quarantine: Path | None) -> Report:
    """Mend what can be mended (see the module's docstring); the report says what was done and what is left."""
    report = Report(root)
    if not root.exists():
        return report
    with locked(root):
        dead = find_dead(root, quarantine, locked=True)
        delete(dead)
        if dead:
            size = sum(d.size for d in dead)
            report.actions.append(f"deleted {len(dead)} leftover(s) of dead processes ({_mb(size)})")
        try:
            manifest = read_manifest(root)
        except WarehouseDamaged:
            manifest = None
        log = read_log(root)
        truth = _decide(root, manifest, log, report)
        log = read_log(root)
        for directory in batch_dirs(root):
            if directory.name.removeprefix(BATCH_PREFIX) in {b.batch_id for b in truth.batches}:
                continue
            verdict = garbage_verdict(root, directory, truth, log, oldest_held(root))
            if verdict is not None:
                delete_dir(directory)
                report.actions.append(f"deleted {directory.parent.name}/{directory.name}: {verdict}")
    after = check(root, quarantine)
    after.actions = report.actions
    return after


def _decide(root: Path, manifest: Manifest | None, log: LogState, report: Report) -> Manifest:
    """What is true, written back as the manifest and a sound log."""
    if log.status == "ok" and log.state is not None:
        state = log.state
        if manifest is not None and manifest.format < FORMAT_VERSION:
            report.actions.append("upgraded the format-1 manifest: recorded each part's size and SHA-256")
            return upgrade(root, manifest)
        if manifest is not None and manifest.generation > state.generation:
            kept = ingest_log.start_log(root, manifest, _strays(root, manifest))
            report.actions.append(f"started the ingest log again from the manifest (the old one kept as {kept})")
            return manifest
        if manifest is None or _differs(manifest, state):
            write_manifest(root, state)
            report.actions.append(
                f"rebuilt the manifest from the ingest log: {len(state.batches)} batches, generation {state.generation}"
            )
        if log.torn is not None:
            ingest_log.cut_torn(root, log.torn)
            report.actions.append("cut off the ingest log's last line, torn by a crash")
        return state
    if manifest is not None:
        if manifest.format < FORMAT_VERSION:
            report.actions.append("upgraded the format-1 manifest: recorded each part's size and SHA-256")
            return upgrade(root, manifest)
        kept = ingest_log.start_log(root, manifest, _strays(root, manifest))
        what = "missing" if log.status == "missing" else "damaged"
        aside = f" (the damaged one kept as {kept.name})" if kept else ""
        report.actions.append(f"the ingest log was {what}: started it again from the manifest{aside}")
        return manifest
    return _rebuild_from_batches(root, log, report)


def _strays(root: Path, manifest: Manifest) -> list[str]:
    """Batch directories a new log cannot vouch for: not in ``manifest`` and not marked removed (a commit the
    lost log held, or a crash before one: nobody can tell now, so they are kept)."""
    named = {b.batch_id for b in manifest.batches}
    return [
        batch_id
        for d in batch_dirs(root)
        if (batch_id := d.name.removeprefix(BATCH_PREFIX)) not in named and not (d / REMOVED).exists()
    ]


def _differs(manifest: Manifest, state: Manifest) -> bool:
    return manifest.generation != state.generation or manifest.to_json() != state.to_json()


def _rebuild_from_batches(root: Path, log: LogState, report: Report) -> Manifest:
    """Neither manifest nor log can be trusted whole: the log's sound lines, then each batch directory's
    ``batch.json`` where its parts still hash as recorded and it was not removed."""
    base = log.state if log.state is not None else Manifest()
    batches: list[IngestRecord] = list(base.batches)
    stamps: dict[str, PartStamp] = dict(base.stamps)
    known = {b.batch_id for b in batches} | set(log.removed)
    unproven: list[str] = []
    adopted = 0
    for directory in batch_dirs(root):
        batch_id = directory.name.removeprefix(BATCH_PREFIX)
        if batch_id in known or (directory / REMOVED).exists():
            continue
        found = _sidecar(directory)
        relative = f"{directory.parent.name}/{directory.name}"
        if found is None or any(r.fingerprint == found[0].fingerprint for r in batches):
            unproven.append(batch_id)
            report.note(f"{relative}: no readable batch.json, or the same file as another batch: kept, not adopted")
            continue
        record, found_stamps = found
        if not all(f in found_stamps and hash_matches(root / f, found_stamps[f]) for f in record.files):
            unproven.append(batch_id)
            report.note(f"{relative}: its parts do not match its batch.json: kept, not adopted")
            continue
        batches.append(record)
        stamps.update(found_stamps)
        adopted += 1
    batches.sort(key=lambda b: (b.committed_at, b.batch_id))
    # Above any generation a live reader or a removal marker may know, so caches and leases stay ordered.
    seen = [base.generation, *held_generations(root), *(_removed_at(d) for d in batch_dirs(root))]
    generation = max(seen) + len(batches) + 1
    state = Manifest(generation, tuple(batches), stamps)
    kept = ingest_log.start_log(root, state, unproven)
    write_manifest(root, state)
    source = "the ingest log's sound lines and " if log.state is not None else ""
    aside = f"; the damaged log kept as {kept.name}" if kept else ""
    report.actions.append(
        f"rebuilt the manifest and the ingest log from {source}the batches' batch.json files: {len(batches)} "
        f"batches ({adopted} from batch.json){aside}"
    )
    return state


def _sidecar(directory: Path) -> tuple[IngestRecord, dict[str, PartStamp]] | None:
    try:
        return parse_batch(json.loads((directory / SIDECAR).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _removed_at(directory: Path) -> int:
    try:
        return int(json.loads((directory / REMOVED).read_text(encoding="utf-8"))["generation"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def delete_dir(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
