"""Engagements (stage + history) and corrective actions round-trip; history is append-only."""

from __future__ import annotations

import datetime as dt

import pytest

from cxcert.certification.corrective_action import raise_from_findings
from cxcert.certification.engagement import Engagement, EngagementContext, EngagementRecords, Stage
from cxcert.certification.gap_closure import plan_gap_closure
from cxcert.certification.people import KickoffSession
from cxcert.errors import CxcertError, NotFound
from cxcert.standards import library
from cxcert.store.db import Database
from cxcert.store.repository import Repositories

from . import samples


def _seed(db: Database) -> None:
    with db.session() as session:
        repos = Repositories(session)
        repos.organisations.save_organisation(samples.ORGANISATION)
        repos.organisations.save_entity(samples.ENTITY)
        repos.assessments.save_assessment(samples.AUDIT)


def test_engagement_round_trip_appends_history(db: Database) -> None:
    _seed(db)
    started = Engagement.start("acme-care", dt.date(2026, 1, 2), by="ana")
    with db.session() as session:
        Repositories(session).engagements.save_engagement(started)
    with db.session() as session:
        engagements = Repositories(session).engagements
        loaded = engagements.load_engagement("acme-care")
        assert loaded == started
        kickoff = KickoffSession(audience="executives", held_on=dt.date(2026, 1, 6), duration_hours=2)
        context = EngagementContext(records=EngagementRecords(kickoff_sessions=(kickoff,)))
        advanced = loaded.advance(
            Stage.KICKOFF_HELD, dt.date(2026, 1, 6), by="ana", note="2 days on site", context=context
        )
        engagements.save_engagement(advanced)
    with db.session() as session:
        engagements = Repositories(session).engagements
        again = engagements.load_engagement("acme-care")
        assert again == advanced
        assert again.stage is Stage.KICKOFF_HELD and len(again.history) == 2
        assert engagements.entities_at(Stage.KICKOFF_HELD) == ("acme-care",)


def test_saving_a_diverged_history_is_refused(db: Database) -> None:
    _seed(db)
    with db.session() as session:
        Repositories(session).engagements.save_engagement(Engagement.start("acme-care", dt.date(2026, 1, 2)))
    other = Engagement.start("acme-care", dt.date(2026, 1, 3))
    with db.session() as session, pytest.raises(CxcertError, match="stored history changed"):
        Repositories(session).engagements.save_engagement(other)


def test_no_engagement_is_not_found(db: Database) -> None:
    _seed(db)
    with db.session() as session, pytest.raises(NotFound):
        Repositories(session).engagements.load_engagement("acme-care")


def test_corrective_actions_round_trip_and_close(db: Database) -> None:
    _seed(db)
    actions = raise_from_findings(samples.AUDIT, owner="ana", raised_on=dt.date(2026, 9, 10), due_in_days=60)
    assert [a.item for a in actions] == ["4.1", "2.1"]  # majors first
    with db.session() as session:
        repo = Repositories(session).corrective_actions
        for action in actions:
            repo.save_action(action)
        repo.save_action(actions[0])  # idempotent
    closed = actions[1].close(dt.date(2026, 10, 1), "verified")
    with db.session() as session:
        repo = Repositories(session).corrective_actions
        # listed by due date, then id (all three share the due date here)
        assert repo.actions("acme-care") == tuple(sorted(actions, key=lambda a: a.id))
        repo.save_action(closed)
    with db.session() as session:
        repo = Repositories(session).corrective_actions
        assert repo.get_action(closed.id) == closed
        assert repo.actions("acme-care", open_only=True) == (actions[0],)


def test_gap_closure_plan_round_trip_and_record_a_call(db: Database) -> None:
    _seed(db)
    rules = library.rule_set("copc-2000-founding")
    plan = plan_gap_closure(dt.date(2026, 4, 1), rules, owners={"*": "ana"})
    held = plan[0].record(dt.date(2026, 4, 1), "KCRPs listed: inbound calls, e-mail")
    with db.session() as session:
        repo = Repositories(session).gap_closure
        repo.save_plan("acme-care", plan)
        repo.save_call("acme-care", held)
    with db.session() as session:
        stored = Repositories(session).gap_closure.plan("acme-care")
    assert stored == (held, *plan[1:])
    # calls every gap_closure_call_interval_days of the rule set (14 in the founding rule set: "every other week")
    assert (stored[1].scheduled_on - stored[0].scheduled_on).days == rules.gap_closure_call_interval_days == 14
