"""The KPI catalogue's schema (MetricFlow style: typed metric kinds) and its loader.

A metric is data: an id, a title, a unit, a direction, parameters with their source, the dimensions it can be
cut by, and a *kind* that says how numerator and denominator are measured. Every kind is a ratio underneath
(a mean is sum/count, NPS is (promoters − detractors)/responses), so results keep numerator and denominator and
re-aggregate exactly at any coarser grain. ``compile`` turns a definition into Ibis expressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import Field, model_validator

from cxcert.errors import CxcertError, NotFound
from cxcert.performance.parameters import Parameter, ParamUnit, ParamValue
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import parse_model


class Unit(StrEnum):
    SHARE = "share"  # fraction 0..1 (NPS: -1..1), shown as percent
    SECONDS = "seconds"
    COUNT = "count"
    CURRENCY = "currency"
    PER_CONTACT = "per_contact"  # currency per handled contact
    CYCLES = "cycles"  # backlog age in response cycles ("average cycles late")


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    CLOSER_TO_ZERO = "closer_to_zero"
    """A signed metric whose best value is 0 (forecast bias): its target is a tolerance either side of 0."""


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"
    NOT_IN = "not_in"
    IS_NULL = "is_null"
    NOT_NULL = "not_null"
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"


class Condition(Frozen):
    """``column op value``; ``param`` names a parameter to use as the value (durations in seconds)."""

    column: str
    op: Op
    value: str | float | bool | tuple[str, ...] | None = None
    param: str | None = None

    @model_validator(mode="after")
    def _operand(self) -> Condition:
        unary = {Op.IS_NULL, Op.NOT_NULL, Op.IS_TRUE, Op.IS_FALSE}
        has = self.value is not None or self.param is not None
        if self.op in unary and has:
            raise ValueError(f"'{self.op}' takes no value")
        if self.op not in unary and not has:
            raise ValueError(f"'{self.op}' needs a value or a param")
        if self.op in {Op.IN, Op.NOT_IN} and not isinstance(self.value, tuple):
            raise ValueError(f"'{self.op}' needs a list value")
        return self


class Elapsed(Frozen):
    """Seconds between two timestamp columns of the same row."""

    start: str
    end: str


class Measure(Frozen):
    """A filtered count or sum over one canonical table, bucketed by ``time``."""

    table: str
    time: str = Field(description="timestamp or date column placing the row in a period")
    agg: Literal["count", "sum"]
    value: tuple[str, ...] | Elapsed | None = Field(
        default=None, description="sum: columns added (nulls as 0) or an elapsed time; count: unused"
    )
    where: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _value(self) -> Measure:
        if self.agg == "sum" and self.value is None:
            raise ValueError("a sum needs a value")
        if self.agg == "count" and self.value is not None:
            raise ValueError("a count takes no value")
        return self


class AbandonTreatment(StrEnum):
    COUNT_ALL = "count_all"  # every abandon stays in the offered denominator
    EXCLUDE_SHORT_ABANDONS = "exclude_short_abandons"  # abandons before short_abandon_s leave the denominator
    EXCLUDE_ABANDONS_WITHIN_THRESHOLD = "exclude_abandons_within_threshold"  # abandons inside T leave it


class _Metric(Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    description: str = ""
    unit: Unit
    direction: Direction
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    dimensions: tuple[str, ...] = ("program",)

    def required_parameters(self) -> tuple[str, ...]:
        return ()

    @model_validator(mode="after")
    def _has_parameters(self) -> _Metric:
        missing = [p for p in self.required_parameters() if p not in self.parameters]
        if missing:
            raise ValueError(f"metric {self.id!r} needs parameter(s) {', '.join(missing)}")
        return self


class RatioMetric(_Metric):
    kind: Literal["ratio"]
    numerator: tuple[Measure, ...] = Field(min_length=1, description="added together")
    denominator: tuple[Measure, ...] = Field(min_length=1, description="added together")
    numerator_scale: float = Field(default=1.0, description="multiplies the numerator (e.g. annualising)")


class MeanMetric(_Metric):
    """Mean of a value over matching rows, kept as sum / count so it re-aggregates."""

    kind: Literal["mean"]
    table: str
    time: str
    value: tuple[str, ...] | Elapsed
    where: tuple[Condition, ...] = ()


class ShareWithinMetric(_Metric):
    """Share of a population whose duration is within threshold ``threshold`` (service level, response time).

    The parameter ``abandon_treatment`` (a choice of :class:`AbandonTreatment`, default ``count_all``) says which
    abandons leave the offered denominator; ``exclude_short_abandons`` needs ``short_abandon_s``."""

    kind: Literal["share_within"]
    table: str = "contacts"
    time: str = "arrived_at"
    duration: str | Elapsed = Field(description="a seconds column (wait_s) or an elapsed time")
    threshold: str = Field(description="parameter name of the threshold (a duration)")
    where: tuple[Condition, ...] = Field(default=(), description="the population (offered, received)")
    success: tuple[Condition, ...] = Field(default=(), description="what counts as done (answered, handled)")
    abandoned_column: str = "abandoned"

    def abandon_treatment(self) -> AbandonTreatment:
        chosen = self.parameters.get("abandon_treatment")
        return AbandonTreatment.COUNT_ALL if chosen is None else AbandonTreatment(str(chosen.value))

    def required_parameters(self) -> tuple[str, ...]:
        extra = ("short_abandon_s",) if self.abandon_treatment() is AbandonTreatment.EXCLUDE_SHORT_ABANDONS else ()
        return (self.threshold, *extra)

    @model_validator(mode="after")
    def _treatments(self) -> ShareWithinMetric:
        chosen = self.parameters.get("abandon_treatment")
        if chosen is not None:
            known = {t.value for t in AbandonTreatment}
            if chosen.unit is not ParamUnit.CHOICE or not set(chosen.choices) <= known:
                raise ValueError(f"abandon_treatment is a choice among {', '.join(sorted(known))}")
        return self


class BoxShareMetric(_Metric):
    """Top-box (CSAT) or bottom-box (DSAT) share of survey answers, relative to each answer's own scale."""

    kind: Literal["box_share"]
    instrument: str
    box: Literal["top", "bottom"]

    def required_parameters(self) -> tuple[str, ...]:
        return ("box_size",)


class NpsMetric(_Metric):
    """(promoters − detractors) / responses, on the instrument's 0-10 scale."""

    kind: Literal["nps"]
    instrument: str = "nps"

    def required_parameters(self) -> tuple[str, ...]:
        return ("promoter_min", "detractor_max")


class RepeatFreeMetric(_Metric):
    """FCR: share of contacts not followed by another contact of the same customer within the window."""

    kind: Literal["repeat_free"]
    where: tuple[Condition, ...] = ()

    def required_parameters(self) -> tuple[str, ...]:
        return ("repeat_window",)


class ErrorFreeMetric(_Metric):
    """Share of evaluations with no failed item of the given error classes."""

    kind: Literal["error_free"]
    error_classes: tuple[str, ...] = Field(min_length=1)
    fail_result: str = "fail"


class CyclesLateMetric(_Metric):
    """Average cycles late of deferred work resolved in the period: max(0, ceil(age / cycle) − 1) per item."""

    kind: Literal["cycles_late"]
    age: Elapsed
    where: tuple[Condition, ...] = ()

    def required_parameters(self) -> tuple[str, ...]:
        return ("cycle",)


class IntervalAccuracyMetric(_Metric):
    """Forecast against actual volume per forecast interval, each interval as long as its own ``interval_s``.

    Every statistic is a ratio of sums over intervals, so it re-aggregates exactly: ``within_tolerance`` intervals
    with |a − f| ≤ tolerance·a / intervals (no actual: within only when f = 0); ``wape`` Σ|f − a| / Σa; ``bias``
    Σ(f − a) / Σa (positive: over-forecast); ``mape`` Σ(|f − a| / a) / intervals with a > 0."""

    kind: Literal["interval_accuracy"]
    statistic: Literal["within_tolerance", "wape", "bias", "mape"] = "within_tolerance"
    where: tuple[Condition, ...] = Field(default=(), description="which contacts count as actual volume")

    def required_parameters(self) -> tuple[str, ...]:
        return ("tolerance",) if self.statistic == "within_tolerance" else ()


class AdherenceMetric(_Metric):
    """Schedule adherence or conformance from schedules and agent states, with the workforce state mapping
    (``cxcert/workforce/data/adherence_states.yaml``: which states match which activity, which count as work),
    the one mapping ``cxcert adherence`` uses too.

    adherence: seconds in a state the scheduled activity allows / every scheduled second (an activity the mapping
    does not name counts as scheduled, never adherent, and is reported); conformance: seconds in working states /
    seconds scheduled in working activities."""

    kind: Literal["adherence"]
    statistic: Literal["adherence", "conformance"] = "adherence"


class AnnualisedRateMetric(_Metric):
    """Events per headcount-year: exits / (agent-days on roster / days per year)."""

    kind: Literal["annualised_rate"]
    where: tuple[Condition, ...] = Field(default=(), description="which exits count (voluntary only...)")

    def required_parameters(self) -> tuple[str, ...]:
        return ("days_per_year",)


Metric = Annotated[
    RatioMetric
    | MeanMetric
    | ShareWithinMetric
    | BoxShareMetric
    | NpsMetric
    | RepeatFreeMetric
    | ErrorFreeMetric
    | CyclesLateMetric
    | IntervalAccuracyMetric
    | AdherenceMetric
    | AnnualisedRateMetric,
    Field(discriminator="kind"),
]


class DimensionLookup(Frozen):
    """Dimensions a table lacks, read from the row of another table that it names: a survey's or evaluation's
    queue and channel are its contact's. Rows naming no known row are grouped as ``unknown``, and counted."""

    table: str = Field(description="the table lacking the dimensions (surveys)")
    key: str = Field(description="its column naming the other row (contact_id)")
    lookup: str = Field(description="the table holding them (contacts)")
    lookup_key: str = Field(description="the lookup's identifying column (contact_id)")
    dimensions: tuple[str, ...] = Field(min_length=1)
    unknown: str = Field(default="(unknown)", min_length=1)


class Catalogue(Frozen):
    source_note: str
    metrics: tuple[Metric, ...]
    lookups: tuple[DimensionLookup, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        seen: set[str] = set()
        for metric in self.metrics:
            if metric.id in seen:
                raise ValueError(f"metric id {metric.id!r} is defined twice")
            seen.add(metric.id)
        return self

    def lookup_for(self, table: str, dimension: str) -> DimensionLookup | None:
        return next((lk for lk in self.lookups if lk.table == table and dimension in lk.dimensions), None)

    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.metrics)

    def get(self, metric_id: str) -> Metric:
        for metric in self.metrics:
            if metric.id == metric_id:
                return metric
        raise NotFound(f"unknown metric {metric_id!r}; known: {', '.join(self.ids())}")

    def with_parameters(self, metric_id: str, overrides: Mapping[str, object], source: str = "override") -> Metric:
        """The metric with some parameter values replaced, each checked against the parameter's type and range
        (text is parsed, as from --param); ``source`` notes where the value came from."""
        metric = self.get(metric_id)
        params = dict(metric.parameters)
        for name, value in overrides.items():
            if name not in params:
                raise NotFound(f"metric {metric_id!r} has no parameter {name!r}; it has {', '.join(params) or 'none'}")
            try:
                accepted: ParamValue = params[name].accept(value)
            except ValueError as exc:
                raise CxcertError(f"metric {metric_id!r}, parameter {name!r} {exc}") from None
            params[name] = params[name].model_copy(update={"value": accepted, "source": source})
        try:
            return type(metric).model_validate({**metric.model_dump(), "parameters": params})
        except ValueError as exc:  # pydantic's ValidationError: e.g. a treatment needing a parameter it lacks
            raise CxcertError(f"metric {metric_id!r} with {', '.join(overrides)} overridden: {exc}") from None

    def with_metrics(self, overrides: Mapping[str, Metric]) -> Catalogue:
        """This catalogue with some metrics replaced by id (or added)."""
        known = {m.id for m in self.metrics}
        replaced = tuple(overrides.get(m.id, m) for m in self.metrics)
        added = tuple(m for mid, m in overrides.items() if mid not in known)
        return self.model_copy(update={"metrics": replaced + added})


def parse_catalogue(text: str, *, where: str) -> Catalogue:
    """Validate catalogue YAML; errors name ``where``, the line and the field."""
    return parse_model(text, Catalogue, where=where)


@cache
def default_catalogue() -> Catalogue:
    """The packaged catalogue, ``cxcert/performance/data/kpis.yaml``."""
    text = resources.files("cxcert.performance").joinpath("data", "kpis.yaml").read_text(encoding="utf-8")
    return parse_catalogue(text, where="cxcert/performance/data/kpis.yaml")
