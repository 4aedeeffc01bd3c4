"""Quality monitoring: evaluations of sampled contacts and their items, on the packaged QA form the profile names.

Each day, every agent who handled contacts is evaluated with the probability that gives about
``evaluations_per_agent_month`` evaluations a month (one random contact of theirs that day). Each parameter of
the form is not applicable with its ``na_probability``, else fails with its ``fail_probability`` times the
program's monthly ``qa_errors`` multiplier (the story's quality dip and improving trend), else passes. A passed
parameter earns its weighted points, a failed one none. Evaluations happen 0..``lag_days_max`` days after the
contact.

The parameters, their error classes and points come from the form itself (``quality.form_id`` and
``form_version``, a packaged form such as ``cxcert-demo-form`` v1), so generated evaluations always score on the
form they pin; the profile adds only the probabilities, and its copy of each parameter's class and points must
agree with the form (else the profile is refused, naming the difference).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa

from cxcert.canonical import EVALUATION_ITEMS, EVALUATIONS
from cxcert.errors import CxcertError
from cxcert.synth.calendar import US_PER_S
from cxcert.synth.contacts import DayContacts
from cxcert.synth.identifiers import constant, prefixed, timestamps
from cxcert.synth.plan import Plan
from cxcert.synth.profile import Quality
from cxcert.synth.random_streams import Stream, rng_for

DAYS_PER_MONTH = 365.25 / 12


@cache
def form_grid(quality: Quality) -> tuple[tuple[str, str, float], ...]:
    """(parameter id, error class, weighted points) in the profile's order, read from the pinned packaged form."""
    from cxcert.quality.form_registry import FormRegistry

    form = FormRegistry.packaged().get(quality.form_id, quality.form_version)
    on_form = {p.id: p for p in form.parameters}
    named = [x.id for x in quality.parameters]
    problems = []
    if sorted(named) != sorted(on_form):
        problems.append(
            f"the profile's parameters ({', '.join(sorted(named))}) are not the form's ({', '.join(sorted(on_form))})"
        )
    for x in quality.parameters:
        p = on_form.get(x.id)
        if p is not None and (x.error_class != str(p.error_class) or x.points != p.weighted_points):
            problems.append(
                f"parameter {x.id} is {x.error_class}, {x.points:g} points in the profile but {p.error_class}, "
                f"{p.weighted_points:g} points on the form"
            )
    if problems:
        raise CxcertError(f"quality profile vs form {form.label}: {'; '.join(problems)}")
    return tuple((x.id, str(on_form[x.id].error_class), on_form[x.id].weighted_points) for x in quality.parameters)


def sample_evaluations(plan: Plan, day: int, contacts: DayContacts, seed: int) -> np.ndarray:
    """Row positions (in ``contacts``) of the contacts evaluated from ``day``."""
    workforce = plan.profile.workforce
    worked_days = DAYS_PER_MONTH * (7 - workforce.days_off_per_week) / 7 * (1 - workforce.absence_rate)
    probability = min(1.0, plan.profile.quality.evaluations_per_agent_month / worked_days)
    rng = rng_for(seed, Stream.QUALITY, day)
    rows = np.flatnonzero(contacts.answered)
    if rows.shape[0] == 0:
        return rows
    agents = contacts.agent[rows]
    # One random contact per agent: shuffle by a random key, keep each agent's first.
    order = np.lexsort((rng.random(rows.shape[0]), agents))
    first = np.concatenate([[True], agents[order][1:] != agents[order][:-1]])
    chosen = rows[order][first]
    return np.sort(chosen[rng.random(chosen.shape[0]) < probability])


def evaluation_batches(
    plan: Plan,
    day: int,
    contacts: DayContacts,
    rows: np.ndarray,
    contact_ids: pa.Array,
    first_number: int,
    agent_ids: pa.Array,
    entity_id: str,
    source: str,
    seed: int,
) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """The ``evaluations`` and ``evaluation_items`` rows of the contacts at ``rows``."""
    quality = plan.profile.quality
    grid = form_grid(quality)
    rng = rng_for(seed, Stream.QUALITY, day, 1)
    n, p = rows.shape[0], len(grid)
    month = int(plan.calendar.month_index[day])
    programs = contacts.program[rows]
    names = pa.array([x.id for x in plan.profile.programs], type=pa.string())
    evaluation_ids = prefixed("E", np.arange(first_number, first_number + n, dtype=np.int64), 8)
    lag = rng.integers(0, quality.lag_days_max + 1, n) * 86_400 + rng.uniform(3_600, 8 * 3_600, n)
    evaluated = contacts.ended_us[rows] + (lag * US_PER_S).astype(np.int64)
    evaluators = prefixed("Q", np.asarray(rng.integers(1, quality.evaluators + 1, n), dtype=np.int64), 3)
    evaluations = pa.RecordBatch.from_arrays(
        [
            constant(entity_id, n),
            names.take(pa.array(programs)),
            constant(source, n),
            evaluation_ids,
            contact_ids.take(pa.array(rows)),
            agent_ids.take(pa.array(contacts.agent[rows])),
            evaluators,
            timestamps(evaluated),
            constant(quality.form_id, n),
            pa.array(np.full(n, quality.form_version, dtype=np.int32)),
        ],
        schema=EVALUATIONS,
    )
    multiplier = np.array([prog.monthly.at("qa_errors", month) for prog in plan.profile.programs])[programs]
    fail_p = np.minimum(1.0, np.array([x.fail_probability for x in quality.parameters])[None, :] * multiplier[:, None])
    na_p = np.array([x.na_probability for x in quality.parameters])[None, :]
    u = rng.random((n, p))
    na = u < na_p
    failed = ~na & (rng.random((n, p)) < fail_p)
    points = np.array([points for _, _, points in grid])[None, :] * ~failed
    result = np.where(na, 2, np.where(failed, 1, 0)).ravel()
    items = pa.RecordBatch.from_arrays(
        [
            constant(entity_id, n * p),
            names.take(pa.array(np.repeat(programs, p))),
            constant(source, n * p),
            evaluation_ids.take(pa.array(np.repeat(np.arange(n), p))),
            pa.array([pid for pid, _, _ in grid]).take(pa.array(np.tile(np.arange(p), n))),
            pa.array(["pass", "fail", "na"]).take(pa.array(result)),
            pa.array(points.ravel().astype(np.float64), mask=na.ravel()),
            pa.array([error_class for _, error_class, _ in grid]).take(pa.array(np.tile(np.arange(p), n))),
        ],
        schema=EVALUATION_ITEMS,
    )
    return evaluations, items
