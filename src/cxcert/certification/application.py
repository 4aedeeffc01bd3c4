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


@dataclass(frozen=True)
class UnitAnswer:
    """One unit of the application (a requirement, or an item without requirements): the question it asks and the
    answer that counts for it (its own latest answer, else the item's latest item-level answer; None: unanswered)."""

    item: str
    requirement_id: str | None
    question: str
    answer: ApplicationAnswer | None

    @property
    def unit_id(self) -> str:
        return self.requirement_id or self.item

    @property
    def complete(self) -> bool:
        return self.answer is not None and self.answer.completion >= 1.0

    def to_dict(self) -> dict[str, object]:
        a = self.answer
        return {
            "item": self.item,
            "requirement": self.requirement_id,
            "question": self.question,
            "answer": None if a is None else a.answer,
            "completion": None if a is None else a.completion,
            "answered_by": None if a is None else a.answered_by,
            "answered_on": None if a is None or a.answered_on is None else a.answered_on.isoformat(),
        }


def _by_unit(
    answers: Iterable[ApplicationAnswer], standard: Standard
) -> tuple[dict[tuple[str, str | None], list[tuple[int, ApplicationAnswer]]], dict[str, float]]:
    """Every answer grouped by (item, requirement), checked against ``standard``; and the hours per item."""
    by_number = {it.number: it for it in standard.items()}
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
    return per_unit, hours


def answer_sheet(answers: Iterable[ApplicationAnswer], standard: Standard) -> tuple[UnitAnswer, ...]:
    """Every unit of ``standard``'s application in order, with its question and the answer that counts."""
    per_unit, _ = _by_unit(answers, standard)
    return _sheet(per_unit, standard)


def _sheet(
    per_unit: dict[tuple[str, str | None], list[tuple[int, ApplicationAnswer]]], standard: Standard
) -> tuple[UnitAnswer, ...]:
    sheet: list[UnitAnswer] = []
    for item in standard.items():
        item_level = _latest(per_unit.get((item.number, None), []))
        if not item.requirements:
            sheet.append(UnitAnswer(item.number, None, item.summary, item_level))
            continue
        for req in item.requirements:
            own = _latest(per_unit.get((item.number, req.id), []))
            sheet.append(UnitAnswer(item.number, req.id, req.summary, own or item_level))
    return tuple(sheet)


def incomplete_units(answers: Iterable[ApplicationAnswer], standard: Standard) -> tuple[UnitAnswer, ...]:
    """The units not answered in full (no answer, or the answer that counts is below 100 %), in order."""
    return tuple(u for u in answer_sheet(answers, standard) if not u.complete)


def application_progress(answers: Iterable[ApplicationAnswer], standard: Standard) -> ApplicationProgress:
    """Per-item completion, hours spent and the items not started, over every item of ``standard``."""
    items = standard.items()
    per_unit, hours = _by_unit(answers, standard)
    units: dict[str, list[UnitAnswer]] = {}
    for unit in _sheet(per_unit, standard):
        units.setdefault(unit.item, []).append(unit)

    progress: list[ItemProgress] = []
    for item in items:
        completions = [u.answer.completion if u.answer is not None else 0.0 for u in units[item.number]]
        answered = sum(u.answer is not None for u in units[item.number])
        completion = sum(completions) / len(completions)
        if answered == 0:
            status = ItemStatus.NOT_STARTED
        elif all(c >= 1.0 for c in completions):
            status = ItemStatus.COMPLETE
        else:
            status = ItemStatus.IN_PROGRESS
        progress.append(
            ItemProgress(
                item.number, item.title, len(completions), answered, completion, hours.get(item.number, 0.0), status
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
