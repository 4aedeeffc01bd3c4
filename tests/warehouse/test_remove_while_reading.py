"""`ingest remove` never pulls files from under a running reader: a reader process counts the costs again and
again (building its views, pausing, then querying, as a KPI does) while this process removes and re-ingests a
batch; the reader never fails and only ever sees a whole state (9 rows / 1063, or 6 / 1003 without april: the
hand-added oracle of conftest's AMOUNTS). The removed files go once no live reader can hold them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from cxcert.warehouse import Warehouse

from .conftest import ROWS, TOTAL, Built, totals

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from cxcert.warehouse import Warehouse

    root, stop = Path(sys.argv[1]), Path(sys.argv[2])
    seen, errors = set(), []
    while not stop.exists():
        warehouse = Warehouse(root)  # as a new `cxcert kpi` process would
        try:
            costs = warehouse.table("costs")
            time.sleep(0.05)  # the views name the files; a removal may land now
            row = warehouse.sql("SELECT count(*) AS n, sum(amount) AS s FROM costs").to_pylist()[0]
            count = int(costs.count().execute())
            seen.add((row["n"], row["s"], count))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        warehouse.release()
    print(json.dumps({"seen": sorted(seen), "errors": errors}))
    """
)


def test_a_reader_never_meets_a_file_removed_under_it(built: Built, tmp_path: Path) -> None:
    warehouse = built.warehouse
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse.root), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        time.sleep(1.0)  # the reader is up and reading
        for _ in range(12):
            april = next(r for r in Warehouse(warehouse.root).ingests() if r.source == "april.parquet")
            warehouse.remove_ingest(april.ingest_id)
            built.ingest("april")
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=120)
    result = json.loads(out)
    assert result["errors"] == []
    assert {(n, s) for n, s, _ in result["seen"]} <= {(ROWS, TOTAL), (ROWS - 3, TOTAL - 60)}
    assert all(n == count for n, _, count in result["seen"])
    assert totals(warehouse) == (ROWS, TOTAL)
    warehouse.cleanup()  # the reader is gone: nothing holds the removed batches now
    named = {str(r.directory) for r in warehouse.ingests()}
    on_disk = {f"costs/{d.name}" for d in (warehouse.root / "costs").iterdir()}
    assert on_disk == named


def test_a_reader_in_this_process_holds_what_it_read(built: Built) -> None:
    warehouse = built.warehouse
    reader = Warehouse(warehouse.root)
    files = reader.files("costs")
    april = next(r for r in warehouse.ingests() if r.source == "april.parquet")
    warehouse.remove_ingest(april.ingest_id)
    assert all(f.exists() for f in files)  # still readable: the reader's lease holds them
    assert totals(warehouse) == (ROWS - 3, TOTAL - 60)
    reader.files("costs")  # the reader moves on to the new manifest...
    assert (warehouse.root / str(april.directory)) in warehouse.cleanup()  # ...so the old files may go
