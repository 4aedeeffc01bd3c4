"""Which site's time zone a row is bucketed in, when an entity's locations serve different programs or queues.

An entity with sites in New York and Lisbon counts a Lisbon contact's day and interval on Lisbon's clock. The
mapping names the entity's locations by id: a queue's site first, else its program's, else the entity's first
location. It is the user's data (``CXCERT_HOME/sites.yaml``, read by the CLI), validated with file and line::

    ent-northwind-care:                 # entity id
      programs: {card_services: loc-lisbon}
      queues: {rb_email: loc-lisbon}    # a queue's site wins over its program's
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import yaml
from pydantic import Field, RootModel

from cxcert.errors import ValidationFailed
from cxcert.performance.periods import Window
from cxcert.standards.schema import Frozen
from cxcert.yaml_source import line_of, parse_model


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


class EntitySites(Frozen):
    programs: dict[str, str] = Field(default_factory=dict, description="program → location id")
    queues: dict[str, str] = Field(default_factory=dict, description="queue → location id")


class SiteMap(RootModel[dict[str, EntitySites]]):
    model_config = {"frozen": True}


def site_zones(
    text: str, *, where: str, entity_id: str, locations: Mapping[str, str], default: str
) -> SiteZones | None:
    """The entity's zones from site-map ``text`` (``locations``: the entity's location id → zone); None when the
    map does not name the entity. An unknown location id is an error naming the file, line and field."""
    site_map = parse_model(text, SiteMap, where=where)
    sites = site_map.root.get(entity_id)
    if sites is None:
        return None
    root = yaml.compose(text)
    issues = []
    resolved: dict[str, dict[str, str]] = {"programs": {}, "queues": {}}
    for kind, mapping in (("programs", sites.programs), ("queues", sites.queues)):
        for name, location in mapping.items():
            if location in locations:
                resolved[kind][name] = locations[location]
            else:
                line = line_of(root, (entity_id, kind, name))
                issues.append(f"line {line}, field {entity_id}.{kind}.{name}: entity {entity_id} has no location "
                              f"{location!r}; it has {', '.join(locations)}")  # fmt: skip
    if issues:
        raise ValidationFailed(issues, where=where)
    return SiteZones(default, resolved["queues"], resolved["programs"])


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
