"""Nothing counted twice: a row whose natural key is already in the warehouse for its entity, or repeats an
earlier row of the same file, goes to quarantine with a reason naming the key and where it already is.

Oracles: the files below are written by hand, so which rows repeat which is known row by row (in a CSV file row 1
is the header, a Parquet file's rows count from 1); the keys are :data:`cxcert.canonical.NATURAL_KEYS`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcert.canonical import EVALUATION_ITEMS, SURVEYS
from cxcert.ingest.chunks import Chunk
from cxcert.ingest.duplicates import DuplicateCheck, KeyHashes, key_hashes, key_ranges, overlap
from cxcert.ingest.parts import PartWriter
from cxcert.ingest.pipeline import ingest_file
from cxcert.ingest.quarantine import read_quarantine
from cxcert.ingest.staged_rows import StagedRowNumbers
from cxcert.warehouse import Warehouse

from .conftest import MakeContacts

HEADER = "program,contact_id,queue,channel,direction,arrived_at,abandoned,wait_s\n"


def _row(contact: str, wait: int) -> str:
    return f"care,{contact},q,voice,inbound,2024-03-01T08:00:00Z,false,{wait}\n"


def _quarantined(path: Path | None) -> dict[int, tuple[str, str]]:
    assert path is not None
    return {int(r["row_number"]): (r["column"], r["reason"]) for r in read_quarantine(path)}


def test_each_contact_four_times_keeps_the_first(tmp_path: Path) -> None:
    """The audit's file: every contact_id four times was fully accepted."""
    data = tmp_path / "calls.csv"
    data.write_text(HEADER + "".join(_row(f"c{c}", n) for c in (1, 2) for n in range(4)), encoding="utf-8")
    warehouse = Warehouse(tmp_path / "warehouse")
    # Tiny chunks, so repeats cross chunk boundaries.
    result = ingest_file(warehouse, "contacts", data, entity_id="e", fmt="canonical", chunk_bytes=120)
    assert result.chunks > 1
    assert (result.accounting.read, result.accounting.accepted, result.accounting.rejected) == (8, 2, 6)
    reasons = _quarantined(result.accounting.quarantine)
    assert reasons == {
        **{n: ("contact_id", "contact_id 'c1' repeats row 2 of this file") for n in (3, 4, 5)},
        **{n: ("contact_id", "contact_id 'c2' repeats row 6 of this file") for n in (7, 8, 9)},
    }
    rows = warehouse.sql("SELECT contact_id, wait_s FROM contacts ORDER BY contact_id").to_pylist()
    assert rows == [{"contact_id": "c1", "wait_s": 0.0}, {"contact_id": "c2", "wait_s": 0.0}]
    assert result.accounting.quarantine is not None
    raw = {int(r["row_number"]): r["raw"] for r in read_quarantine(result.accounting.quarantine)}
    assert '"wait_s": "3"' in raw[9] and '"contact_id": "c2"' in raw[9]  # the source row as read


def test_the_same_rows_again_are_not_counted_twice(tmp_path: Path) -> None:
    """The audit's re-ingests: one trailing newline added, or the same file under another --program."""
    first = tmp_path / "calls.csv"
    first.write_text(HEADER + _row("c1", 5) + _row("c2", 6), encoding="utf-8")
    warehouse = Warehouse(tmp_path / "warehouse")
    done = ingest_file(warehouse, "contacts", first, entity_id="e", fmt="canonical")
    held = f"already in the warehouse (ingest {done.fingerprint[:8]} of calls.csv)"
    again = tmp_path / "calls-again.csv"
    again.write_bytes(first.read_bytes() + b"\n")
    for result in (
        ingest_file(warehouse, "contacts", again, entity_id="e", fmt="canonical"),
        ingest_file(warehouse, "contacts", first, entity_id="e", fmt="canonical", program="other"),
    ):
        assert not result.skipped and not result.committed
        assert (result.accounting.accepted, result.accounting.rejected) == (0, 2)
        assert _quarantined(result.accounting.quarantine) == {
            2: ("contact_id", f"contact_id 'c1' {held}"),
            3: ("contact_id", f"contact_id 'c2' {held}"),
        }
    assert [r.batch_id for r in warehouse.ingests()] == [done.record.batch_id if done.record else ""]
    assert warehouse.sql("SELECT count(*) AS n FROM contacts").to_pylist() == [{"n": 2}]


def test_new_rows_beside_known_ones_and_other_entities(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    first = tmp_path / "monday.csv"
    first.write_text(HEADER + _row("c1", 5), encoding="utf-8")
    ingest_file(warehouse, "contacts", first, entity_id="paris", fmt="canonical")
    second = tmp_path / "tuesday.csv"
    second.write_text(HEADER + _row("c1", 5) + _row("c2", 7), encoding="utf-8")
    mixed = ingest_file(warehouse, "contacts", second, entity_id="paris", fmt="canonical")
    assert mixed.committed and (mixed.accounting.accepted, mixed.accounting.rejected) == (1, 1)
    assert _quarantined(mixed.accounting.quarantine)[2][1].startswith("contact_id 'c1' already in the warehouse")
    elsewhere = ingest_file(warehouse, "contacts", second, entity_id="lyon", fmt="canonical")
    assert elsewhere.accounting.rejected == 0  # keys are per entity
    counts = warehouse.sql("SELECT entity_id, count(*) AS n FROM contacts GROUP BY ALL ORDER BY ALL").to_pylist()
    assert counts == [{"entity_id": "lyon", "n": 2}, {"entity_id": "paris", "n": 2}]


def test_composite_keys_and_unidentified_rows(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "warehouse")
    items = pa.table(
        {
            "evaluation_id": ["E1", "E1", "E2", "E1"],
            "parameter_id": ["P1", "P2", "P1", "P1"],
            "result": ["pass", "fail", "pass", "fail"],
            "points": [1.0, 0.0, 1.0, 0.0],
            "error_class": ["non_critical"] * 4,
        },
        schema=pa.schema([f for f in EVALUATION_ITEMS if f.name not in ("entity_id", "program", "source")]),
    )
    path = tmp_path / "items.parquet"
    pq.write_table(items, path)
    result = ingest_file(warehouse, "evaluation_items", path, entity_id="e", fmt="canonical", program="care")
    assert _quarantined(result.accounting.quarantine) == {
        4: ("evaluation_id", "evaluation_id 'E1', parameter_id 'P1' repeats row 1 of this file")
    }  # a Parquet file's rows are numbered from 1
    at = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)
    surveys = pa.table(
        {
            "contact_id": [None, None, "c1", "c1"],  # two anonymous answers at the same time: not identifiable
            "answered_at": [at] * 4,
            "instrument": ["csat"] * 4,
            "score": [4.0, 5.0, 3.0, 3.0],
            "scale_min": [1.0] * 4,
            "scale_max": [5.0] * 4,
        },
        schema=pa.schema([f for f in SURVEYS if f.name not in ("entity_id", "program", "source")]),
    )
    path = tmp_path / "surveys.parquet"
    pq.write_table(surveys, path)
    result = ingest_file(warehouse, "surveys", path, entity_id="e", fmt="canonical", program="care")
    assert (result.accounting.accepted, result.accounting.rejected) == (3, 1)
    key = "contact_id 'c1', instrument 'csat', answered_at 2024-03-01 09:00:00+00:00"
    assert _quarantined(result.accounting.quarantine) == {4: ("contact_id", f"{key} repeats row 3 of this file")}


def test_check_sees_batches_committed_since_its_first_run(tmp_path: Path, contacts: MakeContacts) -> None:
    """Two ingests at once: the pipeline runs the check again under the lock, and only new batches are read."""
    warehouse = Warehouse(tmp_path / "warehouse")
    staging = warehouse.new_staging()
    writer = PartWriter(staging, contacts(1).schema, rows_per_part=3)
    for n in range(0, 10, 2):
        writer.write(contacts(10).slice(n, 2))
    parts = writer.close()
    assert writer.part_rows == [4, 4, 2]
    check = DuplicateCheck(warehouse.root, "contacts", "demo", parts, writer.part_rows)
    assert len(check.run(warehouse.ingests())) == 0
    other = tmp_path / "other.parquet"
    pq.write_table(contacts(10).slice(6, 3), other)  # c0000006..8, in staged parts 1 and 2
    ingest_file(warehouse, "contacts", other, entity_id="demo", fmt="canonical")
    clashes = check.run(warehouse.ingests())
    assert clashes.staged.tolist() == [6, 7, 8]
    assert all(h is not None and h.source == "other.parquet" for h in clashes.holder)
    assert len(check.run(warehouse.ingests())) == 0  # that batch is checked once
    assert check.found.tolist() == [6, 7, 8]


def test_batches_whose_keys_cannot_overlap_are_ruled_out_unread(tmp_path: Path, contacts: MakeContacts) -> None:
    """Contacts c0000000..9 committed; a staged file of c0000010..19 lies wholly above them (Parquet statistics),
    so the batch is ruled out without a query; one of c0000005..14 overlaps and its clashes are found."""
    warehouse = Warehouse(tmp_path / "warehouse")
    first = tmp_path / "first.parquet"
    pq.write_table(contacts(10), first)
    ingest_file(warehouse, "contacts", first, entity_id="demo", fmt="canonical")
    (batch,) = warehouse.ingests()
    later = tmp_path / "later.parquet"
    pq.write_table(contacts(20).slice(10), later)
    check = DuplicateCheck(warehouse.root, "contacts", "demo", [later], [10], KeyHashes())
    assert len(check.run(warehouse.ingests())) == 0
    assert [set(c) for c in check._checked.values()] == [{batch.batch_id}]  # ruled out by the footers alone
    across = tmp_path / "across.parquet"
    pq.write_table(contacts(15).slice(5), across)
    clashes = DuplicateCheck(warehouse.root, "contacts", "demo", [across], [10], KeyHashes()).run(warehouse.ingests())
    assert clashes.staged.tolist() == [0, 1, 2, 3, 4]  # c0000005..9


KEY_PART = st.one_of(st.none(), st.sampled_from(["a", "b", "ab", "b0", "é", "z"]))


@settings(max_examples=60, deadline=None)
@given(
    left=st.lists(st.tuples(KEY_PART, st.integers(0, 5)), min_size=1, max_size=12),
    right=st.lists(st.tuples(KEY_PART, st.integers(0, 5)), min_size=1, max_size=12),
    group=st.integers(1, 4),
)
def test_ranges_never_rule_out_a_shared_key(
    tmp_path_factory: pytest.TempPathFactory, left: list[tuple[str | None, int]], right: list[tuple[str | None, int]],
    group: int,
) -> None:
    """Whatever the keys (nulls, several row groups, non-ASCII text), two files sharing a complete key overlap."""
    root = tmp_path_factory.mktemp("ranges")
    paths = []
    for name, rows in (("l", left), ("r", right)):
        table = pa.table({"agent_id": [a for a, _ in rows], "day": [d for _, d in rows]})
        pq.write_table(table, root / f"{name}.parquet", row_group_size=group)
        paths.append(root / f"{name}.parquet")
    keys = ("agent_id", "day")
    a, b = key_ranges([paths[0]], keys), key_ranges([paths[1]], keys)
    shared = {k for k in left if k[0] is not None} & {k for k in right if k[0] is not None}
    if shared:
        assert a is None or b is None or overlap(a, b)


def test_key_hashes_only_skip_the_exact_count_when_no_key_can_repeat(tmp_path: Path, contacts: MakeContacts) -> None:
    """Equal hashes (a repeat, or a collision) or too many rows to hash mean the exact count runs; else it is
    skipped. Oracle: the staged rows below, three of which repeat c0000001."""
    root = tmp_path / "warehouse"
    table = contacts(6)
    repeated = pa.concat_tables([table, table.slice(1, 1), table.slice(1, 1), table.slice(1, 1)])

    def staged(rows: pa.Table) -> tuple[list[Path], list[int]]:
        writer = PartWriter(Warehouse(root).new_staging(), rows.schema)
        writer.write(rows)
        return writer.close(), writer.part_rows

    def hashed(rows: pa.Table, limit: int = 100) -> KeyHashes:
        hashes = KeyHashes(limit)
        hashes.add(key_hashes(rows, ("contact_id",)))
        return hashes

    assert not hashed(table).may_repeat() and hashed(repeated).may_repeat()
    overflowed = hashed(repeated, limit=5)
    assert overflowed.overflowed and overflowed.may_repeat()
    for hashes in (hashed(repeated), overflowed, None):
        clashes = DuplicateCheck(root, "contacts", "demo", *staged(repeated), hashes).run([])
        assert clashes.staged.tolist() == [6, 7, 8] and clashes.first.tolist() == [1, 1, 1]
    collided = KeyHashes()
    collided.add(np.array([7, 7], dtype=np.uint64))  # as if two different keys hashed alike: the exact count decides
    assert len(DuplicateCheck(root, "contacts", "demo", *staged(table), collided).run([])) == 0
    # Told (wrongly, for the test's sake) that no key repeats, the check trusts the hashes and skips the count.
    assert len(DuplicateCheck(root, "contacts", "demo", *staged(repeated), hashed(table)).run([])) == 0


@st.composite
def _chunks(draw: st.DrawFn) -> list[tuple[int, tuple[int, ...], list[bool]]]:
    out = []
    for _ in range(draw(st.integers(1, 6))):
        count = draw(st.integers(0, 12))
        skipped = tuple(sorted(draw(st.sets(st.integers(0, count + 3), max_size=3))))
        out.append((count, skipped, draw(st.lists(st.booleans(), min_size=count, max_size=count))))
    return out


@settings(max_examples=150, deadline=None)
@given(chunks=_chunks())
def test_staged_rows_know_their_source_row_numbers(chunks: list[tuple[int, tuple[int, ...], list[bool]]]) -> None:
    """Oracle: ``Chunk.row_number`` row by row, keeping the accepted rows in file order."""
    numbers = StagedRowNumbers()
    expected: list[int] = []
    first = 2
    for count, skipped, accepted in chunks:
        chunk = Chunk(pa.RecordBatch.from_pydict({"a": list(range(count))}), 0, first, np.asarray(skipped, np.int64))
        mask = np.array(accepted, dtype=bool)
        numbers.add(chunk, mask)
        expected += [chunk.row_number(i) for i in range(count) if accepted[i]]
        first += count + len(skipped)
    assert numbers.rows == len(expected)
    order = np.random.default_rng(0).permutation(len(expected))
    assert numbers.source_rows(order).tolist() == [expected[i] for i in order]
    if expected:
        with pytest.raises(IndexError):
            numbers.source_rows(np.array([len(expected)]))


def test_committed_parts_carry_the_statistics_the_check_and_queries_use(tmp_path: Path, contacts: MakeContacts) -> None:
    """Natural keys, entity, program, times and numbers have row-group min/max; other text does not (it only cost
    writing time)."""
    warehouse = Warehouse(tmp_path / "warehouse")
    path = tmp_path / "c.parquet"
    pq.write_table(contacts(10), path)
    ingest_file(warehouse, "contacts", path, entity_id="demo", fmt="canonical")
    (part,) = warehouse.files("contacts")
    metadata = pq.ParquetFile(part).metadata
    group = metadata.row_group(0)
    has = {group.column(i).path_in_schema: group.column(i).statistics is not None for i in range(group.num_columns)}
    assert all(has[c] for c in ("contact_id", "entity_id", "program", "arrived_at", "wait_s", "abandoned"))
    assert not has["customer_key"] and not has["source"]
