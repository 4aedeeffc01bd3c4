"""Entity YAML files for `cxcert entity create|edit --from-file`: parsed and validated with file, line and field
(docs/entity-file.md explains every field).

Kept apart from :mod:`cxcert.cli.entity` because the model is pydantic: it loads only when a file is read.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from cxcert.certification.entity import Entity, Organisation
from cxcert.errors import CxcertError
from cxcert.limits import read_yaml_file
from cxcert.standards.issues import DocumentInvalid, ValidationIssue
from cxcert.standards.marked_yaml import load_marked
from cxcert.standards.parsing import schema_issues
from cxcert.standards.schema import Frozen


class EntityFile(Frozen):
    """An entity YAML file: the entity's fields, plus its organisation when it is not yet known."""

    organisation: Organisation | None = None
    entity: Entity


def load_entity_file(path: Path) -> EntityFile:
    """Read and validate an entity YAML file; every error names the file, line and field."""
    if not path.is_file():
        raise CxcertError(f"entity file not found: {path}")
    marked = load_marked(read_yaml_file(path, "entity"), str(path))
    if marked.issues:
        raise DocumentInvalid(marked.issues)
    if not isinstance(marked.data, dict):  # pydantic would name its class
        message = "expected a mapping with 'entity:' (and 'organisation:' for a new organisation)"
        raise DocumentInvalid([ValidationIssue(str(path), 1, "(document)", message)])
    try:
        return EntityFile.model_validate(marked.data)
    except ValidationError as exc:
        raise DocumentInvalid(schema_issues(exc, marked.source_map)) from None


def load_entity_edit(path: Path, current: Entity) -> tuple[dict[str, object], Organisation | None]:
    """The fields an edit file gives for ``current`` (any subset of an entity file's `entity` keys) and its
    organisation, if given. Validated over the entity as it stands, so every error names the file, line and
    field."""
    if not path.is_file():
        raise CxcertError(f"entity file not found: {path}")
    marked = load_marked(read_yaml_file(path, "entity"), str(path))
    if marked.issues:
        raise DocumentInvalid(marked.issues)
    data = marked.data
    if not isinstance(data, dict) or not isinstance(data.get("entity"), dict):
        raise CxcertError(f"{path}: an entity file holds an `entity:` mapping (see docs/entity-file.md)")
    given: dict[str, object] = {str(k): v for k, v in data["entity"].items()}
    try:
        loaded = EntityFile.model_validate({**data, "entity": {**current.model_dump(mode="json"), **given}})
    except ValidationError as exc:
        raise DocumentInvalid(schema_issues(exc, marked.source_map)) from None
    return given, loaded.organisation
