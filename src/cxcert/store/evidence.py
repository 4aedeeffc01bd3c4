"""Evidence files, content-addressed: the blob lives under CXCERT_HOME/evidence/<sha[:2]>/<sha>, the metadata
(owner, effective period, expiry) in the database. The same bytes are stored once however often uploaded."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxcert.errors import CxcertError, NotFound, writing_to
from cxcert.store.models import EvidenceRow


@dataclass(frozen=True)
class Evidence:
    id: int
    sha256: str
    entity_id: str
    item: str | None
    filename: str
    size_bytes: int
    owner: str
    effective_from: dt.date
    effective_to: dt.date | None
    expires_on: dt.date | None

    def expired(self, on: dt.date) -> bool:
        return self.expires_on is not None and on > self.expires_on


class EvidenceStore:
    """Store and find evidence files for an entity."""

    def __init__(self, session: Session, root: Path) -> None:
        self.session = session
        self.root = root

    def blob_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def add(
        self,
        entity_id: str,
        source: Path,
        *,
        owner: str,
        effective_from: dt.date,
        effective_to: dt.date | None = None,
        expires_on: dt.date | None = None,
        item: str | None = None,
    ) -> Evidence:
        """Copy ``source`` into the content-addressed store and record who owns it and when it holds."""
        if not source.is_file():
            raise CxcertError(f"evidence file not found: {source}")
        if effective_to is not None and effective_to < effective_from:
            raise CxcertError(f"evidence {source.name}: effective period ends ({effective_to}) before it starts")
        data = source.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        target = self.blob_path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            with writing_to(partial):  # a failed write() names no file
                partial.write_bytes(data)
            os.replace(partial, target)  # write aside, then swap: no half-written blob under its hash
        row = EvidenceRow(
            sha256=digest,
            entity_id=entity_id,
            item=item,
            filename=source.name,
            size_bytes=len(data),
            owner=owner,
            effective_from=effective_from,
            effective_to=effective_to,
            expires_on=expires_on,
            stored_at=dt.datetime.now(dt.UTC),
        )
        self.session.add(row)
        self.session.flush()
        return _evidence(row)

    def list(self, entity_id: str) -> tuple[Evidence, ...]:
        rows = self.session.scalars(
            select(EvidenceRow).where(EvidenceRow.entity_id == entity_id).order_by(EvidenceRow.id)
        )
        return tuple(_evidence(r) for r in rows)

    def read(self, evidence: Evidence) -> bytes:
        """The evidence bytes, checked against their hash (a changed blob is refused)."""
        path = self.blob_path(evidence.sha256)
        if not path.is_file():
            raise NotFound(f"evidence blob {evidence.sha256} is missing from {self.root}")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != evidence.sha256:
            raise CxcertError(f"evidence {evidence.filename} was altered on disk (hash mismatch)")
        return data


def _evidence(row: EvidenceRow) -> Evidence:
    return Evidence(
        id=row.id,
        sha256=row.sha256,
        entity_id=row.entity_id,
        item=row.item,
        filename=row.filename,
        size_bytes=row.size_bytes,
        owner=row.owner,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        expires_on=row.expires_on,
    )
