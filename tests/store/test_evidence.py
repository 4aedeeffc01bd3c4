"""Evidence is content-addressed: the same bytes are stored once, under their SHA-256, and checked on read."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from cxcert.errors import CxcertError
from cxcert.store.db import Database
from cxcert.store.repository import Repositories

from . import samples


def test_evidence_is_stored_once_by_hash_and_verified(db: Database, tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    report = tmp_path / "kpi-report.pdf"
    report.write_bytes(b"%PDF- monthly KPI report")
    copy = tmp_path / "same-bytes.pdf"
    copy.write_bytes(report.read_bytes())
    digest = hashlib.sha256(b"%PDF- monthly KPI report").hexdigest()
    with db.session() as session:
        repos = Repositories(session, evidence_root=root)
        repos.organisations.save_organisation(samples.ORGANISATION)
        repos.organisations.save_entity(samples.ENTITY)
        first = repos.evidence.add(
            "acme-care", report, owner="ana", effective_from=dt.date(2026, 1, 1), expires_on=dt.date(2026, 12, 31)
        )
        second = repos.evidence.add("acme-care", copy, owner="ben", effective_from=dt.date(2026, 2, 1), item="4.1")
        listed = repos.evidence.list("acme-care")
        assert repos.evidence.read(first) == b"%PDF- monthly KPI report"
    assert first.sha256 == second.sha256 == digest
    assert [p.name for p in root.rglob("*") if p.is_file()] == [digest]
    assert listed == (first, second)
    assert first.expired(dt.date(2027, 1, 1)) and not first.expired(dt.date(2026, 12, 31))
    assert not second.expired(dt.date(2030, 1, 1))
    (root / digest[:2] / digest).write_bytes(b"tampered")
    with db.session() as session, pytest.raises(CxcertError, match="altered"):
        Repositories(session, evidence_root=root).evidence.read(first)


def test_evidence_period_must_not_end_before_it_starts(db: Database, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("x")
    with db.session() as session, pytest.raises(CxcertError, match="ends"):
        Repositories(session, evidence_root=tmp_path / "ev").evidence.add(
            "acme-care", source, owner="ana", effective_from=dt.date(2026, 5, 1), effective_to=dt.date(2026, 4, 1)
        )
