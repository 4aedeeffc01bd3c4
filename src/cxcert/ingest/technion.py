"""The Technion "Anonymous Bank" call records (1999) as canonical contacts.

Both published shapes are read: February (tab-separated, ``date`` as YYMMDD, no final newline) and August
(comma-separated, ``date`` as YYYY-MM-DD). One record per call: the VRU (voice response unit) stage
``vru_entry``/``vru_exit``, the agent queue ``q_start``/``q_exit``/``q_time`` and the service
``ser_start``/``ser_exit``/``ser_time``, the ``outcome`` (AGENT served, HANG hung up, PHANTOM) and the
``server`` (agent name or NO_SERVER). Times are wall-clock ``H:MM:SS`` of the day in Israel.

Documented choices (also in docs/data/technion.md):

- **PHANTOM** records are rejected to quarantine with the reason "phantom call (virtual, to ignore per the
  data's documentation)": the data's documentation says they are virtual calls to ignore, and quarantine keeps
  rows read = accepted + rejected without letting them into any figure.
- **Time zone**: times are local in Asia/Jerusalem and converted to UTC through the zone (February is UTC+2,
  August UTC+3 under 1999 daylight-saving time).
- **Midnight**: a stage time more than 12 hours earlier than ``vru_entry`` belongs to the next day (a call that
  passes midnight). Only a jump of more than 12 hours counts: smaller backward steps are clock skew (below).
- **Negative vru_time**: ``vru_exit`` is sometimes up to a few minutes earlier than ``vru_entry`` (clock skew
  between the VRU and the switch). The call is kept as recorded; ``vru_time`` is not used (``wait_s`` is the
  queue time), and the 12-hour rule above keeps these from being read as midnight crossings.
- **``0:00:00`` means "not reached"**: the queue stage is reached when ``q_time > 0`` or ``q_start`` is not
  ``0:00:00`` (a call can enter the queue at midnight exactly); the service stage is recorded when ``ser_time > 0``
  or ``ser_start`` is not ``0:00:00``.
- **Offered to agents**: a call is offered to the agents when it reached the queue or was served (AGENT).
  - AGENT: ``outcome="answered"``, ``abandoned=false``, ``wait_s=q_time`` (0 when the call went straight to an
    agent), ``answered_at`` = ``ser_start`` (when the service was not recorded: the end of the queue, else the
    end of the VRU stage), ``talk_s=ser_time`` and ``ended_at=ser_exit`` when recorded (null otherwise).
  - HANG after reaching the queue: ``outcome="abandoned"``, ``abandoned=true``, ``wait_s=q_time``,
    ``ended_at=q_exit``; any service times on such a record are ignored (the outcome is authoritative).
  - HANG without reaching the queue (hung up in the VRU): ``outcome="ivr_hangup"``, ``abandoned=false``,
    ``wait_s`` null, ``ended_at=vru_exit``. These contacts were never offered to an agent: service level,
    answer and abandon rates count ``outcome != 'ivr_hangup'`` only.
- **AGENT with NO_SERVER**: kept as answered with ``agent_id`` null (the agent is unknown, the service happened).
- **Identifiers**: ``contact_id`` = ISO date / ``vru+line`` / ``call_id`` (``call_id`` alone repeats across days
  and VRUs; this triple is unique in both months). The ``call_id`` mangled by a spreadsheet on 1999-08-23
  (``2010-08-``) is kept as text: the call is real and its identifier is still unique.
- ``customer_key`` = the keyed hash (HMAC-SHA-256 under the workspace key, docs/privacy.md) of ``customer_id``;
  ``0`` (unidentified) gives null. A quarantined row shows that hash in place of the number.
- ``queue`` = ``type`` (PS, PE, IN, NE, NW, TT). ``channel`` voice, ``direction`` inbound, ``program``
  ``retail_banking`` unless ``--program``. ``priority`` and ``vru_time`` have no canonical column and are not kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cxcert.canonical import CONTACTS, UTC_TS
from cxcert.errors import CxcertError
from cxcert.ingest.generic import Lineage, nullable
from cxcert.ingest.hashing import Pseudonymiser
from cxcert.ingest.typed_columns import IMPOSSIBLE_TIME, strptime_checked
from cxcert.ingest.verdicts import Problem, RowVerdicts

TIME_ZONE = "Asia/Jerusalem"
"""The call centre's zone: the records hold local wall-clock times."""

DEFAULT_PROGRAM = "retail_banking"
"""The program (line of business) recorded when ``--program`` is not given."""

PHANTOM_REASON = "phantom call (virtual, to ignore per the data's documentation)"

COLUMNS = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
USED = (
    "vru+line",
    "call_id",
    "customer_id",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
OUTCOMES = ("AGENT", "HANG", "PHANTOM")
NOT_REACHED = "0:00:00"
NO_SERVER = "NO_SERVER"
UNIDENTIFIED = "0"
"""The ``customer_id`` of a caller the bank did not identify."""
_DAY_S = 86_400
_HALF_DAY_S = 43_200
_CLOCK = r"^(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2})$"


@dataclass
class TechnionConverter:
    """Canonical contacts from chunks of an Anonymous Bank file (all columns read as text)."""

    path: Path
    header: list[str]
    lineage: Lineage
    pseudonyms: Pseudonymiser

    def __post_init__(self) -> None:
        missing = [c for c in USED if c not in self.header]
        if missing:
            raise CxcertError(
                f"not an Anonymous Bank call file: missing column {', '.join(repr(m) for m in missing)}",
                where=str(self.path),
            )

    @property
    def wanted(self) -> list[str]:
        return list(USED)

    @property
    def personal(self) -> dict[str, tuple[str, ...]]:
        """The source column holding customer numbers, and its value meaning "no customer"."""
        return {"customer_id": (UNIDENTIFIED,)}

    @property
    def labels(self) -> dict[str, str]:
        return {
            "contact_id": "call_id",
            "queue": "type",
            "arrived_at": "vru_entry",
            "answered_at": "ser_start",
            "ended_at": "ser_exit",
            "wait_s": "q_time",
            "talk_s": "ser_time",
            "agent_id": "server",
            "customer_key": "customer_id",
            "outcome": "outcome",
            "abandoned": "outcome",
        }

    def convert(self, batch: pa.RecordBatch, verdicts: RowVerdicts) -> pa.Table:
        n = batch.num_rows
        col = batch.column
        outcome = col("outcome")
        verdicts.flag(pc.equal(outcome, "PHANTOM"), Problem("outcome", PHANTOM_REASON))
        verdicts.flag(
            pc.invert(pc.is_in(outcome, value_set=pa.array(OUTCOMES))),
            Problem("outcome", "unknown outcome {value} (expected AGENT, HANG or PHANTOM)"),
            outcome,
        )
        day = self._day(col("date"), verdicts)
        clocks = {
            c: _clock(col(c), c, verdicts)
            for c in ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
        }
        q_time = _seconds(col("q_time"), "q_time", verdicts)
        ser_time = _seconds(col("ser_time"), "ser_time", verdicts)

        entry = clocks["vru_entry"]
        stamps = {c: _stamp(day, _after(clocks[c], entry)) for c in clocks}

        answered = pc.equal(outcome, "AGENT")
        queued = pc.or_(pc.greater(q_time, 0), pc.not_equal(col("q_start"), NOT_REACHED))
        served = pc.or_(pc.greater(ser_time, 0), pc.not_equal(col("ser_start"), NOT_REACHED))
        abandoned = pc.and_(pc.equal(outcome, "HANG"), queued)
        offered = pc.or_(answered, abandoned)
        answered_served = pc.and_(answered, served)
        null_ts = pa.scalar(None, UTC_TS)

        answered_at = pc.if_else(
            answered,
            pc.if_else(served, stamps["ser_start"], pc.if_else(queued, stamps["q_exit"], stamps["vru_exit"])),
            null_ts,
        )
        ended_at = pc.if_else(
            answered,
            pc.if_else(served, stamps["ser_exit"], null_ts),
            pc.if_else(abandoned, stamps["q_exit"], stamps["vru_exit"]),
        )
        null_f = pa.scalar(None, pa.float64())
        wait_s = pc.if_else(offered, q_time.cast(pa.float64()), null_f)
        talk_s = pc.if_else(answered_served, ser_time.cast(pa.float64()), null_f)
        server = col("server")
        agent_id = pc.if_else(pc.and_(answered, pc.not_equal(server, NO_SERVER)), server, pa.scalar(None, pa.string()))
        kind = pc.if_else(answered, "answered", pc.if_else(abandoned, "abandoned", "ivr_hangup"))
        contact_id = pc.binary_join_element_wise(
            pc.strftime(day, format="%Y-%m-%d"), col("vru+line"), col("call_id"), "/"
        )

        def const(value: str) -> pa.Array:
            return pa.repeat(pa.scalar(value, pa.string()), n)

        nulls_f = pa.nulls(n, pa.float64())
        columns = {
            "entity_id": const(self.lineage.entity_id),
            "program": const(self.lineage.program or DEFAULT_PROGRAM),
            "source": const(self.lineage.source),
            "contact_id": contact_id,
            "queue": col("type"),
            "channel": const("voice"),
            "direction": const("inbound"),
            "arrived_at": stamps["vru_entry"],
            "answered_at": answered_at,
            "ended_at": ended_at,
            "abandoned": abandoned,
            "wait_s": wait_s,
            "talk_s": talk_s,
            "hold_s": nulls_f,
            "acw_s": nulls_f,
            "agent_id": agent_id,
            "customer_key": self.pseudonyms.hash(col("customer_id"), blank=(UNIDENTIFIED,)),
            "transferred": pa.nulls(n, pa.bool_()),
            "outcome": kind,
        }
        return pa.Table.from_arrays([columns[f.name] for f in CONTACTS], schema=nullable(CONTACTS))

    @staticmethod
    def _day(text: pa.Array, verdicts: RowVerdicts) -> pa.Array:
        """Midnight of the record's date (naive): YYMMDD (February file) or YYYY-MM-DD (August file)."""
        short, short_impossible = strptime_checked(text, "%y%m%d", unit="s")
        iso, iso_impossible = strptime_checked(text, "%Y-%m-%d", unit="s")
        for impossible in (short_impossible, iso_impossible):
            if impossible is not None:
                verdicts.flag(impossible, Problem("date", IMPOSSIBLE_TIME), text)
        day = pc.coalesce(short, iso)
        verdicts.flag(pc.is_null(day), Problem("date", "cannot read {value} as a date (YYMMDD or YYYY-MM-DD)"), text)
        return day


def _clock(text: pa.Array, column: str, verdicts: RowVerdicts) -> pa.Array:
    """Seconds since midnight of an ``H:MM:SS`` time; a bad time rejects the row."""
    parts = pc.extract_regex(text, _CLOCK)
    h, m, s = (pc.struct_field(parts, k).cast(pa.int64()) for k in ("h", "m", "s"))
    valid = pc.and_(pc.and_(pc.less(h, 24), pc.less(m, 60)), pc.less(s, 60))
    verdicts.flag(pc.invert(pc.fill_null(valid, False)), Problem(column, "cannot read {value} as H:MM:SS"), text)
    seconds: pa.Array = pc.add(pc.add(pc.multiply(h, 3600), pc.multiply(m, 60)), s)
    return seconds


def _seconds(text: pa.Array, column: str, verdicts: RowVerdicts) -> pa.Array:
    """A duration in whole seconds; a bad or negative one rejects the row."""
    values = pc.cast(text, pa.int64()) if _all_ints(text) else _lenient_ints(text)
    verdicts.flag(pc.is_null(values), Problem(column, "cannot read {value} as whole seconds"), text)
    verdicts.flag(pc.less(values, 0), Problem(column, "negative duration {value}"), text)
    return values


def _all_ints(text: pa.Array) -> bool:
    return bool(pc.all(pc.match_substring_regex(text, r"^-?\d+$")).as_py() is True and text.null_count == 0)


def _lenient_ints(text: pa.Array) -> pa.Array:
    ok = pc.match_substring_regex(text, r"^-?\d+$")
    cleaned = pc.if_else(pc.fill_null(ok, False), text, pa.scalar(None, pa.string()))
    ints: pa.Array = pc.cast(cleaned, pa.int64())
    return ints


def _after(seconds: pa.Array, entry: pa.Array) -> pa.Array:
    """A stage time placed on the right day: more than 12 hours before the VRU entry means after midnight."""
    crossed = pc.less(seconds, pc.subtract(entry, _HALF_DAY_S))
    shifted: pa.Array = pc.if_else(pc.fill_null(crossed, False), pc.add(seconds, _DAY_S), seconds)
    return shifted


def _stamp(day: pa.Array, seconds: pa.Array) -> pa.Array:
    """UTC instant of local ``day`` + ``seconds`` in Asia/Jerusalem."""
    local_s = pc.add(day.cast(pa.int64()), seconds)
    naive = local_s.cast(pa.timestamp("s")).cast(pa.timestamp("us"))
    zoned = pc.assume_timezone(naive, timezone=TIME_ZONE, ambiguous="earliest", nonexistent="earliest")
    stamp: pa.Array = zoned.cast(UTC_TS)
    return stamp
