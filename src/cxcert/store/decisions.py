"""Decisions as made: the full :class:`~cxcert.certification.decision.Decision` plus when and by whom.

Review results (a six-month review) are stored here too, marked by their outcome; the *standing* decision of a
scope (the whole standard, or one process certification's items) is the latest stored certification decision of
that scope, so a review result or another scope's decision never replaces it. The outcome and who authorises the
decision are kept in the explanation JSON column next to the explanation (no columns of their own).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxcert.certification.assessment import AssessmentKind
from cxcert.certification.authority import EntityAuthority, LocationAuthority
from cxcert.certification.decision import Decision, ItemContribution
from cxcert.errors import NotFound
from cxcert.standards import library
from cxcert.standards.rule_set import AssessmentOutcome, FindingLevel
from cxcert.store.explanation_json import explanation_from_json
from cxcert.store.models import DecisionRow


@dataclass(frozen=True)
class DecisionRecord:
    """A stored decision: its row id, the day it was made, who made it, and the decision itself."""

    id: int
    decided_on: dt.date
    decided_by: str | None
    decision: Decision


class DecisionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save_decision(self, decision: Decision, decided_on: dt.date, decided_by: str | None = None) -> DecisionRecord:
        """Store ``decision`` as made on ``decided_on``; decisions are never overwritten (history is kept)."""
        row = DecisionRow(
            entity_id=decision.entity_id,
            assessment_id=decision.assessment_id,
            assessment_kind=decision.assessment_kind.value,
            decided_on=decided_on,
            decided_by=decided_by,
            rule_set_id=decision.rule_set_id,
            standard_urn=decision.standard_urn,
            decision_class=decision.decision_class,
            certifies=decision.certifies,
            rank=decision.rank,
            best_rank=decision.best_rank,
            scope_items=None if decision.scope_items is None else list(decision.scope_items),
            scorable=decision.scorable,
            compliant=decision.compliant,
            minor=decision.minor,
            major=decision.major,
            not_applicable=decision.not_applicable,
            missing=decision.missing,
            points_earned=decision.points_earned,
            points_possible=decision.points_possible,
            points_pass_mark=decision.points_pass_mark,
            points_required=decision.points_required,
            points_passed=decision.points_passed,
            contributions=[c.to_dict() for c in decision.contributions],
            explanation={
                **decision.explanation.to_dict(),
                "outcome": decision.outcome.value,
                "authority": None if decision.authority is None else decision.authority.to_dict(),
            },
        )
        self.session.add(row)
        self.session.flush()
        return _record(row)

    def decisions(self, entity_id: str) -> tuple[DecisionRecord, ...]:
        """``entity_id``'s decisions, oldest first."""
        rows = self.session.scalars(
            select(DecisionRow)
            .where(DecisionRow.entity_id == entity_id)
            .order_by(DecisionRow.decided_on, DecisionRow.id)
        )
        return tuple(_record(r) for r in rows)

    def latest_decision(self, entity_id: str) -> DecisionRecord | None:
        """The latest stored result of any kind (a review result too); see :meth:`standing_decision`."""
        found = self.decisions(entity_id)
        return found[-1] if found else None

    def standing_decisions(self, entity_id: str) -> tuple[DecisionRecord, ...]:
        """The standing certification decision of each scope: the whole standard first, then process scopes."""
        latest: dict[tuple[str, ...] | None, DecisionRecord] = {}
        for record in self.decisions(entity_id):
            if record.decision.stands:
                latest[record.decision.scope_key] = record
        return tuple(
            sorted(latest.values(), key=lambda r: (r.decision.scope_key is not None, r.decision.scope_key or ()))
        )

    def standing_decision(self, entity_id: str, scope: tuple[str, ...] | None = None) -> DecisionRecord | None:
        """The latest certification decision on ``scope`` (None: the whole standard), ignoring review results."""
        key = None if scope is None else tuple(sorted(set(scope)))
        return next((r for r in self.standing_decisions(entity_id) if r.decision.scope_key == key), None)

    def review_results(self, entity_id: str) -> tuple[DecisionRecord, ...]:
        """``entity_id``'s review results (decisions that leave the standing one in place), oldest first."""
        return tuple(r for r in self.decisions(entity_id) if not r.decision.stands)

    def get_latest_decision(self, entity_id: str) -> DecisionRecord:
        found = self.latest_decision(entity_id)
        if found is None:
            raise NotFound(f"entity {entity_id!r} has no decision yet (run `cxcert decide --entity {entity_id}`)")
        return found


def _contribution(data: dict[str, Any]) -> ItemContribution:
    level = data.get("level")
    return ItemContribution(
        item=str(data["item"]),
        title=str(data["title"]),
        points=int(data["points"]),
        level=None if level is None else FindingLevel(level),
        counted_as=str(data["counted_as"]),
        points_possible=float(data["points_possible"]),
        points_earned=float(data["points_earned"]),
    )


def _authority(data: dict[str, Any] | None) -> EntityAuthority | None:
    if data is None:
        return None
    return EntityAuthority(
        entity_id=str(data["entity_id"]),
        per_location=tuple(
            LocationAuthority(
                location_id=str(a["location_id"]),
                country=str(a["country"]),
                oversees=str(a["oversees"]),
                submits_application=str(a["submits_application"]),
                authorises_decision=str(a["authorises_decision"]),
            )
            for a in data["per_location"]
        ),
        oversees=tuple(str(r) for r in data["oversees"]),
        submits_application=tuple(str(r) for r in data["submits_application"]),
        authorises_decision=tuple(str(r) for r in data["authorises_decision"]),
        explanation=explanation_from_json(data["explanation"]),
    )


def _outcome(row: DecisionRow) -> AssessmentOutcome:
    stored = row.explanation.get("outcome")
    if stored is not None:
        return AssessmentOutcome(stored)
    # Stored before outcomes were recorded: what the rule set says of the kind (every decision stood then).
    try:
        return library.rule_set(row.rule_set_id).outcome_for(AssessmentKind(row.assessment_kind))
    except NotFound:
        return AssessmentOutcome.DECISION


def _record(row: DecisionRow) -> DecisionRecord:
    decision = Decision(
        assessment_id=row.assessment_id,
        entity_id=row.entity_id,
        assessment_kind=AssessmentKind(row.assessment_kind),
        outcome=_outcome(row),
        rule_set_id=row.rule_set_id,
        standard_urn=row.standard_urn,
        decision_class=row.decision_class,
        certifies=row.certifies,
        rank=row.rank,
        best_rank=row.best_rank,
        scope_items=None if row.scope_items is None else tuple(row.scope_items),
        scorable=row.scorable,
        compliant=row.compliant,
        minor=row.minor,
        major=row.major,
        not_applicable=row.not_applicable,
        missing=row.missing,
        points_earned=row.points_earned,
        points_possible=row.points_possible,
        points_pass_mark=row.points_pass_mark,
        points_required=row.points_required,
        points_passed=row.points_passed,
        contributions=tuple(_contribution(c) for c in row.contributions),
        explanation=explanation_from_json(row.explanation),
        authority=_authority(row.explanation.get("authority")),
    )
    return DecisionRecord(id=row.id, decided_on=row.decided_on, decided_by=row.decided_by, decision=decision)
