"""Recording a decision the one way `cxcert decide` and `cxcert demo` both do: decide the assessment under the
entity's rule set, store it (a review result is stored too, but never becomes the standing decision), add it to
the hash-chained audit trail, and raise a corrective action plan for each deficiency (once: deciding again opens
nothing new). Plans are stored and audit-trailed the way `cxcert evidence --open-actions` stores its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxcert.errors import CxcertError, NotFound

if TYPE_CHECKING:  # the domain (pydantic) and the store (SQLAlchemy) load only when a command runs
    from cxcert.certification.assessment import Assessment
    from cxcert.certification.corrective_action import CorrectiveAction, RaisedActions
    from cxcert.certification.entity import Entity
    from cxcert.standards.rule_set import RuleSet
    from cxcert.store.decisions import DecisionRecord
    from cxcert.store.repository import Repositories


@dataclass(frozen=True)
class RecordedDecision:
    """What deciding did: the stored record, the standing decision of its scope afterwards, and whether an
    identical earlier decision was reused instead of storing a new one."""

    record: DecisionRecord
    standing: DecisionRecord | None
    reused: bool
    actions: RaisedActions

    def to_dict(self) -> dict[str, object]:
        s = self.standing
        return {
            "decision_id": self.record.id,
            "decided_on": self.record.decided_on.isoformat(),
            "reused": self.reused,
            "corrective_actions": {
                "opened": [action_json(a) for a in self.actions.opened],
                "updated": [action_json(a) for a in self.actions.updated],
                "already_raised": [action_json(a) for a in self.actions.already_raised],
                "explanation": self.actions.explanation.to_dict(),
            },
            "standing_decision": None
            if s is None
            else {
                "id": s.id,
                "assessment_id": s.decision.assessment_id,
                "decision_class": s.decision.decision_class,
                "decided_on": s.decided_on.isoformat(),
                "certifies": s.decision.certifies,
            },
            **self.record.decision.to_dict(),
        }


def action_json(action: CorrectiveAction) -> dict[str, object]:
    return action.model_dump(mode="json")


def open_actions(repos: Repositories, actions: tuple[CorrectiveAction, ...], by: str, *, event: str = "opened") -> None:
    """Store newly raised (or updated) plans, each with its audit-trail entry (as `cxcert evidence --open-actions`
    does)."""
    for action in actions:
        repos.corrective_actions.save_action(action)
        repos.audit_trail.append(
            by, f"corrective_action.{event}", f"corrective_action:{action.id}",
            {"assessment": action.assessment_id, "item": action.item, "level": action.finding_level.value,
             "owner": action.owner, "due_on": action.due_on.isoformat(), "description": action.description},
        )  # fmt: skip


def assessment_to_decide(
    repos: Repositories, entity_id: str, rule_set: RuleSet, assessment_id: str | None
) -> Assessment:
    """The named assessment (of this entity), else the latest one whose kind gives a certification decision."""
    from cxcert.standards.rule_set import AssessmentOutcome

    if assessment_id is not None:
        assessment = repos.assessments.get_assessment(assessment_id)
        if assessment.entity_id != entity_id:
            raise CxcertError(f"assessment {assessment_id!r} is of entity {assessment.entity_id}, not {entity_id}")
        return assessment
    kinds = rule_set.kinds_giving(AssessmentOutcome.DECISION)
    found = repos.assessments.assessments(entity_id, kinds)
    if not found:
        names = ", ".join(k.value for k in kinds)
        raise NotFound(f"entity {entity_id!r} has no audit ({names}) to decide on")
    return found[-1]


def check_engagement(repos: Repositories, assessment: Assessment, rule_set: RuleSet, *, stands: bool) -> None:
    """Refuse a certification decision the entity's engagement is not ready for (see
    :meth:`~cxcert.certification.engagement.Engagement.decision_blockers`). A review result leaves the decision
    and the engagement where they are; an entity with no engagement, or one not followed past step 1, has no
    stage to wait for."""
    engagement = repos.engagements.find_engagement(assessment.entity_id) if stands else None
    followed = engagement is not None and engagement.followed
    problems = engagement.decision_blockers(assessment, rule_set) if engagement is not None and followed else ()
    if problems:
        raise CxcertError(
            f"cannot record a decision on {assessment.id} for {assessment.entity_id}: " + "; ".join(problems)
        )


def record_decision(
    repos: Repositories,
    entity: Entity,
    assessment: Assessment,
    *,
    on: dt.date,
    by: str,
    on_given: bool = True,
) -> RecordedDecision:
    """Decide ``assessment`` on ``on`` and store it, unless the same result is already stored for it and no other
    day was asked for (``on_given`` False): deciding an unchanged assessment again neither duplicates the
    decision nor moves the calendar."""
    from cxcert.certification.corrective_action import default_owner, plan_for_decision
    from cxcert.certification.decision import check_decidable, check_decision_day, decide
    from cxcert.standards import library

    rule_set = library.rule_set(entity.rule_set_id)
    check_decidable(assessment, rule_set)
    check_decision_day(assessment, on)
    decision = decide(assessment, library.standard(entity.standard_urn), rule_set, entity=entity)
    earlier = [r for r in repos.decisions.decisions(entity.id) if r.decision.assessment_id == assessment.id]
    if earlier and earlier[-1].decision == decision and (not on_given or earlier[-1].decided_on == on):
        record, reused = earlier[-1], True
    else:
        check_engagement(repos, assessment, rule_set, stands=decision.stands)
        record, reused = repos.decisions.save_decision(decision, on, decided_by=by), False
        repos.audit_trail.append(
            by,
            "decision.made" if decision.stands else "review_result.made",
            f"entity:{entity.id}",
            {"decision_id": record.id, "decided_on": on.isoformat(), **decision.to_dict()},
        )
    actions = plan_for_decision(
        decision, assessment, rule_set,
        raised_on=record.decided_on,
        owner=default_owner(rule_set, repos.people.grants(entity.id)),
        existing=repos.corrective_actions.actions(entity.id),
    )  # fmt: skip
    open_actions(repos, actions.opened, by)
    open_actions(repos, actions.updated, by, event="updated")
    standing = repos.decisions.standing_decision(entity.id, decision.scope_items)
    return RecordedDecision(record, standing, reused, actions)
