"""Application completion: how far the coordinator's application is, item by item (docs/domain.md section 3 step 4).

Each item's units of work are its requirements (the item itself when it has none). An answer to a requirement
fills that unit; an item-level answer (no requirement id) fills every unit of the item not answered on its own.
When a unit is answered more than once, the latest answer (by ``answered_on``, then by order given) counts for
completion; hours add up over every answer, since the work was done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cxcert.certification.assessment import ApplicationAnswer
from cxcert.errors import CxcertError
from cxcert.explain import Explanation, Step
from cxcert.standards.schema import Standard


class ItemStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


@dataclass(frozen=True)
class ItemProgress:
    item: str
    title: str
    units: int
    units_answered: int
    completion: float  # mean completion over the item's units, 0..1
    hours_spent: float
    status: ItemStatus


@dataclass(frozen=True)
class ApplicationProgress:
    items: tuple[ItemProgress, ...]
    completion: float  # mean of the items' completion, 0..1
    hours_spent: float
    items_not_started: tuple[str, ...]
    items_complete: tuple[str, ...]
    explanation: Explanation


def _latest(answers: list[tuple[int, ApplicationAnswer]]) -> ApplicationAnswer | None:
    if not answers:
        return None
    return max(answers, key=lambda pair: (pair[1].answered_on or dt.date.min, pair[0]))[1]


def application_progress(answers: Iterable[ApplicationAnswer], standard: Standard) -> ApplicationProgress:
    """Per-item completion, hours spent and the items not started, over every item of ``standard``."""
    items = standard.items()
    by_number = {it.number: it for it in items}
    per_unit: dict[tuple[str, str | None], list[tuple[int, ApplicationAnswer]]] = {}
    hours: dict[str, float] = {}
    for order, ans in enumerate(answers):
        item = by_number.get(ans.item)
        if item is None:
            raise CxcertError(f"application answer for item {ans.item}, which {standard.key.urn} does not have")
        if ans.requirement_id is not None and ans.requirement_id not in {r.id for r in item.requirements}:
            raise CxcertError(f"application answer for requirement {ans.requirement_id}, which item {ans.item} lacks")
        per_unit.setdefault((ans.item, ans.requirement_id), []).append((order, ans))
        hours[ans.item] = hours.get(ans.item, 0.0) + ans.hours_spent

    progress: list[ItemProgress] = []
    for item in items:
        item_level = _latest(per_unit.get((item.number, None), []))
        unit_ids: list[str | None] = [r.id for r in item.requirements] or [None]
        completions: list[float] = []
        answered = 0
        for unit in unit_ids:
            own = _latest(per_unit.get((item.number, unit), [])) if unit is not None else None
            chosen = own or item_level
            if chosen is not None:
                answered += 1
                completions.append(chosen.completion)
            else:
                completions.append(0.0)
        completion = sum(completions) / len(completions)
        if answered == 0:
            status = ItemStatus.NOT_STARTED
        elif all(c >= 1.0 for c in completions):
            status = ItemStatus.COMPLETE
        else:
            status = ItemStatus.IN_PROGRESS
        progress.append(
            ItemProgress(
                item.number, item.title, len(unit_ids), answered, completion, hours.get(item.number, 0.0), status
            )
        )

    total_hours = sum(p.hours_spent for p in progress)
    overall = sum(p.completion for p in progress) / len(progress) if progress else 0.0
    not_started = tuple(p.item for p in progress if p.status is ItemStatus.NOT_STARTED)
    complete = tuple(p.item for p in progress if p.status is ItemStatus.COMPLETE)
    summary = (
        f"application {overall:.0%} complete: {len(complete)} of {len(progress)} items complete, "
        f"{len(not_started)} not started, {total_hours:g} hours spent"
    )
    steps = tuple(
        Step(
            f"item:{p.item}",
            f"{p.title}: {p.status.value}, {p.units_answered} of {p.units} parts answered, {p.completion:.0%}",
            {"hours_spent": p.hours_spent},
        )
        for p in progress
    )
    return ApplicationProgress(
        tuple(progress), overall, total_hours, not_started, complete, Explanation(summary, steps)
    )
