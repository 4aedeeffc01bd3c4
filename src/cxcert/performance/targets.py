"""Dated targets per entity, program and metric (OpenFisca style: a value holds from its date until replaced).

A target is a client SLA or an internal target and names the benchmark it came from (docs/domain.md section 4:
targets are benchmarked against high-performing organisations) and, optionally, the document it is recorded in
(``source``: a contract schedule, a business plan). A dated value may carry its own kind, benchmark and source
when they changed with it (a new contract). Whether an actual meets a target follows from the metric's direction.
Entries may use ``*`` for every entity or every program; the most specific entry wins. docs/performance.md
describes the file format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from cxcert.errors import ValidationFailed
from cxcert.performance.catalogue import Direction, Unit, default_catalogue
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import line_of, parse_model

ANY = "*"


class TargetKind(StrEnum):
    CLIENT_SLA = "client_sla"
    INTERNAL = "internal"


class TargetValue(Frozen):
    """One dated value; kind, benchmark and source default to the entry's."""

    value: float
    kind: TargetKind | None = None
    benchmark: str | None = Field(default=None, min_length=3)
    source: str | None = None


def _as_percent_hint(value: float) -> str:
    text = f"{value / 100:.4f}".rstrip("0")
    return text if len(text.split(".")[1]) >= 2 else f"{value / 100:.2f}"


def value_problem(metric: str, value: float) -> str | None:
    """Why ``value`` cannot be a target of ``metric`` (None when it can): shares are fractions, not percents."""
    m = default_catalogue().get(metric)
    if m.unit is Unit.SHARE:
        low = -1.0 if m.kind == "nps" else 0.0
        if not low <= value <= 1:
            hint = f"; if you mean {value:g} %, write {_as_percent_hint(value)}" if 1 < abs(value) <= 100 else ""
            what = " (the tolerance either side of 0)" if m.direction is Direction.CLOSER_TO_ZERO else ""
            return f"{metric} is a share: its target{what} is a fraction from {low:g} to 1, not {value:g}{hint}"
    elif value < 0:
        return f"{metric} is measured in {m.unit.value}: a target cannot be negative ({value:g})"
    return None


class TargetEntry(Frozen):
    metric: str
    entity: str = ANY
    program: str = ANY
    kind: TargetKind
    benchmark: str = Field(min_length=3, description="where the target value comes from")
    source: str = Field(default="", description="the document the target is recorded in (contract, plan)")
    values: dict[dt.date, TargetValue] = Field(min_length=1, description="valid-from date → target value")

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        ids = default_catalogue().ids()
        if value not in ids:
            raise ValueError(f"unknown metric {value!r}; known: {', '.join(ids)}")
        return value

    @field_validator("values", mode="before")
    @classmethod
    def _plain_numbers(cls, value: Any) -> Any:
        """``2024-01-01: 0.80`` is short for ``2024-01-01: {value: 0.80}``."""
        if isinstance(value, Mapping):
            return {k: v if isinstance(v, Mapping | TargetValue) else {"value": v} for k, v in value.items()}
        return value

    @field_validator("values")
    @classmethod
    def _in_range(cls, value: dict[dt.date, TargetValue], info: ValidationInfo) -> dict[dt.date, TargetValue]:
        metric = info.data.get("metric")
        if metric is None:  # already reported as unknown
            return value
        for day in sorted(value):
            problem = value_problem(metric, value[day].value)
            if problem:
                raise ValueError(f"{day.isoformat()}: {problem}")
        return value

    def key(self) -> tuple[str, str, str]:
        return (self.metric, self.entity, self.program)


class TargetFile(Frozen):
    source_note: str = ""
    targets: tuple[TargetEntry, ...]

    @model_validator(mode="after")
    def _unique(self) -> TargetFile:
        seen: set[tuple[str, str, str]] = set()
        for entry in self.targets:
            key = entry.key()
            if key in seen:
                raise ValueError(f"targets for metric {key[0]}, entity {key[1]}, program {key[2]} are given twice")
            seen.add(key)
        return self


@dataclass(frozen=True)
class Target:
    """The target in force on a day, with where it came from."""

    metric: str
    entity: str
    program: str
    kind: TargetKind
    benchmark: str
    value: float
    valid_from: dt.date
    valid_until: dt.date | None  # exclusive; None while not replaced
    source: str = ""


def _dated(entry: TargetEntry) -> tuple[Target, ...]:
    dates = sorted(entry.values)
    out = []
    for i, day in enumerate(dates):
        v = entry.values[day]
        until = dates[i + 1] if i + 1 < len(dates) else None
        out.append(
            Target(entry.metric, entry.entity, entry.program, v.kind or entry.kind, v.benchmark or entry.benchmark,
                   v.value, day, until, entry.source if v.source is None else v.source)
        )  # fmt: skip
    return tuple(out)


class TargetBook:
    """Look-ups over many target entries: ``target_on(metric, program, day)``."""

    def __init__(self, entries: Iterable[TargetEntry], source_note: str = "") -> None:
        self.entries = tuple(entries)
        self.source_note = source_note

    def _entry(self, metric: str, program: str, entity_id: str | None) -> TargetEntry | None:
        best: tuple[int, TargetEntry] | None = None
        for e in self.entries:
            if e.metric != metric or e.program not in (program, ANY):
                continue
            if e.entity not in (ANY, entity_id):
                continue
            rank = (2 if e.entity != ANY else 0) + (1 if e.program != ANY else 0)
            if best is None or rank > best[0]:
                best = (rank, e)
        return best[1] if best else None

    def history(self, metric: str, program: str, entity_id: str | None = None) -> tuple[Target, ...]:
        """Every dated value of the entry that applies to ``program`` (oldest first; empty when none)."""
        entry = self._entry(metric, program, entity_id)
        return _dated(entry) if entry is not None else ()

    def target_on(self, metric: str, program: str, day: dt.date, entity_id: str | None = None) -> Target | None:
        """The target in force on ``day`` (None when no entry covers the metric yet)."""
        current = [t for t in self.history(metric, program, entity_id) if t.valid_from <= day]
        return current[-1] if current else None

    def metrics(self) -> tuple[str, ...]:
        return tuple(sorted({e.metric for e in self.entries}))

    def dated_targets(self) -> tuple[Target, ...]:
        """Every dated value of every entry, by metric, program and date."""
        return tuple(t for e in sorted(self.entries, key=TargetEntry.key) for t in _dated(e))

    def merged(self, other: TargetBook) -> TargetBook:
        """This book with ``other``'s entries replacing those for the same metric, entity and program."""
        replaced = {e.key() for e in other.entries}
        kept = [e for e in self.entries if e.key() not in replaced]
        return TargetBook((*kept, *other.entries), self.source_note or other.source_note)

    def with_value(
        self,
        *,
        metric: str,
        entity: str,
        program: str,
        valid_from: dt.date,
        value: float,
        kind: TargetKind | None = None,
        benchmark: str | None = None,
        source: str | None = None,
    ) -> TargetBook:
        """This book with ``value`` in force from ``valid_from`` (a new entry when none exists for the key).

        A new entry needs a benchmark; on an existing one, kind, benchmark and source default to the entry's and
        are kept on the dated value only where they differ. A value for an existing date replaces it.
        """
        key = (metric, entity, program)
        old = next((e for e in self.entries if e.key() == key), None)
        if old is None:
            if benchmark is None:
                raise ValidationFailed(
                    [f"a new target for {metric} / {program} needs its benchmark (where the value comes from)"]
                )
            data: dict[str, Any] = {
                "metric": metric, "entity": entity, "program": program, "kind": kind or TargetKind.INTERNAL,
                "benchmark": benchmark, "source": source or "", "values": {valid_from: value},
            }  # fmt: skip
        else:
            dated: dict[str, Any] = {"value": value}
            if kind is not None and kind is not old.kind:
                dated["kind"] = kind
            if benchmark is not None and benchmark != old.benchmark:
                dated["benchmark"] = benchmark
            if source is not None and source != old.source:
                dated["source"] = source
            data = old.model_dump() | {"values": {**old.values, valid_from: dated}}
        try:
            entry = TargetEntry.model_validate(data)
        except ValidationError as exc:
            raise ValidationFailed([str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]) from None
        return TargetBook((*(e for e in self.entries if e.key() != key), entry), self.source_note)


def parse_targets(text: str, *, where: str) -> TargetBook:
    """Validate a ``targets.yaml`` text; errors name ``where``, the line and the field."""
    parsed = parse_model(text, TargetFile, where=where)
    return TargetBook(parsed.targets, parsed.source_note)


def check_entries(text: str, book: TargetBook, check: Callable[[TargetEntry], list[str]], *, where: str) -> None:
    """Problems the schema cannot see (an unknown entity or program), each with the line of its entry.

    ``book`` was parsed from ``text``; ``check`` returns an entry's problems, each naming its field
    (``"program: ..."``).
    """
    root = yaml.compose(text)
    issues = []
    for i, entry in enumerate(book.entries):
        for problem in check(entry):
            field = problem.split(":", 1)[0]
            issues.append(f"line {line_of(root, ('targets', i, field))}, field targets.{i}.{problem}")
    if issues:
        raise ValidationFailed(issues, where=where)


def _dated_value(value: TargetValue) -> float | dict[str, object]:
    extra = value.model_dump(mode="json", exclude_none=True)
    return value.value if set(extra) == {"value"} else extra


def targets_yaml(book: TargetBook, *, header: str = "") -> str:
    """``book`` as a targets file that :func:`parse_targets` reads back to the same entries."""
    entries = []
    for e in sorted(book.entries, key=TargetEntry.key):
        data: dict[str, object] = {"metric": e.metric, "entity": e.entity, "program": e.program,
                                   "kind": e.kind.value, "benchmark": e.benchmark}  # fmt: skip
        if e.source:
            data["source"] = e.source
        data["values"] = {day: _dated_value(v) for day, v in sorted(e.values.items())}  # dates stay YAML dates
        entries.append(data)
    body: dict[str, object] = {"source_note": book.source_note} if book.source_note else {}
    body["targets"] = entries
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=110)


@cache
def default_targets() -> TargetBook:
    """The packaged example targets (``cxcert/performance/data/targets.yaml``), used by the demo."""
    text = resources.files("cxcert.performance").joinpath("data", "targets.yaml").read_text(encoding="utf-8")
    return parse_targets(text, where="cxcert/performance/data/targets.yaml")
