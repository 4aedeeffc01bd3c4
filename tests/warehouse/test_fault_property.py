"""A property over any sequence of ingests and removals with a storage fault dropped in anywhere: after `repair`
the warehouse holds exactly the rows of the ingests that were committed and not removed (the model), and every
ingest in between either committed or stopped with one WarehouseDamaged line, changing nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxcert.ingest.pipeline import ingest_file
from cxcert.warehouse import Warehouse, WarehouseDamaged
from cxcert.warehouse.ingest_log import LOG_NAME
from cxcert.warehouse.manifest import MANIFEST_NAME
from cxcert.warehouse.repair import check, repair

from .conftest import costs_file, totals

FAULTS = ("manifest deleted", "manifest cut", "log deleted", "log torn", "both deleted")


def _fault(root: Path, fault: str) -> None:
    manifest, log = root / MANIFEST_NAME, root / LOG_NAME
    if fault in ("manifest deleted", "both deleted"):
        manifest.unlink(missing_ok=True)
    if fault in ("log deleted", "both deleted"):
        log.unlink(missing_ok=True)
    if fault == "manifest cut" and manifest.exists():
        manifest.write_bytes(manifest.read_bytes()[:40])
    if fault == "log torn" and log.exists():
        with log.open("ab") as handle:
            handle.write(b'{"op":"remove","generation":')


steps = st.lists(
    st.one_of(
        st.tuples(st.just("ingest"), st.integers(0, 5), st.integers(1, 4)),
        st.tuples(st.just("remove"), st.integers(0, 5), st.just(0)),
        st.tuples(st.just("fault"), st.sampled_from(FAULTS), st.just(0)),
    ),
    min_size=1,
    max_size=7,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_repair_gives_back_exactly_the_committed_rows(tmp_path: Path, steps: list[tuple[str, object, int]]) -> None:
    work = tmp_path / "run"
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    warehouse = Warehouse(work / "warehouse")
    model: dict[int, list[float]] = {}  # month index -> amounts committed and not removed
    for op, what, size in steps:
        if op == "fault":
            _fault(warehouse.root, str(what))
            continue
        month = int(str(what))
        try:
            if op == "ingest" and month not in model:
                amounts = [float(month * 100 + i) for i in range(size)]
                path = costs_file(work / "data", f"m{month}-{size}", amounts, day=19783 + 31 * month)
                ingest_file(warehouse, "costs", path, entity_id="paris", fmt="canonical")
                model[month] = amounts
            elif op == "remove" and month in model:
                (record,) = [r for r in warehouse.ingests() if r.source.startswith(f"m{month}-")]
                warehouse.remove_ingest(record.ingest_id)
                del model[month]
        except WarehouseDamaged as exc:
            assert "run `cxcert warehouse" in str(exc)
            assert repair(warehouse.root, None).ok
    assert repair(warehouse.root, None).ok
    expected = [a for amounts in model.values() for a in amounts]
    assert totals(warehouse) == (len(expected), float(sum(expected)))
    assert check(warehouse.root, None).ok
