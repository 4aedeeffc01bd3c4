"""Benchmark: ingest a contacts file with full validation; print one JSON line of figures.

    python benchmarks/ingest_speed.py --rows 2000000 [--format canonical-csv|canonical-parquet|mapped-csv] [--work DIR]

The file is made from ``cxcert.synth.generate`` contacts (12 months of the default demo centre), cut to exactly
``--rows`` rows, and written with pyarrow:

- ``canonical-csv``: the canonical columns (durations rounded to the millisecond, timestamps ISO 8601 UTC with
  microseconds, as pyarrow writes them);
- ``canonical-parquet``: the same rows as one Parquet file;
- ``mapped-csv``: an ACD-style export read through a mapping file: vendor column names, media/direction/Y-N
  codes, naive local timestamps ``%m/%d/%Y %H:%M:%S`` in America/Chicago, whole seconds, the caller's number
  hashed, plus a column the mapping does not use.

One row in every ``--bad-every`` (default 10,000) is damaged, cycling through: an unknown channel (code), a
duration that is not a number, an arrival time that is not a time, an empty contact id, a line with too few
fields. The run checks that exactly those rows are quarantined with their row numbers (``planted_found``); a
mapped file may have a few more rejections (``extra_rejected``): wall-clock times repeated at the autumn
daylight-saving change are read as their first occurrence, which can put an answer before its arrival.

Each phase runs in its own child process, so each peak RSS is its own: ``ingest`` is
``cxcert.ingest.pipeline.ingest_file`` into a fresh warehouse (parse, convert, validate, quarantine, write
Parquet, check natural keys for repeats within the file, commit); ``reference`` is ``pyarrow.csv.read_csv`` of
the same file, every column as text, all threads, nothing validated, converted or written
(``pyarrow.parquet.read_table`` for Parquet): the floor for parsing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

FORMATS = ("canonical-csv", "canonical-parquet", "mapped-csv")
DAMAGES = ("code", "number", "time", "required", "fields")
BATCH_ROWS = 500_000
TIMEZONE = "America/Chicago"
TIME_FORMAT = "%m/%d/%Y %H:%M:%S"
MEDIA = {"voice": "VOICE", "email": "EMAIL", "chat": "CHAT", "messaging": "MSG", "social": "SOCIAL",
         "back_office": "BO"}  # fmt: skip
DIRECTION = {"inbound": "IN", "outbound": "OUT"}
MAPPING = """\
kind: contacts
columns:
  program: LOB
  contact_id: Call ID
  queue: Split
  channel: Media
  direction: Dir
  arrived_at: Start Time
  answered_at: Answer Time
  ended_at: End Time
  abandoned: Abandoned
  wait_s: Queue Secs
  talk_s: Talk Secs
  hold_s: Hold Secs
  acw_s: ACW Secs
  agent_id: Login ID
  customer_key: ANI
  transferred: Transferred
  outcome: Disposition
timezone: {timezone}
time_format: "{time_format}"
codes:
  channel: {media}
  direction: {direction}
  abandoned: {{"Y": true, "N": false}}
  transferred: {{"Y": true, "N": false}}
hash: [customer_key]
"""


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    ``VmHWM`` rather than ``ru_maxrss``: Linux carries ``ru_maxrss`` over ``exec``, so a child would report its
    parent's peak when that was higher.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 2)


# ----------------------------------------------------------------------------------------------- the file


def synth_contacts(work: Path, rows: int, seed: int) -> list[Path]:
    """Parquet parts of generated contacts, at least ``rows`` of them (generated once per size and seed)."""
    from cxcert.synth import generate, load_profile

    out = work / f"synth-{rows}-{seed}"
    done = out / "done"
    if not done.exists():
        asked = rows + rows // 50 + 1000  # the generator gives about the number asked
        generate(out, contacts=asked, months=12, seed=seed, profile=load_profile(), entity_id="bench")
        done.write_text("ok")
    parts = sorted((out / "contacts").glob("part-*.parquet"))
    have = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    if have < rows:
        raise RuntimeError(f"the generator gave {have} contacts, fewer than {rows}")
    return parts


def batches(parts: list[Path], rows: int) -> Any:
    left = rows
    for part in parts:
        for batch in pq.ParquetFile(part).iter_batches(batch_size=BATCH_ROWS):
            if left <= 0:
                return
            batch = batch.slice(0, min(left, batch.num_rows))
            left -= batch.num_rows
            yield pa.Table.from_batches([batch])


def _round(column: Any, digits: int) -> Any:
    return pc.round(column, digits)


def canonical_view(table: pa.Table) -> pa.Table:
    for name in ("wait_s", "talk_s", "hold_s", "acw_s"):
        table = table.set_column(table.schema.get_field_index(name), name, _round(table.column(name), 3))
    return table


def mapped_view(table: pa.Table) -> pa.Table:
    """The contacts as an ACD export (see the module docstring)."""

    def local(name: str) -> Any:
        seconds = table.column(name).cast(pa.timestamp("s", tz=TIMEZONE), safe=False)
        return pc.strftime(seconds, format=TIME_FORMAT)

    def coded(name: str, codes: dict[str, str]) -> Any:
        return pc.take(pa.array(list(codes.values())), pc.index_in(table.column(name), pa.array(list(codes))))

    def yes_no(name: str) -> Any:
        return pc.if_else(table.column(name), "Y", "N")

    def whole(name: str) -> Any:
        return pc.round(table.column(name)).cast(pa.int64())

    return pa.table(
        {
            "Call ID": table.column("contact_id"),
            "LOB": table.column("program"),
            "Split": table.column("queue"),
            "Media": coded("channel", MEDIA),
            "Dir": coded("direction", DIRECTION),
            "Start Time": local("arrived_at"),
            "Answer Time": local("answered_at"),
            "End Time": local("ended_at"),
            "Abandoned": yes_no("abandoned"),
            "Queue Secs": whole("wait_s"),
            "Talk Secs": whole("talk_s"),
            "Hold Secs": whole("hold_s"),
            "ACW Secs": whole("acw_s"),
            "Login ID": table.column("agent_id"),
            "ANI": table.column("customer_key"),
            "Transferred": yes_no("transferred"),
            "Disposition": table.column("outcome"),
            "Site": pa.repeat(pa.scalar("CHI"), table.num_rows),
        }
    )


def damage_cells(table: pa.Table, kinds: dict[int, str], mapped: bool) -> pa.Table:
    """Replace one cell in each damaged row (all but ``fields``, done on the text)."""
    cells = {
        "code": ("Media" if mapped else "channel", "FAX" if mapped else "pigeon"),
        "number": ("Queue Secs" if mapped else "wait_s", "abc"),
        "time": ("Start Time" if mapped else "arrived_at", "yesterday"),
        "required": ("Call ID" if mapped else "contact_id", ""),
    }
    for kind, (column, bad) in cells.items():
        where = [i for i, k in kinds.items() if k == kind]
        if not where:
            continue
        mask = np.zeros(table.num_rows, dtype=bool)
        mask[where] = True
        index = table.schema.get_field_index(column)
        text = pc.cast(table.column(column), pa.string())
        table = table.set_column(index, column, pc.if_else(pa.array(mask), pa.scalar(bad), text))
    return table


def write_file(work: Path, rows: int, fmt: str, seed: int, bad_every: int) -> tuple[Path, Path | None, list[int]]:
    """The benchmark's input file (made once per size, format and damage rate), its mapping, the planted rows."""
    suffix = "parquet" if fmt == "canonical-parquet" else "csv"
    path = work / f"contacts-{fmt}-{rows}-{seed}-{bad_every}.{suffix}"
    mapping = work / "acd-mapping.yaml" if fmt == "mapped-csv" else None
    if mapping is not None:
        mapping.write_text(
            MAPPING.format(
                timezone=TIMEZONE,
                time_format=TIME_FORMAT,
                media=json.dumps({v: k for k, v in MEDIA.items()}),
                direction=json.dumps({v: k for k, v in DIRECTION.items()}),
            )
        )
    planted_path = path.with_suffix(".planted.json")
    if path.exists() and planted_path.exists():
        return path, mapping, json.loads(planted_path.read_text())
    planted: list[int] = []
    tmp = path.with_suffix(".tmp")
    writer: Any = None
    offset = 0
    with tmp.open("wb") as out:
        for table in batches(synth_contacts(work, rows, seed), rows):
            view = mapped_view(table) if fmt == "mapped-csv" else canonical_view(table)
            kinds: dict[int, str] = {}
            if fmt != "canonical-parquet" and bad_every:
                first = (-offset) % bad_every
                for i in range(first, view.num_rows, bad_every):
                    kinds[i] = DAMAGES[((offset + i) // bad_every) % len(DAMAGES)]
                view = damage_cells(view, kinds, fmt == "mapped-csv")
            if fmt == "canonical-parquet":
                writer = writer or pq.ParquetWriter(out, view.schema)
                writer.write_table(view)
            else:
                buffer = pa.BufferOutputStream()
                options = pcsv.WriteOptions(include_header=offset == 0, quoting_style="needed")
                pcsv.write_csv(view, buffer, write_options=options)
                data = buffer.getvalue().to_pybytes()
                short = [i for i, k in kinds.items() if k == "fields"]
                if short:
                    lines = data.split(b"\n")
                    head = 1 if offset == 0 else 0
                    for i in short:
                        lines[head + i] = b",".join(lines[head + i].split(b",")[:3])
                    data = b"\n".join(lines)
                out.write(data)
            planted.extend(offset + i + 2 for i in sorted(kinds))
            offset += view.num_rows
        if writer is not None:
            writer.close()
    os.replace(tmp, path)
    planted_path.write_text(json.dumps(planted))
    return path, mapping, planted


# ----------------------------------------------------------------------------------------------- the phases


def phase_ingest(work: Path, path: Path, mapping: Path | None, fmt: str, planted: list[int]) -> dict[str, Any]:
    from cxcert.ingest.pipeline import ingest_file
    from cxcert.ingest.quarantine import read_quarantine
    from cxcert.warehouse import Warehouse

    with tempfile.TemporaryDirectory(prefix="ingest-run-", dir=work) as run:
        warehouse = Warehouse(Path(run) / "warehouse")
        started = time.perf_counter()
        result = ingest_file(
            warehouse,
            "contacts",
            path,
            entity_id="bench",
            fmt="csv" if fmt == "mapped-csv" else "canonical",
            mapping=mapping,
            quarantine_dir=Path(run) / "quarantine",
        )
        wall = time.perf_counter() - started
        accounting = result.accounting
        found = (
            {int(r["row_number"]) for r in read_quarantine(accounting.quarantine)} if accounting.quarantine else set()
        )
        return {
            "wall_s": round(wall, 2),
            "cpu_s": cpu_s(),
            "read": accounting.read,
            "accepted": accounting.accepted,
            "rejected": accounting.rejected,
            "planted_found": set(planted) <= found,
            "extra_rejected": len(found - set(planted)),
            "rows_per_s": round(accounting.read / wall),
            "peak_rss_mb": peak_rss_mb(),
        }


def phase_reference(path: Path, fmt: str) -> dict[str, Any]:
    started = time.perf_counter()
    if fmt == "canonical-parquet":
        rows = pq.read_table(path).num_rows
    else:
        header = pcsv.open_csv(path).schema.names
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(use_threads=True),
            parse_options=pcsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
            convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in header}),
        )
        rows = table.num_rows
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), "cpu_s": cpu_s(), "rows": rows, "rows_per_s": round(rows / wall),
            "peak_rss_mb": peak_rss_mb()}  # fmt: skip


# --------------------------------------------------------------------------------------------- orchestration


def run_child(args: list[str]) -> dict[str, Any]:
    """Run one phase in a child process; its last stdout line is the phase's JSON."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"phase failed ({done.returncode}): {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--format", choices=FORMATS, default="canonical-csv")
    parser.add_argument("--work", type=Path, help="working directory (kept; the generated files are reused)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-every", type=int, default=10_000, help="damage one row in N (0: none)")
    parser.add_argument("--no-reference", action="store_true", help="skip the pyarrow reference run")
    parser.add_argument("--phase", choices=("ingest", "reference"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="cxcert-ingest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    bad_every = 0 if args.format == "canonical-parquet" else args.bad_every
    common = ["--rows", str(args.rows), "--format", args.format, "--work", str(work), "--seed", str(args.seed),
              "--bad-every", str(args.bad_every)]  # fmt: skip
    if args.phase:
        path, mapping, planted = write_file(work, args.rows, args.format, args.seed, bad_every)
        if args.phase == "ingest":
            print(json.dumps(phase_ingest(work, path, mapping, args.format, planted)))
        else:
            print(json.dumps(phase_reference(path, args.format)))
        return
    started = time.perf_counter()
    path, _, planted = write_file(work, args.rows, args.format, args.seed, bad_every)
    report: dict[str, Any] = {
        "benchmark": "ingest",
        "format": args.format,
        "rows": args.rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "planted_bad_rows": len(planted),
        "cpus": os.cpu_count(),
        "prepare_s": round(time.perf_counter() - started, 1),
    }
    ingest = run_child([*common, "--phase", "ingest"])
    report.update({"seconds": ingest["wall_s"], "rows_per_s": ingest["rows_per_s"],
                   "peak_rss_mb": ingest["peak_rss_mb"], "ingest": ingest})  # fmt: skip
    if not args.no_reference:
        reference = run_child([*common, "--phase", "reference"])
        report["reference_pyarrow_read_csv_text" if args.format != "canonical-parquet" else "reference"] = reference
        report["cxcert_over_reference"] = round(ingest["wall_s"] / reference["wall_s"], 2)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
