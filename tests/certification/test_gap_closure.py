"""Gap closure: structured calls every other week with the founding agenda (DOMAIN.md section 3 step 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.certification.gap_closure import CallStatus, check_replan, default_agenda, plan_gap_closure
from cxcert.errors import CxcertError
from cxcert.standards import library

from .conftest import load_test_rule_set

RULES = load_test_rule_set()
START = dt.date(2001, 2, 5)


def test_default_agenda_starts_as_the_founding_document_says() -> None:
    """Oracle: first call identifies the KCRPs, second their metrics, third the key suppliers."""
    ids = [t.id for t in default_agenda().topics]
    assert ids[:3] == ["kcrps", "kcrp_metrics", "key_suppliers"]
    assert len(ids) == len(set(ids))


def test_calls_every_other_week_with_owners() -> None:
    rules = library.rule_set("copc-2000-founding")
    calls = plan_gap_closure(START, rules, owners={"*": "p-coord", "key_suppliers": "p-ops"})
    assert rules.gap_closure_call_interval_days == 14
    assert [c.number for c in calls] == list(range(1, len(default_agenda().topics) + 1))
    assert [c.scheduled_on for c in calls[:3]] == [dt.date(2001, 2, 5), dt.date(2001, 2, 19), dt.date(2001, 3, 5)]
    assert calls[0].topic == "Identify the key customer-related processes (KCRPs)"
    assert [c.owner for c in calls[:4]] == ["p-coord", "p-coord", "p-ops", "p-coord"]
    assert all(c.outcome is None and c.held_on is None for c in calls)


def test_custom_agenda_mixes_packaged_ids_and_free_topics() -> None:
    calls = plan_gap_closure(START, RULES, owners={"topic_2": "p-it"}, agenda=["kcrps", "Telephony migration"])
    assert [(c.topic_id, c.topic, c.owner) for c in calls] == [
        ("kcrps", "Identify the key customer-related processes (KCRPs)", None),
        ("topic_2", "Telephony migration", "p-it"),
    ]


def test_owner_of_an_unknown_topic_is_refused() -> None:
    with pytest.raises(CxcertError, match="owners name topics not on the agenda: kcrp"):
        plan_gap_closure(START, RULES, owners={"kcrp": "p"})
    with pytest.raises(CxcertError, match="agenda is empty"):
        plan_gap_closure(START, RULES, owners={}, agenda=[])


def test_recording_a_call() -> None:
    call = plan_gap_closure(START, RULES, owners={})[0]
    held = call.record(dt.date(2001, 2, 6), "Four KCRPs agreed")
    assert held.held and held.outcome == "Four KCRPs agreed" and held.held_on == dt.date(2001, 2, 6)
    with pytest.raises(CxcertError, match="outcome is empty"):
        call.record(dt.date(2001, 2, 6), " ")


def test_a_plan_of_the_first_n_calls() -> None:
    calls = plan_gap_closure(START, RULES, owners={"*": "p"}, calls=3)
    assert [c.topic_id for c in calls] == ["kcrps", "kcrp_metrics", "key_suppliers"]
    topics = len(default_agenda().topics)
    with pytest.raises(CxcertError, match=f"the agenda has {topics} topics"):
        plan_gap_closure(START, RULES, owners={}, calls=topics + 1)
    with pytest.raises(CxcertError, match="give 1 to"):
        plan_gap_closure(START, RULES, owners={}, calls=0)


def test_status_held_overdue_planned() -> None:
    first, second = plan_gap_closure(START, RULES, owners={}, calls=2)
    assert first.status(START) is CallStatus.PLANNED  # due today, not yet late
    assert first.status(START + dt.timedelta(days=1)) is CallStatus.OVERDUE
    held = first.record(START, "done", owner="p-new")
    assert held.status(START + dt.timedelta(days=99)) is CallStatus.HELD and held.owner == "p-new"
    assert second.record(START, "early").held_on == START  # a call may be held before its day


def test_a_plan_with_held_calls_is_not_replaced() -> None:
    calls = plan_gap_closure(START, RULES, owners={}, calls=3)
    check_replan("ent-1", calls)  # nothing held: may be replaced
    with pytest.raises(CxcertError, match=r"has calls held already \(2\)"):
        check_replan("ent-1", (calls[0], calls[1].record(START, "x"), calls[2]))
