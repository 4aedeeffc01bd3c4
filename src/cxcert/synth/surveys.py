"""Surveys: a share of answered contacts respond; scores follow the program's distribution, lower after a
long wait or on a repeat contact (each a one-point drop with its probability, floored at the scale minimum).
Responses come in an exponential few hours after the contact ends. A share of respondents also answer the 0-10
"would you recommend us" question (NPS): a noisy linear function of their satisfaction, so the two agree.
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
    answered_at = contacts.ended_us[rows] + delay.astype(np.int64)
    # NPS: the steps above the scale minimum (0..4 on 1-5) doubled and lifted by 2 -> 2..10, plus noise.
    also = np.flatnonzero(rng.random(n) < surveys.nps_share)
    steps = score[also] - surveys.scale_min
    recommend = np.clip(np.rint(2 * steps + 2 + rng.normal(0.0, surveys.nps_noise_sd, also.shape[0])), 0, 10)
    names = pa.array([p.id for p in plan.profile.programs], type=pa.string())
    pick = np.concatenate([np.arange(n), also])
    total = pick.shape[0]
    instrument = np.concatenate([np.full(n, surveys.instrument, dtype=object), np.full(also.shape[0], "nps")])
    return pa.RecordBatch.from_arrays(
        [
            constant(entity_id, total),
            names.take(pa.array(programs[pick])),
            constant(source, total),
            contact_ids.take(pa.array(rows[pick])),
            timestamps(answered_at[pick]),
            pa.array(instrument, type=pa.string()),
            pa.array(np.concatenate([score, recommend]), type=pa.float64()),
            pa.array(np.concatenate([np.full(n, surveys.scale_min), np.zeros(also.shape[0])]), type=pa.float64()),
            pa.array(np.concatenate([np.full(n, surveys.scale_max), np.full(also.shape[0], 10.0)]), type=pa.float64()),
        ],
        schema=SURVEYS,
    )
