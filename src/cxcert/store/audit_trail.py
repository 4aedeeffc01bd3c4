"""The append-only, hash-chained audit trail: each entry's hash covers its content and the previous hash.

Editing or deleting any row breaks the chain from that row on, and :func:`verify_chain` says where.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxcert.explain import Explanation
from cxcert.store.models import AuditEntryRow

GENESIS = "0" * 64
# The key of the PostgreSQL advisory lock that serialises appends (any fixed bigint works; this is "cxaudit" in
# ASCII, so it is unlikely to clash with another application's lock on a shared server).
APPEND_LOCK_KEY = 0x63786175646974


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainCheck:
    """The verdict on the chain: intact or the first entry where it breaks."""

    intact: bool
    entries: int
    first_broken_seq: int | None
    explanation: Explanation


def _utc_text(at: dt.datetime) -> str:
    # SQLite returns naive datetimes (stored as UTC), PostgreSQL aware ones: both hash the same text.
    aware = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(
    prev_hash: str, seq: int, at: dt.datetime, actor: str, action: str, subject: str, payload: Mapping[str, Any]
) -> str:
    """sha256(prev_hash + canonical JSON of the entry's content)."""
    body = {"seq": seq, "at": _utc_text(at), "actor": actor, "action": action, "subject": subject, "payload": payload}
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


class AuditTrail:
    """Append entries and verify the chain; there is deliberately no update or delete."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self,
        actor: str,
        action: str,
        subject: str,
        payload: Mapping[str, Any],
        *,
        at: dt.datetime | None = None,
    ) -> AuditEntry:
        """Append one entry after the current last one and return it.

        Concurrent writers queue here until the transaction that appended before them ends, so append as the
        last write of a unit of work: the lock is held from here until commit.
        """
        at = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        # Round-trip the payload through JSON so what is hashed is exactly what the database gives back.
        clean: dict[str, Any] = json.loads(canonical_json(dict(payload)))
        self._serialise_appends()
        last = self.session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq.desc()).limit(1)).first()
        seq = 1 if last is None else last.seq + 1
        prev = GENESIS if last is None else last.hash
        digest = entry_hash(prev, seq, at, actor, action, subject, clean)
        row = AuditEntryRow(
            seq=seq, at=at, actor=actor, action=action, subject=subject, payload=clean, prev_hash=prev, hash=digest
        )
        self.session.add(row)
        self.session.flush()
        return _entry(row)

    def _serialise_appends(self) -> None:
        """Make this transaction the only one between reading the chain's tail and committing the entry after it.

        Without this, two writers read the same tail and both write ``seq + 1``: one fails on the primary key.
        PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. It needs no schema (a
        chain-head row locked FOR UPDATE would need a migration and an extra write per entry), and under READ
        COMMITTED, the isolation cxcert uses, the tail query that follows takes a fresh snapshot, so it sees the
        entry the previous holder committed. SQLite: the sqlite3 module begins a transaction only before a write,
        so a unit of work that has written nothing yet would read the tail outside any transaction; BEGIN
        IMMEDIATE takes the database's single write lock first (waiting out the busy timeout for another
        writer). Once a unit of work has written, it holds that lock already.
        """
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(APPEND_LOCK_KEY)))
            return
        self.session.flush()  # pending changes first: their INSERT begins the write transaction as it would have
        raw = connection.connection.dbapi_connection
        if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    def entries(self, subject: str | None = None) -> tuple[AuditEntry, ...]:
        """Every entry in order; only those about ``subject`` when given."""
        query = select(AuditEntryRow).order_by(AuditEntryRow.seq)
        if subject is not None:
            query = query.where(AuditEntryRow.subject == subject)
        return tuple(_entry(r) for r in self.session.scalars(query))

    def verify_chain(self) -> ChainCheck:
        """Recompute every hash in order; the first mismatch (content edited, row removed) breaks the chain."""
        explanation = Explanation("audit trail")
        prev = GENESIS
        count = 0
        for expected_seq, row in enumerate(self.session.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq)), 1):
            count += 1
            problem = None
            if row.seq != expected_seq:
                problem = f"entry {expected_seq} is missing (next is {row.seq})"
            elif row.prev_hash != prev:
                problem = f"entry {row.seq} does not point at the hash of entry {row.seq - 1}"
            elif entry_hash(prev, row.seq, row.at, row.actor, row.action, row.subject, row.payload) != row.hash:
                problem = f"entry {row.seq} was changed after it was written (its hash no longer matches)"
            if problem is not None:
                return ChainCheck(
                    intact=False,
                    entries=count,
                    first_broken_seq=expected_seq,
                    explanation=Explanation(f"audit trail broken at entry {expected_seq}").with_step(
                        "hash_chain", problem, seq=row.seq
                    ),
                )
            prev = row.hash
        explanation = Explanation(f"audit trail intact: {count} entries").with_step(
            "hash_chain", "every entry's hash covers its content and the previous entry's hash", entries=count
        )
        return ChainCheck(intact=True, entries=count, first_broken_seq=None, explanation=explanation)


def _entry(row: AuditEntryRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC),
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        payload=dict(row.payload),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
