"""The staffing defaults the CLI uses when a planner passes no value (``data/staffing_defaults.yaml``)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cxcert.yaml_source import load_packaged

QueueModel = Literal["erlang-c", "erlang-a"]


class StaffingDefaults(BaseModel):
    """Default model, interval and targets, the largest load solved, with the date they apply from and sources."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    effective_from: dt.date
    model: QueueModel
    interval_s: float = Field(gt=0)
    target_service_level: float = Field(gt=0, lt=1)
    target_answer_s: float = Field(ge=0)
    max_occupancy: float = Field(gt=0, le=1)
    shrinkage: float = Field(ge=0, lt=1)
    max_load_erlangs: float = Field(gt=0)
    fte_hours_per_week: float = Field(gt=0, le=168)
    source: str = Field(min_length=1)


@lru_cache(maxsize=1)
def staffing_defaults() -> StaffingDefaults:
    """The packaged defaults, validated (errors name the file, line and field)."""
    return load_packaged("cxcert.workforce", "staffing_defaults.yaml", StaffingDefaults)
