"""Process certifications: certifications whose scope is a declared subset of a standard's items.

The kinds and their item scopes are data (``data/process_certifications.yaml``); an assessment for a process
certification carries the scope in ``Assessment.scope_items`` and the decision engine counts only those items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def is_kind(text: str) -> bool:
    """Whether ``text`` names a packaged process certification kind (``quality``, ``sourcing``...)."""
    return text.strip().lower() in {k.value for k in ProcessCertificationKind}


def resolve_scope(entries: Sequence[str], standard: Standard) -> tuple[str, ...]:
    """The items of a declared scope, in standard order: each entry is a process certification kind (its packaged
    items) or an item number of ``standard``; repeats collapse. Refuses an entry that is neither."""
    known = [it.number for it in standard.items()]
    wanted: set[str] = set()
    for entry in entries:
        text = entry.strip()
        if is_kind(text):
            wanted.update(scope_for(text.lower(), standard))
        elif text in known:
            wanted.add(text)
        else:
            kinds = ", ".join(k.value for k in ProcessCertificationKind)
            raise CxcertError(
                f"{text!r} is neither a process certification ({kinds}) nor an item of {standard.key.urn}"
            )
    if not wanted:
        raise CxcertError("the declared scope is empty; name a process certification or items")
    return tuple(n for n in known if n in wanted)


def kind_of_scope(items: Sequence[str], standard: Standard) -> ProcessCertificationKind | None:
    """The packaged process certification whose scope is exactly ``items`` under ``standard``, if one is."""
    if standard.key.urn != process_certifications().standard:
        return None
    given = set(items)
    return next((k for k in ProcessCertificationKind if set(scope_for(k, standard)) == given), None)
