"""After an evaluation: the agent's dispute window, dispute records, and coaching with the agent's acknowledgement.

Auditors ask for feedback records (DOMAIN.md section 3): who coached whom on which evaluation, what was agreed,
and that the agent acknowledged it. The windows are days in ``data/feedback_rules.yaml``. These are typed,
pure records; storing them is the store's job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from pydantic import Field, model_validator

from cxcert.errors import CxcertError, IllegalTransition
from cxcert.explain import Explanation
from cxcert.quality.evaluation import Evaluation
from cxcert.quality.packaged import load_packaged
from cxcert.standards.schema import Frozen


class FeedbackRules(Frozen):
    dispute_window_days: int = Field(ge=0)
    acknowledgement_due_days: int = Field(ge=0)
    source: str


@cache
def feedback_rules() -> FeedbackRules:
    """The packaged rules (``data/feedback_rules.yaml``)."""
    return load_packaged("feedback_rules.yaml", FeedbackRules)


@dataclass(frozen=True)
class DisputeWindow:
    open: bool
    closes_on: dt.date
    explanation: Explanation


def can_dispute(evaluation: Evaluation, today: dt.date, rules: FeedbackRules | None = None) -> DisputeWindow:
    """Whether the agent may still dispute ``evaluation`` on ``today`` (the window's last day included)."""
    days = (rules or feedback_rules()).dispute_window_days
    evaluated_on = evaluation.evaluated_at.date()
    closes_on = evaluated_on + dt.timedelta(days=days)
    is_open = evaluated_on <= today <= closes_on
    state = "open" if is_open else ("closed" if today > closes_on else "not open yet")
    explanation = Explanation(
        f"dispute window for evaluation {evaluation.evaluation_id} is {state} on {today} (closes {closes_on})"
    ).with_step("dispute_window", f"{days} days from the evaluation date", evaluated_on=str(evaluated_on), days=days)
    return DisputeWindow(is_open, closes_on, explanation)


class DisputeOutcome(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the evaluation stands
    OVERTURNED = "overturned"  # the evaluation is corrected
    WITHDRAWN = "withdrawn"


class Dispute(Frozen):
    evaluation_id: str
    raised_by: str
    raised_on: dt.date
    reason: str = Field(min_length=1)
    parameter_ids: tuple[str, ...] = ()
    outcome: DisputeOutcome = DisputeOutcome.PENDING
    decided_by: str | None = None
    decided_on: dt.date | None = None
    decision_note: str = ""

    @model_validator(mode="after")
    def _decided(self) -> Dispute:
        decided = self.outcome is not DisputeOutcome.PENDING
        if decided != (self.decided_on is not None):
            raise ValueError("a decided dispute has decided_on; a pending one has not")
        if self.decided_on is not None and self.decided_on < self.raised_on:
            raise ValueError("a dispute cannot be decided before it was raised")
        return self


def raise_dispute(
    evaluation: Evaluation,
    *,
    raised_by: str,
    raised_on: dt.date,
    reason: str,
    parameter_ids: tuple[str, ...] = (),
    rules: FeedbackRules | None = None,
) -> Dispute:
    """Open a dispute; refused (CxcertError) outside the window or on parameters the evaluation lacks."""
    window = can_dispute(evaluation, raised_on, rules)
    if not window.open:
        raise CxcertError(window.explanation.summary)
    unknown = [p for p in parameter_ids if p not in evaluation.results]
    if unknown:
        raise CxcertError(f"evaluation {evaluation.evaluation_id} has no parameter(s) {', '.join(unknown)}")
    return Dispute(
        evaluation_id=evaluation.evaluation_id,
        raised_by=raised_by,
        raised_on=raised_on,
        reason=reason,
        parameter_ids=parameter_ids,
    )


def decide_dispute(dispute: Dispute, outcome: DisputeOutcome, *, by: str, on: dt.date, note: str = "") -> Dispute:
    """Record the decision on a pending dispute."""
    if dispute.outcome is not DisputeOutcome.PENDING:
        raise IllegalTransition(f"the dispute on {dispute.evaluation_id} was already decided ({dispute.outcome})")
    if outcome is DisputeOutcome.PENDING:
        raise CxcertError("a decision must be upheld, overturned or withdrawn")
    if on < dispute.raised_on:
        raise CxcertError(f"cannot decide on {on}, before the dispute was raised ({dispute.raised_on})")
    return dispute.model_copy(update={"outcome": outcome, "decided_by": by, "decided_on": on, "decision_note": note})


class CoachingRecord(Frozen):
    """A feedback or coaching session with an agent, tied to evaluations, acknowledged by the agent."""

    id: str
    agent_id: str
    coach_id: str
    held_on: dt.date
    evaluation_ids: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    actions: tuple[str, ...] = Field(default=(), description="what the agent and coach agreed to do")
    follow_up_on: dt.date | None = None
    acknowledged_on: dt.date | None = None
    agent_comment: str = ""

    @model_validator(mode="after")
    def _dates(self) -> CoachingRecord:
        if self.acknowledged_on is not None and self.acknowledged_on < self.held_on:
            raise ValueError("acknowledged_on cannot precede the session")
        return self

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_on is not None


def acknowledge(record: CoachingRecord, on: dt.date, comment: str = "") -> CoachingRecord:
    """The agent acknowledges the coaching record (once)."""
    if record.acknowledged_on is not None:
        raise IllegalTransition(f"coaching record {record.id} was already acknowledged on {record.acknowledged_on}")
    if on < record.held_on:
        raise CxcertError(f"cannot acknowledge on {on}, before the session ({record.held_on})")
    return record.model_copy(update={"acknowledged_on": on, "agent_comment": comment})


def acknowledgement_overdue(record: CoachingRecord, today: dt.date, rules: FeedbackRules | None = None) -> bool:
    """True when the agent has not acknowledged within the configured number of days."""
    due = record.held_on + dt.timedelta(days=(rules or feedback_rules()).acknowledgement_due_days)
    return record.acknowledged_on is None and today > due
