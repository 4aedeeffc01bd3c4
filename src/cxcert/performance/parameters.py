"""A metric's parameters: typed values with a unit, a range and a source, checked wherever they are set.

The packaged catalogue, a user's catalogue file and ``--param metric.name=value`` all go through
:meth:`Parameter.accept`, so a value is judged by one rule: a duration is a number >= 0 in its unit, a share a
fraction 0..1, a count a whole number, a flag true or false, a choice one of its listed words; ``minimum`` and
``maximum`` narrow a number further (the NPS cut-offs lie on the 0-10 scale).
"""

from __future__ import annotations

import math
from enum import StrEnum

from pydantic import Field, model_validator

from cxcert.standards.schema import Frozen

ParamValue = float | bool | str


class ParamUnit(StrEnum):
    SECONDS = "seconds"
    HOURS = "hours"
    DAYS = "days"
    SHARE = "share"
    COUNT = "count"
    SCORE = "score"
    FLAG = "flag"
    CHOICE = "choice"


_SECONDS_PER = {ParamUnit.SECONDS: 1, ParamUnit.HOURS: 3600, ParamUnit.DAYS: 86_400}
_IMPLIED_RANGE: dict[ParamUnit, tuple[float | None, float | None]] = {
    ParamUnit.SECONDS: (0, None),
    ParamUnit.HOURS: (0, None),
    ParamUnit.DAYS: (0, None),
    ParamUnit.SHARE: (0, 1),
    ParamUnit.COUNT: (0, None),
    ParamUnit.SCORE: (None, None),
}
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


class Parameter(Frozen):
    value: ParamValue
    unit: ParamUnit
    source: str = Field(min_length=3, description="where the default comes from")
    minimum: float | None = Field(default=None, description="narrows the unit's own range")
    maximum: float | None = None
    choices: tuple[str, ...] = Field(default=(), description="the words a choice may take")

    @model_validator(mode="after")
    def _fits(self) -> Parameter:
        if (self.unit is ParamUnit.CHOICE) != bool(self.choices):
            raise ValueError("a choice lists its choices, and only a choice does")
        if isinstance(self.value, str) and self.unit is not ParamUnit.CHOICE:
            raise ValueError(f"write the value without quotes: it must be {self.describe()}")
        self.accept(self.value)
        return self

    def seconds(self) -> float:
        if self.unit not in _SECONDS_PER:
            raise ValueError(f"parameter in {self.unit} is not a duration")
        return float(self.value) * _SECONDS_PER[self.unit]

    def bounds(self) -> tuple[float | None, float | None]:
        low, high = _IMPLIED_RANGE.get(self.unit, (None, None))
        low = self.minimum if self.minimum is not None else low
        high = self.maximum if self.maximum is not None else high
        return low, high

    def describe(self) -> str:
        """What a value must be, in words (for error messages and help)."""
        if self.unit is ParamUnit.FLAG:
            return "true or false"
        if self.unit is ParamUnit.CHOICE:
            return f"one of {', '.join(self.choices)}"
        what = {
            ParamUnit.SHARE: "a share (a fraction, 0.9 for 90 %)",
            ParamUnit.COUNT: "a whole number",
            ParamUnit.SCORE: "a score",
        }.get(self.unit, f"a duration in {self.unit.value}")
        low, high = self.bounds()
        if low is not None and high is not None:
            return f"{what} from {low:g} to {high:g}"
        if low is not None:
            return f"{what} >= {low:g}"
        return what if high is None else f"{what} <= {high:g}"

    def accept(self, value: object) -> ParamValue:
        """``value`` as this parameter's type; ValueError saying what it must be. Text is parsed (from --param)."""
        if self.unit is ParamUnit.FLAG:
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            if isinstance(value, bool):
                return value
            raise ValueError(f"must be {self.describe()}, not {value!r}")
        if self.unit is ParamUnit.CHOICE:
            if isinstance(value, str) and value.strip() in self.choices:
                return value.strip()
            raise ValueError(f"must be {self.describe()}, not {value!r}")
        number = _number(value)
        if number is None:
            raise ValueError(f"must be {self.describe()}, not {value!r}")
        low, high = self.bounds()
        whole = self.unit is not ParamUnit.COUNT or number.is_integer()
        if not whole or (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"must be {self.describe()}, not {value!r}")
        return number


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None
