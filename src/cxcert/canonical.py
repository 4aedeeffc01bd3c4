"""The canonical operational data: the contract every ingest adapter maps into (docs/architecture.md).

All times are UTC and tz-aware; each location has an IANA time zone used only for bucketing. Durations are
seconds (``_s``), shares are fractions 0..1. Every table carries ``entity_id``, ``program`` (client line of
business) and ``source`` (the file or feed it came from, for lineage). The KPI engine, the generator, the
quality and workforce science all read and write these shapes and nothing else.
"""

from __future__ import annotations

import pyarrow as pa

UTC_TS = pa.timestamp("us", tz="UTC")

_LINEAGE = [
    pa.field("entity_id", pa.string(), nullable=False),
    pa.field("program", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
]

CHANNELS = ("voice", "email", "chat", "messaging", "social", "back_office")
DIRECTIONS = ("inbound", "outbound")
ERROR_CLASSES = ("customer_critical", "business_critical", "compliance_critical", "non_critical")
SURVEY_INSTRUMENTS = ("csat", "nps", "ces")

CONTACTS = pa.schema(
    [
        *_LINEAGE,
        pa.field("contact_id", pa.string(), nullable=False),
        pa.field("queue", pa.string(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("direction", pa.string(), nullable=False),
        pa.field("arrived_at", UTC_TS, nullable=False),
        pa.field("answered_at", UTC_TS),
        pa.field("ended_at", UTC_TS),
        pa.field("abandoned", pa.bool_(), nullable=False),
        pa.field("wait_s", pa.float64()),
        pa.field("talk_s", pa.float64()),
        pa.field("hold_s", pa.float64()),
        pa.field("acw_s", pa.float64()),
        pa.field("agent_id", pa.string()),
        pa.field("customer_key", pa.string()),
        pa.field("transferred", pa.bool_()),
        pa.field("outcome", pa.string()),
    ]
)

FORECASTS = pa.schema(
    [
        *_LINEAGE,
        pa.field("queue", pa.string(), nullable=False),
        pa.field("interval_start", UTC_TS, nullable=False),
        pa.field("interval_s", pa.int32(), nullable=False),
        pa.field("contacts_forecast", pa.float64(), nullable=False),
        pa.field("aht_forecast_s", pa.float64()),
        pa.field("agents_required", pa.float64()),
    ]
)

SCHEDULES = pa.schema(
    [
        *_LINEAGE,
        pa.field("agent_id", pa.string(), nullable=False),
        pa.field("activity", pa.string(), nullable=False),
        pa.field("start", UTC_TS, nullable=False),
        pa.field("end", UTC_TS, nullable=False),
    ]
)

AGENT_STATES = pa.schema(
    [
        *_LINEAGE,
        pa.field("agent_id", pa.string(), nullable=False),
        pa.field("state", pa.string(), nullable=False),
        pa.field("start", UTC_TS, nullable=False),
        pa.field("end", UTC_TS, nullable=False),
    ]
)

EVALUATIONS = pa.schema(
    [
        *_LINEAGE,
        pa.field("evaluation_id", pa.string(), nullable=False),
        pa.field("contact_id", pa.string()),
        pa.field("agent_id", pa.string(), nullable=False),
        pa.field("evaluator_id", pa.string(), nullable=False),
        pa.field("evaluated_at", UTC_TS, nullable=False),
        pa.field("form_id", pa.string(), nullable=False),
        pa.field("form_version", pa.int32(), nullable=False),
    ]
)

EVALUATION_ITEMS = pa.schema(
    [
        *_LINEAGE,
        pa.field("evaluation_id", pa.string(), nullable=False),
        pa.field("parameter_id", pa.string(), nullable=False),
        pa.field("result", pa.string(), nullable=False),  # pass, fail, na
        pa.field("points", pa.float64()),
        pa.field("error_class", pa.string(), nullable=False),
    ]
)

SURVEYS = pa.schema(
    [
        *_LINEAGE,
        pa.field("contact_id", pa.string()),
        pa.field("answered_at", UTC_TS, nullable=False),
        pa.field("instrument", pa.string(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("scale_min", pa.float64(), nullable=False),
        pa.field("scale_max", pa.float64(), nullable=False),
    ]
)

ROSTER = pa.schema(
    [
        *_LINEAGE,
        pa.field("agent_id", pa.string(), nullable=False),
        pa.field("job", pa.string()),
        pa.field("team", pa.string()),
        pa.field("hired_on", pa.date32(), nullable=False),
        pa.field("exited_on", pa.date32()),
        pa.field("exit_voluntary", pa.bool_()),
    ]
)

ABSENCES = pa.schema(
    [
        *_LINEAGE,
        pa.field("agent_id", pa.string(), nullable=False),
        pa.field("day", pa.date32(), nullable=False),
        pa.field("scheduled_s", pa.float64(), nullable=False),
        pa.field("absent_s", pa.float64(), nullable=False),
        pa.field("planned", pa.bool_(), nullable=False),
    ]
)

TRAININGS = pa.schema(
    [
        *_LINEAGE,
        pa.field("agent_id", pa.string(), nullable=False),
        pa.field("course", pa.string(), nullable=False),
        pa.field("started_on", pa.date32(), nullable=False),
        pa.field("verified_on", pa.date32()),
        pa.field("passed", pa.bool_()),
    ]
)

COSTS = pa.schema(
    [
        *_LINEAGE,
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("period_end", pa.date32(), nullable=False),
        pa.field("amount", pa.float64(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "contacts": CONTACTS,
    "forecasts": FORECASTS,
    "schedules": SCHEDULES,
    "agent_states": AGENT_STATES,
    "evaluations": EVALUATIONS,
    "evaluation_items": EVALUATION_ITEMS,
    "surveys": SURVEYS,
    "roster": ROSTER,
    "absences": ABSENCES,
    "trainings": TRAININGS,
    "costs": COSTS,
}
"""Every canonical table by the name the warehouse and ``cxcert ingest KIND`` use."""

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "contacts": ("contact_id",),
    "forecasts": ("queue", "interval_start", "interval_s"),
    "schedules": ("agent_id", "start"),
    "agent_states": ("agent_id", "start"),
    "evaluations": ("evaluation_id",),
    "evaluation_items": ("evaluation_id", "parameter_id"),
    "surveys": ("contact_id", "instrument", "answered_at"),
    "roster": ("agent_id", "hired_on"),
    "absences": ("agent_id", "day", "planned"),
    "trainings": ("agent_id", "course", "started_on"),
    "costs": ("program", "period_start", "period_end", "currency"),
}
"""What identifies one row of each table within an entity (its natural key; ``entity_id`` is implied).

A row whose key is already in the warehouse for its entity, or repeats an earlier row of the same file, would be
counted twice: the ingest sends it to quarantine. ``program`` is not part of a key except for costs (a cost is
per program): the same contacts loaded again under another ``--program`` are still the same contacts. Key text
is normalised before the check, the same in every format (:func:`cxcert.ingest.row_keys.normalise_ids`). A row
with an empty key column (a survey with no contact) is identified by its content key instead
(:func:`content_key_columns`).
"""

CONTENT_KEY_LEAVES_OUT = ("entity_id", "program", "source")
"""The lineage columns a content key leaves out: the same row sent again in another file (``source``) or under
another ``--program`` is the same row (``entity_id`` is implied, as for natural keys)."""


def content_key_columns(table: str) -> tuple[str, ...]:
    """What identifies a row of ``table`` whose natural key has an empty column: all its other columns.

    Its *content key* is the SHA-256 of these values, in this order, written as a JSON array (times in UTC): two
    such rows with the same content key are the same row sent twice (a survey answer re-sent in a later file),
    and the later one is quarantined like any key clash. Two anonymous answers that differ in any value (their
    time, their score) are two answers.
    """
    return tuple(name for name in TABLES[table].names if name not in CONTENT_KEY_LEAVES_OUT)


assert set(NATURAL_KEYS) == set(TABLES), "every canonical table needs its natural key"
assert all(set(key) <= set(TABLES[t].names) for t, key in NATURAL_KEYS.items()), "keys name canonical columns"

CONTACT_OUTCOMES: dict[str, str] = {
    "answered": "an agent answered (the Technion adapter's word)",
    "handled": "an agent answered and handled it (the generator's word)",
    "transferred": "answered, then transferred (with transferred = true)",
    "abandoned": "the customer hung up while waiting for an agent (with abandoned = true)",
    "ivr_hangup": "hung up in the IVR before reaching the agents' queue: never offered to an agent, so the KPI "
    "catalogue's offered contacts (service level, abandon rate) leave it out",
}
"""The conventional ``contacts.outcome`` values and what each means. The column is free text (a source's own
codes may be kept); only ``ivr_hangup`` changes a KPI."""
