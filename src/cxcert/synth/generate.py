"""Generate a synthetic contact centre: every canonical table as Parquet, deterministic under a seed.

The run is planned at interval level for its whole length (:mod:`cxcert.synth.plan`), then contacts and what
depends on them (surveys, evaluations, agent states) are drawn and written day by day through streaming writers,
so memory stays bounded by one row group per table whatever the volume.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from cxcert.canonical import FORECASTS, TABLES
from cxcert.errors import CxcertError
from cxcert.synth.contacts import NO_AGENT, contacts_batch, draw_day
from cxcert.synth.costs import costs_batch
from cxcert.synth.forecasts import open_intervals
from cxcert.synth.handling import CustomerPool
from cxcert.synth.identifiers import constant, prefixed, timestamps
from cxcert.synth.plan import Plan, build_plan
from cxcert.synth.profile import CentreProfile
from cxcert.synth.quality_data import evaluation_batches, sample_evaluations
from cxcert.synth.roster_records import roster_batch, trainings_batch
from cxcert.synth.shift_records import absences_batch, agent_states_batch, schedules_batch
from cxcert.synth.surveys import surveys_batch
from cxcert.synth.writer import TableWriter, WriterLimits

Progress = Callable[[int, int], None]
"""Called with (days done, days in total) after each simulated day."""


@dataclass(frozen=True)
class GenerationSummary:
    """What a run wrote: rows and part files per table, under ``out_dir/<table>/``."""

    out_dir: Path
    entity_id: str
    seed: int
    months: int
    first_day: str
    last_day: str
    source: str
    rows: Mapping[str, int] = field(default_factory=dict)
    parts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "out_dir": str(self.out_dir),
            "entity_id": self.entity_id,
            "seed": self.seed,
            "months": self.months,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "source": self.source,
            "rows": dict(self.rows),
            "parts": dict(self.parts),
        }


def generate(
    out_dir: Path,
    *,
    contacts: int | None,
    months: int,
    seed: int,
    profile: CentreProfile,
    entity_id: str,
    progress: Progress | None = None,
    limits: WriterLimits | None = None,
    last_day: dt.date | None = None,
) -> GenerationSummary:
    """Write a synthetic centre of ``months`` months (about ``contacts`` contacts if given) to ``out_dir``.

    Tables already in ``out_dir`` are replaced. The same arguments give byte-identical files.
    """
    if months < 1:
        raise CxcertError("months must be at least 1")
    if contacts is not None and contacts < 1:
        raise CxcertError("contacts must be at least 1")
    if seed < 0:
        raise CxcertError("seed must be 0 or more")
    plan = build_plan(profile, months=months, contacts=contacts, seed=seed, last_day=last_day)
    source = f"cxcert-generate:{profile.name}:seed={seed}"
    out_dir.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        shutil.rmtree(out_dir / table, ignore_errors=True)
    writers = {table: TableWriter(out_dir, table, limits or WriterLimits()) for table in TABLES}
    agent_ids = prefixed("A", np.arange(plan.roster.size, dtype=np.int64), 6)
    try:
        _write_run(plan, writers, agent_ids, entity_id, source, seed, progress)
    finally:
        for writer in writers.values():
            writer.close()
    calendar = plan.calendar
    return GenerationSummary(
        out_dir=out_dir,
        entity_id=entity_id,
        seed=seed,
        months=months,
        first_day=calendar.days[0].isoformat(),
        last_day=calendar.days[-1].isoformat(),
        source=source,
        rows={t: w.rows for t, w in writers.items()},
        parts={t: w.parts for t, w in writers.items()},
    )


def _write_run(
    plan: Plan,
    writers: Mapping[str, TableWriter],
    agent_ids: pa.Array,
    entity_id: str,
    source: str,
    seed: int,
    progress: Progress | None,
) -> None:
    writers["forecasts"].write(_forecasts(plan, entity_id, source))
    writers["roster"].write(roster_batch(plan, agent_ids, entity_id, source))
    writers["trainings"].write(trainings_batch(plan, agent_ids, entity_id, source))
    writers["costs"].write(costs_batch(plan, entity_id, source))
    pools = [CustomerPool(k, plan.profile.repeat_window_days) for k in range(len(plan.profile.programs))]
    contact_number, evaluation_number = 0, 0
    for day in range(plan.calendar.n_days):
        contacts = draw_day(plan, day, pools, seed)
        batch = contacts_batch(plan, contacts, contact_number, agent_ids, entity_id, source)
        contact_number += contacts.size
        writers["contacts"].write(batch)
        contact_ids = batch.column("contact_id")
        writers["surveys"].write(surveys_batch(plan, day, contacts, contact_ids, entity_id, source, seed))
        rows = sample_evaluations(plan, day, contacts, seed)
        evaluations, items = evaluation_batches(
            plan, day, contacts, rows, contact_ids, evaluation_number, agent_ids, entity_id, source, seed
        )
        evaluation_number += rows.shape[0]
        writers["evaluations"].write(evaluations)
        writers["evaluation_items"].write(items)
        handled = contacts.agent != NO_AGENT
        work = np.stack(
            [
                np.bincount(contacts.agent[handled], weights=part[handled], minlength=plan.roster.size)
                for part in (contacts.talk_s, contacts.hold_s, contacts.acw_s)
            ],
            axis=1,
        ).astype(np.float64)
        writers["schedules"].write(schedules_batch(plan, day, agent_ids, entity_id, source))
        writers["agent_states"].write(agent_states_batch(plan, day, work, agent_ids, entity_id, source, seed))
        writers["absences"].write(absences_batch(plan, day, agent_ids, entity_id, source))
        if progress is not None:
            progress(day + 1, plan.calendar.n_days)


def _forecasts(plan: Plan, entity_id: str, source: str) -> pa.RecordBatch:
    """Forecast rows for every open interval of every queue (wall times skipped by daylight saving left out)."""
    profile, calendar = plan.profile, plan.calendar
    is_open = open_intervals(profile)  # (I, Q)
    wanted = is_open[None, :, :] & calendar.interval_exists[:, :, None]
    day, interval, queue = np.nonzero(wanted)
    n = day.shape[0]
    program_names = pa.array([p.id for p, _ in profile.queues], type=pa.string())
    queue_names = pa.array([q.id for _, q in profile.queues], type=pa.string())
    return pa.RecordBatch.from_arrays(
        [
            constant(entity_id, n),
            program_names.take(pa.array(queue)),
            constant(source, n),
            queue_names.take(pa.array(queue)),
            timestamps(calendar.interval_start_us[day, interval]),
            pa.array(np.full(n, calendar.interval_s, dtype=np.int32)),
            pa.array(plan.forecast.contacts[day, interval, queue], type=pa.float64()),
            pa.array(plan.forecast.aht_s[day, queue], type=pa.float64()),
            pa.array(plan.required[day, interval, queue], type=pa.float64()),
        ],
        schema=FORECASTS,
    )
