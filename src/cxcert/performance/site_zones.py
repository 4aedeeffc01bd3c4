"""Which site's time zone a row is bucketed in, when an entity's locations serve different programs or queues.

An entity with sites in New York and Lisbon counts a Lisbon contact's day and interval on Lisbon's clock. The
entity's locations say which programs and queues they handle (:class:`~cxcert.certification.entity.Location`);
a row is in its queue's site's zone first, else its program's, else the entity's first location's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from cxcert.certification.entity import Entity
from cxcert.performance.periods import Window


@dataclass(frozen=True)
class SiteZones:
    """IANA zone by queue and by program; every other row is in ``default``."""

    default: str
    queues: Mapping[str, str] = field(default_factory=dict)
    programs: Mapping[str, str] = field(default_factory=dict)

    def zones(self) -> tuple[str, ...]:
        """Every zone in use, the default first."""
        return tuple(dict.fromkeys([self.default, *self.queues.values(), *self.programs.values()]))

    def describe(self) -> str:
        parts = [f"queue {q}: {z}" for q, z in sorted(self.queues.items())]
        parts += [f"program {p}: {z}" for p, z in sorted(self.programs.items())]
        return f"each row in its site's zone ({'; '.join(parts)}); otherwise {self.default}"


def entity_site_zones(entity: Entity) -> SiteZones | None:
    """The zones the entity's locations declare by program and queue; None when none declares any (every row is
    then in the first location's zone). The entity has already checked that each has one site."""
    queues = {q: loc.time_zone for loc in entity.locations for q in loc.queues}
    programs = {p: loc.time_zone for loc in entity.locations for p in loc.programs}
    if not queues and not programs:
        return None
    return SiteZones(entity.locations[0].time_zone, queues, programs)


def zoned(
    relation: ir.Table, zones: SiteZones | None, default: Window, build: Callable[[Window], ir.Value]
) -> ir.Value:
    """``build(window)`` in each row's own site zone: a CASE over the queue, then program, rules that
    ``relation`` has the column for (the window's local dates in each zone), else ``build(default)``."""
    if zones is None:
        return build(default)
    branches: list[tuple[ir.BooleanValue, ir.Value]] = []
    for column, mapping in (("queue", zones.queues), ("program", zones.programs)):
        if column not in relation.columns:
            continue
        by_zone: dict[str, list[str]] = {}
        for value, tz in mapping.items():
            by_zone.setdefault(tz, []).append(value)
        for tz, values in by_zone.items():
            branches.append((relation[column].isin(values), build(Window(tz, default.start, default.end))))
    return ibis.cases(*branches, else_=build(default)) if branches else build(default)


def span(zones: SiteZones | None, default: Window) -> tuple[dt.datetime, dt.datetime]:
    """The UTC span holding the window's local dates in every zone in use (for pre-filters before joins)."""
    windows = [default] + [Window(tz, default.start, default.end) for tz in (zones.zones() if zones else ())]
    return min(w.utc_start for w in windows), max(w.utc_end for w in windows)
