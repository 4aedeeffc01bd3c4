"""The checks every canonical row must pass before it enters the warehouse, whatever its source format.

Each table has a list of rules; each rule is a vectorised mask over a chunk already in canonical types. The
enumerations come from :mod:`cxcert.canonical` (the single source of truth); the rest are logical consistency
(durations are not negative, an answer does not precede the arrival, an interval does not end before it starts).
Times, dates and durations must also lie in the ranges of :mod:`cxcert.ingest.value_ranges` (data).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cxcert.canonical import CHANNELS, DIRECTIONS, ERROR_CLASSES, SURVEY_INSTRUMENTS, TABLES
from cxcert.ingest.value_ranges import as_text, value_ranges
from cxcert.ingest.verdicts import Problem, RowVerdicts

EVALUATION_RESULTS = ("pass", "fail", "na")
"""``evaluation_items.result`` values (see the comment in :mod:`cxcert.canonical`)."""

Masker = Callable[[pa.Table], Any]
"""A function of a chunk giving a boolean Arrow array (true = reject)."""


@dataclass(frozen=True)
class Rule:
    """One check: rows where ``mask(table)`` is true are rejected with ``problem``; ``shown`` is the value quoted."""

    problem: Problem
    mask: Masker
    shown: str | None = None
    allowed: tuple[str, ...] | None = None
    """For an enumeration: the values allowed (read by the generated column reference, docs/data/mapping.md)."""


def one_of(column: str, allowed: tuple[str, ...]) -> Rule:
    """The column's value (when present) is one of ``allowed``."""
    values = pa.array(allowed, pa.string())
    return Rule(
        Problem(column, "{value} is not one of " + ", ".join(allowed)),
        lambda t: pc.invert(pc.is_in(t.column(column), value_set=values)),
        column,
        allowed,
    )


def not_negative(column: str) -> Rule:
    """A duration or count is zero or more."""
    return Rule(Problem(column, "negative value {value}"), lambda t: pc.less(t.column(column), 0), column)


def positive(column: str) -> Rule:
    return Rule(
        Problem(column, "must be more than 0, got {value}"), lambda t: pc.less_equal(t.column(column), 0), column
    )


def not_before(later: str, earlier: str) -> Rule:
    """``later`` (when present) is not before ``earlier``."""
    return Rule(
        Problem(later, f"{{value}} is before {earlier}"),
        lambda t: pc.less(t.column(later), t.column(earlier)),
        later,
    )


def at_most(column: str, bound: str) -> Rule:
    return Rule(
        Problem(column, f"{{value}} is more than {bound}"),
        lambda t: pc.greater(t.column(column), t.column(bound)),
        column,
    )


def pattern(column: str, regex: str, what: str) -> Rule:
    return Rule(
        Problem(column, f"{{value}} is not {what}"),
        lambda t: pc.invert(pc.match_substring_regex(t.column(column), regex)),
        column,
    )


def _abandoned_but_answered(t: pa.Table) -> Any:
    return pc.and_(t.column("abandoned"), pc.is_valid(t.column("answered_at")))


RULES: Mapping[str, tuple[Rule, ...]] = {
    "contacts": (
        one_of("channel", CHANNELS),
        one_of("direction", DIRECTIONS),
        *(not_negative(c) for c in ("wait_s", "talk_s", "hold_s", "acw_s")),
        not_before("answered_at", "arrived_at"),
        not_before("ended_at", "arrived_at"),
        not_before("ended_at", "answered_at"),
        Rule(
            Problem("answered_at", "an abandoned contact has an answer time {value}"),
            _abandoned_but_answered,
            "answered_at",
        ),
    ),
    "forecasts": (
        positive("interval_s"),
        not_negative("contacts_forecast"),
        not_negative("aht_forecast_s"),
        not_negative("agents_required"),
    ),
    "schedules": (not_before("end", "start"),),
    "agent_states": (not_before("end", "start"),),
    "evaluations": (positive("form_version"),),
    "evaluation_items": (one_of("result", EVALUATION_RESULTS), one_of("error_class", ERROR_CLASSES)),
    "surveys": (
        one_of("instrument", SURVEY_INSTRUMENTS),
        Rule(
            Problem("scale_max", "scale_max {value} is not above scale_min"),
            lambda t: pc.less_equal(t.column("scale_max"), t.column("scale_min")),
            "scale_max",
        ),
        Rule(
            Problem("score", "score {value} is below scale_min"),
            lambda t: pc.less(t.column("score"), t.column("scale_min")),
            "score",
        ),
        at_most("score", "scale_max"),
    ),
    "roster": (not_before("exited_on", "hired_on"),),
    "absences": (not_negative("scheduled_s"), not_negative("absent_s"), at_most("absent_s", "scheduled_s")),
    "trainings": (not_before("verified_on", "started_on"),),
    "costs": (not_before("period_end", "period_start"), pattern("currency", r"^[A-Z]{3}$", "an ISO 4217 code")),
}
"""The consistency rules of each canonical table, beyond types and required values."""

assert set(RULES) == set(TABLES), "every canonical table needs its rules (possibly none)"


def validate(table: pa.Table, name: str, verdicts: RowVerdicts, *, labels: Mapping[str, str] | None = None) -> None:
    """Flag in ``verdicts`` every row of ``table`` (canonical columns of ``name``) that breaks a rule.

    Required (non-nullable) columns are checked first, then that every number is finite (``inf`` and ``NaN``
    parse as numbers but are no duration, count or score), then that times, dates and durations (``_s``
    columns) are in range, then the table's rules in order. ``labels`` renames canonical columns to the
    source's column names in the messages.
    """
    labels = labels or {}
    schema = TABLES[name]
    for field in schema:
        if not field.nullable:
            column = table.column(field.name)
            if column.null_count:
                verdicts.flag(
                    pc.is_null(column),
                    Problem(labels.get(field.name, field.name), f"{field.name} is required but empty"),
                )
    for field in schema:
        if pa.types.is_floating(field.type):
            column = table.column(field.name)
            verdicts.flag(
                pc.invert(pc.is_finite(column)),
                Problem(labels.get(field.name, field.name), "{value} is not a finite number"),
                column,
            )
    _check_ranges(table, schema, verdicts, labels)
    for rule in RULES[name]:
        problem = Problem(labels.get(rule.problem.column, rule.problem.column), rule.problem.template)
        verdicts.flag(rule.mask(table), problem, table.column(rule.shown) if rule.shown else None)


def _check_ranges(table: pa.Table, schema: pa.Schema, verdicts: RowVerdicts, labels: Mapping[str, str]) -> None:
    """Flag instants and dates outside :func:`value_ranges` and durations above its longest (by the canonical
    convention, a column named ``..._s`` holds seconds; negative ones are the rules' business)."""
    ranges = value_ranges()
    for field in schema:
        column = table.column(field.name)
        if pa.types.is_timestamp(field.type) or pa.types.is_date32(field.type):
            first, after = ranges.instant_bounds(field.type)
            outside = pc.or_(pc.less(column, first), pc.greater_equal(column, after))
            template = f"{{value}} is not in the accepted range, {ranges.describe(field.type)}"
            shown = as_text
        elif field.name.endswith("_s") and (pa.types.is_floating(field.type) or pa.types.is_integer(field.type)):
            outside = pc.greater(column, pa.scalar(ranges.max_duration_s, pa.float64()))
            template = f"{{value}} s is longer than the longest accepted duration, {ranges.max_duration_s:.0f} s"
            shown = _same
        else:
            continue
        if pc.any(outside).as_py():  # only then write the values out (a clean chunk costs two comparisons)
            label = labels.get(field.name, field.name)
            verdicts.flag(outside, Problem(label, template), shown(column))


def _same(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return values
