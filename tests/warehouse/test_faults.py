"""Storage faults, injected on real files with real DuckDB: each ends in the right count after repair or in one
clear line, and never loses a committed row. The oracle of every count is conftest's hand-added AMOUNTS
(9 rows summing to 1063) plus the rows a test adds itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cxcert.warehouse import Warehouse, WarehouseDamaged
from cxcert.warehouse.commits import SIDECAR
from cxcert.warehouse.ingest_log import LOG_NAME
from cxcert.warehouse.leftovers import STAGING
from cxcert.warehouse.manifest import MANIFEST_NAME
from cxcert.warehouse.repair import check, repair

from .conftest import ROWS, TOTAL, Built, totals


def _parts(warehouse: Warehouse) -> set[Path]:
    return set(warehouse.root.rglob("*.parquet"))


def _damage_manifest(path: Path, how: str) -> None:
    if how == "deleted":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "garbled":
        data = bytearray(path.read_bytes())
        data[10:40] = b"\x00" * 30
        path.write_bytes(bytes(data))
    elif how == "wrong shape":
        path.write_text(json.dumps({"generation": 3, "batches": {"a": 1}}), encoding="utf-8")
    elif how == "empty":
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["deleted", "truncated", "garbled", "wrong shape", "empty"])
def test_a_lost_or_damaged_manifest_is_never_an_empty_warehouse(built: Built, how: str) -> None:
    warehouse = built.warehouse
    parts = _parts(warehouse)
    _damage_manifest(warehouse.root / MANIFEST_NAME, how)
    with pytest.raises(WarehouseDamaged, match=r"manifest .*run `cxcert warehouse repair`"):
        Warehouse(warehouse.root).sql("SELECT count(*) FROM costs")
    with pytest.raises(WarehouseDamaged, match="run `cxcert warehouse repair`"):
        built.ingest("june", [5.0, 6.0, 7.0, 8.0, 9.0, 10.0])  # the six cost rows: refused, nothing deleted
    assert _parts(warehouse) == parts
    assert not check(warehouse.root, None).ok
    report = repair(warehouse.root, None)
    assert report.ok and any("rebuilt the manifest from the ingest log" in a for a in report.actions)
    assert totals(warehouse) == (ROWS, TOTAL)
    built.ingest("june", [5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    assert totals(warehouse) == (ROWS + 6, TOTAL + 45)


def test_manifest_and_log_both_lost_are_rebuilt_from_each_batch_json(built: Built) -> None:
    warehouse = built.warehouse
    (warehouse.root / MANIFEST_NAME).unlink()
    (warehouse.root / LOG_NAME).unlink()
    report = repair(warehouse.root, None)
    assert report.ok, report.findings
    assert totals(warehouse) == (ROWS, TOTAL)
    assert [r.source for r in Warehouse(warehouse.root).ingests()] == ["march.parquet", "april.parquet", "may.parquet"]
    built.ingest("june", [7.0])
    assert totals(warehouse) == (ROWS + 1, TOTAL + 7)


def test_a_removed_batch_is_not_brought_back_by_a_rebuild(built: Built) -> None:
    warehouse = built.warehouse
    april = next(r for r in warehouse.ingests() if r.source == "april.parquet")
    reader = Warehouse(warehouse.root)
    reader.files("costs")  # a live reader holds the old list: the removed directory stays on disk
    warehouse.remove_ingest(april.ingest_id)
    assert (warehouse.root / str(april.directory)).is_dir()
    (warehouse.root / MANIFEST_NAME).unlink()
    (warehouse.root / LOG_NAME).unlink()
    assert repair(warehouse.root, None).ok
    assert totals(warehouse) == (ROWS - 3, TOTAL - 60)
    reader.release()
    assert (warehouse.root / str(april.directory)) in warehouse.cleanup()


@pytest.mark.parametrize("line", ["garbled", "torn"])
def test_a_damaged_ingest_log(built: Built, line: str) -> None:
    warehouse = built.warehouse
    log = warehouse.root / LOG_NAME
    lines = log.read_bytes().splitlines(keepends=True)
    if line == "garbled":  # a middle line: the log proves nothing until repair starts it again from the manifest
        log.write_bytes(b"".join([lines[0], b"{not json\n", *lines[2:]]))
        with pytest.raises(WarehouseDamaged, match="ingest log is damaged"):
            built.ingest("june", [5.0])
        report = repair(warehouse.root, None)
        assert any("started it again from the manifest" in a for a in report.actions)
    else:  # an append cut short by a crash: that step never happened, the next writer cuts it off
        log.write_bytes(b"".join(lines) + b'{"op":"commit","generation":4,"bat')
        assert any("cut short" in f.message for f in check(warehouse.root, None).findings)
    assert totals(warehouse) == (ROWS, TOTAL)
    built.ingest("june", [5.0])
    assert totals(warehouse) == (ROWS + 1, TOTAL + 5)
    assert check(warehouse.root, None).ok


def _break_part(path: Path, how: str) -> None:
    if how == "missing":
        path.unlink()
    elif how == "truncated":
        os.truncate(path, path.stat().st_size // 2)
    else:  # bytes overwritten in place, same size (a disk or a careless tool)
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle : middle + 16] = b"\xff" * 16
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["missing", "truncated", "corrupt"])
def test_a_damaged_part_is_one_line_naming_it(built: Built, how: str) -> None:
    warehouse = built.warehouse
    april = next(r for r in warehouse.ingests() if r.source == "april.parquet")
    (part,) = april.files
    _break_part(warehouse.root / part, how)
    named = f"part {part} \\(ingest {april.ingest_id}, from april.parquet\\) is {how}"
    with pytest.raises(WarehouseDamaged, match=named):
        totals(warehouse)
    report = check(warehouse.root, None)
    assert not report.ok and [p.file for p in report.damaged_parts] == [part]
    assert f"cxcert ingest remove {april.ingest_id} --yes" in report.findings[0].message
    assert not repair(warehouse.root, None).ok  # a damaged part cannot be mended: still reported
    warehouse.remove_ingest(april.ingest_id)  # what the line says to do
    built.ingest("april")
    assert totals(warehouse) == (ROWS, TOTAL)
    assert check(warehouse.root, None).ok


def test_a_part_overwritten_with_its_mtime_put_back_is_found_by_check(built: Built) -> None:
    warehouse = built.warehouse
    (part,) = warehouse.ingests()[0].files
    path = warehouse.root / part
    before = path.stat()
    _break_part(path, "corrupt")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    (problem,) = check(warehouse.root, None).damaged_parts
    assert problem.file == part and problem.fault == "corrupt"


def test_a_touched_part_is_hashed_once_and_still_read(built: Built) -> None:
    warehouse = built.warehouse
    for part in warehouse.manifest().files_of_all():
        os.utime(warehouse.root / part)  # a copy without its mtimes, a backup tool...
    assert totals(warehouse) == (ROWS, TOTAL)
    verified = json.loads((warehouse.root / ".verified.json").read_text(encoding="utf-8"))["parts"]
    assert set(verified) == set(warehouse.manifest().files_of_all())


CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from cxcert.ingest.pipeline import ingest_file
    from cxcert.warehouse import Warehouse, commits, ingest_log

    where, root, path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    if where == "after-move":  # the batch directory is in place, its log line not yet written
        append = ingest_log.append
        ingest_log.append = lambda root, entry, **kw: die() if entry["op"] == "commit" else append(root, entry, **kw)
    else:  # "after-log": committed in the log, the manifest not yet replaced
        commits.write_manifest = die
    ingest_file(Warehouse(root), "costs", path, entity_id="paris", fmt="canonical")
    """
)


def _crash(built: Built, where: str, name: str, amounts: list[float]) -> None:
    from .conftest import costs_file

    path = costs_file(built.files["march"].parent, name, amounts)
    built.files[name] = path
    done = subprocess.run([sys.executable, "-c", CRASH, where, str(built.warehouse.root), str(path)], check=False)
    assert done.returncode == -signal.SIGKILL


def test_crash_between_part_move_and_log_commits_nothing(built: Built) -> None:
    warehouse = built.warehouse
    _crash(built, "after-move", "june", [5.0, 6.0])
    (stray,) = [d for d in (warehouse.root / "costs").iterdir() if d.name not in {
        str(r.directory).split("/")[1] for r in warehouse.ingests()}]  # fmt: skip
    assert (stray / SIDECAR).exists()
    assert totals(warehouse) == (ROWS, TOTAL)
    notes = [f.message for f in check(warehouse.root, None).findings]
    assert any("never committed" in n for n in notes)
    report = repair(warehouse.root, None)
    assert report.ok and not stray.exists()
    built.ingest("june")  # the same file again: its ingest never happened, so it is not a no-op
    assert totals(warehouse) == (ROWS + 2, TOTAL + 11)


def test_crash_between_log_and_manifest_is_committed(built: Built) -> None:
    warehouse = built.warehouse
    _crash(built, "after-log", "june", [5.0, 6.0])
    assert totals(warehouse) == (ROWS, TOTAL)  # not visible yet...
    assert any("behind the ingest log" in f.message for f in check(warehouse.root, None).findings)
    assert repair(warehouse.root, None).ok
    assert totals(warehouse) == (ROWS + 2, TOTAL + 11)  # ...but committed: repair rolls the manifest forward
    built.ingest("june")  # a no-op: never counted twice
    assert totals(warehouse) == (ROWS + 2, TOTAL + 11)


def test_the_next_commit_rolls_a_crashed_commit_forward(built: Built) -> None:
    warehouse = built.warehouse
    _crash(built, "after-log", "june", [5.0, 6.0])
    built.ingest("july", [1.0])
    assert totals(warehouse) == (ROWS + 3, TOTAL + 12)
    assert check(warehouse.root, None).ok


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_dead_processes_go_and_those_of_live_ones_stay(built: Built) -> None:
    warehouse = built.warehouse
    dead = _dead_pid()
    stale = warehouse.root / STAGING / f"{dead}-0123456789ab"
    stale.mkdir(parents=True)
    (stale / "part-00000.parquet").write_bytes(b"x" * 4096)
    live = warehouse.root / STAGING / f"{os.getpid()}-ba9876543210"
    live.mkdir()
    quarantine = warehouse.quarantine_dir
    quarantine.mkdir(parents=True, exist_ok=True)
    stale_part = quarantine / f"20240301T000000-costs-june.csv.{dead}.part"
    stale_part.write_text("row_number,column,reason,raw\n", encoding="utf-8")
    kept_part = quarantine / f"20240301T000000-costs-july.csv.{os.getpid()}.part"
    kept_part.write_text("row_number,column,reason,raw\n", encoding="utf-8")
    notes = [f.message for f in check(warehouse.root, quarantine).findings]
    assert sum("dead" in n for n in notes) == 2 and check(warehouse.root, quarantine).ok
    built.ingest("june", [5.0])  # the start of the next ingest cleans up
    assert not stale.exists() and not stale_part.exists()
    assert live.exists() and kept_part.exists()
    assert totals(warehouse) == (ROWS + 1, TOTAL + 5)


def test_repair_cleans_leftovers_of_a_killed_ingest(built: Built) -> None:
    warehouse = built.warehouse
    stale = warehouse.root / STAGING / f"{_dead_pid()}-0123456789ab"
    stale.mkdir(parents=True)
    report = repair(warehouse.root, warehouse.quarantine_dir)
    assert not stale.exists() and any("dead processes" in a for a in report.actions)


def test_a_batch_directory_the_log_cannot_vouch_for_is_kept(built: Built) -> None:
    warehouse = built.warehouse
    (part,) = warehouse.ingests()[0].files
    stray = warehouse.root / "costs" / "batch-20990101T000000-deadbeef"
    stray.mkdir()
    (stray / "part-00000.parquet").write_bytes((warehouse.root / part).read_bytes())
    (warehouse.root / LOG_NAME).unlink()  # nothing can prove it never committed now
    report = repair(warehouse.root, None)
    assert stray.exists() and report.ok
    assert totals(warehouse) == (ROWS, TOTAL)
    built.ingest("june", [5.0])  # nor does a later commit delete it on the new log's word
    assert stray.exists()
    assert any("not proven garbage" in f.message for f in check(warehouse.root, None).findings)


def test_a_format_1_manifest_opens_and_is_upgraded_by_the_next_commit(built: Built) -> None:
    warehouse = built.warehouse
    manifest = json.loads((warehouse.root / MANIFEST_NAME).read_text(encoding="utf-8"))
    old = {"format": 1, "generation": manifest["generation"],
           "batches": [{k: v for k, v in b.items() if k != "parts"} for b in manifest["batches"]]}  # fmt: skip
    (warehouse.root / MANIFEST_NAME).write_text(json.dumps(old), encoding="utf-8")
    (warehouse.root / LOG_NAME).unlink()
    for directory in (warehouse.root / "costs").iterdir():
        (directory / SIDECAR).unlink()
    assert totals(warehouse) == (ROWS, TOTAL)
    assert check(warehouse.root, None).ok
    built.ingest("june", [5.0])
    upgraded = Warehouse(warehouse.root).manifest()
    assert upgraded.format == 2 and set(upgraded.stamps) == set(upgraded.files_of_all())
    assert totals(warehouse) == (ROWS + 1, TOTAL + 5)
    assert check(warehouse.root, None).ok


@pytest.mark.parametrize("lost", [(MANIFEST_NAME,), (MANIFEST_NAME, LOG_NAME)])
def test_a_swap_of_rewritten_batches_survives_a_rebuild(built: Built, lost: tuple[str, ...]) -> None:
    """Batches swapped for copies without some rows (as `cxcert customer erase` does) stay swapped whatever
    repair rebuilds from: the log's replace line, or the copies' batch.json and the old ones' removed.json."""
    from .conftest import costs_file

    warehouse = built.warehouse
    april = next(r for r in warehouse.ingests() if r.source == "april.parquet")
    staging = warehouse.new_staging()
    copy = costs_file(staging, "april", [10.0, 20.0])  # april without its 30.0 row
    reader = Warehouse(warehouse.root)
    old_files = reader.files("costs")
    (swapped,) = warehouse.replace_batches([(april, [copy], 1)])
    assert swapped.fingerprint == april.fingerprint and swapped.erased == 1
    assert all(f.exists() for f in old_files)  # the reader's lease keeps the old copy readable
    assert totals(warehouse) == (ROWS - 1, TOTAL - 30)
    assert check(warehouse.root, None).ok
    for name in lost:
        (warehouse.root / name).unlink()
    assert repair(warehouse.root, None).ok
    assert totals(warehouse) == (ROWS - 1, TOTAL - 30)
    assert [r.erased for r in Warehouse(warehouse.root).ingests()] == [0, 1, 0]
    reader.release()
    warehouse.cleanup()
    assert not (warehouse.root / str(april.directory)).exists()
