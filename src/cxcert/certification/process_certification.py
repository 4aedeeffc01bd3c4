"""Process certifications: certifications whose scope is a declared subset of a standard's items.

The kinds and their item scopes are data (``data/process_certifications.yaml``); an assessment for a process
certification carries the scope in ``Assessment.scope_items`` and the decision engine counts only those items.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache

from pydantic import Field

from cxcert.errors import CxcertError, NotFound
from cxcert.standards.schema import Frozen, Standard
from cxcert.yaml_source import load_packaged


class ProcessCertificationKind(StrEnum):
    CUSTOMER_SATISFACTION = "customer_satisfaction"
    WORKFORCE_MANAGEMENT = "workforce_management"
    RECRUITING_HIRING_TRAINING = "recruiting_hiring_training"
    QUALITY = "quality"
    SOURCING = "sourcing"


class ProcessScope(Frozen):
    title: str
    items: tuple[str, ...] = Field(min_length=1)


class ProcessCertifications(Frozen):
    standard: str = Field(description="URN of the standard whose item numbers the scopes use")
    source_note: str
    kinds: Mapping[ProcessCertificationKind, ProcessScope]


@cache
def process_certifications() -> ProcessCertifications:
    """The packaged process certification scopes."""
    return load_packaged("cxcert.certification", "process_certifications.yaml", ProcessCertifications)


def _kind(kind: str) -> ProcessCertificationKind:
    try:
        return ProcessCertificationKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in ProcessCertificationKind)
        raise NotFound(f"no process certification {kind!r}; known: {known}") from None


def title_of(kind: str) -> str:
    """The display title of a process certification kind."""
    return process_certifications().kinds[_kind(kind)].title


def scope_for(kind: str, standard: Standard) -> tuple[str, ...]:
    """The item numbers of ``standard`` in scope for the process certification ``kind``, in standard order.

    Refuses a standard the scopes are not written for, and a scope naming an item the standard lacks.
    """
    data = process_certifications()
    wanted = _kind(kind)
    if standard.key.urn != data.standard:
        raise CxcertError(
            f"process certification scopes are defined for {data.standard}, not {standard.key.urn}; "
            "declare the scope items explicitly"
        )
    scope = data.kinds.get(wanted)
    if scope is None:
        raise NotFound(f"process certification {wanted.value} has no scope in the packaged data")
    known = [it.number for it in standard.items()]
    missing = [n for n in scope.items if n not in known]
    if missing:
        raise CxcertError(
            f"process certification {wanted.value} names items {', '.join(missing)} not in {data.standard}"
        )
    return tuple(n for n in known if n in scope.items)
