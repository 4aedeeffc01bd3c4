"""Many writers appending at once keep one unbroken chain: seq 1..N, no gap, no duplicate, nobody's entry lost.

Each writer has its own engine (its own connections, as separate processes or API workers would) and records
units of work of both shapes the CLI has: a change with its entry, and an entry alone after reads (a refusal, a
check). The writers start together behind a barrier so their appends overlap. Without serialisation two of them
read the same tail and the second INSERT of ``seq + 1`` fails on the primary key (PostgreSQL always; SQLite when
nothing was written before the append, so the tail was read outside any transaction).
"""

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from cxcert.certification.entity import Organisation
from cxcert.store.audit_trail import AuditTrail
from cxcert.store.db import Database, init_database
from cxcert.store.repository import Repositories

# A generous guard so a writer that dies before the barrier fails the test instead of hanging it; nothing waits
# this long when all is well.
_BARRIER_GUARD_SECONDS = 120.0
# SQLite writers queue for the write lock; on a loaded test machine fifty of them may queue longer than the
# product's busy timeout, which is about a stuck process, not what this test is about.
_SQLITE_QUEUE = "?timeout=120"


def _record(url: str, writer: str, barrier: Any, units: int = 1) -> None:
    """Open the database, wait for every other writer, then ``units`` times: add an organisation with its entry,
    and in a second unit of work read it back and record an entry alone."""
    db = Database(url)
    try:
        db.engine.connect().close()  # connect before the barrier, so the writers really start together
        barrier.wait()
        for unit in range(units):
            org = Organisation(id=f"{writer}-{unit}", name=f"Org {writer} {unit}", country="GB")
            with db.session() as session:
                repos = Repositories(session)
                repos.organisations.save_organisation(org)
                repos.audit_trail.append(writer, "organisation.created", f"organisation:{org.id}", {"id": org.id})
            with db.session() as session:
                repos = Repositories(session)
                seen = repos.organisations.get_organisation(org.id)
                repos.audit_trail.append(writer, "organisation.checked", f"organisation:{seen.id}", {"id": seen.id})
    finally:
        db.dispose()


def _run_threads(url: str, writers: int) -> None:
    barrier = threading.Barrier(writers, timeout=_BARRIER_GUARD_SECONDS)
    failures: list[BaseException] = []

    def run(i: int) -> None:
        try:
            _record(url, f"w{i:02d}", barrier)
        except BaseException as exc:  # collected and re-raised below: a thread's exception is otherwise lost
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


def _assert_one_chain(url: str, organisations: set[str]) -> None:
    """The chain is intact and numbered 1..N, and each organisation is there with its two entries."""
    db = Database(url)
    try:
        with db.session() as session:
            trail = AuditTrail(session)
            check = trail.verify_chain()
            entries = trail.entries()
            stored = Repositories(session).organisations.list_organisations()
    finally:
        db.dispose()
    actions = ("organisation.created", "organisation.checked")
    expected = {(f"organisation:{o}", a) for o in organisations for a in actions}
    assert check.intact, check.explanation.summary
    assert check.entries == len(expected)
    assert [e.seq for e in entries] == list(range(1, len(expected) + 1))
    assert {(e.subject, e.action) for e in entries} == expected
    # Every change is there with its entry: the entry was written in the change's own transaction.
    assert {o.id for o in stored} == organisations


@pytest.mark.postgres
def test_fifty_threads_on_postgresql_append_one_chain(postgres_url: str) -> None:
    init_database(postgres_url)
    _run_threads(postgres_url, 50)
    _assert_one_chain(postgres_url, {f"w{i:02d}-0" for i in range(50)})


def test_fifty_threads_on_sqlite_append_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cxcert.sqlite'}{_SQLITE_QUEUE}"
    init_database(url)
    _run_threads(url, 50)
    _assert_one_chain(url, {f"w{i:02d}-0" for i in range(50)})


def test_processes_on_one_sqlite_file_append_one_chain(tmp_path: Path) -> None:
    """Separate processes, as several `cxcert` commands run at once: each waits for the write lock in turn."""
    url = f"sqlite:///{tmp_path / 'cxcert.sqlite'}{_SQLITE_QUEUE}"
    init_database(url)
    context = multiprocessing.get_context("fork")  # cheap: no interpreter start and re-import per process
    processes, units = 5, 4
    barrier = context.Barrier(processes, timeout=_BARRIER_GUARD_SECONDS)
    workers = [context.Process(target=_record, args=(url, f"p{i}", barrier, units)) for i in range(processes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert [w.exitcode for w in workers] == [0] * processes
    _assert_one_chain(url, {f"p{i}-{u}" for i in range(processes) for u in range(units)})


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_unit_of_work_that_fails_leaves_neither_its_change_nor_its_entry(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'cxcert.sqlite'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    init_database(url)
    db = Database(url)
    try:
        with pytest.raises(RuntimeError), db.session() as session:
            repos = Repositories(session)
            repos.organisations.save_organisation(Organisation(id="gone", name="Gone", country="GB"))
            repos.audit_trail.append("ana", "organisation.created", "organisation:gone", {"id": "gone"})
            raise RuntimeError("the change failed after its entry was appended")
        with pytest.raises(RuntimeError), db.session() as session:  # an entry alone, rolled back too
            AuditTrail(session).append("ana", "organisation.checked", "organisation:gone", {"id": "gone"})
            raise RuntimeError("failed after the entry")
        with db.session() as session:
            assert session.execute(text("SELECT count(*) FROM organisations")).scalar_one() == 0
            repos = Repositories(session)
            repos.organisations.save_organisation(Organisation(id="kept", name="Kept", country="GB"))
            entry = repos.audit_trail.append("ben", "organisation.created", "organisation:kept", {"id": "kept"})
        with db.session() as session:
            AuditTrail(session).append("ben", "organisation.checked", "organisation:kept", {"id": "kept"})
    finally:
        db.dispose()
    assert entry.seq == 1  # the rolled-back entries left no gap and no lock behind
    _assert_one_chain(url, {"kept"})
