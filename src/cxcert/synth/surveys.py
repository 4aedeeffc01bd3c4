"""Surveys: a share of answered contacts respond; scores follow the program's distribution, lower after a
long wait or on a repeat contact (each a one-point drop with its probability, floored at the scale minimum).
Responses come in an exponential few hours after the contact ends.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cxcert.canonical import SURVEYS
from cxcert.synth.calendar import US_PER_S
from cxcert.synth.contacts import DayContacts
from cxcert.synth.identifiers import constant, timestamps
from cxcert.synth.plan import Plan
from cxcert.synth.random_streams import Stream, rng_for

MEAN_RESPONSE_DELAY_S = 4 * 3_600


def surveys_batch(
    plan: Plan, day: int, contacts: DayContacts, contact_ids: pa.Array, entity_id: str, source: str, seed: int
) -> pa.RecordBatch:
    """The survey responses to ``day``'s answered contacts."""
    surveys = plan.profile.surveys
    rng = rng_for(seed, Stream.SURVEYS, day)
    answered = np.flatnonzero(contacts.answered)
    rows = answered[rng.random(answered.shape[0]) < surveys.response_rate]
    n = rows.shape[0]
    programs = contacts.program[rows]
    score = np.empty(n, dtype=np.float64)
    for k, program in enumerate(plan.profile.programs):
        mine = programs == k
        weights = np.asarray(program.csat_distribution, dtype=np.float64)
        score[mine] = rng.choice(weights.shape[0], size=int(mine.sum()), p=weights / weights.sum())
    score -= (contacts.wait_s[rows] > surveys.long_wait_s) & (rng.random(n) < surveys.long_wait_penalty)
    score -= contacts.repeat[rows] & (rng.random(n) < surveys.repeat_penalty)
    score = np.maximum(score, 0) + surveys.scale_min
    delay = np.asarray(rng.exponential(MEAN_RESPONSE_DELAY_S, n) * US_PER_S)
    names = pa.array([p.id for p in plan.profile.programs], type=pa.string())
    return pa.RecordBatch.from_arrays(
        [
            constant(entity_id, n),
            names.take(pa.array(programs)),
            constant(source, n),
            contact_ids.take(pa.array(rows)),
            timestamps(contacts.ended_us[rows] + delay.astype(np.int64)),
            constant(surveys.instrument, n),
            pa.array(score, type=pa.float64()),
            pa.array(np.full(n, surveys.scale_min), type=pa.float64()),
            pa.array(np.full(n, surveys.scale_max), type=pa.float64()),
        ],
        schema=SURVEYS,
    )
