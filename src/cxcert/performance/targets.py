"""Dated targets per entity, program and metric (OpenFisca style: a value holds from its date until replaced).

A target is a client SLA or an internal target and names the benchmark it came from (DOMAIN.md section 4:
targets are benchmarked against high-performing organisations). Whether an actual meets it follows from the
metric's direction. Entries may use ``*`` for every entity or every program; the most specific entry wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from pydantic import Field, field_validator, model_validator

from cxcert.performance.catalogue import default_catalogue
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import parse_model

ANY = "*"


class TargetKind(StrEnum):
    CLIENT_SLA = "client_sla"
    INTERNAL = "internal"


class TargetEntry(Frozen):
    metric: str
    entity: str = ANY
    program: str = ANY
    kind: TargetKind
    benchmark: str = Field(min_length=3, description="where the target value comes from")
    values: dict[dt.date, float] = Field(min_length=1, description="valid-from date → target value")

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        ids = default_catalogue().ids()
        if value not in ids:
            raise ValueError(f"unknown metric {value!r}; known: {', '.join(ids)}")
        return value


class TargetFile(Frozen):
    source_note: str = ""
    targets: tuple[TargetEntry, ...]

    @model_validator(mode="after")
    def _unique(self) -> TargetFile:
        seen: set[tuple[str, str, str]] = set()
        for entry in self.targets:
            key = (entry.metric, entry.entity, entry.program)
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


class TargetBook:
    """Look-ups over many target entries: ``target_on(metric, program, day)``."""

    def __init__(self, entries: Iterable[TargetEntry]) -> None:
        self.entries = tuple(entries)

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

    def target_on(self, metric: str, program: str, day: dt.date, entity_id: str | None = None) -> Target | None:
        """The target in force on ``day`` (None when no entry covers the metric yet)."""
        entry = self._entry(metric, program, entity_id)
        if entry is None:
            return None
        dates = sorted(entry.values)
        current = [d for d in dates if d <= day]
        if not current:
            return None
        valid_from = current[-1]
        later = [d for d in dates if d > valid_from]
        return Target(
            metric,
            entry.entity,
            entry.program,
            entry.kind,
            entry.benchmark,
            entry.values[valid_from],
            valid_from,
            later[0] if later else None,
        )

    def metrics(self) -> tuple[str, ...]:
        return tuple(sorted({e.metric for e in self.entries}))


def parse_targets(text: str, *, where: str) -> TargetBook:
    """Validate a ``targets.yaml`` text; errors name ``where``, the line and the field."""
    return TargetBook(parse_model(text, TargetFile, where=where).targets)


@cache
def default_targets() -> TargetBook:
    """The packaged example targets (``cxcert/performance/data/targets.yaml``), used by the demo."""
    text = resources.files("cxcert.performance").joinpath("data", "targets.yaml").read_text(encoding="utf-8")
    return parse_targets(text, where="cxcert/performance/data/targets.yaml")
