"""Editing an entity already defined: which fields may change, how lists are added to and taken from, and what
changed (docs/domain.md section 3, step 1: the entity is what is certified; its id and organisation stay)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationError

from cxcert.certification.entity import Entity, Location, Service
from cxcert.errors import CxcertError

# An entity keeps its id (what every record points to) and its organisation (an entity does not move).
FIXED = ("id", "organisation_id")


@dataclass(frozen=True)
class EntityEdit:
    """The changes asked for: whole fields replaced (from a file), then single values set, added and removed."""

    replace: Mapping[str, object] = field(default_factory=dict)  # field -> its new value, as a file gives it
    name: str | None = None
    standard_urn: str | None = None
    rule_set_id: str | None = None
    add_locations: tuple[Location, ...] = ()
    remove_locations: tuple[str, ...] = ()
    add_services: tuple[Service, ...] = ()
    remove_services: tuple[Service, ...] = ()
    add_functions: tuple[str, ...] = ()
    remove_functions: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.replace and all(v is None or v == () for k, v in self.__dict__.items() if k != "replace")


def _without(kind: str, present: tuple[str, ...], removed: tuple[str, ...]) -> None:
    unknown = [r for r in removed if r not in present]
    if unknown:
        raise CxcertError(f"the entity has no {kind} {unknown[0]!r} to remove (it has: {', '.join(present) or 'none'})")


def _valid(data: Mapping[str, object]) -> Entity:
    try:
        return Entity.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(map(str, first["loc"]))
        raise CxcertError(f"entity {where}: {str(first['msg']).removeprefix('Value error, ')}") from None


def apply_edit(entity: Entity, edit: EntityEdit) -> tuple[Entity, tuple[str, ...]]:
    """``entity`` with ``edit`` applied, validated as a whole, and the names of the fields that changed."""
    if edit.empty:
        raise CxcertError("nothing to change: give a field (see `cxcert entity edit --help`) or --from-file")
    fixed = [k for k in FIXED if k in edit.replace and edit.replace[k] != getattr(entity, k)]
    if fixed:
        raise CxcertError(
            f"an entity keeps its {fixed[0].replace('_', ' ')} ({getattr(entity, fixed[0])!r}): every record points "
            "to it; define a new entity instead"
        )
    data = {**entity.model_dump(mode="json"), **edit.replace}
    base = _valid(data)
    _without("location", tuple(loc.id for loc in base.locations), edit.remove_locations)
    _without("service", tuple(s.value for s in base.services), tuple(s.value for s in edit.remove_services))
    _without("function", base.functions, edit.remove_functions)
    changes: dict[str, object] = {}
    for name in ("name", "standard_urn", "rule_set_id"):
        value = getattr(edit, name)
        if value is not None:
            changes[name] = value
    if edit.add_locations or edit.remove_locations:
        kept = tuple(loc for loc in base.locations if loc.id not in edit.remove_locations)
        if not kept and not edit.add_locations:
            raise CxcertError("an entity keeps at least one location: add the new one before removing the last")
        changes["locations"] = (*kept, *edit.add_locations)
    if edit.add_services or edit.remove_services:
        kept_services = tuple(s for s in base.services if s not in edit.remove_services)
        changes["services"] = (*kept_services, *edit.add_services)
    if edit.add_functions or edit.remove_functions:
        kept_functions = tuple(f for f in base.functions if f not in edit.remove_functions)
        changes["functions"] = (*kept_functions, *edit.add_functions)
    edited = _valid({**base.model_dump(), **changes})
    changed = tuple(k for k in Entity.model_fields if getattr(edited, k) != getattr(entity, k))
    return edited, changed
