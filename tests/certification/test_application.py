"""Application completion per item, hours spent and items not started (DOMAIN.md section 3 step 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.certification.application import ItemStatus, application_progress
from cxcert.certification.assessment import ApplicationAnswer
from cxcert.errors import CxcertError
from cxcert.standards import library
from cxcert.standards.schema import Item, Requirement, Standard

from .conftest import load_test_standard

TEST = load_test_standard()


def _with_requirements() -> Standard:
    """The test standard with two requirements on item 1.1."""
    cats = list(TEST.categories)
    items = list(cats[0].items)
    reqs = (
        Requirement(id="1.1.1", summary="a", evidence="approach"),
        Requirement(id="1.1.2", summary="b", evidence="deployment"),
    )
    items[0] = Item.model_validate({**items[0].model_dump(), "requirements": reqs})
    cats[0] = cats[0].model_copy(update={"items": tuple(items)})
    return TEST.model_copy(update={"categories": tuple(cats)})


def _ans(item: str, req: str | None, completion: float, hours: float, day: int = 1) -> ApplicationAnswer:
    return ApplicationAnswer(
        item=item,
        requirement_id=req,
        answer="...",
        hours_spent=hours,
        completion=completion,
        answered_on=dt.date(2001, 1, day),
    )


def test_requirement_answers_fill_their_units() -> None:
    std = _with_requirements()
    progress = application_progress([_ans("1.1", "1.1.1", 1.0, 2.0), _ans("1.2", None, 0.5, 1.5)], std)
    first = progress.items[0]
    assert (first.item, first.units, first.units_answered, first.completion) == ("1.1", 2, 1, 0.5)
    assert first.status is ItemStatus.IN_PROGRESS
    assert progress.items[1].completion == 0.5
    assert progress.hours_spent == 3.5
    assert len(progress.items_not_started) == len(std.items()) - 2
    assert "1.1" not in progress.items_not_started


def test_item_level_answer_fills_units_not_answered_alone_and_latest_wins() -> None:
    std = _with_requirements()
    answers = [
        _ans("1.1", None, 1.0, 1.0, day=1),
        _ans("1.1", "1.1.2", 1.0, 0.5, day=2),
        _ans("1.1", "1.1.2", 0.25, 0.5, day=5),  # a later, less complete rewrite counts
    ]
    item = application_progress(answers, std).items[0]
    assert item.units_answered == 2
    assert item.completion == pytest.approx((1.0 + 0.25) / 2)
    assert item.hours_spent == 2.0  # every answer's hours count


def test_complete_application() -> None:
    answers = [_ans(it.number, None, 1.0, 1.0) for it in TEST.items()]
    progress = application_progress(answers, TEST)
    assert progress.completion == 1.0 and progress.items_not_started == ()
    assert len(progress.items_complete) == len(TEST.items())
    assert progress.explanation.summary.startswith("application 100% complete")


def test_unknown_item_or_requirement_is_refused() -> None:
    with pytest.raises(CxcertError, match=r"item 9\.9, which"):
        application_progress([_ans("9.9", None, 1, 1)], TEST)
    with pytest.raises(CxcertError, match=r"requirement 1\.2\.7, which item 1\.2 lacks"):
        application_progress([_ans("1.2", "1.2.7", 1, 1)], library.standard("copc-2000-csp"))
