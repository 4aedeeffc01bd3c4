"""The shape of a synthetic contact centre, as data: :class:`CentreProfile`.

A profile says everything the generator needs to know about the centre it invents: programs and queues, the
volume and its intraday, weekly and monthly shape, handle times, caller patience, the staffing policy, the QA
form, survey behaviour, people (absence, attrition, training) and cost. The built-in "story" of the demo (months
understaffed on purpose, a quality dip, an improving trend) is part of the profile too: per-program monthly
multipliers, never code. Profiles are YAML (``synth/data/default_centre.yaml``), loaded by
:mod:`cxcert.synth.profile_loader` with errors that name the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cxcert.canonical import CHANNELS, ERROR_CLASSES, SURVEY_INSTRUMENTS


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Lognormal(_Frozen):
    """A lognormal duration given by its mean (seconds) and the sigma of its logarithm."""

    mean_s: float = Field(gt=0)
    sigma: float = Field(gt=0, le=3)

    @property
    def mu(self) -> float:
        """The mean of the logarithm: ``ln(mean) - sigma^2 / 2`` so that E[X] = mean_s."""
        return math.log(self.mean_s) - self.sigma**2 / 2


class HandleTime(_Frozen):
    """Talk, hold (only on some contacts) and after-contact work."""

    talk: Lognormal
    hold: Lognormal
    hold_probability: float = Field(ge=0, le=1)
    acw: Lognormal

    @property
    def mean_s(self) -> float:
        """Expected handle time: E[talk] + P(hold) E[hold] + E[acw]."""
        return self.talk.mean_s + self.hold_probability * self.hold.mean_s + self.acw.mean_s


class Patience(_Frozen):
    """How long a caller waits before hanging up."""

    distribution: Literal["exponential", "lognormal"]
    mean_s: float = Field(gt=0)
    sigma: float | None = Field(default=None, gt=0, le=3, description="log-sigma; lognormal only")

    @model_validator(mode="after")
    def _sigma_for_lognormal(self) -> Patience:
        if self.distribution == "lognormal" and self.sigma is None:
            raise ValueError("a lognormal patience needs 'sigma'")
        return self


class Queue(_Frozen):
    """One queue of a program. ``queued`` contacts wait for an agent and may abandon (voice, chat);
    ``deferred`` ones (email, back office) sit in a backlog and are answered later, never abandoned."""

    id: str = Field(min_length=1)
    channel: str
    model: Literal["queued", "deferred"]
    share: float = Field(gt=0, description="share of the program's volume (normalised over its queues)")
    curve: str = Field(description="name of an intraday curve in `curves`")
    week: str = Field(description="name of a weekly shape in `weeks`")
    handle: HandleTime
    concurrency: float = Field(default=1.0, ge=1, description="contacts an agent handles at once (chat)")
    patience: Patience | None = None
    threshold_s: float = Field(gt=0, description="service level threshold T (answered within T)")
    response_mean_s: float | None = Field(default=None, gt=0, description="deferred: mean response when staffed")
    response_sigma: float = Field(default=0.8, gt=0, le=3)
    transfer_rate: float = Field(ge=0, le=1)
    repeat_rate: float = Field(ge=0, lt=1, description="share of contacts that repeat a recent customer")

    @field_validator("channel")
    @classmethod
    def _known_channel(cls, value: str) -> str:
        if value not in CHANNELS:
            raise ValueError(f"unknown channel '{value}' (one of {', '.join(CHANNELS)})")
        return value

    @model_validator(mode="after")
    def _model_needs(self) -> Queue:
        if self.model == "queued" and self.patience is None:
            raise ValueError("a queued queue needs 'patience'")
        if self.model == "deferred" and self.response_mean_s is None:
            raise ValueError("a deferred queue needs 'response_mean_s'")
        return self


class Monthly(_Frozen):
    """The story: multipliers per month of the run (month 1 first; the list repeats when shorter)."""

    staffing: tuple[float, ...] = Field(default=(1.0,), min_length=1, description="x agents scheduled")
    aht: tuple[float, ...] = Field(default=(1.0,), min_length=1, description="x handle time")
    qa_errors: tuple[float, ...] = Field(default=(1.0,), min_length=1, description="x QA fail probabilities")
    transfers: tuple[float, ...] = Field(default=(1.0,), min_length=1, description="x transfer rate")

    @field_validator("staffing", "aht", "qa_errors", "transfers")
    @classmethod
    def _positive(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if any(v <= 0 for v in values):
            raise ValueError("multipliers must be greater than 0")
        return values

    def at(self, name: Literal["staffing", "aht", "qa_errors", "transfers"], month_index: int) -> float:
        """The multiplier for month ``month_index`` (0 = first month of the run)."""
        values: tuple[float, ...] = getattr(self, name)
        return values[month_index % len(values)]


class Program(_Frozen):
    """A client line of business, with its own agents (skilled on all its queues)."""

    id: str = Field(min_length=1)
    share: float = Field(gt=0, description="share of the centre's volume (normalised over programs)")
    queues: tuple[Queue, ...] = Field(min_length=1)
    monthly: Monthly = Monthly()
    csat_distribution: tuple[float, ...] = Field(description="P(score) for each score of the survey scale")


class ShiftBlock(_Frozen):
    activity: str = Field(min_length=1)
    minutes: int = Field(gt=0)


class Staffing(_Frozen):
    """How many agents the planners schedule: square-root staffing on the forecast load."""

    beta: float = Field(gt=0, description="safety staffing: agents = load + beta * sqrt(load)")
    minimum_agents: int = Field(ge=0, description="per open interval and queued queue")
    deferred_occupancy: float = Field(gt=0, le=1, description="target occupancy on deferred work")
    phone_activity: str = Field(description="the shift activity during which agents take contacts")
    shift_pattern: tuple[ShiftBlock, ...] = Field(min_length=1)
    forecast_error_sigma: float = Field(ge=0, description="log-sigma of the interval forecast error")
    forecast_bias_sigma: float = Field(ge=0, description="log-sigma of a day-level forecast error")
    aht_forecast_error_sigma: float = Field(ge=0)
    late_login_mean_s: float = Field(ge=0, description="mean lateness at the start of each phone block")

    @model_validator(mode="after")
    def _pattern_has_phone(self) -> Staffing:
        if not any(b.activity == self.phone_activity for b in self.shift_pattern):
            raise ValueError(f"shift_pattern has no '{self.phone_activity}' block")
        return self


class Workforce(_Frozen):
    """People: absence, attrition, hiring and training, pay."""

    days_off_per_week: int = Field(ge=0, le=6)
    headcount_buffer: float = Field(ge=1, description="agents hired above the busiest day's need")
    absence_rate: float = Field(ge=0, lt=1, description="share of scheduled days missed")
    planned_absence_share: float = Field(ge=0, le=1)
    attrition_monthly: float = Field(ge=0, lt=1)
    voluntary_share: float = Field(ge=0, le=1)
    training_days: int = Field(ge=0, description="new hires train this many days before taking contacts")
    verification_pass_rate: float = Field(ge=0, le=1)
    team_size: int = Field(gt=0)
    cost_per_hour: float = Field(ge=0, description="loaded cost of one paid agent hour")
    overhead_per_month: float = Field(ge=0, description="fixed cost per program per month")


class QaParameter(_Frozen):
    id: str = Field(min_length=1)
    error_class: str
    points: float = Field(ge=0)
    fail_probability: float = Field(ge=0, le=1)
    na_probability: float = Field(default=0.0, ge=0, le=1)

    @field_validator("error_class")
    @classmethod
    def _known_class(cls, value: str) -> str:
        if value not in ERROR_CLASSES:
            raise ValueError(f"unknown error class '{value}' (one of {', '.join(ERROR_CLASSES)})")
        return value


class Quality(_Frozen):
    """Transaction monitoring: the form and how often agents are evaluated."""

    form_id: str = Field(min_length=1)
    form_version: int = Field(ge=1)
    parameters: tuple[QaParameter, ...] = Field(min_length=1)
    evaluations_per_agent_month: float = Field(gt=0)
    evaluators: int = Field(gt=0)
    lag_days_max: int = Field(ge=0, description="evaluations happen 0..this many days after the contact")


class Surveys(_Frozen):
    instrument: str
    scale_min: float
    scale_max: float
    response_rate: float = Field(ge=0, le=1)
    long_wait_s: float = Field(gt=0, description="callers who waited longer than this score lower")
    long_wait_penalty: float = Field(ge=0, le=1, description="P(one point lower) after a long wait")
    repeat_penalty: float = Field(ge=0, le=1, description="P(one point lower) on a repeat contact")
    nps_share: float = Field(
        default=0.0, ge=0, le=1, description="share of respondents who also answer the 0-10 recommend question"
    )
    nps_noise_sd: float = Field(default=1.0, ge=0, description="sd of the recommend score around 2 x satisfaction")

    @field_validator("instrument")
    @classmethod
    def _known_instrument(cls, value: str) -> str:
        if value not in SURVEY_INSTRUMENTS:
            raise ValueError(f"unknown instrument '{value}' (one of {', '.join(SURVEY_INSTRUMENTS)})")
        return value


class CentreProfile(_Frozen):
    """Everything the generator needs about the centre it invents."""

    name: str = Field(min_length=1)
    timezone: str
    start_date: dt.date
    currency: str = Field(min_length=3, max_length=3)
    interval_minutes: int = Field(gt=0)
    daily_contacts: float = Field(gt=0, description="average contacts per day in the first month")
    annual_growth: float = Field(gt=-1)
    seasonality: tuple[float, ...] = Field(min_length=12, max_length=12, description="Jan..Dec factors")
    weeks: dict[str, tuple[float, ...]]
    curves: dict[str, tuple[float, ...]]
    repeat_window_days: int = Field(gt=0)
    programs: tuple[Program, ...] = Field(min_length=1)
    staffing: Staffing
    workforce: Workforce
    quality: Quality
    surveys: Surveys

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone '{value}'") from exc
        return value

    @field_validator("interval_minutes")
    @classmethod
    def _divides_day(cls, value: int) -> int:
        if 1440 % value:
            raise ValueError("interval_minutes must divide a day (1440 minutes)")
        return value

    @field_validator("weeks")
    @classmethod
    def _week_shapes(cls, value: dict[str, tuple[float, ...]]) -> dict[str, tuple[float, ...]]:
        for name, shape in value.items():
            if len(shape) != 7 or any(v < 0 for v in shape) or sum(shape) <= 0:
                raise ValueError(f"week '{name}' needs 7 non-negative weights (Monday first), not all 0")
        return value

    @model_validator(mode="after")
    def _references(self) -> CentreProfile:
        per_day = 1440 // self.interval_minutes
        for name, curve in self.curves.items():
            if not curve or per_day % len(curve) or any(v < 0 for v in curve) or sum(curve) <= 0:
                raise ValueError(
                    f"curve '{name}' needs non-negative weights, one per equal slice of the day, in a number that "
                    f"divides the {per_day} intervals of a day (e.g. {per_day} or 48 for half hours)"
                )
        shift_minutes = sum(b.minutes for b in self.staffing.shift_pattern)
        if shift_minutes % self.interval_minutes:
            raise ValueError("the shift pattern must last a whole number of intervals")
        seen: set[str] = set()
        for program in self.programs:
            if len(program.csat_distribution) != int(self.surveys.scale_max - self.surveys.scale_min) + 1:
                raise ValueError(f"program '{program.id}': csat_distribution needs one weight per survey score")
            for queue in program.queues:
                if queue.curve not in self.curves:
                    raise ValueError(f"queue '{queue.id}': no curve named '{queue.curve}'")
                if queue.week not in self.weeks:
                    raise ValueError(f"queue '{queue.id}': no week named '{queue.week}'")
                if queue.id in seen:
                    raise ValueError(f"queue id '{queue.id}' is used twice")
                seen.add(queue.id)
        return self

    @property
    def intervals_per_day(self) -> int:
        return 1440 // self.interval_minutes

    def curve(self, name: str) -> tuple[float, ...]:
        """Curve ``name`` at interval resolution (each weight repeated over the intervals of its slice)."""
        weights = self.curves[name]
        repeat = self.intervals_per_day // len(weights)
        return tuple(w / repeat for w in weights for _ in range(repeat))

    @property
    def queues(self) -> tuple[tuple[Program, Queue], ...]:
        """Every (program, queue) pair in profile order: the queue index used throughout the generator."""
        return tuple((p, q) for p in self.programs for q in p.queues)
