"""The audit trail is hash-chained: editing or removing a row through plain SQL is detected."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import text

from cxcert.store.audit_trail import GENESIS, AuditTrail, canonical_json
from cxcert.store.db import Database


def _write_three(db: Database) -> None:
    with db.session() as session:
        trail = AuditTrail(session)
        trail.append("ana", "finding.recorded", "assessment:a1", {"item": "2.1", "level": "minor_deficiency"})
        trail.append("ben", "decision.made", "entity:e1", {"class": "Certified", "points": 1850.5, "ok": True})
        trail.append("ben", "decision.made", "entity:e1", {"note": "ünïcode kept", "nested": {"b": 1, "a": [1, 2]}})


def test_first_entry_hash_is_sha256_of_genesis_plus_canonical_json(db: Database) -> None:
    """Oracle: the documented formula, computed by hand with hashlib."""
    at = dt.datetime(2026, 9, 4, 12, 30, 0, 123456, tzinfo=dt.UTC)
    with db.session() as session:
        entry = AuditTrail(session).append("ana", "entity.created", "entity:e1", {"name": "E1"}, at=at)
    body = {
        "action": "entity.created",
        "actor": "ana",
        "at": "2026-09-04T12:30:00.123456Z",
        "payload": {"name": "E1"},
        "seq": 1,
        "subject": "entity:e1",
    }
    assert entry.prev_hash == GENESIS
    assert entry.hash == hashlib.sha256((GENESIS + canonical_json(body)).encode()).hexdigest()


def test_intact_chain_verifies(db: Database) -> None:
    _write_three(db)
    with db.session() as session:
        trail = AuditTrail(session)
        check = trail.verify_chain()
        entries = trail.entries()
    assert check.intact and check.entries == 3 and check.first_broken_seq is None
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert entries[1].payload == {"class": "Certified", "points": 1850.5, "ok": True}


def test_editing_a_payload_by_sql_is_detected(db: Database) -> None:
    _write_three(db)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_trail SET payload = :p WHERE seq = 2"),
            {"p": '{"class": "Certified", "points": 1900.5, "ok": true}'},
        )
    with db.session() as session:
        check = AuditTrail(session).verify_chain()
    assert not check.intact
    assert check.first_broken_seq == 2
    assert "changed after it was written" in check.explanation.render()


def test_rewriting_a_hash_to_match_breaks_the_next_link(db: Database) -> None:
    """A forger who recomputes row 1's hash after editing it still breaks row 2's prev_hash link."""
    _write_three(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_trail SET actor = 'mallory', hash = :h WHERE seq = 1"), {"h": "f" * 64})
    with db.session() as session:
        check = AuditTrail(session).verify_chain()
    assert not check.intact and check.first_broken_seq == 1


def test_deleting_a_row_is_detected(db: Database) -> None:
    _write_three(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_trail WHERE seq = 2"))
    with db.session() as session:
        check = AuditTrail(session).verify_chain()
    assert not check.intact and check.first_broken_seq == 2
    assert "missing" in check.explanation.render()


def test_entries_filter_by_subject(db: Database) -> None:
    _write_three(db)
    with db.session() as session:
        assert [e.seq for e in AuditTrail(session).entries("entity:e1")] == [2, 3]
