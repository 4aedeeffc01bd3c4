"""The performance rule set as data: months on target, majority, run rules, trend test, summary-table shares.

The standard says an entity must consistently achieve the majority of its targets and act when a threshold is
missed or three consecutive points fall below standard (docs/domain.md section 4); the exact numbers are
configurable per rule set, so they live in ``data/performance_rules.yaml``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cache
from importlib import resources

from pydantic import Field, model_validator

from cxcert.errors import NotFound
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import parse_model


class Purpose(StrEnum):
    INITIAL = "initial"
    RECERTIFICATION = "recertification"


class KOfN(Frozen):
    k: int = Field(ge=1)
    n: int = Field(ge=1)

    @model_validator(mode="after")
    def _k_le_n(self) -> KOfN:
        if self.k > self.n:
            raise ValueError(f"k ({self.k}) cannot exceed n ({self.n})")
        return self


class TrendRule(Frozen):
    test: str = Field(pattern="^mann_kendall$")
    alpha: float = Field(gt=0, lt=1)
    min_points: int = Field(ge=3)
    months: int = Field(ge=3, description="how many recent months the trend test reads")


class ZoneRule(Frozen):
    """``points`` of ``window`` consecutive points beyond ``beyond_sigma`` on the same side of the centre line."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="lower-case letters, digits and '_' (part of alert ids)")
    title: str
    points: int = Field(ge=1)
    window: int = Field(ge=1)
    beyond_sigma: float = Field(ge=0)

    @model_validator(mode="after")
    def _fits(self) -> ZoneRule:
        if self.points > self.window:
            raise ValueError(f"rule {self.id}: points ({self.points}) exceed the window ({self.window})")
        return self


class ShareChart(StrEnum):
    """Which control chart a count share (service level, abandon rate, accuracy...) is judged on."""

    P = "p"  # the binomial p-chart, always
    LANEY_P = "laney_p"  # Laney's p′-chart, always
    AUTO = "auto"  # Laney p′ when σ_z exceeds ``laney_above_sigma_z``, else the p-chart


class ShareThresholds(Frozen):
    meeting_target: float = Field(ge=0, le=1, description="share of required metrics at or better than target")
    meeting_or_improving: float = Field(ge=0, le=1, description="share meeting target or sustainedly improving")


class PerformanceRuleSet(Frozen):
    id: str
    title: str
    effective_from: dt.date
    source_note: str
    months_on_target: KOfN = Field(description="a metric meets target if met in k of its last n months")
    majority_share: float = Field(gt=0, lt=1, description="'majority of targets met' means a share above this")
    consecutive_below: int = Field(ge=1, description="the standard's run: this many points below standard")
    alert_on_each_miss: bool = Field(description="a single missed threshold also raises an alert")
    trend: TrendRule
    sigma_multiplier: float = Field(gt=0, description="control limits at centre ± this many sigmas")
    share_chart: ShareChart = Field(description="chart for count shares: p, laney_p, or auto (Laney if over-dispersed)")
    laney_above_sigma_z: float = Field(
        gt=0, description="with share_chart auto: use the Laney p′-chart when σ_z exceeds this, else the p-chart"
    )
    zone_rules: tuple[ZoneRule, ...] = Field(description="Western Electric run rules on the control chart")
    bad_side_only: bool = Field(description="only signals on the unfavourable side of the centre raise alerts")
    summary_thresholds: dict[Purpose, dict[str, ShareThresholds]] = Field(
        description="purpose → level (base, gold) → share thresholds"
    )

    def thresholds(self, purpose: Purpose, level: str) -> ShareThresholds:
        levels = self.summary_thresholds.get(purpose, {})
        if level not in levels:
            raise NotFound(f"rule set {self.id!r} has no {purpose.value} thresholds for level {level!r}")
        return levels[level]

    def thresholds_for(self, purpose: Purpose, level: str) -> tuple[Purpose, ShareThresholds, str]:
        """The thresholds that apply and why: a rule set that does not distinguish re-certification uses its
        initial thresholds for it."""
        if purpose is Purpose.RECERTIFICATION and level not in self.summary_thresholds.get(purpose, {}):
            initial = self.thresholds(Purpose.INITIAL, level)
            why = f"rule set {self.id} has no re-certification thresholds at level {level}: the initial ones apply"
            return Purpose.INITIAL, initial, why
        chosen = self.thresholds(purpose, level)
        return purpose, chosen, f"{purpose.value} thresholds at level {level} of rule set {self.id}"


class PerformanceRules(Frozen):
    rule_sets: tuple[PerformanceRuleSet, ...] = Field(min_length=1)

    def get(self, rule_set_id: str) -> PerformanceRuleSet:
        for rs in self.rule_sets:
            if rs.id == rule_set_id:
                return rs
        raise NotFound(
            f"unknown performance rule set {rule_set_id!r}; known: {', '.join(r.id for r in self.rule_sets)}"
        )


def parse_performance_rules(text: str, *, where: str) -> PerformanceRules:
    return parse_model(text, PerformanceRules, where=where)


@cache
def default_performance_rules() -> PerformanceRules:
    """The packaged rule sets (``cxcert/performance/data/performance_rules.yaml``)."""
    name = "performance_rules.yaml"
    text = resources.files("cxcert.performance").joinpath("data", name).read_text(encoding="utf-8")
    return parse_performance_rules(text, where=f"cxcert/performance/data/{name}")


def default_rule_set() -> PerformanceRuleSet:
    return default_performance_rules().rule_sets[0]
